// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The config, resource and ROM files of GPUs' PCI devices in sysfs: entries
 * of no model that no scope opens (MG_INODE_DEVICE_FILE), wherever the
 * scope's readable folders are. Through them a process maps a GPU's memory
 * and registers without its device node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile/gpu.h"
#include "compile/steps.h"
#include "core/array.h"

int mg_compile_device_files(const struct mg_compile_opts *opts, struct mg_inode_builder *b)
{
	struct mg_gpu_pci_file *v = NULL;
	size_t n = 0, cap = 0;
	int err;

	err = mg_gpu_pci_files(opts->pci_root ? opts->pci_root : "/sys/bus/pci/devices", &v, &n,
			       &cap);
	for (size_t i = 0; i < n && !err; i++) {
		struct mg_image_inode *in = mg_array_push(&b->v, &b->n, &b->cap, sizeof(*b->v));

		if (!in || !(in->path = strdup(v[i].path))) {
			err = -ENOMEM;
			break;
		}
		in->ino = v[i].ino;
		in->dev = v[i].dev;
		in->val = (struct mg_inode_val){ .flags = MG_INODE_DEVICE_FILE };
	}
	free(v);
	return err;
}
