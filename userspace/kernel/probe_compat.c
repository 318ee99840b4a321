// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Does this kernel take 32-bit syscalls (x86-64's int $0x80 and sysenter
 * entries, or x32)? The fallback engine closes them with a program on
 * every syscall's entry, which every process of the host pays: where the
 * kernel has no such entry (ia32_emulation=false, no x32), it is not needed.
 * Found by trying, in a child: without the entry, int $0x80 is a fault.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/probe.h"

#if defined(__x86_64__)
#define MG_X32_SYSCALL_BIT 0x40000000L

static int mg_compat_child(void)
{
	long pid = getpid(), ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L /* i386 getpid */) : "memory");
	if (ret == pid)
		return 0;
	return syscall(MG_X32_SYSCALL_BIT | SYS_getpid) == pid ? 0 : 1;
}

bool mg_probe_compat_entry(void)
{
	int status;
	pid_t child = fork();

	if (child < 0)
		return true; /* unknown: assume it is there, and close it */
	if (child == 0) {
		signal(SIGSEGV, SIG_DFL);
		_exit(mg_compat_child());
	}
	if (waitpid(child, &status, 0) != child)
		return true;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
#else
bool mg_probe_compat_entry(void)
{
	return false; /* the closure is x86-64's */
}
#endif
