// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Policy scale: parse, validate and compile a policy of FILES weight files in
 * FOLDERS folders, with SCOPES scopes of EGRESS egress rules each (metadata
 * only: no digests). Scope cgroups are stood in for by plain folders, so no
 * privilege is needed. Prints one JSON object.
 *
 *   bench_compile [FOLDERS [FILES_PER_FOLDER [SCOPES [EGRESS_PER_SCOPE]]]]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compile/compile.h"
#include "policy/policy.h"

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_compile: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	int folders = argc > 1 ? atoi(argv[1]) : 1000;
	int per_folder = argc > 2 ? atoi(argv[2]) : 100;
	int scopes = argc > 3 ? atoi(argv[3]) : 1000;
	int egress = argc > 4 ? atoi(argv[4]) : 10;
	char root[] = "/tmp/mguard-bench-XXXXXX", path[512], cmd[600];
	struct mg_compile_opts opts = {};
	struct mg_diags diags = {};
	struct mg_policy *policy;
	struct mg_image *img;
	double c0, c1, c2, w0, w2;
	struct rusage ru;
	FILE *f;

	if (!mkdtemp(root))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/policy", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/cg", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/models", root);
	mkdir(path, 0755);

	snprintf(path, sizeof(path), "%s/policy/bench.yaml", root);
	f = fopen(path, "w");
	if (!f)
		die("policy file");
	fprintf(f, "apiVersion: mguard/v1\nmodels:\n");
	for (int i = 0; i < folders; i++) {
		snprintf(path, sizeof(path), "%s/models/m%04d", root, i);
		if (mkdir(path, 0755))
			die("mkdir");
		for (int j = 0; j < per_folder; j++) {
			char file[600];
			int fd;

			snprintf(file, sizeof(file), "%s/shard-%03d.safetensors", path, j);
			fd = creat(file, 0644);
			if (fd < 0)
				die("creat");
			close(fd);
		}
		fprintf(f, "  - {name: m%04d, tier: %s, files: [%s/]}\n", i,
			i % 3 == 0 ? "general" :
			i % 3 == 1 ? "controlled" :
				     "prohibited",
			path);
	}
	fprintf(f, "scopes:\n");
	for (int i = 0; i < scopes; i++) {
		snprintf(path, sizeof(path), "%s/cg/s%04d", root, i);
		if (mkdir(path, 0755))
			die("mkdir");
		fprintf(f,
			"  - name: s%04d\n    cgroup: /s%04d\n    maxTier: general\n    egress: [",
			i, i);
		for (int j = 0; j < egress; j++)
			fprintf(f, "%s\"10.%d.%d.0/24:%d/tcp\"", j ? ", " : "", i % 256, j,
				443 + j);
		fprintf(f, "]\n");
	}
	fclose(f);

	snprintf(path, sizeof(path), "%s/policy", root);
	c0 = cpu_now();
	w0 = wall_now();
	if (mg_policy_load_dir(path, &policy, &diags)) {
		mg_diags_print(&diags, stderr);
		return 1;
	}
	c1 = cpu_now();
	snprintf(path, sizeof(path), "%s/cg", root);
	opts.cgroup_root = path;
	if (mg_compile(policy, &opts, &img, &diags)) {
		mg_diags_print(&diags, stderr);
		return 1;
	}
	c2 = cpu_now();
	w2 = wall_now();
	getrusage(RUSAGE_SELF, &ru);

	printf("{\"bench\":\"policy-compile\",\"folders\":%d,\"files\":%zu,\"scopes\":%zu,\"egress_prefixes\":%zu,"
	       "\"parse_cpu_s\":%.3f,\"compile_cpu_s\":%.3f,\"total_cpu_s\":%.3f,\"total_wall_s\":%.3f,"
	       "\"max_rss_kib\":%ld,\"target_cpu_s\":1.0,\"met\":%s}\n",
	       folders, img->ninodes - (size_t)folders, img->nscopes, img->negress, c1 - c0,
	       c2 - c1, c2 - c0, w2 - w0, ru.ru_maxrss, c2 - c0 < 1.0 ? "true" : "false");
	mg_image_free(img);
	mg_policy_free(policy);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) ? 1 : 0;
}
