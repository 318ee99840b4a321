// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cgroup.h"
#include "core/json.h"
#include "core/names.h"
#include "core/util.h"
#include "daemon/events.h"

int64_t mg_boot_to_realtime_offset(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
}

/* The date and time to the second, made again only when the second changes. */
struct mg_time_cache {
	bool valid;
	time_t sec;
	size_t len;
	char text[32]; /* YYYY-MM-DDTHH:MM:SS */
};

static __thread struct mg_time_cache mg_time_cache;

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", quoted. */
static void mg_put_time(struct mg_json_buf *o, uint64_t boot_ns, int64_t offset)
{
	struct mg_time_cache *c = &mg_time_cache;
	int64_t ns = (int64_t)boot_ns + offset;
	time_t sec = ns / 1000000000LL;
	long usec = (ns % 1000000000LL) / 1000;

	if (!c->valid || c->sec != sec) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		c->len = strftime(c->text, sizeof(c->text), "%Y-%m-%dT%H:%M:%S", &tm);
		c->sec = sec;
		c->valid = true;
	}
	mg_jb_char(o, '"');
	mg_jb_put(o, c->text, c->len);
	mg_jb_char(o, '.');
	if (usec >= 0) {
		mg_jb_u64_width(o, usec, 6);
	} else {
		/* Before 1970: the fraction keeps its sign, as it always did. */
		char tmp[16];

		mg_jb_put(o, tmp, snprintf(tmp, sizeof(tmp), "%06ld", usec));
	}
	mg_jb_lit(o, "Z\"");
}

