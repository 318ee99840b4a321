// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/landlock.h>
#include <linux/magic.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <zlib.h>

#include "core/names.h"
#include "core/cgroup.h"
#include "kernel/probe.h"
#include "core/util.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SECURITYFS_MAGIC
#define SECURITYFS_MAGIC 0x73636673
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

#define TRACEFS_DIR "/sys/kernel/tracing"

/*
 * The engine of one hook that can refuse (open, mmap, receive, UNIX sockets,
 * name changes, socket families, the guard's own): BPF LSM
 * where bpf is in the active LSM list, else fmod_ret on the hook's security_*
 * functions where the probe program ran and they are in BTF, else the
 * kill engine's tracepoints.
 */
static enum mg_engine file_engine(const struct mg_probe *p, enum mg_hook h)
{
	if (!p->btf)
		return MG_ENGINE_NONE;
	if (p->lsm_bpf_active && p->lsm_prog_loads)
		return MG_ENGINE_LSM;
	if (p->fmod.runs && p->fmod.target[h])
		return MG_ENGINE_FMOD_RET;
	if (p->tracepoint_progs)
		return MG_ENGINE_TP_KILL;
	return MG_ENGINE_NONE;
}

static bool refuses(enum mg_engine e)
{
	return e == MG_ENGINE_LSM || e == MG_ENGINE_FMOD_RET;
}

/*
 * The syscall classes the fallback engine closes in scopes (32-bit syscalls,
 * overlay and FUSE mounts, fanotify) need nothing where every hook that
 * decides files, names and the guard runs inside the kernel's functions; a
 * hook left to the tracepoints, which 32-bit syscalls do not reach, needs
 * them closed.
 */
static enum mg_engine syscalls_engine(const struct mg_probe *p)
{
	const enum mg_hook hooks[] = { MG_HOOK_FILE_OPEN, MG_HOOK_MMAP,	  MG_HOOK_FILE_RECEIVE,
				       MG_HOOK_PATHS,	  MG_HOOK_SOCKET, MG_HOOK_BPF };

	for (size_t i = 0; i < MG_ARRAY_SIZE(hooks); i++)
		if (!refuses(p->engine[hooks[i]]))
			return p->tracepoint_progs && p->btf ? MG_ENGINE_TP_KILL : MG_ENGINE_NONE;
	return MG_ENGINE_COVERED;
}

void mg_probe_choose_engines(struct mg_probe *p)
{
	enum mg_engine net = MG_ENGINE_NONE, open;

	open = p->engine[MG_HOOK_FILE_OPEN] = file_engine(p, MG_HOOK_FILE_OPEN);
	/*
	 * Descriptors mapped or received: per hook, the same way. io_uring needs
	 * closing only where opens are seen at syscall exit: with BPF LSM or
	 * fmod_ret its opens reach file_open like any other.
	 */
	p->engine[MG_HOOK_MMAP] = file_engine(p, MG_HOOK_MMAP);
	p->engine[MG_HOOK_FILE_RECEIVE] = file_engine(p, MG_HOOK_FILE_RECEIVE);
	/* UNIX sockets have no cgroup hook and no tracepoint: only LSM or fmod_ret. */
	p->engine[MG_HOOK_UNIX] = file_engine(p, MG_HOOK_UNIX);
	if (p->engine[MG_HOOK_UNIX] == MG_ENGINE_TP_KILL)
		p->engine[MG_HOOK_UNIX] = MG_ENGINE_NONE;
	if (open == MG_ENGINE_LSM || open == MG_ENGINE_FMOD_RET)
		p->engine[MG_HOOK_IO_URING] = MG_ENGINE_COVERED;
	else
		p->engine[MG_HOOK_IO_URING] = open;

	mg_probe_choose_guard_engines(p);

	if (p->cgroup_sock_addr && p->cgroup2_mount[0])
		net = MG_ENGINE_CGROUP;
	p->engine[MG_HOOK_CONNECT4] = net;
	p->engine[MG_HOOK_CONNECT6] = net;
	p->engine[MG_HOOK_SENDMSG4] = net;
	p->engine[MG_HOOK_SENDMSG6] = net;
	p->engine[MG_HOOK_DEVICE] =
		p->cgroup_device && p->cgroup2_mount[0] ? MG_ENGINE_CGROUP : MG_ENGINE_NONE;

	/*
	 * Routes beyond open. Socket families and name changes per hook as the
	 * files' (IPv4 and IPv6 socket types also by cgroup/sock_create, with
	 * the network hooks); the syscall classes the fallback engine closes
	 * reach the LSM hooks, or the security_* functions, like any other;
	 * every packet with the network.
	 */
	p->engine[MG_HOOK_SOCKET] = file_engine(p, MG_HOOK_SOCKET);
	p->engine[MG_HOOK_PATHS] = file_engine(p, MG_HOOK_PATHS);
	p->engine[MG_HOOK_SYSCALLS] = syscalls_engine(p);
	p->engine[MG_HOOK_SKB_EGRESS] = p->cgroup_skb ? net : MG_ENGINE_NONE;
	/*
	 * Budgets need only cgroup_skb: the packet program runs wherever they
	 * can be counted, and checks destinations only where the network
	 * hooks run too.
	 */
	p->engine[MG_HOOK_EGRESS_BUDGET] =
		p->cgroup_skb && p->cgroup2_mount[0] ? MG_ENGINE_CGROUP : MG_ENGINE_NONE;
	/* fs-verity digests: only BPF LSM can fail an open after the file system's. */
	p->engine[MG_HOOK_VERITY] =
		p->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_LSM && p->verity_loads ? MG_ENGINE_LSM :
										   MG_ENGINE_NONE;
}

