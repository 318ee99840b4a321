/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * GPUs as device numbers: which majors belong to GPU drivers here, and which
 * (major, minor) pairs a scope's 'gpus' list grants, control nodes included.
 */
#ifndef MGUARD_GPU_H
#define MGUARD_GPU_H

#include <limits.h>
#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

#include "mguard_abi.h"
#include "policy/policy.h"

#define MG_NVIDIA_MAJOR		195 /* nvidiaN = minor N */
#define MG_NVIDIACTL_MINOR	255
#define MG_NVIDIA_MODESET_MINOR 254
#define MG_DRM_MAJOR		226 /* cardN = minor N, renderD(128+N) */
#define MG_DRM_RENDER_BASE	128
#define MG_ACCEL_MAJOR		261
#define MG_MAX_GPU_MAJORS	16

struct mg_gpu_major {
	uint32_t major;
	enum mg_gpu_driver driver;
};

/*
 * The GPU driver majors: the fixed ones (NVIDIA, DRM, accel; listed even when
 * no driver is loaded, so a driver loaded later is still covered) and the
 * dynamic ones named in @proc_devices (the text of /proc/devices:
 * nvidia-uvm, nvidia-caps, kfd). Returns how many were written to @out.
 */
size_t mg_gpu_majors_parse(const char *proc_devices, struct mg_gpu_major *out, size_t max);

/*
 * The minor of the NVIDIA GPU with @uuid ("GPU-..."), from the texts of
 * /proc/driver/nvidia/gpus/<pci>/information under @nvidia_root. Returns the
 * minor, -ENOENT when no GPU has that UUID, -ENODEV when there is no driver.
 */
int mg_gpu_uuid_minor(const char *nvidia_root, const char *uuid);

struct mg_device_rule {
	uint32_t major;
	uint32_t minor; /* MG_MINOR_ANY: every minor */
};

/*
 * Append to @out (growing it) the device rules a scope's GPU list grants.
 * UUIDs are resolved under @nvidia_root. Errors go to @diags; returns 0,
 * -EINVAL or -ENOMEM.
 */
int mg_gpu_rules(const struct mg_scope *scope, const struct mg_gpu_major *majors, size_t nmajors,
		 const char *nvidia_root, struct mg_device_rule **out, size_t *n,
		 struct mg_diags *diags);

/* A file of a GPU's PCI device in sysfs that no scope opens. */
struct mg_gpu_pci_file {
	uint64_t ino;
	uint32_t dev; /* kernel encoding */
	char path[PATH_MAX];
};

/*
 * The config space, resource and ROM files (config, resource, resourceN,
 * resourceN_wc, rom) of every PCI device under @pci_root
 * (/sys/bus/pci/devices) whose class is a display controller (0x03xxxx) or a
 * processing accelerator (0x12xxxx): through them a process maps a GPU's
 * memory and registers without its device node. Appended to the array
 * *@out of *@n elements in room for *@cap (core/array.h); returns 0 or
 * -ENOMEM. A missing @pci_root is no PCI bus: none.
 */
int mg_gpu_pci_files(const char *pci_root, struct mg_gpu_pci_file **out, size_t *n, size_t *cap);

#endif /* MGUARD_GPU_H */