/* Open flags by name, the access mode first: "O_RDWR|O_CREAT|O_LARGEFILE". */
static const struct {
	unsigned int bit;
	const char *name;
} mg_open_flag_names[] = {
	{ O_CREAT, "O_CREAT" },	    { O_EXCL, "O_EXCL" },	    { O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" },	    { O_APPEND, "O_APPEND" },	    { O_NONBLOCK, "O_NONBLOCK" },
	{ O_DSYNC, "O_DSYNC" },	    { 020000, "FASYNC" },	    { O_DIRECT, "O_DIRECT" },
	{ 0100000, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },	    { 04000000, "O_SYNC" },
	{ O_PATH, "O_PATH" },	    { 020000000, "O_TMPFILE" },
};

void mg_jb_open_flags(struct mg_json_buf *o, unsigned int flags)
{
	static const char *const modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	unsigned int known = O_ACCMODE;

	mg_jb_char(o, '"');
	mg_jb_raw(o, modes[flags & O_ACCMODE]);
	for (size_t i = 0; i < MG_ARRAY_SIZE(mg_open_flag_names); i++) {
		known |= mg_open_flag_names[i].bit;
		if ((flags & mg_open_flag_names[i].bit) == mg_open_flag_names[i].bit) {
			mg_jb_char(o, '|');
			mg_jb_raw(o, mg_open_flag_names[i].name);
		}
	}
	if (flags & ~known) {
		/* Bits without a name, in octal as open(2) writes them. */
		char tmp[16];

		mg_jb_put(o, tmp, snprintf(tmp, sizeof(tmp), "|0%o", flags & ~known));
	}
	mg_jb_char(o, '"');
}

static void mg_put_file(struct mg_json_buf *o, const struct mg_event_file *f,
			const struct mg_image *img)
{
	const struct mg_image_inode *in = img ? mg_image_find_inode(img, f->dev, f->ino) : NULL;

	mg_jb_lit(o, ",\"file\":{\"dev\":\"");
	mg_jb_u64(o, f->dev >> 20);
	mg_jb_char(o, ':');
	mg_jb_u64(o, f->dev & 0xfffff);
	mg_jb_lit(o, "\",\"ino\":");
	mg_jb_u64(o, f->ino);
	mg_jb_lit(o, ",\"path\":");
	mg_jb_string_or_null(o, in ? in->path : NULL);
	/* The kernel sends (dev, ino) and the last name; the path is the policy's. */
	mg_jb_lit(o, ",\"path_source\":");
	if (in)
		mg_jb_lit(o, "\"policy\"");
	else
		mg_jb_lit(o, "null");
	mg_jb_lit(o, ",\"name\":");
	mg_jb_string_len(o, f->name, strnlen(f->name, MG_NAME_LEN));
	mg_jb_lit(o, ",\"model\":");
	mg_jb_string_or_null(o, img ? mg_image_model_name(img, f->model_id) : NULL);
	mg_jb_lit(o, ",\"tier\":");
	mg_jb_string_or_null(o, img && f->model_id ? mg_image_tier_name(img, f->tier) : NULL);
	mg_jb_lit(o, ",\"flags\":");
	mg_jb_open_flags(o, f->flags);
	mg_jb_lit(o, ",\"flags_raw\":");
	mg_jb_u64(o, f->flags);
	mg_jb_char(o, '}');
}

static void mg_put_net(struct mg_json_buf *o, const struct mg_event_net *n)
{
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	mg_jb_lit(o, ",\"net\":{\"family\":\"");
	if (n->family == AF_INET6)
		mg_jb_lit(o, "ipv6");
	else
		mg_jb_lit(o, "ipv4");
	mg_jb_lit(o, "\",\"addr\":\"");
	if (!memcmp(n->addr, v4mapped, sizeof(v4mapped))) {
		for (int i = 12; i < 16; i++) {
			if (i > 12)
				mg_jb_char(o, '.');
			mg_jb_u64(o, n->addr[i]);
		}
	} else {
		char addr[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, n->addr, addr, sizeof(addr));
		mg_jb_raw(o, addr);
	}
	mg_jb_lit(o, "\",\"port\":");
	mg_jb_u64(o, n->port);
	mg_jb_lit(o, ",\"protocol\":\"");
	mg_jb_raw(o, n->protocol == 6 ? "tcp" : n->protocol == 17 ? "udp" : "other");
	mg_jb_lit(o, "\"}");
}

static void mg_put_dev(struct mg_json_buf *o, const struct mg_event_dev *d)
{
	static const char *const drivers[] = {
		[MG_GPU_NVIDIA] = "nvidia",
		[MG_GPU_NVIDIA_UVM] = "nvidia-uvm",
		[MG_GPU_NVIDIA_CAPS] = "nvidia-caps",
		[MG_GPU_DRM] = "drm",
		[MG_GPU_ACCEL] = "accel",
		[MG_GPU_KFD] = "kfd",
	};
	const char *driver = d->driver < MG_ARRAY_SIZE(drivers) && drivers[d->driver] ?
				     drivers[d->driver] :
				     "unknown";

	mg_jb_lit(o, ",\"device\":{\"major\":");
	mg_jb_u64(o, d->major);
	mg_jb_lit(o, ",\"minor\":");
	mg_jb_u64(o, d->minor);
	mg_jb_lit(o, ",\"driver\":\"");
	mg_jb_raw(o, driver);
	mg_jb_lit(o, "\",\"access\":\"");
	if (d->access & 2)
		mg_jb_char(o, 'r');
	if (d->access & 4)
		mg_jb_char(o, 'w');
	if (d->access & 1)
		mg_jb_char(o, 'm');
	mg_jb_lit(o, "\"}");
}

static void mg_put_rate(struct mg_json_buf *o, const struct mg_event_rate *r)
{
	mg_jb_lit(o, ",\"rate\":{\"limit\":");
	mg_jb_u64(o, r->limit);
	mg_jb_lit(o, ",\"suppressed\":");
	mg_jb_u64(o, r->suppressed);
	mg_jb_char(o, '}');
}

/*
 * What each hook's record carries after the common part: one table, so a
 * new hook is one line here (a hook left out carries nothing).
 */
enum mg_payload {
	MG_PAYLOAD_NONE = 0,
	MG_PAYLOAD_FILE,
	MG_PAYLOAD_NET,
	MG_PAYLOAD_DEV,
	MG_PAYLOAD_TARGET, /* the other process's pid (0: none) */
	MG_PAYLOAD_SIGNAL, /* the signal of a core dump */
	MG_PAYLOAD_SOCK,   /* a socket refused at creation or received */
	MG_PAYLOAD_SYS,	   /* a syscall of a class closed in scopes */
	MG_PAYLOAD_BUDGET, /* an egress budget ran out or refilled */
};

static const unsigned char mg_hook_payload[MG_HOOK_SLOTS] = {
	[MG_HOOK_FILE_OPEN] = MG_PAYLOAD_FILE,	   [MG_HOOK_MMAP] = MG_PAYLOAD_FILE,
	[MG_HOOK_FILE_RECEIVE] = MG_PAYLOAD_FILE,  [MG_HOOK_IO_URING] = MG_PAYLOAD_FILE,
	[MG_HOOK_UNIX] = MG_PAYLOAD_FILE,	   [MG_HOOK_CONNECT4] = MG_PAYLOAD_NET,
	[MG_HOOK_CONNECT6] = MG_PAYLOAD_NET,	   [MG_HOOK_SENDMSG4] = MG_PAYLOAD_NET,
	[MG_HOOK_SENDMSG6] = MG_PAYLOAD_NET,	   [MG_HOOK_DEVICE] = MG_PAYLOAD_DEV,
	[MG_HOOK_BPF] = MG_PAYLOAD_TARGET,	   [MG_HOOK_PINS] = MG_PAYLOAD_TARGET,
	[MG_HOOK_SIGNAL] = MG_PAYLOAD_TARGET,	   [MG_HOOK_PTRACE] = MG_PAYLOAD_TARGET,
	[MG_HOOK_CGROUP_MOVE] = MG_PAYLOAD_TARGET, [MG_HOOK_FD_SHARE] = MG_PAYLOAD_TARGET,
	[MG_HOOK_COREDUMP] = MG_PAYLOAD_SIGNAL,	   [MG_HOOK_SOCKET] = MG_PAYLOAD_SOCK,
	[MG_HOOK_PATHS] = MG_PAYLOAD_FILE,	   [MG_HOOK_SYSCALLS] = MG_PAYLOAD_SYS,
	[MG_HOOK_SKB_EGRESS] = MG_PAYLOAD_NET,	   [MG_HOOK_EGRESS_BUDGET] = MG_PAYLOAD_BUDGET,
	[MG_HOOK_VERITY] = MG_PAYLOAD_FILE,
};

/* A budget ran out or refilled: the scope's own (license null), or a licence's within it. */
static void mg_put_budget(struct mg_json_buf *o, const struct mg_event_budget *b,
			  const struct mg_image *img)
{
	mg_jb_lit(o, ",\"budget\":{\"license\":");
	if (b->narrow_id) {
		const char *id = mg_image_narrowing_license(img, b->narrow_id);

		mg_jb_string(o, id ? id : "unknown");
	} else {
		mg_jb_lit(o, "null");
	}
	mg_jb_lit(o, ",\"bytes\":");
	mg_jb_u64(o, b->budget_bytes);
	mg_jb_lit(o, ",\"per_s\":");
	mg_jb_u64(o, b->window_ns / 1000000000ull);
	mg_jb_lit(o, ",\"sent\":");
	mg_jb_u64(o, b->sent);
	mg_jb_lit(o, ",\"dropped_packets\":");
	mg_jb_u64(o, b->dropped_packets);
	mg_jb_char(o, '}');
}

/* A socket refused at creation or received from outside the scope. */
static void mg_put_sock(struct mg_json_buf *o, const struct mg_event_sock *k)
{
	mg_jb_lit(o, ",\"socket\":{\"family\":");
	mg_jb_u64(o, k->family);
	mg_jb_lit(o, ",\"type\":");
	mg_jb_u64(o, k->type);
	mg_jb_lit(o, ",\"protocol\":");
	mg_jb_u64(o, k->protocol);
	mg_jb_char(o, '}');
}

/* A syscall of a class closed in scopes. */
static void mg_put_sys(struct mg_json_buf *o, const struct mg_event_sys *y)
{
	mg_jb_lit(o, ",\"syscall\":{\"nr\":");
	mg_jb_u64(o, y->nr);
	mg_jb_lit(o, ",\"compat\":\"");
	mg_jb_raw(o, y->compat == 1 ? "ia32" : y->compat == 2 ? "x32" : "no");
	mg_jb_lit(o, "\"}");
}

/* What this record carries; a path change refused as a closed class is a syscall. */
static enum mg_payload mg_event_payload(const struct mg_event *e)
{
	if (e->hook >= MG_HOOK_SLOTS)
		return MG_PAYLOAD_NONE;
	if (e->hook == MG_HOOK_PATHS && e->reason == MG_REASON_CLOSED)
		return MG_PAYLOAD_SYS;
	return mg_hook_payload[e->hook];
}

/* The part every line has: schema, time, host, type. */
static void mg_put_head(struct mg_json_buf *o, const struct mg_event_ctx *ctx, uint64_t boot_ns,
			int64_t offset, const char *type)
{
	mg_jb_lit(o, "{\"schema\":" MG_EVENT_SCHEMA_TEXT ",\"time\":");
	mg_put_time(o, boot_ns, offset);
	mg_jb_lit(o, ",\"host\":");
	mg_jb_string_or_null(o, ctx ? ctx->host : NULL);
	mg_jb_lit(o, ",\"type\":\"");
	mg_jb_raw(o, type);
	mg_jb_char(o, '"');
}

static void mg_put_digest(struct mg_json_buf *o, const struct mg_event_ctx *ctx)
{
	mg_jb_lit(o, ",\"policy_digest\":");
	if (ctx && ctx->policy_digest) {
		mg_jb_lit(o, "\"sha256:");
		mg_jb_raw(o, ctx->policy_digest);
		mg_jb_char(o, '"');
	} else {
		mg_jb_lit(o, "null");
	}
}

size_t mg_event_cgroup_members(char *buf, size_t size, const char *path)
{
	struct mg_json_buf o = { .buf = buf, .size = size };
	char id[MG_CONTAINER_ID_MAX + 1];

	mg_jb_lit(&o, ",\"cgroup_path\":");
	mg_jb_string_or_null(&o, path);
	mg_jb_lit(&o, ",\"container_id\":");
	mg_jb_string_or_null(&o, path && mg_cgroup_container_id(path, id, sizeof(id)) ? id : NULL);
	mg_jb_lit(&o, ",\"pod_uid\":");
	mg_jb_string_or_null(&o, path && mg_cgroup_pod_uid(path, id, sizeof(id)) ? id : NULL);
	return o.len;
}

/* The cgroup by id and path, and the container and pod its path names. */
static void mg_put_cgroup(struct mg_json_buf *o, const struct mg_event *e,
			  const struct mg_event_ctx *ctx, const struct mg_image_scope *scope)
{
	const char *members = NULL;
	size_t len = 0;

	mg_jb_lit(o, ",\"cgroup_id\":");
	mg_jb_u64(o, e->cgroup_id);
	if (ctx && ctx->cgroup_members)
		members = ctx->cgroup_members(ctx->data, e->cgroup_id, &len);
	if (members) {
		mg_jb_put(o, members, len);
		return;
	}
	/* Not found (a cgroup gone): the scope's own path when it is that cgroup. */
	len = mg_event_cgroup_members(
		o->len < o->size ? o->buf + o->len : NULL, o->len < o->size ? o->size - o->len : 0,
		scope && scope->cgroup_id == e->cgroup_id ? scope->cgroup : NULL);
	o->len += len;
}

static void mg_put_process(struct mg_json_buf *o, const struct mg_event *e,
			   const struct mg_event_ctx *ctx)
{
	struct mg_event_proc proc = { .ppid = -1 };

	if (ctx && ctx->process)
		ctx->process(ctx->data, e->tgid, &proc);
	mg_jb_lit(o, ",\"pid\":");
	mg_jb_u64(o, e->tgid);
	mg_jb_lit(o, ",\"tid\":");
	mg_jb_u64(o, e->pid);
	mg_jb_lit(o, ",\"ppid\":");
	if (proc.ppid >= 0)
		mg_jb_u64(o, proc.ppid);
	else
		mg_jb_lit(o, "null");
	mg_jb_lit(o, ",\"uid\":");
	mg_jb_u64(o, e->uid);
	mg_jb_lit(o, ",\"gid\":");
	mg_jb_u64(o, e->gid);
	mg_jb_lit(o, ",\"comm\":");
	mg_jb_string_len(o, e->comm, strnlen(e->comm, MG_COMM_LEN));
	mg_jb_lit(o, ",\"exe\":");
	mg_jb_string_or_null(o, proc.exe);
}

size_t mg_event_format_json(char *buf, size_t size, const struct mg_event *e,
			    const struct mg_event_ctx *ctx)
{
	const struct mg_image *img = ctx ? ctx->img : NULL;
	const struct mg_image_scope *scope = img ? mg_image_find_scope(img, e->scope_id) : NULL;
	struct mg_json_buf o = { .buf = buf, .size = size };

	mg_put_head(&o, ctx, e->ts_boot_ns, ctx ? ctx->boot_offset_ns : 0, "decision");
	mg_jb_lit(&o, ",\"hook\":\"");
	mg_jb_raw(&o, mg_hook_name(e->hook));
	mg_jb_lit(&o, "\",\"verdict\":\"");
	mg_jb_raw(&o, mg_verdict_name(e->verdict));
	mg_jb_lit(&o, "\",\"engine\":\"");
	mg_jb_raw(&o, mg_engine_name(e->engine));
	mg_jb_lit(&o, "\",\"reason\":\"");
	mg_jb_raw(&o, mg_reason_name(e->reason));
	mg_jb_char(&o, '"');
	mg_put_digest(&o, ctx);
	mg_jb_lit(&o, ",\"generation\":");
	mg_jb_u64(&o, e->gen);
	mg_jb_lit(&o, ",\"scope\":");
	mg_jb_string_or_null(&o, scope ? scope->name : NULL);
	mg_put_cgroup(&o, e, ctx, scope);
	mg_put_process(&o, e, ctx);
	if (e->reason == MG_REASON_RATE_LIMITED || e->reason == MG_REASON_RATE_RESUMED) {
		mg_put_rate(&o, &e->rate);
	} else {
		switch (mg_event_payload(e)) {
		case MG_PAYLOAD_FILE:
			mg_put_file(&o, &e->file, img);
			break;
		case MG_PAYLOAD_DEV:
			mg_put_dev(&o, &e->dev);
			break;
		case MG_PAYLOAD_NET:
			mg_put_net(&o, &e->net);
			break;
		case MG_PAYLOAD_TARGET:
			mg_jb_lit(&o, ",\"target\":");
			mg_jb_u64(&o, e->file.ino);
			break;
		case MG_PAYLOAD_SIGNAL:
			mg_jb_lit(&o, ",\"signal\":");
			mg_jb_u64(&o, e->file.ino);
			break;
		case MG_PAYLOAD_SOCK:
			mg_put_sock(&o, &e->sock);
			break;
		case MG_PAYLOAD_SYS:
			mg_put_sys(&o, &e->sys);
			break;
		case MG_PAYLOAD_BUDGET:
			mg_put_budget(&o, &e->budget, img);
			break;
		case MG_PAYLOAD_NONE:
			break;
		}
	}
	mg_jb_lit(&o, "}\n");
	return o.len;
}

size_t mg_service_format_json(char *buf, size_t size, const struct mg_event_ctx *ctx,
			      uint64_t realtime_ns, const char *type,
			      const struct mg_event_field *f, size_t nf)
{
	struct mg_json_buf o = { .buf = buf, .size = size };

	mg_put_head(&o, ctx, realtime_ns, 0, type);
	mg_put_digest(&o, ctx);
	mg_jb_lit(&o, ",\"generation\":");
	if (ctx && ctx->generation)
		mg_jb_u64(&o, ctx->generation);
	else
		mg_jb_lit(&o, "null");
	for (size_t i = 0; i < nf; i++) {
		mg_jb_char(&o, ',');
		mg_jb_string(&o, f[i].key);
		mg_jb_char(&o, ':');
		if (f[i].is_number)
			mg_jb_i64(&o, f[i].num);
		else
			mg_jb_string_or_null(&o, f[i].str);
	}
	mg_jb_lit(&o, "}\n");
	return o.len;
}

void mg_service_print_json(FILE *out, const struct mg_event_ctx *ctx, const char *type,
			   const struct mg_event_field *f, size_t nf)
{
	struct timespec now;
	char buf[MG_EVENT_JSON_BUF], *line = buf;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &now);
	len = mg_service_format_json(buf, sizeof(buf), ctx,
				     now.tv_sec * 1000000000ULL + now.tv_nsec, type, f, nf);
	if (len > sizeof(buf)) {
		line = malloc(len);
		if (!line)
			return;
		mg_service_format_json(line, len, ctx, now.tv_sec * 1000000000ULL + now.tv_nsec,
				       type, f, nf);
	}
	fwrite(line, 1, len, out);
	if (line != buf)
		free(line);
}

void mg_event_print_json(FILE *out, const struct mg_event *e, const struct mg_event_ctx *ctx)
{
	char buf[MG_EVENT_JSON_BUF], *line = buf;
	size_t len = mg_event_format_json(buf, sizeof(buf), e, ctx);

	if (len > sizeof(buf)) {
		line = malloc(len);
		if (!line)
			return;
		mg_event_format_json(line, len, e, ctx);
	}
	fwrite(line, 1, len, out);
	if (line != buf)
		free(line);
}

void mg_drops_print_json(FILE *out, const struct mg_event_ctx *ctx, uint64_t dropped,
			 uint64_t total)
{
	const struct mg_event_field f[] = {
		{ .key = "dropped", .is_number = true, .num = (int64_t)dropped },
		{ .key = "dropped_total", .is_number = true, .num = (int64_t)total },
	};

	mg_service_print_json(out, ctx, "events_dropped", f, MG_ARRAY_SIZE(f));
}