/* Symbolic name of an errno value, including the kernel-internal ENOTSUPP. */
static bool is_fs(const char *dir, long magic)
{
	struct statfs st;

	return statfs(dir, &st) == 0 && (long)st.f_type == magic;
}

/* Mount @type at @dir unless it is mounted there already; errors are ignored. */
static void ensure_mounted(const char *type, const char *dir, long magic)
{
	if (!is_fs(dir, magic))
		mount(type, dir, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

static bool list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",\n");

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

static int probe_lsm_list(struct mg_probe *p)
{
	const char *path = MG_PROBE_SECURITYFS "/lsm";
	char *text = NULL;
	size_t len;
	int err;

	err = mg_read_file(path, 4096, &text, &len);
	if (err == -ENOENT) {
		ensure_mounted("securityfs", MG_PROBE_SECURITYFS, SECURITYFS_MAGIC);
		err = mg_read_file(path, 4096, &text, &len);
	}
	if (err == -ENOMEM)
		return err;
	if (err) {
		p->lsm_list_errno = -err;
		return 0;
	}
	text[strcspn(text, "\n")] = '\0';
	snprintf(p->lsm_list, sizeof(p->lsm_list), "%s", text);
	p->lsm_bpf_active = list_has(text, "bpf");
	free(text);
	return 0;
}

/* 1, 0 or -1 from a kernel config file, compressed or not (gzopen reads both). */
static int config_bpf_lsm(const char *path)
{
	char line[512];
	int ret = 0;
	gzFile f;

	f = gzopen(path, "rb");
	if (!f)
		return -1;
	while (gzgets(f, line, sizeof(line))) {
		if (strncmp(line, "CONFIG_BPF_LSM=", 15) == 0) {
			ret = line[15] == 'y';
			break;
		}
		if (strncmp(line, "# CONFIG_BPF_LSM is not set", 27) == 0)
			break;
	}
	gzclose(f);
	return ret;
}

static void probe_lsm_built(struct mg_probe *p)
{
	char path[64 + sizeof(p->kernel)];

	p->lsm_bpf_built = config_bpf_lsm("/proc/config.gz");
	if (p->lsm_bpf_built < 0 && p->kernel[0]) {
		snprintf(path, sizeof(path), "/boot/config-%s", p->kernel);
		p->lsm_bpf_built = config_bpf_lsm(path);
	}
}

/* Load "r0 = 0; exit" as @type; returns 0 or a negative errno. */
static int try_load(enum bpf_prog_type type, enum bpf_attach_type eat, __u32 btf_id, int *ret_fd)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = eat,
		    .attach_btf_id = btf_id, );
	int fd;

	fd = bpf_prog_load(type, "mg_probe", "GPL", insns, MG_ARRAY_SIZE(insns), &opts);
	if (fd < 0)
		return fd;
	if (ret_fd)
		*ret_fd = fd;
	else
		close(fd);
	return 0;
}

static void probe_lsm_prog(struct mg_probe *p, const struct btf *btf)
{
	int id, err;

	if (!btf) {
		p->lsm_prog_errno = ENOENT;
		return;
	}
	id = btf__find_by_name_kind(btf, MG_PROBE_LSM_HOOK, BTF_KIND_FUNC);
	if (id <= 0) {
		p->lsm_prog_errno = ENOENT;
		return;
	}
	p->lsm_hook_in_btf = true;
	err = try_load(BPF_PROG_TYPE_LSM, BPF_LSM_MAC, id, NULL);
	p->lsm_prog_loads = err == 0;
	p->lsm_prog_errno = -err;
}

