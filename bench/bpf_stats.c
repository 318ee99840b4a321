// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stats: how long BPF programs ran while a command ran. Run-time
 * statistics are turned on with BPF_ENABLE_STATS for the life of this process
 * only (the kernel turns them off when it exits, whatever happens), so
 * kernel.bpf_stats_enabled is never touched.
 *
 *   bpf_stats PROG-ID... -- COMMAND [ARG...]
 *
 * Runs COMMAND with its output passed through, then prints one line per
 * program: "prog ID NAME run_cnt N run_time_ns T" (the differences).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROGS 64

struct prog {
	unsigned int id;
	int fd;
	char name[BPF_OBJ_NAME_LEN];
	unsigned long long cnt, ns;
};

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int read_stats(struct prog *p)
{
	struct bpf_prog_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = p->fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0)
		return -1;
	memcpy(p->name, info.name, sizeof(p->name));
	p->name[sizeof(p->name) - 1] = '\0';
	p->cnt = info.run_cnt;
	p->ns = info.run_time_ns;
	return 0;
}

int main(int argc, char **argv)
{
	struct prog progs[MAX_PROGS], before[MAX_PROGS];
	union bpf_attr attr;
	int n = 0, i, stats_fd, status;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (n == MAX_PROGS)
			return fprintf(stderr, "bpf_stats: too many programs\n"), 2;
		memset(&attr, 0, sizeof(attr));
		attr.prog_id = strtoul(argv[i], NULL, 10);
		progs[n].id = attr.prog_id;
		progs[n].fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (progs[n].fd < 0) {
			fprintf(stderr, "bpf_stats: program %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		n++;
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: bpf_stats PROG-ID... -- COMMAND [ARG...]\n");
		return 2;
	}
	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	stats_fd = sys_bpf(BPF_ENABLE_STATS, &attr);
	if (stats_fd < 0) {
		fprintf(stderr, "bpf_stats: BPF_ENABLE_STATS: %s\n", strerror(errno));
		return 1;
	}
	for (int k = 0; k < n; k++) {
		if (read_stats(&progs[k])) {
			fprintf(stderr, "bpf_stats: program %u: %s\n", progs[k].id,
				strerror(errno));
			return 1;
		}
		before[k] = progs[k];
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fprintf(stderr, "bpf_stats: fork: %s\n", strerror(errno)), 1;
	if (pid == 0) {
		close(stats_fd);
		for (int k = 0; k < n; k++)
			close(progs[k].fd);
		execvp(argv[i + 1], argv + i + 1);
		fprintf(stderr, "bpf_stats: %s: %s\n", argv[i + 1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	for (int k = 0; k < n; k++) {
		if (read_stats(&progs[k]))
			return 1;
		printf("prog %u %s run_cnt %llu run_time_ns %llu\n", progs[k].id, progs[k].name,
		       progs[k].cnt - before[k].cnt, progs[k].ns - before[k].ns);
	}
	close(stats_fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
