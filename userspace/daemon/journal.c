// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "core/array.h"
#include "core/names.h"
#include "daemon/journal.h"

/* Room for every field but MESSAGE=: names, numbers, a scope and a comm. */
#define MG_JOURNAL_SMALL_FIELDS 1024

static int mg_journal_default_sendv(const struct iovec *iov, int n)
{
	return sd_journal_sendv(iov, n);
}

void mg_journal_init(struct mg_journal *j, mg_journal_sendv_fn sendv)
{
	memset(j, 0, sizeof(*j));
	j->sendv = sendv ? sendv : mg_journal_default_sendv;
}

/* Offsets while the buffer may still move; pointers once it is whole. */
struct mg_field_at {
	size_t off, len;
};

static void mg_field(struct mg_journal *j, struct mg_field_at *at, size_t *used, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));

static void mg_field(struct mg_journal *j, struct mg_field_at *at, size_t *used, const char *fmt,
		     ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(j->buf + *used, j->cap - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= j->cap - *used)
		n = 0; /* cannot happen with the room reserved; leave the field out */
	at[j->n].off = *used;
	at[j->n].len = n;
	*used += n + 1;
	if (n)
		j->n++;
}

int mg_journal_fields(struct mg_journal *j, const struct mg_event *e, const struct mg_image *img,
		      const char *line, size_t len)
{
	const struct mg_image_scope *scope = img ? mg_image_find_scope(img, e->scope_id) : NULL;
	struct mg_field_at at[MG_JOURNAL_FIELDS];
	size_t used = 0, need;
	char comm[MG_COMM_LEN + 1];
	int prio;

	if (len && line[len - 1] == '\n')
		len--;
	need = MG_JOURNAL_SMALL_FIELDS + len + sizeof("MESSAGE=");
	if (need > j->cap && mg_array_reserve(&j->buf, &j->cap, need, 1))
		return -ENOMEM;
	memcpy(comm, e->comm, MG_COMM_LEN);
	comm[MG_COMM_LEN] = '\0';
	prio = e->verdict == MG_VERDICT_AUDIT ? LOG_NOTICE : LOG_WARNING;

	j->n = 0;
	memcpy(j->buf, "MESSAGE=", 8);
	memcpy(j->buf + 8, line, len);
	at[j->n].off = 0;
	at[j->n].len = 8 + len;
	j->n++;
	used = 8 + len + 1;
	mg_field(j, at, &used, "PRIORITY=%d", prio);
	mg_field(j, at, &used, "SYSLOG_IDENTIFIER=mguard");
	mg_field(j, at, &used, "MGUARD_SCOPE=%.200s", scope ? scope->name : "unknown");
	mg_field(j, at, &used, "MGUARD_VERDICT=%s", mg_verdict_name(e->verdict));
	mg_field(j, at, &used, "MGUARD_HOOK=%s", mg_hook_name(e->hook));
	mg_field(j, at, &used, "MGUARD_ENGINE=%s", mg_engine_name(e->engine));
	mg_field(j, at, &used, "MGUARD_REASON=%s", mg_reason_name(e->reason));
	mg_field(j, at, &used, "MGUARD_PID=%u", e->tgid);
	mg_field(j, at, &used, "MGUARD_TID=%u", e->pid);
	mg_field(j, at, &used, "MGUARD_COMM=%s", comm);
	mg_field(j, at, &used, "MGUARD_CGROUP_ID=%llu", (unsigned long long)e->cgroup_id);
	mg_field(j, at, &used, "MGUARD_GENERATION=%u", e->gen);
	for (int i = 0; i < j->n; i++) {
		j->iov[i].iov_base = j->buf + at[i].off;
		j->iov[i].iov_len = at[i].len;
	}
	return 0;
}

int mg_journal_send(struct mg_journal *j, const struct mg_event *e, const struct mg_image *img,
		    const char *line, size_t len)
{
	int err = mg_journal_fields(j, e, img, line, len);

	if (!err)
		err = j->sendv(j->iov, j->n);
	if (err > 0)
		err = 0;
	if (err) {
		j->failed++;
		j->last_err = err;
		return err;
	}
	j->sent++;
	return 0;
}

void mg_journal_free(struct mg_journal *j)
{
	free(j->buf);
	j->buf = NULL;
	j->cap = 0;
}
