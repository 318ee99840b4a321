// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The compiled image: lookups the compile steps and the loader share, and its end. */
#include <stdlib.h>

#include "compile/compile.h"

void mg_image_free(struct mg_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nscopes; i++) {
		free(img->scopes[i].name);
		free(img->scopes[i].cgroup);
	}
	free(img->scopes);
	for (size_t i = 0; i < img->ninodes; i++)
		free(img->inodes[i].path);
	free(img->inodes);
	for (size_t i = 0; i < img->nverity; i++)
		free(img->verity[i].path);
	free(img->verity);
	free(img->egress);
	free(img->devices);
	free(img->outputs);
	free(img->path_inodes);
	free(img->gpu_majors);
	for (size_t i = 0; i < img->nlicenses; i++)
		free(img->licenses[i].id);
	free(img->licenses);
	for (size_t i = 0; i < img->nlicense_notes; i++) {
		free(img->license_notes[i].path);
		free(img->license_notes[i].id);
		free(img->license_notes[i].refused);
	}
	free(img->license_notes);
	for (size_t i = 0; i < img->nmodels; i++)
		free(img->model_names[i]);
	free(img->model_names);
	free(img->model_tiers);
	for (size_t i = 0; i < img->ntier_names; i++)
		free(img->tier_names[i]);
	free(img->tier_names);
	free(img);
}

const struct mg_image_inode *mg_image_find_inode(const struct mg_image *img, uint32_t dev,
						 uint64_t ino)
{
	struct mg_image_inode key = { .dev = dev, .ino = ino };
	size_t lo = 0, hi = img->ninodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mg_image_inode *x = &img->inodes[mid];

		if (x->dev == key.dev && x->ino == key.ino)
			return x;
		if (x->dev < key.dev || (x->dev == key.dev && x->ino < key.ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct mg_image_scope *mg_image_find_scope(const struct mg_image *img, uint32_t scope_id)
{
	if (scope_id == 0 || scope_id > img->nscopes)
		return NULL;
	return &img->scopes[scope_id - 1];
}

const char *mg_image_narrowing_license(const struct mg_image *img, uint32_t narrow_id)
{
	for (size_t i = 0; img && narrow_id && i < img->nlicenses; i++)
		if (img->licenses[i].val.narrow_id == narrow_id)
			return img->licenses[i].id;
	return NULL;
}

const char *mg_image_tier_name(const struct mg_image *img, uint32_t level)
{
	if (level == MG_TIER_REFUSED)
		return "refused";
	return level < img->ntier_names ? img->tier_names[level] : NULL;
}

const char *mg_image_model_name(const struct mg_image *img, uint32_t model_id)
{
	if (model_id == 0 || model_id > img->nmodels)
		return NULL;
	return img->model_names[model_id - 1];
}
