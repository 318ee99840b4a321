// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard events [--log-dir DIR] [--pin-dir DIR] [--follow] [--json] [-n N]
 *
 * Reads the JSON lines the daemon appends to DIR/events.jsonl (eventlog.c),
 * as events.c writes them: keys are unique in a line, so a value is found by
 * its key alone, wherever it is nested.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/exit.h"
#include "cli/cmd_events.h"
#include "daemon/eventlog.h"
#include "daemon/state.h"
#include "kernel/pins.h"
#include "core/log.h"

#define MG_EVENTS_LINE_MAX (1u << 20) /* longer lines are cut */
#define MG_EVENTS_POLL_MS  250

static char mg_printable(unsigned char c)
{
	return c < 0x20 || c == 0x7f ? '?' : c;
}

/* Past the string whose opening quote is before @p; NULL when it does not end. */
static const char *mg_json_skip_string(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The string at @p (past its quote) into @out, control characters as '?'. */
static void mg_json_unescape(const char *p, const char *end, char *out, size_t size)
{
	size_t n = 0;

	while (p < end && *p != '"' && n + 1 < size) {
		char c = *p++;

		if (c == '\\' && p < end) {
			c = *p++;
			if (c == 'u' && end - p >= 4) {
				char hex[5] = { p[0], p[1], p[2], p[3] };
				unsigned long u = strtoul(hex, NULL, 16);

				c = u < 0x80 ? (char)u : '?';
				p += 4;
			} else if (c != '"' && c != '\\' && c != '/') {
				c = '?'; /* \n, \t... */
			}
		}
		out[n++] = mg_printable(c);
	}
	out[n] = '\0';
}

/*
 * The value of @key in @line into @out: 1 (a string unescaped, a number as
 * written, "" for an object), 0 when it is null or absent.
 */
static int mg_json_get(const char *line, size_t len, const char *key, char *out, size_t size)
{
	const char *p = line, *end = line + len;
	size_t klen = strlen(key);

	out[0] = '\0';
	while (p < end) {
		const char *s;
		bool is_key;

		if (*p++ != '"')
			continue;
		s = p;
		p = mg_json_skip_string(p, end);
		if (!p)
			return 0;
		is_key = (size_t)(p - 1 - s) == klen && !memcmp(s, key, klen);
		while (p < end && *p == ' ')
			p++;
		if (!is_key || p == end || *p != ':')
			continue;
		for (p++; p < end && *p == ' '; p++)
			;
		if (p < end && *p == '"') {
			mg_json_unescape(p + 1, end, out, size);
		} else {
			size_t n = 0;

			if (end - p >= 4 && !memcmp(p, "null", 4))
				return 0;
			while (p + n < end && !strchr(",}] {", p[n]) && n + 1 < size) {
				out[n] = mg_printable(p[n]);
				n++;
			}
			out[n] = '\0';
		}
		return 1;
	}
	return 0;
}

#define GET(key, var) mg_json_get(line, len, key, var, sizeof(var))

/* WHAT: the file and its model, the destination, or the device. */
static void mg_events_what(const char *line, size_t len, char *buf, size_t size)
{
	char path[PATH_MAX], model[256], tier[128], a[64], b[64], c[64], d[16];

	if (GET("ino", a)) {
		if (!GET("path", path) && !GET("name", path))
			snprintf(path, sizeof(path), "-");
		if (!GET("model", model))
			snprintf(buf, size, "%s", path);
		else if (!GET("tier", tier))
			snprintf(buf, size, "%s %s", path, model);
		else
			snprintf(buf, size, "%s %s/%s", path, model, tier);
	} else if (GET("addr", a)) {
		GET("port", b);
		GET("protocol", c);
		GET("family", d);
		snprintf(buf, size, strcmp(d, "ipv6") ? "%s:%s/%s" : "[%s]:%s/%s", a, b, c);
	} else if (GET("major", a)) {
		GET("minor", b);
		if (!GET("driver", c))
			snprintf(c, sizeof(c), "unknown");
		snprintf(buf, size, "%s:%s (%s)", a, b, c);
	} else {
		snprintf(buf, size, "-");
	}
}

int mg_events_format(const char *line, size_t len, char *buf, size_t size)
{
	char time[40], verdict[16], hook[32], scope[128], comm[64], pid[16], reason[32];
	char what[PATH_MAX + 512];

	if (!GET("hook", hook))
		return -EINVAL;
	if (!GET("time", time))
		snprintf(time, sizeof(time), "-");
	if (!GET("verdict", verdict))
		snprintf(verdict, sizeof(verdict), "-");
	if (!GET("scope", scope))
		snprintf(scope, sizeof(scope), "-");
	if (!GET("reason", reason))
		snprintf(reason, sizeof(reason), "-");
	GET("comm", comm);
	GET("pid", pid);
	mg_events_what(line, len, what, sizeof(what));
	return snprintf(buf, size, "%s  %-5s  %-12s  %-12s  %s[%s]  %s  (%s)", time, verdict, hook,
			scope, comm, pid, what, reason);
}

static void mg_events_print(const char *line, size_t len, bool json, FILE *out)
{
	char buf[PATH_MAX + 1024];

	if (json) {
		fwrite(line, 1, len, out);
	} else if (mg_events_format(line, len, buf, sizeof(buf)) >= 0) {
		fputs(buf, out);
	} else {
		for (size_t i = 0; i < len; i++)
			fputc(mg_printable(line[i]), out);
	}
	fputc('\n', out);
}

static int mg_part_append(struct mg_events_follow *f, const char *p, size_t n)
{
	char *part;

	if (n > MG_EVENTS_LINE_MAX - f->plen)
		n = MG_EVENTS_LINE_MAX - f->plen;
	if (!n)
		return 0;
	part = realloc(f->part, f->plen + n);
	if (!part)
		return -ENOMEM;
	memcpy(part + f->plen, p, n);
	f->part = part;
	f->plen += n;
	return 0;
}

/* Print the complete lines of the file from f->off up to @limit (-1: its end). */
static int mg_read_lines(struct mg_events_follow *f, off_t limit, FILE *out)
{
	char buf[65536];
	int printed = 0;

	while (limit < 0 || f->off < limit) {
		size_t want = limit < 0 || limit - f->off > (off_t)sizeof(buf) ?
				      sizeof(buf) :
				      (size_t)(limit - f->off);
		ssize_t r = pread(f->fd, buf, want, f->off);
		const char *p = buf, *end = buf + (r > 0 ? r : 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		f->off += r;
		while (p < end) {
			const char *nl = memchr(p, '\n', end - p);

			if (mg_part_append(f, p, (nl ? nl : end) - p))
				return -ENOMEM;
			if (!nl)
				break;
			if (f->plen) {
				mg_events_print(f->part, f->plen, f->json, out);
				printed++;
			}
			f->plen = 0;
			p = nl + 1;
		}
	}
	return printed;
}

/* The end of the last complete line of a file of @size bytes. */
static int mg_complete_end(int fd, off_t size, off_t *ret)
{
	char buf[4096];

	*ret = 0;
	while (size > 0) {
		size_t n = size > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)size;
		ssize_t r = pread(fd, buf, n, size - n);

		if (r != (ssize_t)n)
			return r < 0 ? -errno : -EIO;
		for (size_t i = n; i-- > 0;) {
			if (buf[i] == '\n') {
				*ret = size - n + i + 1;
				return 0;
			}
		}
		size -= n;
	}
	return 0;
}

/* Where the last @n lines of [0, @end) start, @end being after a newline; their count in *ret_n. */
static int mg_tail_start(int fd, off_t end, size_t n, off_t *ret, size_t *ret_n)
{
	char buf[65536];
	off_t pos = end - 1; /* the last newline ends the last line */
	size_t found = 0;

	*ret = end;
	*ret_n = 0;
	if (!n || !end)
		return 0;
	while (pos > 0) {
		size_t chunk = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		ssize_t r = pread(fd, buf, chunk, pos - chunk);

		if (r != (ssize_t)chunk)
			return r < 0 ? -errno : -EIO;
		pos -= chunk;
		for (size_t i = chunk; i-- > 0;) {
			if (buf[i] == '\n' && ++found == n) {
				*ret = pos + i + 1;
				*ret_n = n;
				return 0;
			}
		}
	}
	*ret = 0;
	*ret_n = found + 1;
	return 0;
}

/* Open @f->path and find the last @n lines; f->off is where they start, *ret_end where they end. */
static int mg_open_tail(struct mg_events_follow *f, size_t n, off_t *ret_end, size_t *ret_n)
{
	struct stat st;
	int err;

	f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &st))
		return -errno;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	err = mg_complete_end(f->fd, st.st_size, ret_end);
	return err ? err : mg_tail_start(f->fd, *ret_end, n, &f->off, ret_n);
}

