// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "compile/compile.h"
#include "core/log.h"
#include "daemon/rehash.h"
#include "kernel/taint.h"

/* Does the digest entry @d of @m name the marked file @key, and match its content now? */
static bool mg_digest_vouches(const struct mg_model *m, const struct mg_digest *d,
			      const struct mg_taint_key *key, struct mg_digest_cache *cache,
			      char **ret_path)
{
	uint8_t sum[MG_DIGEST_LEN];
	char *path = mg_digest_target(m, d->path);
	struct stat st;

	*ret_path = NULL;
	if (!path)
		return false;
	if (stat(path, &st) || st.st_ino != key->ino ||
	    ((major(st.st_dev) << 20) | minor(st.st_dev)) != key->dev ||
	    mg_digest_file(cache, path, sum, NULL) || memcmp(sum, d->sha256, MG_DIGEST_LEN)) {
		free(path);
		return false;
	}
	*ret_path = path;
	return true;
}

int mg_rehash_tainted(const char *pin_dir, const struct mg_policy *policy,
		      struct mg_digest_cache *cache)
{
	struct mg_taint_key *keys = NULL;
	size_t n = 0;
	int err, cleared = 0;

	err = mg_taint_list(pin_dir, &keys, &n);
	if (err)
		return err;
	for (size_t k = 0; k < n; k++) {
		bool done = false;

		for (size_t i = 0; i < policy->nmodels && !done; i++) {
			const struct mg_model *m = &policy->models[i];

			for (size_t j = 0; j < m->ndigests && !done; j++) {
				char *path;

				if (!mg_digest_vouches(m, &m->digests[j], &keys[k], cache, &path))
					continue;
				done = true;
				if (mg_taint_clear(pin_dir, &keys[k]) == 0) {
					mg_info("'%s' of model '%s' matches its SHA-256 again: may be loaded",
						path, m->name);
					cleared++;
				}
				free(path);
			}
		}
	}
	free(keys);
	return cleared;
}
