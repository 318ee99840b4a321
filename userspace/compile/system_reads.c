// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The system folders every scope may read, and the mounts below them. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compile/compile.h"
#include "compile/steps.h"
#include "core/cgroup.h"
#include "compile/gpu.h"
#include "license/license.h"
#include "core/util.h"

/*
 * The system's folders every scope may read: programs, libraries,
 * configuration and the kernel's own file systems. A folder anyone can write
 * to (/tmp, /dev/shm) is never one: weights could be dropped there. File
 * systems mounted below these folders are added by their mount points, since
 * the kernel's parent walk ends at a file system's root.
 */
static const char *const mg_system_reads[] = {
	"/usr",	 "/lib", "/lib32", "/lib64", "/libx32", "/bin",
	"/sbin", "/etc", "/proc",  "/sys",   "/dev",	"/run",
};

static void mg_system_read_add(struct mg_image *img, const char *path)
{
	struct mg_image_output *o;
	struct stat st;

	if (img->nsystem_reads >= MG_MAX_SYSTEM_READS || stat(path, &st) < 0 ||
	    !S_ISDIR(st.st_mode) || (st.st_mode & S_IWOTH))
		return;
	for (o = img->outputs; o < img->outputs + img->noutputs; o++)
		if (o->key.scope_id == MG_SCOPE_ANY && o->key.ino == st.st_ino &&
		    o->key.dev == mg_kernel_dev(st.st_dev))
			return;
	o = &img->outputs[img->noutputs++];
	o->key.ino = st.st_ino;
	o->key.dev = mg_kernel_dev(st.st_dev);
	o->key.scope_id = MG_SCOPE_ANY;
	o->val.allowed = MG_OUTPUT_READ;
	img->nsystem_reads++;
}

void mg_compile_system_reads(struct mg_image *img)
{
	char *text = NULL, *line, *save = NULL;
	size_t len;

	for (size_t i = 0; i < MG_ARRAY_SIZE(mg_system_reads); i++)
		mg_system_read_add(img, mg_system_reads[i]);
	if (mg_read_file("/proc/self/mountinfo", 1u << 22, &text, &len))
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mnt[PATH_MAX];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		for (size_t i = 0; i < MG_ARRAY_SIZE(mg_system_reads); i++) {
			size_t n = strlen(mg_system_reads[i]);

			if (!strncmp(mnt, mg_system_reads[i], n) && mnt[n] == '/')
				mg_system_read_add(img, mnt);
		}
	}
	free(text);
}