int mg_events_tail(const char *dir, size_t n, bool json, FILE *out, struct mg_events_follow *f)
{
	struct mg_events_follow cur = { .json = json, .fd = -1 }, old = { .json = json, .fd = -1 };
	off_t cur_end = 0, old_end = 0;
	size_t found = 0, found_old = 0;
	bool missing;
	int err;

	if (snprintf(cur.path, sizeof(cur.path), "%s/%s", dir, MG_EVENTLOG_FILE) >=
		    (int)sizeof(cur.path) ||
	    snprintf(old.path, sizeof(old.path), "%s.1", cur.path) >= (int)sizeof(old.path))
		return -ENAMETOOLONG;

	err = mg_open_tail(&cur, n, &cur_end, &found);
	missing = err == -ENOENT;
	if (missing)
		err = 0;
	if (!err && found < n) {
		err = mg_open_tail(&old, n - found, &old_end, &found_old);
		if (!err)
			err = mg_read_lines(&old, old_end, out);
		else if (err == -ENOENT)
			err = missing ? -ENOENT : 0;
	}
	if (err >= 0 && !missing) {
		int printed = mg_read_lines(&cur, cur_end, out);

		err = printed < 0 ? printed : err + printed;
	}
	mg_events_follow_close(&old);
	if (f)
		*f = cur;
	else
		mg_events_follow_close(&cur);
	return err;
}

