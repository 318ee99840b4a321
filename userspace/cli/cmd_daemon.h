/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Talking to a running daemon: stop it, make it reload. */
#ifndef MGUARD_CMD_DAEMON_H
#define MGUARD_CMD_DAEMON_H

#include <stdbool.h>

/*
 * Stop the daemon of @pin_dir: SIGTERM (detach everything), or with
 * @leave_enforcing SIGUSR1 (exit, every hook stays pinned for the next
 * daemon). With no daemon alive, remove what a dead one left pinned
 * (unless @leave_enforcing). Returns an exit status.
 */
int mg_daemon_stop(const char *pin_dir, bool leave_enforcing);

/*
 * Check @policy_dir here first (every error printed, nothing sent), then ask
 * the daemon of @pin_dir to load it (NULL: to reload the folder it has in
 * force) and wait for the outcome. Returns an
 * exit status: 0 in force, 1 refused (the old policy stays), 3 not running.
 */
int mg_daemon_reload_cmd(const char *pin_dir, const char *policy_dir);

#endif /* MGUARD_CMD_DAEMON_H */
