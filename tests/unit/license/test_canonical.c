// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The canonical form a licence signature covers. */
#include "license_fixture.h"

/* ---- Canonical form ---------------------------------------------------------- */

static void test_canonical_exact(void **state)
{
	struct fx *fx = *state;
	size_t len;
	char *buf;

	/* Models sorted, whatever order the file lists them in. */
	parse_ok(fx, HEAD L_ID L_USE L_SCOPE
		 "models: [mistral-7b, llama-3.1-70b]\n" L_TIER L_NB L_NA L_ISSUER);
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), 0);
	assert_string_equal(buf, CANONICAL_GOOD);
	assert_int_equal(len, strlen(CANONICAL_GOOD));
	free(buf);

	/* No models, no maxTier, times before 1970, text with spaces. */
	parse_ok(fx, HEAD "id: lic 1\nuseCase: 'a=b, c'\n" L_SCOPE "models: [B, a, A-1]\n"
			  "notBefore: 1960-01-01T00:00:00Z\nnotAfter: 1970-01-01T00:00:01Z\n"
			  "issuer: Acme Ltd.\n");
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), 0);
	assert_string_equal(buf, "mguard-license-v1\n"
				 "id=lic 1\n"
				 "useCase=a=b, c\n"
				 "scope=vllm\n"
				 "models=A-1,B,a\n"
				 "maxTier=\n"
				 "notBefore=-315619200\n"
				 "notAfter=1\n"
				 "issuer=Acme Ltd.\n");
	free(buf);

	parse_ok(fx, HEAD L_ID L_USE L_SCOPE L_TIER L_NB L_NA L_ISSUER);
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), 0);
	assert_non_null(strstr(buf, "\nmodels=\nmaxTier=controlled\n"));
	free(buf);

	/* egressBudget, last, in bytes and seconds whatever units it was written in. */
	parse_ok(fx, GOOD "egressBudget: {per: 2m, bytes: 1GB}\n");
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), 0);
	assert_string_equal(buf, CANONICAL_GOOD "egressBudget=1000000000/120\n");
	free(buf);
}

static void test_canonical_rejects_ambiguous(void **state)
{
	struct fx *fx = *state;
	char *saved, *bad;
	size_t len;
	char *buf = NULL;

	parse_ok(fx, GOOD);
	saved = fx->lic->models[0];
	bad = strdup("a,b");
	fx->lic->models[0] = bad;
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), -EINVAL);
	fx->lic->models[0] = saved;
	free(bad);

	saved = fx->lic->id;
	bad = strdup("x\nscope=other");
	fx->lic->id = bad;
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), -EINVAL);
	assert_int_equal(mg_license_write(fx->lic, stderr), -EINVAL);
	fx->lic->id = NULL;
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), -EINVAL);
	fx->lic->id = saved;
	free(bad);
	assert_null(buf);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {

		T(test_canonical_exact),
		T(test_canonical_rejects_ambiguous),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
