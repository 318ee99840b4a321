// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Outputs against model folders, by path: a scope's output folder that
 * holds a model's files, or lies inside a model folder, would let what the
 * scope writes become that model (the kernel finds a file's model by its
 * folders); a model folder inside any scope's outputs is the same. Both are
 * refused, at the output's location, with the model's.
 */
#include <stdbool.h>
#include <string.h>

#include "core/yaml_reader.h"
#include "policy/policy.h"
#include "policy/policy_internal.h"

/* The length of @p without its trailing slashes ("/" stays "/"). */
static size_t trimmed(const char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		n--;
	return n;
}

/* Is @inner (a folder or a file) @outer or below it, by path? */
static bool path_within(const char *inner, const char *outer)
{
	size_t ni = trimmed(inner), no = trimmed(outer);

	if (no == 1 && outer[0] == '/')
		return inner[0] == '/';
	return ni >= no && !strncmp(inner, outer, no) && (ni == no || inner[no] == '/');
}

void mgp_check_overlaps(struct mg_policy *pol, struct mg_sink *s)
{
	char where[LOC_TEXT_MAX];

	for (size_t i = 0; i < pol->nscopes; i++) {
		const struct mg_scope *sc = &pol->scopes[i];

		for (size_t o = 0; o < sc->noutputs; o++) {
			const char *out = sc->outputs[o];

			for (size_t m = 0; m < pol->nmodels; m++) {
				const struct mg_model *md = &pol->models[m];

				for (size_t f = 0; f < md->nfiles; f++) {
					const char *mf = md->files[f];

					mg_fmt_loc(where, sizeof(where), md->file_locs[f]);
					if (path_within(mf, out))
						mg_report(
							s, sc->output_locs[o],
							"output folder '%s' of scope '%s' holds '%s' of "
							"model '%s' (%s): what the scope writes there "
							"would load as that model",
							out, sc->name, mf, md->name, where);
					else if (path_within(out, mf))
						mg_report(
							s, sc->output_locs[o],
							"output folder '%s' of scope '%s' is inside "
							"'%s' of model '%s' (%s): what the scope writes "
							"there would load as that model",
							out, sc->name, mf, md->name, where);
				}
			}
		}
	}
}
