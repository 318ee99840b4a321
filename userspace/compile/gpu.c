// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/gpu.h"
#include "core/util.h"

static size_t mg_major_add(struct mg_gpu_major *out, size_t n, size_t max, uint32_t major,
			   enum mg_gpu_driver driver)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].major == major)
			return n;
	if (n == max)
		return n;
	out[n].major = major;
	out[n].driver = driver;
	return n + 1;
}

size_t mg_gpu_majors_parse(const char *proc_devices, struct mg_gpu_major *out, size_t max)
{
	static const struct {
		const char *name;
		enum mg_gpu_driver driver;
	} dynamic[] = {
		{ "nvidia-uvm", MG_GPU_NVIDIA_UVM },
		{ "nvidia-caps", MG_GPU_NVIDIA_CAPS },
		{ "kfd", MG_GPU_KFD },
	};
	const char *line = proc_devices;
	int in_char = 0;
	size_t n = 0;

	n = mg_major_add(out, n, max, MG_NVIDIA_MAJOR, MG_GPU_NVIDIA);
	n = mg_major_add(out, n, max, MG_DRM_MAJOR, MG_GPU_DRM);
	n = mg_major_add(out, n, max, MG_ACCEL_MAJOR, MG_GPU_ACCEL);

	/* "Character devices:\n  1 mem\n195 nvidia-frontend\n...\n\nBlock devices:\n..." */
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		unsigned int major;
		char name[64];

		if (!strncmp(line, "Character devices:", 18))
			in_char = 1;
		else if (!strncmp(line, "Block devices:", 14))
			in_char = 0;
		else if (in_char && sscanf(line, "%u %63s", &major, name) == 2)
			for (size_t i = 0; i < MG_ARRAY_SIZE(dynamic); i++)
				if (!strcmp(name, dynamic[i].name))
					n = mg_major_add(out, n, max, major, dynamic[i].driver);
		line = eol ? eol + 1 : NULL;
	}
	return n;
}

int mg_gpu_uuid_minor(const char *nvidia_root, const char *uuid)
{
	struct dirent *de;
	int minor = -ENOENT;
	DIR *dir;

	dir = opendir(nvidia_root);
	if (!dir)
		return -ENODEV;
	while ((de = readdir(dir)) && minor == -ENOENT) {
		char path[PATH_MAX], *text = NULL, *p;
		size_t len;
		int dev_minor = -1, match = 0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/information", nvidia_root, de->d_name);
		if (mg_read_file(path, 1u << 16, &text, &len))
			continue;
		/* "GPU UUID: \t GPU-...\n" and "Device Minor: \t 0\n" */
		for (p = strtok(text, "\n"); p; p = strtok(NULL, "\n")) {
			char *colon = strchr(p, ':'), *v;

			if (!colon)
				continue;
			for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
				;
			if (!strncmp(p, "GPU UUID", 8) && !strcasecmp(v, uuid))
				match = 1;
			else if (!strncmp(p, "Device Minor", 12))
				dev_minor = atoi(v);
		}
		free(text);
		if (match && dev_minor >= 0)
			minor = dev_minor;
	}
	closedir(dir);
	return minor;
}

static int mg_rule_add(struct mg_device_rule **out, size_t *n, uint32_t major, uint32_t minor)
{
	struct mg_device_rule *v;

	for (size_t i = 0; i < *n; i++)
		if ((*out)[i].major == major && (*out)[i].minor == minor)
			return 0;
	v = realloc(*out, (*n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[*n].major = major;
	v[*n].minor = minor;
	*out = v;
	(*n)++;
	return 0;
}

/* Every node of GPU @index (MG_MINOR_ANY: all GPUs) across the drivers present. */
static int mg_rules_for_index(const struct mg_gpu_major *majors, size_t nmajors, uint32_t index,
			      struct mg_device_rule **out, size_t *n)
{
	int any = index == MG_MINOR_ANY, err = 0;

	for (size_t i = 0; i < nmajors && !err; i++) {
		uint32_t major = majors[i].major;

		switch (majors[i].driver) {
		case MG_GPU_NVIDIA:
			err = mg_rule_add(out, n, major, index);
			err = err ?: mg_rule_add(out, n, major, MG_NVIDIACTL_MINOR);
			err = err ?: mg_rule_add(out, n, major, MG_NVIDIA_MODESET_MINOR);
			break;
		case MG_GPU_DRM:
			err = mg_rule_add(out, n, major, index);
			if (!any)
				err = err ?: mg_rule_add(out, n, major, MG_DRM_RENDER_BASE + index);
			break;
		case MG_GPU_ACCEL:
			err = mg_rule_add(out, n, major, index);
			break;
		default: /* uvm, caps, kfd: shared control nodes */
			err = mg_rule_add(out, n, major, MG_MINOR_ANY);
		}
	}
	return err;
}

int mg_gpu_rules(const struct mg_scope *scope, const struct mg_gpu_major *majors, size_t nmajors,
		 const char *nvidia_root, struct mg_device_rule **out, size_t *n,
		 struct mg_diags *diags)
{
	int bad = 0;

	for (size_t i = 0; i < scope->ngpus; i++) {
		const struct mg_gpu *g = &scope->gpus[i];
		uint32_t index;
		int minor;

		switch (g->kind) {
		case MG_GPU_ALL:
			index = MG_MINOR_ANY;
			break;
		case MG_GPU_UUID:
			minor = mg_gpu_uuid_minor(nvidia_root, g->uuid);
			if (minor < 0) {
				mg_diag_add(diags, g->loc,
					    "scope '%s': cannot map GPU '%s' to a device: %s",
					    scope->name, g->uuid,
					    minor == -ENODEV ?
						    "no NVIDIA driver information on this host" :
						    "no GPU has this UUID");
				bad = 1;
				continue;
			}
			index = minor;
			break;
		default:
			index = g->index;
		}
		if (mg_rules_for_index(majors, nmajors, index, out, n))
			return -ENOMEM;
	}
	return bad ? -EINVAL : 0;
}
