// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Policy scale, end to end: parse, compile, load into the kernel, write the
 * first generation, then write a second one and switch to it (a reload), with
 * the library code the daemon runs. Attaches nothing.
 *
 *   bench_load gen DIR CGROUP-MOUNT CGROUP [FOLDERS [FILES [SCOPES [EGRESS]]]]
 *       make a policy over FOLDERS folders of FILES empty weight files each
 *       (in DIR/models) and SCOPES scopes of EGRESS egress rules each, twice:
 *       DIR/policy, whose scopes are the cgroups CGROUP/pNNNN/s (one parent
 *       each), and DIR/policy-flat, whose scopes are CGROUP/sNNNN (siblings).
 *       The cgroups are created below CGROUP-MOUNT (CGROUP must exist). The
 *       caller removes all of it.
 *   bench_load run POLICY-DIR PIN-DIR [SWAP-TIMEOUT-SECONDS]
 *       load POLICY-DIR with maps pinned in PIN-DIR (created, then removed)
 *       and print one JSON object: times, map memory, peak RSS.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/cgroup.h"
#include "compile/compile.h"
#include "kernel/loader.h"
#include "policy/policy.h"
#include "kernel/probe.h"

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static FILE *open_policy(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkdir(path, 0755))
		die(path);
	snprintf(path, sizeof(path), "%s/%s/bench.yaml", dir, name);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fprintf(f, "apiVersion: mguard/v1\nmodels:\n");
	return f;
}

static void make_cgroup(const char *mount, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", mount, rel);
	if (mkdir(path, 0755) && errno != EEXIST)
		die(path);
}

static int gen(int argc, char **argv)
{
	const char *dir = argv[2], *mount = argv[3], *cgroup = argv[4];
	int folders = argc > 5 ? atoi(argv[5]) : 1000;
	int per_folder = argc > 6 ? atoi(argv[6]) : 100;
	int scopes = argc > 7 ? atoi(argv[7]) : 1000;
	int egress = argc > 8 ? atoi(argv[8]) : 10;
	char path[PATH_MAX];
	FILE *f[2];

	snprintf(path, sizeof(path), "%s/models", dir);
	if (mkdir(path, 0755))
		die(path);
	f[0] = open_policy(dir, "policy");
	f[1] = open_policy(dir, "policy-flat");
	for (int i = 0; i < folders; i++) {
		snprintf(path, sizeof(path), "%s/models/m%04d", dir, i);
		if (mkdir(path, 0755))
			die(path);
		for (int j = 0; j < per_folder; j++) {
			char file[PATH_MAX + 32];
			int fd;

			snprintf(file, sizeof(file), "%s/shard-%03d.safetensors", path, j);
			fd = creat(file, 0644);
			if (fd < 0)
				die(file);
			close(fd);
		}
		for (int k = 0; k < 2; k++)
			fprintf(f[k], "  - {name: m%04d, tier: %s, files: [%s/]}\n", i,
				i % 3 == 0 ? "general" :
				i % 3 == 1 ? "controlled" :
					     "prohibited",
				path);
	}
	for (int k = 0; k < 2; k++)
		fprintf(f[k], "scopes:\n");
	for (int i = 0; i < scopes; i++) {
		char nested[PATH_MAX], flat[PATH_MAX];

		snprintf(nested, sizeof(nested), "%s/p%04d", cgroup, i);
		make_cgroup(mount, nested);
		snprintf(nested, sizeof(nested), "%s/p%04d/s", cgroup, i);
		make_cgroup(mount, nested);
		snprintf(flat, sizeof(flat), "%s/s%04d", cgroup, i);
		make_cgroup(mount, flat);
		for (int k = 0; k < 2; k++) {
			fprintf(f[k], "  - name: s%04d\n    cgroup: %s\n    maxTier: general\n", i,
				k ? flat : nested);
			fprintf(f[k], "    egress: [");
			for (int j = 0; j < egress; j++)
				fprintf(f[k], "%s\"10.%d.%d.0/24:%d/tcp\"", j ? ", " : "", i % 256,
					(i / 256) * 64 + j % 64, 443 + j);
			fprintf(f[k], "]\n");
		}
	}
	if (fclose(f[0]) || fclose(f[1]))
		die("policy file");
	return 0;
}

/* Every BPF map this process holds: kernel memory as fdinfo's memlock says. */
static void print_maps(FILE *out)
{
	unsigned long long total = 0;
	struct dirent *de;
	int first = 1;
	DIR *d = opendir("/proc/self/fdinfo");

	fprintf(out, ",\"maps\":[");
	while (d && (de = readdir(d))) {
		char path[PATH_MAX], line[256], target[64];
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		unsigned long long memlock = 0;
		int fd = atoi(de->d_name), is_map = 0;
		ssize_t n;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, "anon_inode:bpf-map"))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "memlock: %llu", &memlock) == 1)
				is_map = 1;
		}
		fclose(f);
		if (!is_map || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		fprintf(out, "%s{\"name\":\"%s\",\"max_entries\":%u,\"memlock_bytes\":%llu}",
			first ? "" : ",", info.name, info.max_entries, memlock);
		total += memlock;
		first = 0;
	}
	if (d)
		closedir(d);
	fprintf(out, "],\"maps_memlock_bytes\":%llu", total);
}

static size_t room_for(size_t n)
{
	/* As the daemon sizes its maps: two generations side by side. */
	return 2 * n + 1024;
}

