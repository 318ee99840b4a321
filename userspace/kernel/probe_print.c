// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What the probe found, as an aligned table with the reasons, or as JSON. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/names.h"
#include "core/util.h"
#include "kernel/gaps.h"
#include "kernel/probe.h"

static const char *err_name(int err, char *buf, size_t len)
{
	switch (err) {
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case ESRCH:
		return "ESRCH";
	case EINTR:
		return "EINTR";
	case EIO:
		return "EIO";
	case E2BIG:
		return "E2BIG";
	case EBADF:
		return "EBADF";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EACCES:
		return "EACCES";
	case EFAULT:
		return "EFAULT";
	case EBUSY:
		return "EBUSY";
	case EEXIST:
		return "EEXIST";
	case ENODEV:
		return "ENODEV";
	case ENOTDIR:
		return "ENOTDIR";
	case EINVAL:
		return "EINVAL";
	case ENOSPC:
		return "ENOSPC";
	case ERANGE:
		return "ERANGE";
	case ENOSYS:
		return "ENOSYS";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case 524:
		return "ENOTSUPP";
	}
	snprintf(buf, len, "errno %d", err);
	return buf;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* Why the BPF LSM engine cannot guard file_open; "" when it can. */
static void lsm_reason(const struct mg_probe *p, char *buf, size_t len)
{
	char tmp[32];

	if (!p->btf)
		snprintf(buf, len, "no vmlinux BTF");
	else if (p->lsm_list_errno)
		snprintf(buf, len, "active LSM list unreadable: %s",
			 err_name(p->lsm_list_errno, tmp, sizeof(tmp)));
	else if (!p->lsm_bpf_active)
		snprintf(buf, len, "bpf not in the active LSM list%s",
			 p->lsm_bpf_built == 1 ? " (built in: add it to lsm= at boot)" : "");
	else if (!p->lsm_hook_in_btf)
		snprintf(buf, len, "%s not in BTF", MG_PROBE_LSM_HOOK);
	else if (!p->lsm_prog_loads)
		snprintf(buf, len, "%s at load", err_name(p->lsm_prog_errno, tmp, sizeof(tmp)));
	else
		buf[0] = '\0';
}

static void tracepoint_reason(const struct mg_probe *p, char *buf, size_t len)
{
	char tmp[32];

	if (p->tracepoint_progs)
		snprintf(buf, len, "tp/%s", MG_PROBE_TRACEPOINT);
	else if (p->tracepoint_step && strcmp(p->tracepoint_step, "tracefs") == 0)
		snprintf(buf, len, "no %s in tracefs (%s)", MG_PROBE_TRACEPOINT,
			 err_name(p->tracepoint_errno, tmp, sizeof(tmp)));
	else
		snprintf(buf, len, "%s at %s", err_name(p->tracepoint_errno, tmp, sizeof(tmp)),
			 p->tracepoint_step ? p->tracepoint_step : "load");
}

/* Why the fmod-ret engine cannot guard file_open; "" when it can. */
static void fmod_reason(const struct mg_probe *p, char *buf, size_t len)
{
	const char *step = p->fmod.step;
	char tmp[32];

	if (p->fmod.runs)
		buf[0] = '\0';
	else if (!p->btf)
		snprintf(buf, len, "no vmlinux BTF");
	else if (!step)
		snprintf(buf, len, "not tried");
	else if (strcmp(step, "btf") == 0)
		snprintf(buf, len, "%s not in BTF", MG_PROBE_FMODRET_FUNC);
	else if (strcmp(step, "run") == 0)
		snprintf(buf, len, "attached but did not run (%s)",
			 p->fmod.err ? err_name(p->fmod.err, tmp, sizeof(tmp)) : "the open worked");
	else
		snprintf(buf, len, "%s at %s", err_name(p->fmod.err, tmp, sizeof(tmp)), step);
}

/* The gaps of the engines this kernel gets (kernel/gaps.c). */
static void mg_probe_gaps_print(const struct mg_probe *p, FILE *out, bool json)
{
	__u8 engine[MG_HOOK_SLOTS] = { 0 };

	for (int h = 0; h < MG_HOOK__COUNT; h++)
		engine[h] = p->engine[h];
	mg_gaps_print(out, engine, json);
}

static void engine_note(const struct mg_probe *p, enum mg_hook h, char *buf, size_t len)
{
	char lsm[128], fmod[128], tp[128];

	buf[0] = '\0';
	if (h == MG_HOOK_SYSCALLS) {
		if (p->engine[h] == MG_ENGINE_COVERED)
			snprintf(buf, len,
				 "(32-bit syscalls, mounts and fanotify reach %s like any other)",
				 p->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_FMOD_RET ?
					 "the security_* functions" :
					 "the LSM hooks");
		else if (p->engine[h] == MG_ENGINE_TP_KILL && p->compat_entry)
			snprintf(
				buf, len,
				"(closed in scopes: 32-bit syscalls (a program on every syscall's "
				"entry, for every process), overlay and FUSE mounts, fanotify kill "
				"the caller)");
		else if (p->engine[h] == MG_ENGINE_TP_KILL)
			snprintf(buf, len,
				 "(closed in scopes: overlay and FUSE mounts, fanotify kill the "
				 "caller; no 32-bit syscalls on this kernel)");
		return;
	}
	if (h == MG_HOOK_PATHS || h == MG_HOOK_SOCKET) {
		if (p->engine[h] == MG_ENGINE_TP_KILL)
			snprintf(buf, len,
				 h == MG_HOOK_PATHS ?
					 "(closed in scopes: the caller is killed on entry; "
					 "the name it made stays)" :
					 "(families but UNIX, IPv4, IPv6 and routing netlink "
					 "kill the caller)");
		if (p->engine[h] == MG_ENGINE_TP_KILL &&
		    p->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_FMOD_RET)
			snprintf(buf + strlen(buf), len - strlen(buf), " (%s not in BTF)",
				 p->fmod.missing[h] ? p->fmod.missing[h] : mg_fmod_ret_func(h));
		return;
	}
	if (h >= MG_HOOK_BPF && h <= MG_HOOK_COREDUMP) {
		mg_guard_note(p, h, buf, len);
		return;
	}
	if (p->engine[h] == MG_ENGINE_COVERED) {
		snprintf(buf, len, "(its opens reach %s like any other)",
			 p->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_FMOD_RET ? "security_file_open" :
									      "lsm/file_open");
		return;
	}
	if (h == MG_HOOK_MMAP || h == MG_HOOK_FILE_RECEIVE || h == MG_HOOK_IO_URING) {
		if (p->engine[h] == MG_ENGINE_TP_KILL && h == MG_HOOK_IO_URING)
			snprintf(buf, len,
				 "(closed: a guarded process that sets up a ring is killed)");
		else if (p->engine[h] == MG_ENGINE_NONE)
			snprintf(buf, len, "(as file_open)");
		else if (p->engine[h] != p->engine[MG_HOOK_FILE_OPEN])
			snprintf(buf, len, "(%s not in BTF)",
				 p->fmod.missing[h] ? p->fmod.missing[h] : mg_fmod_ret_func(h));
		return;
	}
	if (h == MG_HOOK_VERITY) {
		if (p->engine[h] == MG_ENGINE_NONE)
			snprintf(
				buf, len,
				"(fs-verity digests not checked by the kernel: SHA-256 digests and "
				"taint on write serve)");
		return;
	}
	if (h == MG_HOOK_UNIX) {
		if (p->engine[h] == MG_ENGINE_NONE)
			snprintf(buf, len,
				 "(not enforced: UNIX socket connects need BPF LSM or fmod_ret)");
		return;
	}
	if (h == MG_HOOK_DEVICE) {
		if (p->engine[h] == MG_ENGINE_NONE)
			snprintf(buf, len,
				 "(cgroup device programs do not load, or cgroup2 not mounted)");
		return;
	}
	if (h == MG_HOOK_FILE_OPEN) {
		if (p->engine[h] == MG_ENGINE_LSM)
			return;
		lsm_reason(p, lsm, sizeof(lsm));
		fmod_reason(p, fmod, sizeof(fmod));
		if (p->engine[h] == MG_ENGINE_FMOD_RET) {
			snprintf(buf, len, "(BPF LSM not usable: %s)", lsm);
		} else if (p->engine[h] == MG_ENGINE_TP_KILL) {
			snprintf(buf, len, "(BPF LSM not usable: %s; fmod_ret not usable: %s)", lsm,
				 fmod);
		} else {
			if (!p->btf)
				snprintf(tp, sizeof(tp), "no vmlinux BTF");
			else
				tracepoint_reason(p, tp, sizeof(tp));
			snprintf(
				buf, len,
				"(BPF LSM not usable: %s; fmod_ret not usable: %s; tracepoints not usable: %s)",
				lsm, fmod, tp);
		}
		return;
	}
	if (p->engine[h] == MG_ENGINE_CGROUP)
		return;
	if (h == MG_HOOK_EGRESS_BUDGET && !p->cgroup_skb)
		snprintf(buf, len, "(cgroup skb programs do not load)");
	else if (h == MG_HOOK_EGRESS_BUDGET)
		snprintf(buf, len, "(cgroup2 not mounted)");
	else if (!p->cgroup_sock_addr)
		snprintf(buf, len, "(cgroup sock_addr programs do not load)");
	else if (!p->cgroup2_mount[0])
		snprintf(buf, len, "(cgroup2 not mounted)");
}

static void row(FILE *out, const char *feature, const char *value, const char *note)
{
	if (note && note[0])
		fprintf(out, "  %-18s %-5s %s\n", feature, value, note);
	else
		fprintf(out, "  %-18s %s\n", feature, value);
}

static void print_text(const struct mg_probe *p, FILE *out)
{
	char note[512], tmp[32], tmp2[128];

	fprintf(out, "kernel %s\n\n", p->kernel[0] ? p->kernel : "(unknown)");
	fprintf(out, "  %-18s %-5s %s\n", "FEATURE", "VALUE", "NOTE");

	row(out, "btf", yes_no(p->btf), p->btf ? MG_PROBE_VMLINUX_BTF : "no " MG_PROBE_VMLINUX_BTF);

	if (p->lsm_list_errno)
		snprintf(note, sizeof(note), "%s/lsm unreadable: %s", MG_PROBE_SECURITYFS,
			 err_name(p->lsm_list_errno, tmp, sizeof(tmp)));
	else
		snprintf(note, sizeof(note), "lsm=%s", p->lsm_list);
	row(out, "lsm_bpf_active", yes_no(p->lsm_bpf_active), note);

	row(out, "lsm_bpf_built", p->lsm_bpf_built < 0 ? "?" : yes_no(p->lsm_bpf_built == 1),
	    p->lsm_bpf_built < 0 ? "no kernel config found" : "CONFIG_BPF_LSM");

	if (p->lsm_prog_loads)
		snprintf(note, sizeof(note), "lsm/file_open");
	else if (!p->btf)
		snprintf(note, sizeof(note), "no vmlinux BTF");
	else if (!p->lsm_hook_in_btf)
		snprintf(note, sizeof(note), "%s not in BTF", MG_PROBE_LSM_HOOK);
	else
		snprintf(note, sizeof(note), "%s at load",
			 err_name(p->lsm_prog_errno, tmp, sizeof(tmp)));
	row(out, "lsm_prog_loads", yes_no(p->lsm_prog_loads), note);

	if (p->trampoline_loads)
		snprintf(note, sizeof(note), "fentry/%s", p->trampoline_target);
	else if (!p->btf)
		snprintf(note, sizeof(note), "no vmlinux BTF");
	else if (!p->trampoline_target[0])
		snprintf(note, sizeof(note), "no target function in BTF");
	else
		snprintf(note, sizeof(note), "%s at load (fentry/%s)",
			 err_name(p->trampoline_errno, tmp, sizeof(tmp)), p->trampoline_target);
	row(out, "trampoline_loads", yes_no(p->trampoline_loads), note);

	if (p->fmod.runs) {
		snprintf(note, sizeof(note), "fmod_ret/%s: a probe open got its error",
			 MG_PROBE_FMODRET_FUNC);
	} else {
		fmod_reason(p, tmp2, sizeof(tmp2));
		snprintf(note, sizeof(note), "%s (fmod_ret/%s)", tmp2, MG_PROBE_FMODRET_FUNC);
	}
	row(out, "fmod_ret_runs", yes_no(p->fmod.runs), note);
	if (p->verity_loads)
		snprintf(note, sizeof(note), "lsm/file_post_open with %s", MG_PROBE_VERITY_KFUNC);
	else if (!p->btf)
		snprintf(note, sizeof(note), "no vmlinux BTF");
	else if (!p->verity_kfunc_in_btf)
		snprintf(note, sizeof(note), "%s not in BTF (needs 6.7+ and CONFIG_FS_VERITY)",
			 MG_PROBE_VERITY_KFUNC);
	else if (!p->verity_hook_in_btf)
		snprintf(note, sizeof(note), "%s not in BTF (needs 6.9+)", MG_PROBE_VERITY_HOOK);
	else
		snprintf(note, sizeof(note), "%s at load",
			 err_name(p->verity_errno, tmp, sizeof(tmp)));
	row(out, "verity_loads", yes_no(p->verity_loads), note);

	row(out, "ringbuf", yes_no(p->ringbuf), NULL);
	tracepoint_reason(p, note, sizeof(note));
	row(out, "tracepoint_progs", yes_no(p->tracepoint_progs), note);
	row(out, "cgroup_sock_addr", yes_no(p->cgroup_sock_addr), "cgroup/connect4, connect6");
	row(out, "cgroup_device", yes_no(p->cgroup_device), "cgroup/dev");
	row(out, "cgroup_skb", yes_no(p->cgroup_skb), "cgroup_skb/egress: egress budgets");
	row(out, "cgroup2", yes_no(p->cgroup2_mount[0]),
	    p->cgroup2_mount[0] ? p->cgroup2_mount : "not mounted");
	if (p->landlock_abi > 0) {
		snprintf(tmp, sizeof(tmp), "%d", p->landlock_abi);
		row(out, "landlock_abi", tmp, NULL);
	} else {
		snprintf(note, sizeof(note), "%s",
			 p->landlock_errno ? err_name(p->landlock_errno, tmp, sizeof(tmp)) : "");
		row(out, "landlock_abi", "no", note);
	}

	fprintf(out, "\nengines:\n");
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		engine_note(p, h, note, sizeof(note));
		if (note[0])
			fprintf(out, "  %-13s %-16s %s\n", mg_hook_name(h),
				mg_engine_name(p->engine[h]), note);
		else
			fprintf(out, "  %-13s %s\n", mg_hook_name(h), mg_engine_name(p->engine[h]));
	}
	fputc('\n', out);
	mg_probe_gaps_print(p, out, false);
}