static void probe_trampoline(struct mg_probe *p, const struct btf *btf)
{
	static const char *const targets[] = {
		"bpf_fentry_test1",
		"do_unlinkat",
		"security_file_open",
	};
	int id = -ENOENT, err;

	p->trampoline_errno = ENOENT;
	if (!btf)
		return;
	for (size_t i = 0; i < MG_ARRAY_SIZE(targets) && id <= 0; i++) {
		id = btf__find_by_name_kind(btf, targets[i], BTF_KIND_FUNC);
		if (id > 0)
			snprintf(p->trampoline_target, sizeof(p->trampoline_target), "%s",
				 targets[i]);
	}
	if (id <= 0)
		return;
	err = try_load(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, id, NULL);
	p->trampoline_loads = err == 0;
	p->trampoline_errno = -err;
}

/* The id of MG_PROBE_TRACEPOINT from tracefs, mounting it if needed. */
static int tracepoint_id(void)
{
	static const char *const dirs[] = { TRACEFS_DIR, "/sys/kernel/debug/tracing" };
	char path[PATH_MAX], *text = NULL;
	int err = -ENOENT, id;
	size_t len;

	ensure_mounted("tracefs", TRACEFS_DIR, TRACEFS_MAGIC);
	for (size_t i = 0; i < MG_ARRAY_SIZE(dirs) && !text; i++) {
		int e;

		snprintf(path, sizeof(path), "%s/events/%s/id", dirs[i], MG_PROBE_TRACEPOINT);
		e = mg_read_file(path, 64, &text, &len);
		if (e == -ENOMEM)
			return e;
		if (e && err == -ENOENT)
			err = e; /* keep the first error that says more than ENOENT */
	}
	if (!text)
		return err;
	id = atoi(text);
	free(text);
	return id > 0 ? id : -EINVAL;
}

/*
 * Load a tracepoint program and attach it to a disabled perf event on
 * MG_PROBE_TRACEPOINT: the attachment is checked, the program never runs.
 */
static int probe_tracepoint(struct mg_probe *p)
{
	struct perf_event_attr attr;
	int id, prog_fd = -1, pfd, err;

	id = tracepoint_id();
	if (id == -ENOMEM)
		return id;
	if (id < 0) {
		p->tracepoint_errno = -id;
		p->tracepoint_step = "tracefs";
		return 0;
	}
	err = try_load(BPF_PROG_TYPE_TRACEPOINT, 0, 0, &prog_fd);
	if (err) {
		p->tracepoint_errno = -err;
		p->tracepoint_step = "load";
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = id;
	attr.sample_period = 1;
	attr.disabled = 1;
	pfd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0 || ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0) {
		p->tracepoint_errno = errno;
		p->tracepoint_step = "attach";
	} else {
		p->tracepoint_progs = true;
	}
	if (pfd >= 0)
		close(pfd);
	close(prog_fd);
	return 0;
}

static int probe_btf(struct mg_probe *p, struct btf **ret_btf)
{
	struct btf *btf;

	*ret_btf = NULL;
	if (access(MG_PROBE_VMLINUX_BTF, R_OK) < 0)
		return errno == ENOMEM ? -ENOMEM : 0;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return errno == ENOMEM ? -ENOMEM : 0;
	p->btf = true;
	*ret_btf = btf;
	return 0;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int probe_all(struct mg_probe *p)
{
	struct utsname uts;
	struct btf *btf = NULL;
	long abi;
	int err;

	memset(p, 0, sizeof(*p));
	if (uname(&uts) == 0)
		snprintf(p->kernel, sizeof(p->kernel), "%s", uts.release);

	err = probe_btf(p, &btf);
	if (err)
		return err;
	err = probe_lsm_list(p);
	if (err)
		goto out;
	probe_lsm_built(p);
	probe_lsm_prog(p, btf);
	probe_trampoline(p, btf);
	mg_probe_fmod_ret(btf, &p->fmod);
	mg_probe_verity(p, btf);
	err = probe_tracepoint(p);
	if (err)
		goto out;
	p->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	p->cgroup_sock_addr = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, NULL) == 1;
	p->cgroup_device = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_CGROUP_DEVICE, NULL) == 1;
	p->cgroup_skb = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_CGROUP_SKB, NULL) == 1;

	err = mg_cgroup2_mount(p->cgroup2_mount, sizeof(p->cgroup2_mount));
	if (err == -ENOMEM)
		goto out;
	if (err)
		p->cgroup2_mount[0] = '\0';
	err = 0;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0)
		p->landlock_errno = errno;
	else
		p->landlock_abi = abi;

	p->compat_entry = mg_probe_compat_entry();
	mg_probe_choose_engines(p);
out:
	btf__free(btf);
	return err;
}

int mg_probe_run(struct mg_probe *ret)
{
	static struct mg_probe cache;
	static int cached = -1;
	libbpf_print_fn_t old;
	int err;

	if (cached == 0) {
		*ret = cache;
		return 0;
	}
	old = libbpf_set_print(silent_print);
	err = probe_all(&cache);
	libbpf_set_print(old);
	if (err)
		return err;
	cached = 0;
	*ret = cache;
	return 0;
}
