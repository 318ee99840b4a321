/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* cgroup v2 helpers: where the hierarchy is mounted, ids, placement. */
#ifndef MGUARD_CGROUP_H
#define MGUARD_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Find the cgroup2 mount from /proc/self/mountinfo (never assumed: hosts
 * with a hybrid layout mount it at /sys/fs/cgroup/unified). Returns 0 and
 * the path in @buf, or -ENOENT when no cgroup2 is mounted.
 */
int mg_cgroup2_mount(char *buf, size_t len);

/* Parse one mountinfo text for the cgroup2 mount point (testable core). */
int mg_cgroup2_mount_from(const char *mountinfo, char *buf, size_t len);

/* The cgroup v2 id of a cgroup folder (its inode number). */
int mg_cgroup_id(const char *path, uint64_t *ret_id);

/* The cgroup v2 path of a process, relative to the cgroup2 mount ("/a/b"). */
int mg_cgroup_of_pid(pid_t pid, char *buf, size_t len);

/*
 * mkdir -p of @rel below @mount. *ret_created is the number of levels it
 * made, the deepest ones: what mg_cgroup_remove() takes back.
 */
int mg_cgroup_create(const char *mount, const char *rel, int *ret_created);

/* rmdir @path and then its parents, @levels folders in all; each must be empty. */
int mg_cgroup_remove(const char *path, int levels);

/* Move process @pid into the cgroup folder @path. */
int mg_cgroup_enter(const char *path, pid_t pid);

/* A container id is at most this long (64 hex digits for every runtime here). */
#define MG_CONTAINER_ID_MAX 64

/*
 * The container id a cgroup path names in its last "<runtime>-<id>.scope"
 * component (docker-, libpod-, cri-containerd-, crio-; systemd's own layout
 * and cgroupfs's "/docker/<id>" too): true and the id in @buf, or false.
 */
bool mg_cgroup_container_id(const char *path, char *buf, size_t size);

/*
 * The pod uid a Kubernetes cgroup path names ("kubepods-burstable-pod<uid>.slice",
 * underscores as dashes, or cgroupfs's "/kubepods/burstable/pod<uid>"): true
 * and the uid in @buf, or false.
 */
bool mg_cgroup_pod_uid(const char *path, char *buf, size_t size);

/*
 * The path below @mount of the cgroup whose id is @id, found through the
 * kernel's file handle of the cgroup (needs CAP_DAC_READ_SEARCH).
 */
int mg_cgroup_path_of_id(const char *mount, uint64_t id, char *buf, size_t size);

#endif /* MGUARD_CGROUP_H */
