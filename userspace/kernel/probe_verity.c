// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Can the kernel check fs-verity digests at every open? Found by loading an
 * lsm/file_post_open program (the hook runs after the file system's own
 * open, 6.9+) that calls bpf_get_fsverity_digest (6.7+, needs
 * CONFIG_FS_VERITY) on the opened file: the verifier accepts it only where
 * both are there and LSM programs load. Where it does not, the SHA-256
 * digests and taint on write serve.
 */
#include <errno.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "kernel/probe.h"
#include "core/util.h"

#define MG_INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/*
 * r6 = file; bpf_dynptr_from_mem(buf, 36, 0, &ptr); bpf_get_fsverity_digest(r6, &ptr); 0.
 * buf is the value of the array @map_fd: the helper takes no stack memory.
 */
static int mg_verity_prog_load(__u32 hook_id, __s32 kfunc_id, int map_fd)
{
	const struct bpf_insn insns[] = {
		MG_INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_6, BPF_REG_1, 0, 0),
		MG_INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_VALUE, 0, map_fd),
		MG_INSN(0, 0, 0, 0, 0), /* offset 0 in the value */
		MG_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 36),
		MG_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, 0),
		MG_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_10, 0, 0),
		MG_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, -16),
		MG_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_dynptr_from_mem),
		MG_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0),
		MG_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		MG_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -16),
		MG_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc_id),
		MG_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
		MG_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_LSM_MAC,
		    .attach_btf_id = hook_id, );
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_LSM, "mg_probe_verity", "GPL", insns, MG_ARRAY_SIZE(insns),
			   &opts);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

void mg_probe_verity(struct mg_probe *p, const struct btf *btf)
{
	int hook, kfunc, map_fd;

	p->verity_errno = ENOENT;
	if (!btf)
		return;
	hook = btf__find_by_name_kind(btf, MG_PROBE_VERITY_HOOK, BTF_KIND_FUNC);
	kfunc = btf__find_by_name_kind(btf, MG_PROBE_VERITY_KFUNC, BTF_KIND_FUNC);
	p->verity_hook_in_btf = hook > 0;
	p->verity_kfunc_in_btf = kfunc > 0;
	if (hook <= 0 || kfunc <= 0)
		return;
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "mg_probe_verity", sizeof(__u32), 40, 1, NULL);
	if (map_fd < 0) {
		p->verity_errno = errno;
		return;
	}
	p->verity_errno = -mg_verity_prog_load(hook, kfunc, map_fd);
	p->verity_loads = p->verity_errno == 0;
	close(map_fd);
}
