// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The OCI state the runtime gives mguard oci-hook on stdin. */
#include "unit.h"

#include <errno.h>
#include <string.h>

#include "cli/oci_state.h"

static int parse(const char *s, struct mg_oci_state *st)
{
	return mg_oci_state_parse(s, strlen(s), st);
}

static void test_runc_state(void **state)
{
	struct mg_oci_state st;

	assert_int_equal(
		parse("{\"ociVersion\":\"1.0.2-dev\",\"id\":\"vllm-1\",\"status\":\"creating\","
		      "\"pid\":4242,\"bundle\":\"/run/b\",\"annotations\":{\"io.kubernetes.pod\":"
		      "\"x\",\"mguard.io/scope\":\"vllm\"}}",
		      &st),
		0);
	assert_string_equal(st.id, "vllm-1");
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.scope, "vllm");
}

static void test_no_annotation_and_nested_values(void **state)
{
	struct mg_oci_state st;

	assert_int_equal(parse(" { \"pid\" : 7 , \"x\": [1, {\"a\": [true, null, -1.5e3]}], "
			       "\"s\": \"q\\\"uote\" }\n",
			       &st),
			 0);
	assert_int_equal(st.pid, 7);
	assert_string_equal(st.scope, "");
}

static void test_refuses_what_is_not_state(void **state)
{
	struct mg_oci_state st;

	assert_int_equal(parse("", &st), -EINVAL);
	assert_int_equal(parse("[]", &st), -EINVAL);
	assert_int_equal(parse("{\"pid\": \"12\"}", &st), -EINVAL);
	assert_int_equal(parse("{\"pid\": -3}", &st), -EINVAL);
	assert_int_equal(parse("{\"annotations\": {\"mguard.io/scope\": 3}}", &st), -EINVAL);
	assert_int_equal(parse("{\"pid\": 1} trailing", &st), -EINVAL);
	assert_int_equal(parse("{\"a\": \"unterminated}", &st), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runc_state),
		cmocka_unit_test(test_no_annotation_and_nested_values),
		cmocka_unit_test(test_refuses_what_is_not_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
