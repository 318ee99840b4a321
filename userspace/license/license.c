// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Licence files: YAML read with libyaml's event API, as policy files are;
 * Ed25519 signatures over a canonical text form, with OpenSSL 3's EVP API.
 * All errors go to a struct mg_diags with their file:line:col, or come back
 * as a reason string; nothing here prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "license/license.h"
#include "policy/policy.h"
#include "core/util.h"
#include "core/yaml_reader.h"

#define LOC_TEXT_MAX	(PATH_MAX + 32)
#define MAX_DEPTH	16 /* YAML nesting */
#define MAX_NAME	63 /* scope, model and tier names, as in policies */
#define CANONICAL_MAGIC "mguard-license-v1\n"

/* Base64 of MG_LICENSE_SIG_LEN bytes, and its NUL. */
#define SIG_B64_LEN (4 * ((MG_LICENSE_SIG_LEN + 2) / 3))

struct mg_keyring {
	EVP_PKEY **keys;
	size_t n;
};

/* C0 and C1 control characters, DEL included (C1 as UTF-8: c2 80 to c2 9f). */
static bool has_control(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f || (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
			return true;
	return false;
}

static bool utf8_valid(const char *s)
{
	const unsigned char *c = (const unsigned char *)s;

	while (*c) {
		unsigned int n, cp;

		if (*c < 0x80) {
			c++;
			continue;
		}
		if ((*c & 0xe0) == 0xc0) {
			n = 1;
			cp = *c & 0x1f;
		} else if ((*c & 0xf0) == 0xe0) {
			n = 2;
			cp = *c & 0x0f;
		} else if ((*c & 0xf8) == 0xf0) {
			n = 3;
			cp = *c & 0x07;
		} else {
			return false;
		}
		for (unsigned int i = 1; i <= n; i++) {
			if ((c[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (c[i] & 0x3f);
		}
		/* Overlong forms, surrogates and beyond U+10FFFF. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		c += n + 1;
	}
	return true;
}

/* Free text as a licence file may hold it: id, useCase, issuer. */
static bool text_field_ok(const char *s)
{
	return s && *s && strlen(s) <= MG_LICENSE_MAX_STRING && !has_control(s) && utf8_valid(s);
}

/* ---- Time ---------------------------------------------------------------- */

#define SECS_PER_DAY 86400

/* Days from 1970-01-01 to @y-@m-@d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *ret_y, unsigned int *ret_m, unsigned int *ret_d)
{
	int64_t era;
	unsigned int doe, yoe, doy, mp, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	m = mp < 10 ? mp + 3 : mp - 9;
	*ret_d = doy - (153 * mp + 2) / 5 + 1;
	*ret_m = m;
	*ret_y = (int64_t)yoe + era * 400 + (m <= 2);
}

static unsigned int days_in_month(unsigned int y, unsigned int m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* @n decimal digits at @s. */
static bool digits(const char *s, size_t n, unsigned int *ret)
{
	unsigned int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	*ret = v;
	return true;
}

int mg_license_parse_time(const char *s, int64_t *ret)
{
	unsigned int y, mo, d, h, mi, sec;

	if (strlen(s) != MG_LICENSE_TIME_LEN - 1 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -EINVAL;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
		return -EINVAL;
	*ret = days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 + sec;
	return 0;
}

void mg_license_format_time(int64_t t, char buf[MG_LICENSE_TIME_LEN])
{
	const int64_t min = days_from_civil(0, 1, 1) * SECS_PER_DAY;
	const int64_t max = days_from_civil(10000, 1, 1) * SECS_PER_DAY - 1;
	char text[64];
	int64_t days, secs, y;
	unsigned int m, d;

	if (t < min)
		t = min;
	if (t > max)
		t = max;
	days = t / SECS_PER_DAY;
	secs = t % SECS_PER_DAY;
	if (secs < 0) {
		secs += SECS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	/* Room for any value, though the clamping keeps it to 20 characters. */
	snprintf(text, sizeof(text), "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned int)y, m, d,
		 (unsigned int)(secs / 3600), (unsigned int)(secs / 60 % 60),
		 (unsigned int)(secs % 60));
	memcpy(buf, text, MG_LICENSE_TIME_LEN - 1);
	buf[MG_LICENSE_TIME_LEN - 1] = '\0';
}

/* ---- Signature text -------------------------------------------------------- */

static bool b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/*
 * Decode standard base64 with padding. Returns the number of bytes it
 * holds (filling @out only when that is MG_LICENSE_SIG_LEN), or -EINVAL
 * when it is not base64 in its one canonical spelling.
 */
static long decode_sig(const char *s, uint8_t out[MG_LICENSE_SIG_LEN])
{
	unsigned char dec[3 * (MG_LICENSE_MAX_STRING / 4)];
	char enc[SIG_B64_LEN + 1];
	size_t n = strlen(s), pad = 0;
	long bytes;

	if (!n || n % 4 || n > MG_LICENSE_MAX_STRING)
		return -EINVAL;
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (!b64_char(s[i]))
			return -EINVAL;
	bytes = (long)(n / 4 * 3 - pad);
	if (bytes != MG_LICENSE_SIG_LEN)
		return bytes;
	if (EVP_DecodeBlock(dec, (const unsigned char *)s, (int)n) != (int)(n / 4 * 3))
		return -EINVAL;
	/* Unused bits must be zero: only one text per signature. */
	EVP_EncodeBlock((unsigned char *)enc, dec, MG_LICENSE_SIG_LEN);
	if (strcmp(enc, s) != 0)
		return -EINVAL;
	memcpy(out, dec, MG_LICENSE_SIG_LEN);
	return bytes;
}

/* ---- YAML events ----------------------------------------------------------- */

enum {
	KEY_API,
	KEY_KIND,
	KEY_ID,
	KEY_USE_CASE,
	KEY_SCOPE,
	KEY_MODELS,
	KEY_MAX_TIER,
	KEY_NOT_BEFORE,
	KEY_NOT_AFTER,
	KEY_ISSUER,
	KEY_EGRESS,
	KEY_SIGNATURE,
	KEY__N
};
static const char *const keys[KEY__N] = {
	"apiVersion", "kind",	   "id",       "useCase", "scope",  "models",
	"maxTier",    "notBefore", "notAfter", "issuer",  "egress", "signature",
};
static const unsigned int required_keys =
	(1u << KEY_API) | (1u << KEY_KIND) | (1u << KEY_ID) | (1u << KEY_USE_CASE) |
	(1u << KEY_SCOPE) | (1u << KEY_NOT_BEFORE) | (1u << KEY_NOT_AFTER) | (1u << KEY_ISSUER);

struct parser {
	struct mg_yaml y; /* its file is owned by lic->path */
	struct mg_license *lic;
	struct mg_loc *model_locs; /* where each of lic->models is */
	bool times_ok;		   /* both times parsed */
	struct mg_loc not_after_loc;
};

/*
 * The current event is a value that must be a non-empty string of
 * at most MG_LICENSE_MAX_STRING bytes without control characters. Returns 0
 * with a copy in *ret, 1 when it is something else (reported), -1 to stop.
 * @what names it in messages ("'id'"); @bad, when not NULL, is the message
 * for a value that is not a string at all.
 */
static int get_str(struct parser *p, const char *what, const char *bad, char **ret,
		   struct mg_loc *ret_loc)
{
	const yaml_event_t *ev = &p->y.ev;
	const char *v;
	char *s;

	if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev)) {
		if (bad)
			return mg_yaml_reject(&p->y, "%s", bad);
		return mg_yaml_reject(&p->y, "%s must be a string", what);
	}
	v = (const char *)ev->data.scalar.value;
	if (ev->data.scalar.length > MG_LICENSE_MAX_STRING) {
		mg_yaml_report(&p->y, "%s is longer than %d bytes", what, MG_LICENSE_MAX_STRING);
		return 1;
	}
	if (strlen(v) != ev->data.scalar.length || has_control(v)) {
		mg_yaml_report(&p->y, "%s must not contain control characters", what);
		return 1;
	}
	if (!*v) {
		mg_yaml_report(&p->y, "%s must not be empty", what);
		return 1;
	}
	s = strdup(v);
	if (!s)
		return mg_yaml_nomem(&p->y);
	*ret = s;
	if (ret_loc)
		*ret_loc = mg_yaml_here(&p->y);
	return 0;
}

/* A string that names a scope, model or tier of a policy: @kind is "scope". */
static int get_name(struct parser *p, const char *what, const char *bad, const char *kind,
		    char **ret, struct mg_loc *ret_loc)
{
	struct mg_loc loc;
	char *s;
	int r;

	r = get_str(p, what, bad, &s, &loc);
	if (r)
		return r;
	if (!mg_valid_name(s, MAX_NAME)) {
		mg_report(
			p->y.sink, loc,
			"invalid %s name '%s' (1 to %d of A-Z a-z 0-9 . _ -, starting with a letter or digit)",
			kind, s, MAX_NAME);
		free(s);
		return 1;
	}
	*ret = s;
	if (ret_loc)
		*ret_loc = loc;
	return 0;
}

/*
 * Next key of the root mapping. Returns 1 with the key's index in *ret and
 * the value's first event current, 0 at the end of the mapping, or -1.
 * Unknown, duplicate and non-string keys are reported and skipped.
 */
static int map_next(struct parser *p, struct mg_loc *seen, int *ret)
{
	char where[LOC_TEXT_MAX];

	for (;;) {
		struct mg_loc kloc;
		int idx = -1;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		kloc = mg_yaml_here(&p->y);
		if (p->y.ev.type == YAML_SCALAR_EVENT) {
			const char *k = (const char *)p->y.ev.data.scalar.value;

			for (size_t i = 0; i < KEY__N; i++)
				if (mg_yaml_scalar_is(&p->y.ev, keys[i]))
					idx = (int)i;
			if (idx < 0) {
				if (p->y.ev.data.scalar.length > MG_LICENSE_MAX_STRING ||
				    strlen(k) != p->y.ev.data.scalar.length || has_control(k))
					mg_report(p->y.sink, kloc, "unknown key at top level");
				else
					mg_report(p->y.sink, kloc, "unknown key '%s' at top level",
						  k);
			} else if (seen[idx].file) {
				mg_report(p->y.sink, kloc,
					  "duplicate key '%s' (first defined at %s)", k,
					  mg_fmt_loc(where, sizeof(where), seen[idx]));
				idx = -1;
			} else {
				seen[idx] = kloc;
			}
		} else if (mg_yaml_reject(&p->y, "mapping keys must be strings") < 0) {
			return -1;
		}
		if (mg_yaml_next(&p->y))
			return -1;
		if (idx >= 0) {
			*ret = idx;
			return 1;
		}
		if (mg_yaml_skip(&p->y))
			return -1;
	}
}

static int parse_fixed(struct parser *p, const char *key, const char *want)
{
	struct mg_loc loc;
	char what[32];
	char *s;
	int r;

	snprintf(what, sizeof(what), "'%s'", key);
	r = get_str(p, what, NULL, &s, &loc);
	if (r)
		return r;
	if (strcmp(s, want) != 0)
		mg_report(p->y.sink, loc, "unsupported %s '%s' (expected '%s')", key, s, want);
	free(s);
	return 0;
}

static int parse_time(struct parser *p, const char *key, int64_t *ret, struct mg_loc *ret_loc)
{
	struct mg_loc loc;
	char what[32];
	char *s;
	int r;

	snprintf(what, sizeof(what), "'%s'", key);
	r = get_str(p, what, NULL, &s, &loc);
	if (r)
		return r;
	if (mg_license_parse_time(s, ret)) {
		mg_report(p->y.sink, loc, "invalid %s '%s' (expected YYYY-MM-DDTHH:MM:SSZ, in UTC)",
			  key, s);
		r = 1;
	}
	free(s);
	if (ret_loc)
		*ret_loc = loc;
	return r;
}

static int parse_signature(struct parser *p)
{
	struct mg_license *l = p->lic;
	struct mg_loc loc;
	long bytes;
	char *s;
	int r;

	r = get_str(p, "'signature'", NULL, &s, &loc);
	if (r)
		return r;
	bytes = decode_sig(s, l->signature);
	free(s);
	if (bytes < 0) {
		mg_report(p->y.sink, loc, "'signature' is not base64");
		return 1;
	}
	if (bytes != MG_LICENSE_SIG_LEN) {
		mg_report(p->y.sink, loc, "'signature' holds %ld bytes (expected %d)", bytes,
			  MG_LICENSE_SIG_LEN);
		return 1;
	}
	l->signed_ = 1;
	return 0;
}

static int add_model(struct parser *p, char *s, struct mg_loc loc)
{
	struct mg_license *l = p->lic;
	char where[LOC_TEXT_MAX];

	for (size_t i = 0; i < l->nmodels; i++) {
		if (strcmp(l->models[i], s) == 0) {
			mg_report(p->y.sink, loc,
				  "duplicate model '%s' in 'models' (first listed at %s)", s,
				  mg_fmt_loc(where, sizeof(where), p->model_locs[i]));
			free(s);
			return 0;
		}
	}
	if (!l->models) {
		l->models = calloc(MG_LICENSE_MAX_MODELS, sizeof(*l->models));
		p->model_locs = calloc(MG_LICENSE_MAX_MODELS, sizeof(*p->model_locs));
		if (!l->models || !p->model_locs) {
			free(s);
			return mg_yaml_nomem(&p->y);
		}
	}
	l->models[l->nmodels] = s;
	p->model_locs[l->nmodels] = loc;
	l->nmodels++;
	return 0;
}

static int parse_models(struct parser *p)
{
	struct mg_loc loc = mg_yaml_here(&p->y);
	size_t n = 0;

	if (p->y.ev.type != YAML_SEQUENCE_START_EVENT)
		return mg_yaml_reject(&p->y, "'models' must be a list of strings") < 0 ? -1 : 0;
	for (;;) {
		struct mg_loc sloc;
		char *s;
		int r;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (++n > MG_LICENSE_MAX_MODELS) {
			if (n == MG_LICENSE_MAX_MODELS + 1)
				mg_yaml_report(&p->y, "'models' has more than %d entries",
					       MG_LICENSE_MAX_MODELS);
			if (mg_yaml_skip(&p->y))
				return -1;
			continue;
		}
		r = get_name(p, "model name", "'models' must be a list of strings", "model", &s,
			     &sloc);
		if (r < 0)
			return -1;
		if (r == 0 && add_model(p, s, sloc))
			return -1;
	}
	if (!n)
		mg_report(p->y.sink, loc, "'models' must not be empty");
	return 0;
}

/*
 * egress: where a process may still send once it has loaded a model under
 * this licence; each entry in the policy's egress syntax.
 */
static int parse_egress(struct parser *p)
{
	struct mg_license *l = p->lic;
	size_t n = 0;

	if (p->y.ev.type != YAML_SEQUENCE_START_EVENT)
		return mg_yaml_reject(&p->y, "'egress' must be a list of strings") < 0 ? -1 : 0;
	l->has_egress = 1;
	for (;;) {
		struct mg_egress_rule rule;
		struct mg_loc sloc;
		const char *why;
		char *str, **v;
		int r;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (++n > MG_LICENSE_MAX_EGRESS) {
			if (n == MG_LICENSE_MAX_EGRESS + 1)
				mg_yaml_report(&p->y, "'egress' has more than %d entries",
					       MG_LICENSE_MAX_EGRESS);
			if (mg_yaml_skip(&p->y))
				return -1;
			continue;
		}
		r = get_str(p, "egress entry", "'egress' must be a list of strings", &str, &sloc);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (strchr(str, ',') || mg_egress_parse(str, &rule, &why)) {
			mg_report(p->y.sink, sloc, "invalid egress '%s': %s", str,
				  strchr(str, ',') ? "a ',' is not allowed" : why);
			free(str);
			continue;
		}
		v = realloc(l->egress, (l->negress + 1) * sizeof(*v));
		if (!v) {
			free(str);
			return mg_yaml_nomem(&p->y);
		}
		l->egress = v;
		l->egress[l->negress++] = str;
	}
	return 0;
}

/* The document's root mapping. @arg: the parser. */
static int parse_top(void *arg)
{
	struct parser *p = arg;
	struct mg_license *l = p->lic;
	struct mg_loc seen[KEY__N] = { 0 };
	bool before_ok = false, after_ok = false;
	int r, k;

	l->loc = mg_yaml_here(&p->y);
	while ((r = map_next(p, seen, &k)) > 0) {
		switch (k) {
		case KEY_API:
			r = parse_fixed(p, "apiVersion", MG_LICENSE_API_VERSION);
			break;
		case KEY_KIND:
			r = parse_fixed(p, "kind", MG_LICENSE_KIND);
			break;
		case KEY_ID:
			r = get_str(p, "'id'", NULL, &l->id, NULL);
			break;
		case KEY_USE_CASE:
			r = get_str(p, "'useCase'", NULL, &l->use_case, NULL);
			break;
		case KEY_SCOPE:
			r = get_name(p, "'scope'", NULL, "scope", &l->scope, NULL);
			break;
		case KEY_MODELS:
			r = parse_models(p);
			break;
		case KEY_MAX_TIER:
			r = get_name(p, "'maxTier'", NULL, "tier", &l->max_tier, NULL);
			break;
		case KEY_NOT_BEFORE:
			r = parse_time(p, "notBefore", &l->not_before, NULL);
			before_ok = r == 0;
			break;
		case KEY_NOT_AFTER:
			r = parse_time(p, "notAfter", &l->not_after, &p->not_after_loc);
			after_ok = r == 0;
			break;
		case KEY_ISSUER:
			r = get_str(p, "'issuer'", NULL, &l->issuer, NULL);
			break;
		case KEY_EGRESS:
			r = parse_egress(p);
			break;
		default:
			r = parse_signature(p);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	for (size_t i = 0; i < KEY__N; i++)
		if ((required_keys & (1u << i)) && !seen[i].file)
			mg_report(p->y.sink, l->loc, "missing key '%s'", keys[i]);
	if (!seen[KEY_MODELS].file && !seen[KEY_MAX_TIER].file)
		mg_report(p->y.sink, l->loc, "at least one of 'models' and 'maxTier' is required");
	if (before_ok && after_ok && l->not_after <= l->not_before) {
		char a[MG_LICENSE_TIME_LEN], b[MG_LICENSE_TIME_LEN];

		mg_license_format_time(l->not_after, a);
		mg_license_format_time(l->not_before, b);
		mg_report(p->y.sink, p->not_after_loc, "notAfter %s is not after notBefore %s", a,
			  b);
	}
	return 0;
}

void mg_license_free(struct mg_license *l)
{
	if (!l)
		return;
	free(l->id);
	free(l->use_case);
	free(l->scope);
	free(l->issuer);
	free(l->max_tier);
	for (size_t i = 0; i < l->negress; i++)
		free(l->egress[i]);
	free(l->egress);
	for (size_t i = 0; i < l->nmodels; i++)
		free(l->models[i]);
	free(l->models);
	free(l->path);
	free(l);
}

int mg_license_parse_buffer(const char *name, const char *buf, size_t len, struct mg_license **ret,
			    struct mg_diags *diags)
{
	struct mg_sink sink = { .diags = diags };
	struct parser p = {};
	struct mg_license *l;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->path = strdup(name);
	if (!l->path) {
		free(l);
		return -ENOMEM;
	}
	l->loc.file = l->path;
	p.lic = l;

	if (len > MG_LICENSE_MAX_FILE_SIZE) {
		mg_report(&sink, (struct mg_loc){ .file = name }, "file is larger than %u KiB",
			  MG_LICENSE_MAX_FILE_SIZE >> 10);
		mg_license_free(l);
		return -EINVAL;
	}
	if (mg_yaml_open(&p.y, &sink, l->path, buf, len, MAX_DEPTH)) {
		mg_license_free(l);
		return -ENOMEM;
	}
	mg_yaml_document(&p.y, "license", parse_top, &p);
	mg_yaml_close(&p.y);
	free(p.model_locs);

	if (p.y.oom || sink.nerr) {
		mg_license_free(l);
		return p.y.oom ? -ENOMEM : -EINVAL;
	}
	*ret = l;
	return 0;
}

int mg_license_load(const char *path, struct mg_license **ret, struct mg_diags *diags)
{
	struct mg_loc loc = { .file = path };
	char *buf;
	size_t len;
	int err;

	/* One byte over the limit, so a file of exactly the limit reads fine. */
	err = mg_read_file(path, MG_LICENSE_MAX_FILE_SIZE + 1, &buf, &len);
	if (err == -EFBIG)
		mg_diag_add(diags, loc, "file is larger than %u KiB",
			    MG_LICENSE_MAX_FILE_SIZE >> 10);
	else if (err && err != -ENOMEM)
		mg_diag_add(diags, loc, "cannot read file: %s", strerror(-err));
	if (err)
		return err;
	err = mg_license_parse_buffer(path, buf, len, ret, diags);
	free(buf);
	return err;
}

/* ---- Canonical form -------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Free text of a field: present, and without a line break. */
static bool text_ok(const char *s)
{
	return s && *s && !strchr(s, '\n');
}

int mg_license_canonical(const struct mg_license *l, char **ret_buf, size_t *ret_len)
{
	char **sorted = NULL;
	char *models = NULL, *egress = NULL, *buf, *q;
	size_t mlen = 0;
	int n;

	if (!text_ok(l->id) || !text_ok(l->use_case) || !text_ok(l->scope) || !text_ok(l->issuer) ||
	    (l->max_tier && !text_ok(l->max_tier)) || l->nmodels > MG_LICENSE_MAX_MODELS)
		return -EINVAL;
	for (size_t i = 0; i < l->nmodels; i++) {
		if (!text_ok(l->models[i]) || strchr(l->models[i], ','))
			return -EINVAL;
		mlen += strlen(l->models[i]) + 1;
	}

	if (l->nmodels) {
		sorted = malloc(l->nmodels * sizeof(*sorted));
		models = malloc(mlen);
		if (!sorted || !models) {
			free(sorted);
			free(models);
			return -ENOMEM;
		}
		memcpy(sorted, l->models, l->nmodels * sizeof(*sorted));
		qsort(sorted, l->nmodels, sizeof(*sorted), cmp_str);
		q = models;
		for (size_t i = 0; i < l->nmodels; i++) {
			size_t len = strlen(sorted[i]);

			if (i)
				*q++ = ',';
			memcpy(q, sorted[i], len);
			q += len;
		}
		*q = '\0';
		free(sorted);
	}

	/* egress is signed in the order written; a licence without it keeps the older form. */
	if (l->has_egress) {
		size_t elen = 1;

		for (size_t i = 0; i < l->negress; i++) {
			if (!text_ok(l->egress[i]) || strchr(l->egress[i], ',')) {
				free(models);
				return -EINVAL;
			}
			elen += strlen(l->egress[i]) + 1;
		}
		egress = calloc(1, elen);
		if (!egress) {
			free(models);
			return -ENOMEM;
		}
		for (size_t i = 0; i < l->negress; i++) {
			if (i)
				strcat(egress, ",");
			strcat(egress, l->egress[i]);
		}
	}
	n = asprintf(&buf,
		     CANONICAL_MAGIC "id=%s\nuseCase=%s\nscope=%s\nmodels=%s\nmaxTier=%s\n"
				     "notBefore=%" PRId64 "\nnotAfter=%" PRId64
				     "\nissuer=%s\n%s%s%s",
		     l->id, l->use_case, l->scope, models ? models : "",
		     l->max_tier ? l->max_tier : "", l->not_before, l->not_after, l->issuer,
		     egress ? "egress=" : "", egress ? egress : "", egress ? "\n" : "");
	free(models);
	free(egress);
	if (n < 0)
		return -ENOMEM;
	*ret_buf = buf;
	*ret_len = (size_t)n;
	return 0;
}

/* ---- Keys -------------------------------------------------------------------- */

/* Never ask for a passphrase: library code has no terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	return -1;
}

static const char *key_type(EVP_PKEY *pkey)
{
	const char *name = EVP_PKEY_get0_type_name(pkey);

	return name ? name : "unknown";
}

/*
 * Read the PEM key at @path: public with @public, else private. Returns 0
 * and the key, or a negative errno with the reason in @diags.
 */
static int read_key(const char *path, bool public, EVP_PKEY **ret, struct mg_diags *diags)
{
	struct mg_loc loc = { .file = path };
	const char *kind = public ? "public" : "private";
	EVP_PKEY *pkey = NULL;
	char *buf;
	size_t len;
	BIO *bio;
	int err;

	err = mg_read_file(path, MG_LICENSE_MAX_FILE_SIZE + 1, &buf, &len);
	if (err == -EFBIG)
		mg_diag_add(diags, loc, "file is larger than %u KiB",
			    MG_LICENSE_MAX_FILE_SIZE >> 10);
	else if (err && err != -ENOMEM)
		mg_diag_add(diags, loc, "cannot read file: %s", strerror(-err));
	if (err)
		return err;

	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio) {
		err = -ENOMEM;
		goto out;
	}
	if (public)
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	else
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (!pkey) {
		mg_diag_add(diags, loc,
			    public ? "not a PEM public key" : "not an unencrypted PEM private key");
		err = -EINVAL;
		goto out;
	}
	if (!EVP_PKEY_is_a(pkey, "ED25519")) {
		mg_diag_add(diags, loc, "not an Ed25519 %s key (it is %s)", kind, key_type(pkey));
		EVP_PKEY_free(pkey);
		err = -EINVAL;
		goto out;
	}
	*ret = pkey;
out:
	ERR_clear_error();
	OPENSSL_cleanse(buf, len);
	free(buf);
	return err;
}

int mg_keyring_load(struct mg_keyring **ret, const char *const *paths, size_t n,
		    struct mg_diags *diags)
{
	struct mg_keyring *ring;
	bool failed = false;
	int err = 0;

	if (n > MG_LICENSE_MAX_KEYS) {
		mg_diag_add(diags, (struct mg_loc){ 0 }, "more than %d trusted keys",
			    MG_LICENSE_MAX_KEYS);
		return -EINVAL;
	}
	ring = calloc(1, sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	if (n) {
		ring->keys = calloc(n, sizeof(*ring->keys));
		if (!ring->keys) {
			free(ring);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n; i++) {
		EVP_PKEY *pkey;

		err = read_key(paths[i], true, &pkey, diags);
		if (err == -ENOMEM)
			break;
		if (err) {
			failed = true;
			err = 0;
			continue;
		}
		ring->keys[ring->n++] = pkey;
	}
	if (!err && failed)
		err = -EINVAL;
	if (err) {
		mg_keyring_free(ring);
		return err;
	}
	*ret = ring;
	return 0;
}

size_t mg_keyring_size(const struct mg_keyring *ring)
{
	return ring ? ring->n : 0;
}

void mg_keyring_free(struct mg_keyring *ring)
{
	if (!ring)
		return;
	for (size_t i = 0; i < ring->n; i++)
		EVP_PKEY_free(ring->keys[i]);
	free(ring->keys);
	free(ring);
}

/* ---- Verification ---------------------------------------------------------- */

static __thread char reason_buf[64];

static int why(int err, const char **ret_reason, const char *reason)
{
	if (ret_reason)
		*ret_reason = reason;
	return err;
}

static int why_time(const char **ret_reason, const char *what, int64_t t)
{
	char when[MG_LICENSE_TIME_LEN];

	mg_license_format_time(t, when);
	snprintf(reason_buf, sizeof(reason_buf), "%s %s", what, when);
	return why(-EKEYEXPIRED, ret_reason, reason_buf);
}

/* 1 when @sig over @tbs verifies with @pkey, 0 when not, -ENOMEM. */
static int verify_one(EVP_PKEY *pkey, const uint8_t *sig, const char *tbs, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, MG_LICENSE_SIG_LEN, (const unsigned char *)tbs, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int mg_license_verify(const struct mg_license *l, const struct mg_keyring *ring, int64_t now,
		      const char **ret_reason)
{
	size_t len;
	char *tbs;
	int err, ok = 0;

	if (!l->signed_)
		return why(-EBADMSG, ret_reason, "not signed");
	if (!ring || !ring->n)
		return why(-ENOKEY, ret_reason, "no trusted keys");
	err = mg_license_canonical(l, &tbs, &len);
	if (err == -ENOMEM)
		return why(err, ret_reason, "out of memory");
	if (err)
		return why(err, ret_reason, "incomplete license");
	for (size_t i = 0; i < ring->n && ok == 0; i++)
		ok = verify_one(ring->keys[i], l->signature, tbs, len);
	free(tbs);
	if (ok < 0)
		return why(ok, ret_reason, "out of memory");
	if (!ok)
		return why(-EKEYREJECTED, ret_reason, "signature matches no trusted key");
	if (now < l->not_before)
		return why_time(ret_reason, "not valid before", l->not_before);
	if (now >= l->not_after)
		return why_time(ret_reason, "expired on", l->not_after);
	return why(0, ret_reason, NULL);
}

bool mg_license_covers(const struct mg_license *l, const char *model, unsigned int level,
		       unsigned int max_level)
{
	if (model)
		for (size_t i = 0; i < l->nmodels; i++)
			if (strcmp(l->models[i], model) == 0)
				return true;
	return l->max_tier && level && max_level && level <= max_level;
}

/* ---- Keys and signatures --------------------------------------------------- */

/* Create @path for writing; it must not exist. */
static int create_new(const char *path, mode_t mode, bool exact_mode, FILE **ret,
		      struct mg_diags *diags)
{
	struct mg_loc loc = { .file = path };
	FILE *f;
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		err = -errno;
		if (err == -EEXIST)
			mg_diag_add(diags, loc, "file exists: refusing to overwrite it");
		else
			mg_diag_add(diags, loc, "cannot create file: %s", strerror(-err));
		return err;
	}
	if (exact_mode && fchmod(fd, mode) < 0) {
		err = -errno;
		mg_diag_add(diags, loc, "cannot set mode %04o: %s", (unsigned int)mode,
			    strerror(-err));
		close(fd);
		unlink(path);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		mg_diag_add(diags, loc, "cannot write file: %s", strerror(-err));
		close(fd);
		unlink(path);
		return err;
	}
	*ret = f;
	return 0;
}

/* Close @f after @ok writes; on failure report it and remove @path. */
static int finish_file(FILE *f, bool ok, const char *path, struct mg_diags *diags)
{
	int err = 0;

	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		err = errno ? -errno : -EIO;
	if (fsync(fileno(f)) < 0 && !err)
		err = -errno;
	if (fclose(f) != 0 && !err)
		err = -errno;
	if (!ok && !err)
		err = -EIO;
	if (err) {
		mg_diag_add(diags, (struct mg_loc){ .file = path }, "cannot write file: %s",
			    strerror(-err));
		unlink(path);
	}
	return err;
}

int mg_license_keygen(const char *private_path, const char *public_path, struct mg_diags *diags)
{
	EVP_PKEY *pkey;
	FILE *f;
	bool ok;
	int err;

	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!pkey) {
		ERR_clear_error();
		mg_diag_add(diags, (struct mg_loc){ 0 }, "cannot generate an Ed25519 key");
		return -EIO;
	}

	err = create_new(private_path, 0600, true, &f, diags);
	if (err)
		goto out;
	ok = PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) == 1;
	err = finish_file(f, ok, private_path, diags);
	if (err)
		goto out;

	err = create_new(public_path, 0644, false, &f, diags);
	if (err) {
		unlink(private_path);
		goto out;
	}
	ok = PEM_write_PUBKEY(f, pkey) == 1;
	err = finish_file(f, ok, public_path, diags);
	if (err)
		unlink(private_path);
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	return err;
}

int mg_license_sign(struct mg_license *l, const char *private_key_path, struct mg_diags *diags)
{
	uint8_t sig[MG_LICENSE_SIG_LEN];
	size_t siglen = sizeof(sig), len;
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx;
	char *tbs;
	int err;

	err = mg_license_canonical(l, &tbs, &len);
	if (err) {
		if (err == -EINVAL)
			mg_diag_add(diags, l->loc, "license is incomplete: cannot sign it");
		return err;
	}
	err = read_key(private_key_path, false, &pkey, diags);
	if (err) {
		free(tbs);
		return err;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		err = -ENOMEM;
	} else if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) != 1 ||
		   EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)tbs, len) != 1 ||
		   siglen != sizeof(sig)) {
		mg_diag_add(diags, (struct mg_loc){ .file = private_key_path },
			    "cannot sign with this key");
		err = -EIO;
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	free(tbs);
	if (err)
		return err;
	memcpy(l->signature, sig, sizeof(sig));
	l->signed_ = 1;
	return 0;
}

/* ---- Writing ----------------------------------------------------------------- */

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	return fwrite(buffer, 1, size, data) == size;
}

static int emit(yaml_emitter_t *e, yaml_event_t *ev, bool made)
{
	if (!made)
		return -ENOMEM;
	return yaml_emitter_emit(e, ev) ? 0 : -EIO;
}

static int emit_scalar(yaml_emitter_t *e, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	return emit(e, &ev,
		    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s),
						 1, 1, style));
}

/* Plain when it reads back as the same string, else double-quoted. */
static int emit_text(yaml_emitter_t *e, const char *s)
{
	bool plain = mg_valid_name(s, MAX_NAME) && !mg_yaml_null_word(s);

	return emit_scalar(e, s, plain ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static int emit_pair(yaml_emitter_t *e, const char *key, const char *value)
{
	int err = emit_scalar(e, key, YAML_PLAIN_SCALAR_STYLE);

	return err ? err : emit_text(e, value);
}

static int emit_fixed(yaml_emitter_t *e, const char *key, const char *value)
{
	int err = emit_scalar(e, key, YAML_PLAIN_SCALAR_STYLE);

	return err ? err : emit_scalar(e, value, YAML_PLAIN_SCALAR_STYLE);
}

static int emit_time(yaml_emitter_t *e, const char *key, int64_t t)
{
	char buf[MG_LICENSE_TIME_LEN];

	mg_license_format_time(t, buf);
	return emit_fixed(e, key, buf);
}

static int emit_license(yaml_emitter_t *e, const struct mg_license *l)
{
	char sig[SIG_B64_LEN + 1];
	yaml_event_t ev;
	int err;

#define TRY(x)                      \
	do {                        \
		err = (x);          \
		if (err)            \
			return err; \
	} while (0)

	TRY(emit(e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)));
	TRY(emit(e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)));
	TRY(emit(
		e, &ev,
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)));
	TRY(emit_fixed(e, "apiVersion", MG_LICENSE_API_VERSION));
	TRY(emit_fixed(e, "kind", MG_LICENSE_KIND));
	TRY(emit_pair(e, "id", l->id));
	TRY(emit_pair(e, "useCase", l->use_case));
	TRY(emit_pair(e, "scope", l->scope));
	if (l->nmodels) {
		TRY(emit_scalar(e, "models", YAML_PLAIN_SCALAR_STYLE));
		TRY(emit(e, &ev,
			 yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							      YAML_FLOW_SEQUENCE_STYLE)));
		for (size_t i = 0; i < l->nmodels; i++)
			TRY(emit_text(e, l->models[i]));
		TRY(emit(e, &ev, yaml_sequence_end_event_initialize(&ev)));
	}
	if (l->max_tier)
		TRY(emit_pair(e, "maxTier", l->max_tier));
	TRY(emit_time(e, "notBefore", l->not_before));
	TRY(emit_time(e, "notAfter", l->not_after));
	TRY(emit_pair(e, "issuer", l->issuer));
	if (l->has_egress) {
		TRY(emit_scalar(e, "egress", YAML_PLAIN_SCALAR_STYLE));
		TRY(emit(e, &ev,
			 yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							      YAML_FLOW_SEQUENCE_STYLE)));
		for (size_t i = 0; i < l->negress; i++)
			TRY(emit_text(e, l->egress[i]));
		TRY(emit(e, &ev, yaml_sequence_end_event_initialize(&ev)));
	}
	if (l->signed_) {
		EVP_EncodeBlock((unsigned char *)sig, l->signature, MG_LICENSE_SIG_LEN);
		TRY(emit_fixed(e, "signature", sig));
	}
	TRY(emit(e, &ev, yaml_mapping_end_event_initialize(&ev)));
	TRY(emit(e, &ev, yaml_document_end_event_initialize(&ev, 1)));
	TRY(emit(e, &ev, yaml_stream_end_event_initialize(&ev)));
