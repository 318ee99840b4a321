/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the kernel maps do not say by name: the policy in force, its digest
 * and load time, its scopes and licences. The daemon writes it at each load
 * to a small text file beside its pins' name; status reads it back.
 */
#ifndef MGUARD_STATE_H
#define MGUARD_STATE_H

#include <stdint.h>
#include <stdio.h>

#include "compile/compile.h"
#include "policy/policy.h"

#define MG_STATE_DIR "/run/mguard"

/*
 * MG_STATE_DIR/<pin folder's name>.pid (/run/mguard/mguard.pid for the
 * default pin folder): the daemon's pid while it runs, for logrotate's
 * postrotate (kill -USR2).
 */
void mg_pid_path(const char *pin_dir, char *buf, size_t len);

/* Write getpid() to @path (0644, through a temporary file). Returns 0 or a negative errno. */
int mg_pid_write(const char *path);

/* The state file of the daemon whose pin folder is @pin_dir. */
void mg_state_path(const char *pin_dir, char *buf, size_t len);

/*
 * 'mguard reload --policy DIR' tells the daemon which folder to load: DIR
 * (absolute) in a request file beside the state file, then SIGHUP. The
 * daemon takes the request (reads and removes it) when the signal comes.
 */
int mg_reload_request_write(const char *pin_dir, const char *policy_dir);

/* 0 and the folder in @buf (when @buf), -ENOENT when there is no request. */
int mg_reload_request_take(const char *pin_dir, char *buf, size_t len);

/* SHA-256 over the policy's files, in the order they were read, as hex. */
int mg_policy_digest(const struct mg_policy *policy, char out[65]);

/* Write the state atomically (tmp + rename); @events_dir NULL: events to stdout only. */
int mg_state_write(const char *path, const struct mg_policy *policy, const struct mg_image *img,
		   const char *policy_dir, const char *digest, int64_t loaded_at,
		   const char *events_dir);

/*
 * Where the daemon of state file @path writes its event file: 0 and the
 * folder in @buf, 1 when it writes events to its standard output only,
 * -ENOENT with no state, -ENODATA when the state does not say.
 */
int mg_state_events_dir(const char *path, char *buf, size_t len);

/*
 * Print the state for status: the policy, and each scope with its cgroup,
 * the processes in it and its highest tier; licences expiring within
 * @soon_s seconds of @now are marked. Returns -ENOENT when there is no state.
 */
int mg_state_print(const char *path, const char *cgroup_root, int64_t now, int64_t soon_s, int json,
		   FILE *out);

#endif /* MGUARD_STATE_H */
