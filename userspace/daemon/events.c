// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/names.h"
#include "daemon/events.h"
#include "core/util.h"

int64_t mg_boot_to_realtime_offset(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
}

/*
 * The line is built in the caller's buffer. Every piece is counted, written
 * or not, so a line longer than the buffer is measured instead of cut.
 */
struct mg_out {
	char *buf;
	size_t size;
	size_t len; /* the line so far, written or not */
};

static inline void mg_put(struct mg_out *o, const void *s, size_t n)
{
	if (n && o->len + n <= o->size)
		memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* A string literal, its length known when compiling. */
#define mg_put_lit(o, lit) mg_put((o), "" lit, sizeof(lit) - 1)

static inline void mg_put_char(struct mg_out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static inline void mg_put_str(struct mg_out *o, const char *s)
{
	mg_put(o, s, strlen(s));
}

static const char mg_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* @v in decimal, at least @width digits (zero-padded). */
static void mg_put_u64_width(struct mg_out *o, uint64_t v, unsigned int width)
{
	char tmp[20];
	char *p = tmp + sizeof(tmp);

	while (v >= 100) {
		unsigned int i = (v % 100) * 2;

		v /= 100;
		*--p = mg_digit_pairs[i + 1];
		*--p = mg_digit_pairs[i];
	}
	if (v >= 10) {
		*--p = mg_digit_pairs[v * 2 + 1];
		*--p = mg_digit_pairs[v * 2];
	} else {
		*--p = '0' + v;
	}
	while (p > tmp && (size_t)(tmp + sizeof(tmp) - p) < width)
		*--p = '0';
	mg_put(o, p, tmp + sizeof(tmp) - p);
}

static inline void mg_put_u64(struct mg_out *o, uint64_t v)
{
	mg_put_u64_width(o, v, 1);
}

/* @s (@len bytes) as a JSON string, escaped as mg_json_string() does. */
static void mg_put_string_len(struct mg_out *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len, *run = p;

	mg_put_char(o, '"');
	for (; p < end; p++) {
		unsigned char c = *p;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		mg_put(o, run, p - run);
		run = p + 1;
		switch (c) {
		case '"':
			mg_put_lit(o, "\\\"");
			break;
		case '\\':
			mg_put_lit(o, "\\\\");
			break;
		case '\n':
			mg_put_lit(o, "\\n");
			break;
		case '\t':
			mg_put_lit(o, "\\t");
			break;
		case '\r':
			mg_put_lit(o, "\\r");
			break;
		default: {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

			mg_put(o, esc, sizeof(esc));
		}
		}
	}
	mg_put(o, run, p - run);
	mg_put_char(o, '"');
}

static inline void mg_put_string(struct mg_out *o, const char *s)
{
	mg_put_string_len(o, s, strlen(s));
}

static void mg_put_name_or_null(struct mg_out *o, const char *s)
{
	if (s)
		mg_put_string(o, s);
	else
		mg_put_lit(o, "null");
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
static void mg_put_time(struct mg_out *o, uint64_t boot_ns, int64_t offset)
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
	mg_put_char(o, '"');
	mg_put(o, c->text, c->len);
	mg_put_char(o, '.');
	if (usec >= 0) {
		mg_put_u64_width(o, usec, 6);
	} else {
		/* Before 1970: the fraction keeps its sign, as it always did. */
		char tmp[16];

		mg_put(o, tmp, snprintf(tmp, sizeof(tmp), "%06ld", usec));
	}
	mg_put_lit(o, "Z\"");
}

static void mg_put_file(struct mg_out *o, const struct mg_event_file *f, const struct mg_image *img)
{
	const struct mg_image_inode *in = img ? mg_image_find_inode(img, f->dev, f->ino) : NULL;

	mg_put_lit(o, ",\"file\":{\"dev\":\"");
	mg_put_u64(o, f->dev >> 20);
	mg_put_char(o, ':');
	mg_put_u64(o, f->dev & 0xfffff);
	mg_put_lit(o, "\",\"ino\":");
	mg_put_u64(o, f->ino);
	mg_put_lit(o, ",\"path\":");
	mg_put_name_or_null(o, in ? in->path : NULL);
	mg_put_lit(o, ",\"name\":");
	mg_put_string_len(o, f->name, strnlen(f->name, MG_NAME_LEN));
	mg_put_lit(o, ",\"model\":");
	mg_put_name_or_null(o, img ? mg_image_model_name(img, f->model_id) : NULL);
	mg_put_lit(o, ",\"tier\":");
	mg_put_name_or_null(o, img && f->model_id ? mg_image_tier_name(img, f->tier) : NULL);
	mg_put_lit(o, ",\"flags\":");
	mg_put_u64(o, f->flags);
	mg_put_char(o, '}');
}

static void mg_put_net(struct mg_out *o, const struct mg_event_net *n)
{
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	mg_put_lit(o, ",\"net\":{\"family\":\"");
	if (n->family == AF_INET6)
		mg_put_lit(o, "ipv6");
	else
		mg_put_lit(o, "ipv4");
	mg_put_lit(o, "\",\"addr\":\"");
	if (!memcmp(n->addr, v4mapped, sizeof(v4mapped))) {
		for (int i = 12; i < 16; i++) {
			if (i > 12)
				mg_put_char(o, '.');
			mg_put_u64(o, n->addr[i]);
		}
	} else {
		char addr[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, n->addr, addr, sizeof(addr));
		mg_put_str(o, addr);
	}
	mg_put_lit(o, "\",\"port\":");
	mg_put_u64(o, n->port);
	mg_put_lit(o, ",\"protocol\":\"");
	mg_put_str(o, n->protocol == 6 ? "tcp" : n->protocol == 17 ? "udp" : "other");
	mg_put_lit(o, "\"}");
}

static void mg_put_dev(struct mg_out *o, const struct mg_event_dev *d)
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

	mg_put_lit(o, ",\"device\":{\"major\":");
	mg_put_u64(o, d->major);
	mg_put_lit(o, ",\"minor\":");
	mg_put_u64(o, d->minor);
	mg_put_lit(o, ",\"driver\":\"");
	mg_put_str(o, driver);
	mg_put_lit(o, "\",\"access\":\"");
	if (d->access & 2)
		mg_put_char(o, 'r');
	if (d->access & 4)
		mg_put_char(o, 'w');
	if (d->access & 1)
		mg_put_char(o, 'm');
	mg_put_lit(o, "\"}");
}

static void mg_put_rate(struct mg_out *o, const struct mg_event_rate *r)
{
	mg_put_lit(o, ",\"rate\":{\"limit\":");
	mg_put_u64(o, r->limit);
	mg_put_lit(o, ",\"suppressed\":");
	mg_put_u64(o, r->suppressed);
	mg_put_char(o, '}');
}

static bool mg_hook_has_file(unsigned int hook)
{
	return hook == MG_HOOK_FILE_OPEN || hook == MG_HOOK_MMAP || hook == MG_HOOK_FILE_RECEIVE ||
	       hook == MG_HOOK_IO_URING || hook == MG_HOOK_UNIX;
}

size_t mg_event_format_json(char *buf, size_t size, const struct mg_event *e,
			    const struct mg_image *img, int64_t boot_offset_ns)
{
	const struct mg_image_scope *scope = img ? mg_image_find_scope(img, e->scope_id) : NULL;
	struct mg_out o = { .buf = buf, .size = size };

	mg_put_lit(&o, "{\"time\":");
	mg_put_time(&o, e->ts_boot_ns, boot_offset_ns);
	mg_put_lit(&o, ",\"generation\":");
	mg_put_u64(&o, e->gen);
	mg_put_lit(&o, ",\"hook\":\"");
	mg_put_str(&o, mg_hook_name(e->hook));
	mg_put_lit(&o, "\",\"verdict\":\"");
	mg_put_str(&o, mg_verdict_name(e->verdict));
	mg_put_lit(&o, "\",\"engine\":\"");
	mg_put_str(&o, mg_engine_name(e->engine));
	mg_put_lit(&o, "\",\"reason\":\"");
	mg_put_str(&o, mg_reason_name(e->reason));
	mg_put_lit(&o, "\",\"pid\":");
	mg_put_u64(&o, e->tgid);
	mg_put_lit(&o, ",\"tid\":");
	mg_put_u64(&o, e->pid);
	mg_put_lit(&o, ",\"comm\":");
	mg_put_string_len(&o, e->comm, strnlen(e->comm, MG_COMM_LEN));
	mg_put_lit(&o, ",\"cgroup_id\":");
	mg_put_u64(&o, e->cgroup_id);
	mg_put_lit(&o, ",\"scope\":");
	mg_put_name_or_null(&o, scope ? scope->name : NULL);
	if (e->reason == MG_REASON_RATE_LIMITED || e->reason == MG_REASON_RATE_RESUMED)
		mg_put_rate(&o, &e->rate);
	else if (mg_hook_has_file(e->hook))
		mg_put_file(&o, &e->file, img);
	else if (e->hook == MG_HOOK_DEVICE)
		mg_put_dev(&o, &e->dev);
	else if (e->hook >= MG_HOOK_BPF && e->hook < MG_HOOK__COUNT) {
		/* The other process (its pid), or the signal of a core dump; 0: none. */
		if (e->hook == MG_HOOK_COREDUMP)
			mg_put_lit(&o, ",\"signal\":");
		else
			mg_put_lit(&o, ",\"target\":");
		mg_put_u64(&o, e->file.ino);
	} else
		mg_put_net(&o, &e->net);
	mg_put_lit(&o, "}\n");
	return o.len;
}

void mg_event_print_json(FILE *out, const struct mg_event *e, const struct mg_image *img,
			 int64_t boot_offset_ns)
{
	char buf[MG_EVENT_JSON_BUF], *line = buf;
	size_t len = mg_event_format_json(buf, sizeof(buf), e, img, boot_offset_ns);

	if (len > sizeof(buf)) {
		line = malloc(len);
		if (!line)
			return;
		mg_event_format_json(line, len, e, img, boot_offset_ns);
	}
	fwrite(line, 1, len, out);
	if (line != buf)
		free(line);
}

void mg_drops_print_json(FILE *out, uint64_t dropped, uint64_t total)
{
	char buf[256];
	struct mg_out o = { .buf = buf, .size = sizeof(buf) };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	mg_put_lit(&o, "{\"time\":");
	mg_put_time(&o, now.tv_sec * 1000000000ULL + now.tv_nsec, 0);
	mg_put_lit(&o, ",\"notice\":\"events-dropped\",\"dropped\":");
	mg_put_u64(&o, dropped);
	mg_put_lit(&o, ",\"dropped_total\":");
	mg_put_u64(&o, total);
	mg_put_lit(&o, "}\n");
	if (o.len <= sizeof(buf))
		fwrite(buf, 1, o.len, out);
}
