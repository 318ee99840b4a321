// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "compile/digest.h"
#include "license/license.h"
#include "daemon/state.h"
#include "core/json.h"
#include "core/util.h"

void mg_state_path(const char *pin_dir, char *buf, size_t len)
{
	const char *base = strrchr(pin_dir, '/');

	snprintf(buf, len, "%s/%s.state", MG_STATE_DIR, base ? base + 1 : pin_dir);
}

static void mg_reload_request_path(const char *pin_dir, char *buf, size_t len)
{
	const char *base = strrchr(pin_dir, '/');

	snprintf(buf, len, "%s/%s.reload", MG_STATE_DIR, base ? base + 1 : pin_dir);
}

int mg_reload_request_write(const char *pin_dir, const char *policy_dir)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	if (mkdir(MG_STATE_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	mg_reload_request_path(pin_dir, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", policy_dir);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	return 0;
}

int mg_reload_request_take(const char *pin_dir, char *buf, size_t len)
{
	char path[PATH_MAX], line[PATH_MAX + 2];
	FILE *f;
	size_t n;

	mg_reload_request_path(pin_dir, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	unlink(path);
	n = strcspn(line, "\n");
	line[n] = '\0';
	if (!n || line[0] != '/')
		return -ENOENT;
	if (buf)
		snprintf(buf, len, "%s", line);
	return 0;
}

void mg_pid_path(const char *pin_dir, char *buf, size_t len)
{
	const char *base = strrchr(pin_dir, '/');

	snprintf(buf, len, "%s/%s.pid", MG_STATE_DIR, base ? base + 1 : pin_dir);
}

int mg_pid_write(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	int err = 0;

	if (mkdir(MG_STATE_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f))
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int mg_policy_digest(const struct mg_policy *policy, char out[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t sum[MG_DIGEST_LEN];
	int err = 0;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	for (size_t i = 0; i < policy->nsources && !err; i++) {
		char *buf;
		size_t len;

		err = mg_read_file(policy->sources[i], MG_POLICY_MAX_FILE_SIZE + 1, &buf, &len);
		if (err)
			break;
		EVP_DigestUpdate(ctx, buf, len);
		free(buf);
	}
	if (!err && !EVP_DigestFinal_ex(ctx, sum, NULL))
		err = -EIO;
	EVP_MD_CTX_free(ctx);
	if (!err)
		mg_digest_hex(sum, out);
	return err;
}

int mg_state_write(const char *path, const struct mg_policy *policy, const struct mg_image *img,
		   const char *policy_dir, const char *digest, int64_t loaded_at,
		   const char *events_dir)
{
	char tmp[PATH_MAX];
	FILE *f;
	int err = 0;

	if (mkdir(MG_STATE_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	/* One record a line, fields separated by tabs; names cannot hold tabs. */
	fprintf(f, "policy\t%s\ndigest\t%s\nloaded\t%lld\nevents\t%s\n", policy_dir, digest,
		(long long)loaded_at, events_dir ? events_dir : "-");
	for (size_t i = 0; i < img->nscopes && i < policy->nscopes; i++)
		fprintf(f, "scope\t%s\t%s\t%llu\t%s\n", img->scopes[i].name, img->scopes[i].cgroup,
			(unsigned long long)img->scopes[i].cgroup_id, policy->scopes[i].max_tier);
	for (size_t i = 0; i < img->nlicense_notes; i++) {
		const struct mg_image_license_note *n = &img->license_notes[i];

		if (n->refused || !n->id)
			continue;
		fprintf(f, "license\t%s\t%s\t%lld\n", n->id, img->scopes[n->scope_id - 1].name,
			(long long)n->not_after);
	}
	if (fclose(f) != 0)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* Processes in a cgroup and every cgroup below it. */
static size_t mg_procs_in;
static int mg_count_procs(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char procs[PATH_MAX], *text;
	size_t len;

	if (type != FTW_D)
		return 0;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	if (mg_read_file(procs, 1u << 22, &text, &len))
		return 0;
	for (size_t i = 0; i < len; i++)
		mg_procs_in += text[i] == '\n';
	free(text);
	return 0;
}

static long mg_cgroup_procs(const char *cgroup_root, const char *cgroup)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", cgroup_root, cgroup);
	if (access(path, F_OK) < 0)
		return -1;
	mg_procs_in = 0;
	nftw(path, mg_count_procs, 16, FTW_PHYS);
	return (long)mg_procs_in;
}

int mg_state_print(const char *path, const char *cgroup_root, int64_t now, int64_t soon_s, int json,
		   FILE *out)
{
	char *text, *line, *save = NULL;
	int nscope = 0, nlic = 0;
	size_t len;
	int err;

	err = mg_read_file(path, 1u << 24, &text, &len);
	if (err)
		return err;
	if (json)
		fputs("\"policy\":{", out);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[5] = { 0 };
		int n = 0;

		for (char *p = line, *tab; n < 5; p = tab + 1) {
			f[n++] = p;
			tab = strchr(p, '\t');
			if (!tab)
				break;
			*tab = '\0';
		}
		if (n == 2 && !strcmp(f[0], "policy")) {
			if (json) {
				fputs("\"dir\":", out);
				mg_json_write_string(out, f[1]);
			} else {
				fprintf(out, "policy %s\n", f[1]);
			}
		} else if (n == 2 && !strcmp(f[0], "digest")) {
			if (json)
				fprintf(out, ",\"digest\":\"%s\"", f[1]);
			else
				fprintf(out, "  sha256 %s\n", f[1]);
		} else if (n == 2 && !strcmp(f[0], "loaded")) {
			char when[MG_LICENSE_TIME_LEN];

			mg_license_format_time(atoll(f[1]), when);
			if (json)
				fprintf(out, ",\"loaded\":\"%s\"},\"scope_list\":[", when);
			else
				fprintf(out, "  loaded %s\n\nscopes:\n", when);
		} else if (n == 5 && !strcmp(f[0], "scope")) {
			long procs = mg_cgroup_procs(cgroup_root, f[2]);

			if (json) {
				fprintf(out, "%s{\"name\":", nscope ? "," : "");
				mg_json_write_string(out, f[1]);
				fputs(",\"cgroup\":", out);
				mg_json_write_string(out, f[2]);
				fprintf(out,
					",\"cgroup_id\":%s,\"processes\":%ld,\"max_tier\":", f[3],
					procs);
				mg_json_write_string(out, f[4]);
				fputc('}', out);
			} else {
				char count[32];

				if (procs < 0)
					snprintf(count, sizeof(count), "no cgroup");
				else
					snprintf(count, sizeof(count), "%ld processes", procs);
				fprintf(out, "  %-20s %-40s %-14s max tier %s\n", f[1], f[2], count,
					f[4]);
			}
			nscope++;
		} else if (n == 4 && !strcmp(f[0], "license")) {
			int64_t until = atoll(f[3]);
			char when[MG_LICENSE_TIME_LEN];
			int soon = until - now <= soon_s;

			mg_license_format_time(until, when);
			if (json) {
				fprintf(out, "%s{\"id\":", nlic ? "," : "],\"licenses\":[");
				mg_json_write_string(out, f[1]);
				fputs(",\"scope\":", out);
				mg_json_write_string(out, f[2]);
				fprintf(out, ",\"not_after\":\"%s\",\"expiring_soon\":%s}", when,
					soon ? "true" : "false");
			} else {
				fprintf(out, "%s  %-24s scope %-16s until %s%s\n",
					nlic ? "" : "\nlicences:\n", f[1], f[2], when,
					soon ? "  EXPIRES SOON" : "");
			}
			nlic++;
		}
	}
	if (json)
		fputs(nlic ? "]" : "],\"licenses\":[]", out);
	free(text);
	return 0;
}

int mg_state_events_dir(const char *path, char *buf, size_t len)
{
	char *text, *line, *save = NULL;
	size_t n;
	int err = mg_read_file(path, 1u << 22, &text, &n);

	if (err)
		return err;
	err = -ENODATA;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "events\t", 7))
			continue;
		if (!strcmp(line + 7, "-"))
			err = 1;
		else
			err = snprintf(buf, len, "%s", line + 7) >= (int)len ? -ENAMETOOLONG : 0;
		break;
	}
	free(text);
	return err;
}
