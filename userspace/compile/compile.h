/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The compiler: a validated policy resolved against this system into map
 * images (files and folders -> (dev, ino), scopes -> cgroup ids, egress ->
 * prefix tries). Reads the file system; never touches BPF.
 */
#ifndef MGUARD_COMPILE_H
#define MGUARD_COMPILE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mguard_abi.h"
#include "compile/digest.h"
#include "policy/policy.h"

struct mg_image_scope {
	char *name;
	char *cgroup;	 /* as in the policy: below the cgroup2 mount; a pattern if is_pattern */
	bool is_pattern; /* cgroupPattern: every matching cgroup is this scope */
	bool bind_annotation; /* bind: annotation: only the containers mguard oci-hook binds */
	uint64_t cgroup_id;   /* 0 for a pattern */
	struct mg_scope_val val;
};

struct mg_image_inode {
	uint64_t ino;
	uint32_t dev; /* kernel encoding */
	struct mg_inode_val val;
	char *path; /* where the compiler found it first */
};

/* The fs-verity digest the policy gives one of a model's files. */
struct mg_image_verity {
	struct mg_inode_key key; /* gen left 0: the loader sets it */
	struct mg_verity_val val;
	char *path; /* as resolved, for messages */
};

/* A scope holds a valid licence for a model. */
struct mg_image_license {
	struct mg_license_key key; /* gen left 0: the loader sets it */
	struct mg_license_val val;
	char *id;	   /* the licence's id, for status and events */
	int64_t not_after; /* unix seconds */
};

struct mg_image_output {
	struct mg_output_key key; /* gen left 0: the loader sets it */
	struct mg_output_val val; /* MG_OUTPUT_WRITE, MG_OUTPUT_UNIX */
};

struct mg_image_device {
	struct mg_device_key key; /* gen left 0: the loader sets it */
};

struct mg_image_gpu_major {
	struct mg_gpu_major_key key; /* gen left 0 */
	struct mg_gpu_major_val val;
};

struct mg_image_egress {
	struct mg_egress_key key; /* gen left 0: the loader sets it */
	struct mg_egress_val val;
};

struct mg_image {
	bool unresolved; /* compiled with check_only: no file, cgroup or device looked up */
	uint32_t mode;	 /* enum mg_mode */
	struct mg_image_scope *scopes;
	size_t nscopes;
	struct mg_image_inode *inodes; /* sorted by (dev, ino) */
	size_t ninodes;
	struct mg_image_verity *verity; /* files with an fs-verity digest, of models not refused */
	size_t nverity;
	struct mg_image_egress *egress;
	size_t negress, egress_cap;
	struct mg_image_license *licenses;
	size_t nlicenses;
	size_t nnarrowings; /* licence egress lists, as scope ids from MG_NARROW_ID_BASE */
	struct mg_image_device *devices;
	size_t ndevices;
	struct mg_image_output *outputs; /* outputs, reads, UNIX sockets; system reads too */
	size_t noutputs;
	size_t nsystem_reads;
	/*
	 * Folders of outputs, reads and sockets that are not model files, as
	 * inodes-map keys (gen left 0: the loader sets it), sorted and unique:
	 * each gets an entry of its own marked MG_INODE_PATHS, as a model's
	 * entry that is also such a folder carries MG_INODE_PATHS in its flags.
	 * A walk up the folders then needs one lookup per folder, and looks in
	 * outputs only where this says so.
	 */
	struct mg_inode_key *path_inodes;
	size_t npath_inodes;
	struct mg_image_gpu_major *gpu_majors;
	size_t ngpu_majors;
	struct mg_image_license_note *license_notes;
	size_t nlicense_notes;
	char **model_names;    /* model_id - 1 -> name */
	uint16_t *model_tiers; /* model_id - 1 -> tier level (MG_TIER_REFUSED) */
	size_t nmodels;
	uint32_t unknown_weights; /* enum mg_unknown_weights */
	char **tier_names;	  /* level -> name, NULL where no tier has that level */
	size_t ntier_names;
};

/* At most this many system folders and the file systems mounted below them. */
#define MG_MAX_SYSTEM_READS 256

/* The tier level of a model refused at compile time: above every scope's. */
#define MG_TIER_REFUSED 0xffff

/* A licence a scope named, and what became of it. */
struct mg_image_license_note {
	uint32_t scope_id;
	char *path;
	char *id; /* NULL when it did not parse */
	int64_t not_after;
	char *refused;	       /* NULL when accepted, else why */
	uint64_t budget_bytes; /* its egressBudget; 0: none */
	uint64_t budget_per_ns;
};

struct mg_compile_opts {
	const char *cgroup_root;	 /* the cgroup2 mount point */
	int check_only;			 /* no file, cgroup or device look-ups (policy check) */
	int no_cgroups;			 /* leave scopes' cgroup ids 0 (policy show, scan) */
	int64_t now;			 /* unix seconds; 0: time(NULL) */
	uint64_t boot_ns_at_now;	 /* CLOCK_BOOTTIME at @now; 0: read it */
	struct mg_digest_cache *digests; /* NULL: hashes are not cached across compiles */
	const char *proc_devices;	 /* default /proc/devices */
	const char *nvidia_root;	 /* default /proc/driver/nvidia/gpus */
	const char *pci_root;		 /* default /sys/bus/pci/devices */
	size_t max_files;		 /* weight files over all models; 0: default */
};

#define MG_COMPILE_DEFAULT_MAX_FILES 1000000

/*
 * Compile @policy. All errors go to @diags; returns 0 and the image in *ret,
 * or -EINVAL when there were errors (nothing is returned then). What is
 * refused while the rest still applies (a licence that does not verify, a
 * model whose file does not match its SHA-256) is a warning in @diags: a
 * refused licence grants nothing, a refused model's files are denied to
 * every scope.
 */
int mg_compile(const struct mg_policy *policy, const struct mg_compile_opts *opts,
	       struct mg_image **ret, struct mg_diags *diags);

void mg_image_free(struct mg_image *img);

const struct mg_image_inode *mg_image_find_inode(const struct mg_image *img, uint32_t dev,
						 uint64_t ino);
const struct mg_image_scope *mg_image_find_scope(const struct mg_image *img, uint32_t scope_id);
const char *mg_image_tier_name(const struct mg_image *img, uint32_t level);
const char *mg_image_model_name(const struct mg_image *img, uint32_t model_id);
/* The id of the licence whose narrowing is @narrow_id, or NULL (@img may be NULL). */
const char *mg_image_narrowing_license(const struct mg_image *img, uint32_t narrow_id);

/*
 * The file a digest entry of @m names (absolute, or under one of the
 * model's folders), malloc'd; NULL with errno ENOENT when there is none.
 */
char *mg_digest_target(const struct mg_model *m, const char *path);

/* Build the egress entries of one scope (exposed for the unit tests). */
int mg_compile_egress(const struct mg_scope *scope, uint32_t scope_id,
		      struct mg_image_egress **entries, size_t *n, size_t *cap,
		      struct mg_diags *diags);

#endif /* MGUARD_COMPILE_H */