static void json_bool(FILE *out, const char *key, bool v)
{
	fprintf(out, ",\"%s\":%s", key, v ? "true" : "false");
}

/* "<base>_errno":1,"<base>_error":"EPERM" (null when @err is 0). */
static void json_errno(FILE *out, const char *base, int err)
{
	char tmp[32];

	fprintf(out, ",\"%s_errno\":%d,\"%s_error\":", base, err, base);
	if (err)
		mg_json_write_string(out, err_name(err, tmp, sizeof(tmp)));
	else
		fputs("null", out);
}

static void json_str_or_null(FILE *out, const char *key, const char *s)
{
	fprintf(out, ",\"%s\":", key);
	if (s && s[0])
		mg_json_write_string(out, s);
	else
		fputs("null", out);
}

static void print_json(const struct mg_probe *p, FILE *out)
{
	char note[256];

	fputs("{\"kernel\":", out);
	mg_json_write_string(out, p->kernel);
	json_bool(out, "btf", p->btf);
	json_bool(out, "lsm_bpf_active", p->lsm_bpf_active);
	json_str_or_null(out, "lsm_list", p->lsm_list_errno ? NULL : p->lsm_list);
	json_errno(out, "lsm_list", p->lsm_list_errno);
	fprintf(out, ",\"lsm_bpf_built\":%s",
		p->lsm_bpf_built < 0 ? "null" :
		p->lsm_bpf_built     ? "true" :
				       "false");
	json_bool(out, "lsm_hook_in_btf", p->lsm_hook_in_btf);
	json_bool(out, "lsm_prog_loads", p->lsm_prog_loads);
	json_errno(out, "lsm_prog", p->lsm_prog_errno);
	json_bool(out, "trampoline_loads", p->trampoline_loads);
	json_errno(out, "trampoline", p->trampoline_errno);
	json_str_or_null(out, "trampoline_target", p->trampoline_target);
	json_bool(out, "fmod_ret_runs", p->fmod.runs);
	json_errno(out, "fmod_ret", p->fmod.err);
	json_str_or_null(out, "fmod_ret_step", p->fmod.step);
	json_bool(out, "verity_loads", p->verity_loads);
	json_errno(out, "verity", p->verity_errno);
	json_bool(out, "ringbuf", p->ringbuf);
	json_bool(out, "tracepoint_progs", p->tracepoint_progs);
	json_errno(out, "tracepoint", p->tracepoint_errno);
	json_str_or_null(out, "tracepoint_step", p->tracepoint_step);
	json_bool(out, "cgroup_sock_addr", p->cgroup_sock_addr);
	json_bool(out, "cgroup_device", p->cgroup_device);
	json_bool(out, "cgroup_skb", p->cgroup_skb);
	json_str_or_null(out, "cgroup2_mount", p->cgroup2_mount);
	fprintf(out, ",\"landlock_abi\":%d", p->landlock_abi);
	json_errno(out, "landlock", p->landlock_errno);
	fputs(",\"engines\":{", out);
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		fprintf(out, "%s\"%s\":", h ? "," : "", mg_hook_name(h));
		mg_json_write_string(out, mg_engine_name(p->engine[h]));
	}
	fputs("},\"engine_notes\":{", out);
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		fprintf(out, "%s\"%s\":", h ? "," : "", mg_hook_name(h));
		engine_note(p, h, note, sizeof(note));
		if (note[0])
			mg_json_write_string(out, note);
		else
			fputs("null", out);
	}
	fputs("},\"gaps\":", out);
	mg_probe_gaps_print(p, out, true);
	fputs("}\n", out);
}

void mg_probe_print(const struct mg_probe *p, FILE *out, bool json)
{
	if (json)
		print_json(p, out);
	else
		print_text(p, out);
}
