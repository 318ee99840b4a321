/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The daemon in the background: detached from the terminal, its messages to a file. */
#ifndef MGUARD_BACKGROUND_H
#define MGUARD_BACKGROUND_H

/*
 * Detach from the terminal: the caller continues as the daemon, its stderr
 * appended to @log_path (NULL: discarded). Returns 0 or a negative errno.
 */
int mg_daemonize(const char *log_path);

/* Point stderr at @path anew (appended, created 0640): after logrotate renamed it. */
int mg_reopen_stderr(const char *path);

#endif /* MGUARD_BACKGROUND_H */
