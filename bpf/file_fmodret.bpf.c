// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Files, fmod-ret engine, for kernels that have BPF trampolines but not
 * "bpf" in their boot-time LSM list (Ubuntu's default, or any kernel booted
 * with an lsm= list that leaves it out). The verifier lets a program modify
 * the return value of the kernel's security_* functions: a non-zero return
 * skips the function and becomes the syscall's error. So the same decision
 * as the BPF LSM engine (file.bpf.h, taint.bpf.h, receive.bpf.h, unix.bpf.h) refuses with EPERM, at the
 * same places: no kill, nothing installed, no syscall tracepoint.
 *
 * @ret is what an earlier fmod_ret program on the same function returned: a
 * refusal there is kept. Returning 0 lets the function, and with it every
 * active LSM, run as usual.
 *
 * The "?" keeps these programs out of the kernel unless the loader asks for
 * them (mguard probe chose this engine).
 */
#include "receive.bpf.h"
#include "taint.bpf.h"
#include "unix.bpf.h"

SEC("?fmod_ret/security_file_open")
int BPF_PROG(mg_fmod_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	return mg_open_check(file);
}

SEC("?fmod_ret/security_mmap_file")
int BPF_PROG(mg_fmod_mmap_file, struct file *file, unsigned long prot, unsigned long flags, int ret)
{
	if (ret)
		return ret;
	if (!file)
		return 0; /* anonymous memory */
	return mg_file_check(file, MG_HOOK_MMAP);
}

SEC("?fmod_ret/security_file_receive")
int BPF_PROG(mg_fmod_file_receive, struct file *file, int ret)
{
	if (ret)
		return ret;
	return mg_receive_check(file);
}

SEC("?fmod_ret/security_unix_stream_connect")
int BPF_PROG(mg_fmod_unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	if (ret)
		return ret;
	return mg_unix_check(other);
}

SEC("?fmod_ret/security_unix_may_send")
int BPF_PROG(mg_fmod_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
	if (ret)
		return ret;
	return mg_unix_check(BPF_CORE_READ(other, sk));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
