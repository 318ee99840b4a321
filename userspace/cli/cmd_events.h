/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The 'mguard events' command: the last events of the event file, and new ones. */
#ifndef MGUARD_CMD_EVENTS_H
#define MGUARD_CMD_EVENTS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Run "events [--log-dir DIR] [--follow] [--json] [-n N]" with argv[0]
 * "events". Returns the exit status: 0 fine (no event file yet included),
 * 1 error, 2 usage.
 */
int mg_cmd_events(int argc, char **argv);

/*
 * One event line (@len bytes, no newline needed) as
 * "TIME  VERDICT  HOOK  SCOPE  COMM[PID]  WHAT  (REASON)" into @buf, with no
 * newline and every control character as '?'. Returns the length it needed,
 * or -EINVAL when @line is not an event.
 */
int mg_events_format(const char *line, size_t len, char *buf, size_t size);

/* A reader of the event file that follows it across rotations. */
struct mg_events_follow {
	char path[PATH_MAX];
	bool json; /* print lines as they are */
	int fd;	   /* -1 while there is no file */
	dev_t dev;
	ino_t ino;
	off_t off;  /* bytes of the file consumed */
	char *part; /* the file's last line, still without its newline */
	size_t plen;
};

/*
 * Print the last @n events of @dir/events.jsonl (the older ones from
 * events.jsonl.1 when it holds fewer) to @out, and set up @f, when not NULL,
 * to follow the file from where they end. Returns how many it printed;
 * -ENOENT when neither file exists (@f is set up all the same), or another
 * negative errno.
 */
int mg_events_tail(const char *dir, size_t n, bool json, FILE *out, struct mg_events_follow *f);

/*
 * One step of following: print the complete lines appended since the last
 * step; when the file was rotated (another inode at the path) finish the old
 * one first, then start the new one; when it shrank, start it again from the
 * top. Returns how many lines it printed, or a negative errno.
 */
int mg_events_poll(struct mg_events_follow *f, FILE *out);

void mg_events_follow_close(struct mg_events_follow *f);

/*
 * The event folder of the daemon pinned at @pin_dir, from its state file:
 * 0 and the folder in @buf; 1 (said on stderr) when that daemon writes its
 * events to its standard output only; a negative errno when there is no
 * such daemon or it does not say.
 */
int mg_events_running_dir(const char *pin_dir, char *buf, size_t len);

#endif /* MGUARD_CMD_EVENTS_H */
