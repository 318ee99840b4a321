// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "compile/gpu.h"
#include "core/array.h"
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

/* Is @name one of a PCI device's files that map or expose the device itself? */
static bool mg_pci_device_file(const char *name)
{
	if (!strcmp(name, "config") || !strcmp(name, "rom") || !strcmp(name, "resource"))
		return true;
	if (strncmp(name, "resource", 8) || name[8] < '0' || name[8] > '9')
		return false;
	name += 9;
	return !*name || !strcmp(name, "_wc");
}

static bool mg_pci_is_gpu(const char *dev_dir)
{
	char path[PATH_MAX], buf[32] = { 0 };
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/class", dev_dir) >= (int)sizeof(path))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, "0x03", 4) || !strncmp(buf, "0x12", 4);
}

static int mg_pci_files_of(const char *dev_dir, struct mg_gpu_pci_file **out, size_t *n,
			   size_t *cap)
{
	struct dirent *de;
	DIR *d = opendir(dev_dir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct mg_gpu_pci_file *v;
		struct stat st;
		char path[PATH_MAX];

		if (!mg_pci_device_file(de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dev_dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		v = mg_array_push(out, n, cap, sizeof(**out));
		if (!v) {
			closedir(d);
			return -ENOMEM;
		}
		v->ino = st.st_ino;
		v->dev = major(st.st_dev) << 20 | minor(st.st_dev);
		memcpy(v->path, path, sizeof(v->path));
	}
	closedir(d);
	return 0;
}

int mg_gpu_pci_files(const char *pci_root, struct mg_gpu_pci_file **out, size_t *n, size_t *cap)
{
	struct dirent *de;
	DIR *d = opendir(pci_root);
	int err = 0;

	if (!d)
		return 0;
	while (!err && (de = readdir(d))) {
		char dev_dir[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(dev_dir, sizeof(dev_dir), "%s/%s", pci_root, de->d_name) >=
		    (int)sizeof(dev_dir))
			continue;
		if (mg_pci_is_gpu(dev_dir))
			err = mg_pci_files_of(dev_dir, out, n, cap);
	}
	closedir(d);
	return err;
}