/*
 * The second generation, in a child so that a reload that never ends can be
 * cut short. Meanwhile this process watches the pinned config map for the
 * moment the new generation is in force (*ret_switch, from the start).
 */
static double timed_swap(struct mg_loader *l, const struct mg_image *img, const char *pin_dir,
			 int timeout, double *ret_switch, int *ret_timed_out)
{
	struct mg_config cfg;
	char path[PATH_MAX];
	int pipefd[2], status, cfg_fd;
	__u32 zero = 0, gen0;
	double dt = -1, t0;
	pid_t pid;

	*ret_timed_out = 0;
	*ret_switch = -1;
	snprintf(path, sizeof(path), "%s/mg_config", pin_dir);
	cfg_fd = bpf_obj_get(path);
	if (cfg_fd < 0 || bpf_map_lookup_elem(cfg_fd, &zero, &cfg))
		die(path);
	gen0 = cfg.active_gen;
	if (pipe(pipefd))
		die("pipe");
	t0 = wall_now();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		uint32_t gen;
		double t;

		close(pipefd[0]);
		if (mg_loader_apply(l, img, &gen))
			_exit(1);
		t = wall_now() - t0;
		_exit(write(pipefd[1], &t, sizeof(t)) == (ssize_t)sizeof(t) ? 0 : 1);
	}
	close(pipefd[1]);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		double t = wall_now();

		if (*ret_switch < 0 && bpf_map_lookup_elem(cfg_fd, &zero, &cfg) == 0 &&
		    cfg.active_gen != gen0)
			*ret_switch = t - t0;
		if (t - t0 > timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*ret_timed_out = 1;
			break;
		}
		usleep(*ret_switch < 0 ? 50 : 2000);
	}
	if (!*ret_timed_out && (read(pipefd[0], &dt, sizeof(dt)) != (ssize_t)sizeof(dt)))
		dt = -1;
	close(pipefd[0]);
	close(cfg_fd);
	return dt;
}

static int run(int argc, char **argv)
{
	const char *policy_dir = argv[2], *pin_dir = argv[3];
	int timeout = argc > 4 ? atoi(argv[4]) : 60, timed_out;
	struct mg_loader_opts lopts = { .pin_dir = pin_dir };
	struct mg_compile_opts copts = {};
	struct mg_diags diags = {};
	char cgroot[PATH_MAX];
	struct mg_policy *policy;
	struct mg_loader *l;
	struct mg_image *img;
	struct mg_probe probe;
	double t[6], swap, sw;
	struct rusage ru;
	uint32_t g;

	if (mg_loader_mount_fs() || mg_cgroup2_mount(cgroot, sizeof(cgroot)))
		return 1;
	t[0] = wall_now();
	if (mg_policy_load_dir(policy_dir, &policy, &diags)) {
		mg_diags_print(&diags, stderr);
		return 1;
	}
	t[1] = wall_now();
	copts.cgroup_root = cgroot;
	if (mg_compile(policy, &copts, &img, &diags)) {
		mg_diags_print(&diags, stderr);
		return 1;
	}
	t[2] = wall_now();
	if (mg_probe_run(&probe))
		return 1;
	t[3] = wall_now();
	memcpy(lopts.engine, probe.engine, sizeof(lopts.engine));
	lopts.cgroup_root = cgroot;
	lopts.max_inodes = room_for(mg_loader_inode_entries(img));
	lopts.max_egress = room_for(img->negress);
	lopts.max_licenses = room_for(img->nlicenses);
	lopts.max_devices = room_for(img->ndevices);
	lopts.max_outputs = room_for(img->noutputs);
	if (mg_loader_load(&lopts, &l))
		return 1;
	t[4] = wall_now();
	if (mg_loader_apply(l, img, &g)) {
		mg_loader_destroy(l);
		return 1;
	}
	t[5] = wall_now();
	swap = timed_swap(l, img, pin_dir, timeout, &sw, &timed_out);
	getrusage(RUSAGE_SELF, &ru);

	printf("{\"bench\":\"policy-load\",\"files\":%zu,\"scopes\":%zu,\"egress_prefixes\":%zu,"
	       "\"parse_s\":%.3f,\"compile_s\":%.3f,\"probe_s\":%.3f,\"load_s\":%.3f,\"apply_s\":%.3f,"
	       "\"compile_load_s\":%.3f,",
	       img->ninodes, img->nscopes, img->negress, t[1] - t[0], t[2] - t[1], t[3] - t[2],
	       t[4] - t[3], t[5] - t[4], (t[2] - t[0]) + (t[5] - t[3]));
	if (timed_out)
		printf("\"swap_s\":null,\"swap_timeout_s\":%d", timeout);
	else
		printf("\"swap_s\":%.4f", swap);
	printf(",\"swap_in_force_s\":%.4f", sw);
	printf(",\"max_rss_kib\":%ld", ru.ru_maxrss);
	print_maps(stdout);
	printf("}\n");
	mg_loader_destroy(l);
	mg_image_free(img);
	mg_policy_free(policy);
	return swap < 0 && !timed_out;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "gen") == 0)
		return gen(argc, argv);
	if (argc >= 4 && strcmp(argv[1], "run") == 0)
		return run(argc, argv);
	fprintf(stderr,
		"usage: bench_load gen DIR CGROUP-MOUNT CGROUP [FOLDERS [FILES [SCOPES [EGRESS]]]]\n"
		"       bench_load run POLICY-DIR PIN-DIR [SWAP-TIMEOUT-SECONDS]\n");
	return 2;
}