int mg_events_poll(struct mg_events_follow *f, FILE *out)
{
	struct stat st;
	int n, printed = 0;

	if (stat(f->path, &st)) {
		if (errno != ENOENT)
			return -errno;
		/* Between a rotation's rename and the new file: finish the old one. */
		return f->fd >= 0 ? mg_read_lines(f, -1, out) : 0;
	}
	if (f->fd >= 0 && (st.st_dev != f->dev || st.st_ino != f->ino)) {
		printed = mg_read_lines(f, -1, out);
		if (printed < 0)
			return printed;
		close(f->fd);
		f->fd = -1;
	}
	if (f->fd < 0) {
		f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
		if (f->fd < 0)
			return errno == ENOENT ? printed : -errno;
		if (fstat(f->fd, &st))
			return -errno;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->off = 0;
		f->plen = 0;
	} else if (st.st_size < f->off) {
		f->off = 0;
		f->plen = 0;
	}
	n = mg_read_lines(f, -1, out);
	return n < 0 ? n : printed + n;
}

void mg_events_follow_close(struct mg_events_follow *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->part);
	f->part = NULL;
	f->plen = 0;
}

int mg_events_running_dir(const char *pin_dir, char *buf, size_t len)
{
	char state[PATH_MAX];
	int err;

	mg_state_path(pin_dir, state, sizeof(state));
	err = mg_state_events_dir(state, buf, len);
	if (err == 1)
		mg_err("the daemon pinned at '%s' writes its events to its standard output only "
		       "(start it with --log-dir DIR to keep them in a file)",
		       pin_dir);
	return err;
}

static volatile sig_atomic_t mg_events_stop;

static void mg_events_on_stop(int sig)
{
	mg_events_stop = 1;
}

static int mg_events_usage(FILE *out)
{
	fputs("usage: mguard events [--log-dir DIR] [--pin-dir DIR] [--follow] [--json] [-n N]\n"
	      "\n"
	      "  --log-dir DIR   the daemon's log folder (default: the running daemon's,\n"
	      "                  else " MG_EVENTLOG_DIR_DEFAULT ")\n"
	      "  --pin-dir DIR   the running daemon to ask (default " MG_PIN_DIR_DEFAULT ")\n"
	      "  -f, --follow    keep printing events as they come, until interrupted\n"
	      "  --json          the JSON lines as written\n"
	      "  -n N            how many of the last events to print first (default 20)\n",
	      out);
	return out == stderr ? MG_EXIT_USAGE : MG_EXIT_OK;
}

int mg_cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "log-dir", required_argument, NULL, 'd' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "follow", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "lines", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = mg_events_on_stop };
	struct timespec pause = { 0, MG_EVENTS_POLL_MS * 1000000L };
	const char *dir = NULL, *pin_dir = MG_PIN_DIR_DEFAULT;
	char found[PATH_MAX];
	struct mg_events_follow f = { .fd = -1 };
	unsigned long n = 20;
	bool follow = false, json = false;
	char *end;
	int c, err;

	optind = 0; /* glibc: start over, whatever parsed before */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fn:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'P':
			pin_dir = optarg;
			break;
		case 'f':
			follow = true;
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-' || n > INT_MAX) {
				mg_err("'-n' takes a count of events, not '%s'", optarg);
				return MG_EXIT_USAGE;
			}
			break;
		case 'h':
			return mg_events_usage(stdout);
		case ':':
			mg_err("option '%s' needs an argument (try 'mguard events --help')",
			       argv[optind - 1]);
			return MG_EXIT_USAGE;
		default:
			mg_err("unknown option '%s' (try 'mguard events --help')",
			       argv[optind - 1]);
			return MG_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		mg_err("events takes no operand '%s'", argv[optind]);
		return MG_EXIT_USAGE;
	}

	if (!dir) {
		err = mg_events_running_dir(pin_dir, found, sizeof(found));
		if (err > 0)
			return MG_EXIT_ERROR;
		dir = err == 0 ? found : MG_EVENTLOG_DIR_DEFAULT;
	}
	err = mg_events_tail(dir, n, json, stdout, &f);
	if (err == -ENOENT)
		mg_info("no events yet in '%s'", f.path);
	else if (err < 0)
		mg_log_errno(err, "failed to read the events in '%s'", dir);
	fflush(stdout);
	if (!follow || (err < 0 && err != -ENOENT)) {
		mg_events_follow_close(&f);
		return err < 0 && err != -ENOENT ? MG_EXIT_ERROR : MG_EXIT_OK;
	}

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = 0;
	while (!mg_events_stop) {
		err = mg_events_poll(&f, stdout);
		if (err < 0) {
			mg_log_errno(err, "failed to follow '%s'", f.path);
			break;
		}
		if (err > 0)
			fflush(stdout);
		nanosleep(&pause, NULL);
	}
	mg_events_follow_close(&f);
	return err < 0 ? MG_EXIT_ERROR : MG_EXIT_OK;
}