#undef TRY
	return yaml_emitter_flush(e) ? 0 : -EIO;
}

int mg_license_write(const struct mg_license *l, FILE *out)
{
	yaml_emitter_t e;
	size_t len;
	char *tbs;
	int err;

	/* Only what can be signed and read back is written. */
	err = mg_license_canonical(l, &tbs, &len);
	if (err)
		return err;
	free(tbs);
	if (!text_field_ok(l->id) || !text_field_ok(l->use_case) || !text_field_ok(l->issuer) ||
	    !mg_valid_name(l->scope, MAX_NAME) ||
	    (l->max_tier && !mg_valid_name(l->max_tier, MAX_NAME)))
		return -EINVAL;
	for (size_t i = 0; i < l->nmodels; i++)
		if (!mg_valid_name(l->models[i], MAX_NAME))
			return -EINVAL;

	if (!yaml_emitter_initialize(&e))
		return -ENOMEM;
	yaml_emitter_set_output(&e, write_handler, out);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_unicode(&e, 1);
	err = emit_license(&e, l);
	if (err == -EIO && e.error == YAML_MEMORY_ERROR)
		err = -ENOMEM;
	yaml_emitter_delete(&e);
	if (!err && (fflush(out) != 0 || ferror(out)))
		err = -EIO;
	return err;
}
