// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "probe.h"
#include "util.h"

const char *mg_verdict_name(unsigned int verdict)
{
	static const char *const names[MG_VERDICT__COUNT] = {
		[MG_VERDICT_ALLOW] = "allow",
		[MG_VERDICT_DENY] = "deny",
		[MG_VERDICT_KILL] = "kill",
		[MG_VERDICT_AUDIT] = "audit",
	};

	return verdict < MG_VERDICT__COUNT ? names[verdict] : "unknown";
}

const char *mg_reason_name(unsigned int reason)
{
	static const char *const names[MG_REASON__COUNT] = {
		[MG_REASON_NONE] = "none",
		[MG_REASON_TIER] = "tier",
		[MG_REASON_EGRESS] = "egress",
		[MG_REASON_KILLSWITCH] = "killswitch",
		[MG_REASON_UNLICENSED] = "unlicensed",
		[MG_REASON_LICENSE_EXPIRED] = "license-expired",
		[MG_REASON_WALK_LIMIT] = "walk-limit",
		[MG_REASON_GPU] = "gpu",
		[MG_REASON_OUTPUT] = "output",
		[MG_REASON_IO_URING] = "io_uring",
		[MG_REASON_RATE_LIMITED] = "rate-limited",
		[MG_REASON_RATE_RESUMED] = "rate-resumed",
		[MG_REASON_UNIX] = "unix-socket",
		[MG_REASON_UNKNOWN] = "unknown-weights",
		[MG_REASON_NARROWED] = "narrowed-by-license",
	};

	return reason < MG_REASON__COUNT ? names[reason] : "unknown";
}

int64_t mg_boot_to_realtime_offset(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
}

static void mg_print_time(FILE *out, uint64_t boot_ns, int64_t offset)
{
	int64_t ns = (int64_t)boot_ns + offset;
	time_t sec = ns / 1000000000LL;
	struct tm tm;
	char buf[32];

	gmtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(out, "\"%s.%06ldZ\"", buf, (long)((ns % 1000000000LL) / 1000));
}

static void mg_print_name_or_null(FILE *out, const char *s)
{
	if (s)
		mg_json_string(out, s);
	else
		fputs("null", out);
}

static void mg_print_file(FILE *out, const struct mg_event_file *f, const struct mg_image *img)
{
	const struct mg_image_inode *in = img ? mg_image_find_inode(img, f->dev, f->ino) : NULL;
	char name[MG_NAME_LEN + 1];

	memcpy(name, f->name, MG_NAME_LEN);
	name[MG_NAME_LEN] = '\0';
	fprintf(out, ",\"file\":{\"dev\":\"%u:%u\",\"ino\":%llu,\"path\":",
		f->dev >> 20, f->dev & 0xfffff, (unsigned long long)f->ino);
	mg_print_name_or_null(out, in ? in->path : NULL);
	fputs(",\"name\":", out);
	mg_json_string(out, name);
	fputs(",\"model\":", out);
	mg_print_name_or_null(out, img ? mg_image_model_name(img, f->model_id) : NULL);
	fputs(",\"tier\":", out);
	mg_print_name_or_null(out, img && f->model_id ? mg_image_tier_name(img, f->tier) : NULL);
	fprintf(out, ",\"flags\":%u}", f->flags);
}

static void mg_print_net(FILE *out, const struct mg_event_net *n)
{
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	char addr[INET6_ADDRSTRLEN];
	const char *proto = n->protocol == 6 ? "tcp" : n->protocol == 17 ? "udp" : "other";

	if (!memcmp(n->addr, v4mapped, sizeof(v4mapped)))
		inet_ntop(AF_INET, &n->addr[12], addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, n->addr, addr, sizeof(addr));
	fprintf(out, ",\"net\":{\"family\":\"%s\",\"addr\":\"%s\",\"port\":%u,\"protocol\":\"%s\"}",
		n->family == AF_INET6 ? "ipv6" : "ipv4", addr, n->port, proto);
}

void mg_drops_print_json(FILE *out, uint64_t dropped, uint64_t total)
{
	struct timespec now;
	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &now);
	ns = now.tv_sec * 1000000000LL + now.tv_nsec;
	fputs("{\"time\":", out);
	mg_print_time(out, ns, 0);
	fprintf(out, ",\"notice\":\"events-dropped\",\"dropped\":%llu,\"dropped_total\":%llu}\n",
		(unsigned long long)dropped, (unsigned long long)total);
}

static void mg_print_dev(FILE *out, const struct mg_event_dev *d)
{
	static const char *const drivers[] = {
		[MG_GPU_NVIDIA] = "nvidia", [MG_GPU_NVIDIA_UVM] = "nvidia-uvm",
		[MG_GPU_NVIDIA_CAPS] = "nvidia-caps", [MG_GPU_DRM] = "drm",
		[MG_GPU_ACCEL] = "accel", [MG_GPU_KFD] = "kfd",
	};
	const char *driver = d->driver < MG_ARRAY_SIZE(drivers) && drivers[d->driver] ?
		drivers[d->driver] : "unknown";

	fprintf(out, ",\"device\":{\"major\":%u,\"minor\":%u,\"driver\":\"%s\",\"access\":\"%s%s%s\"}",
		d->major, d->minor, driver, d->access & 2 ? "r" : "", d->access & 4 ? "w" : "",
		d->access & 1 ? "m" : "");
}

void mg_event_print_json(FILE *out, const struct mg_event *e, const struct mg_image *img,
			 int64_t boot_offset_ns)
{
	const struct mg_image_scope *scope = img ? mg_image_find_scope(img, e->scope_id) : NULL;
	char comm[MG_COMM_LEN + 1];

	memcpy(comm, e->comm, MG_COMM_LEN);
	comm[MG_COMM_LEN] = '\0';

	fputs("{\"time\":", out);
	mg_print_time(out, e->ts_boot_ns, boot_offset_ns);
	fprintf(out, ",\"generation\":%u,\"hook\":\"%s\",\"verdict\":\"%s\",\"engine\":\"%s\",\"reason\":\"%s\"",
		e->gen, mg_hook_name(e->hook), mg_verdict_name(e->verdict),
		mg_engine_name(e->engine), mg_reason_name(e->reason));
	fprintf(out, ",\"pid\":%u,\"tid\":%u,\"comm\":", e->tgid, e->pid);
	mg_json_string(out, comm);
	fprintf(out, ",\"cgroup_id\":%llu,\"scope\":", (unsigned long long)e->cgroup_id);
	mg_print_name_or_null(out, scope ? scope->name : NULL);
	if (e->reason == MG_REASON_RATE_LIMITED || e->reason == MG_REASON_RATE_RESUMED)
		fprintf(out, ",\"rate\":{\"limit\":%u,\"suppressed\":%u}", e->rate.limit, e->rate.suppressed);
	else if (e->hook == MG_HOOK_FILE_OPEN || e->hook == MG_HOOK_MMAP || e->hook == MG_HOOK_FILE_RECEIVE ||
		 e->hook == MG_HOOK_IO_URING || e->hook == MG_HOOK_UNIX)
		mg_print_file(out, &e->file, img);
	else if (e->hook == MG_HOOK_DEVICE)
		mg_print_dev(out, &e->dev);
	else
		mg_print_net(out, &e->net);
	fputs("}\n", out);
}
