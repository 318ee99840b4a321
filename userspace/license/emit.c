// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Writing a licence as YAML, with libyaml's emitter. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/base64.h"
#include "core/utf8.h"
#include "core/yaml_reader.h"
#include "license/license.h"
#include "license/license_internal.h"

/* ---- Writing ----------------------------------------------------------------- */

/* Free text as a licence file may hold it: id, useCase, issuer. */
static bool text_field_ok(const char *s)
{
	return s && *s && strlen(s) <= MG_LICENSE_MAX_STRING && !mg_utf8_has_control(s) &&
	       mg_utf8_valid(s);
}

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
	char num[24], per[24];
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
	if (l->budget_bytes) {
		snprintf(num, sizeof(num), "%" PRIu64, l->budget_bytes);
		snprintf(per, sizeof(per), "%" PRIu64 "s",
			 (uint64_t)(l->budget_per_ns / 1000000000u));
		TRY(emit_scalar(e, "egressBudget", YAML_PLAIN_SCALAR_STYLE));
		TRY(emit(e, &ev,
			 yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							     YAML_FLOW_MAPPING_STYLE)));
		TRY(emit_fixed(e, "bytes", num));
		TRY(emit_fixed(e, "per", per));
		TRY(emit(e, &ev, yaml_mapping_end_event_initialize(&ev)));
	}
	if (l->signed_) {
		mg_base64_encode(l->signature, MG_LICENSE_SIG_LEN, sig);
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
