/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Going to the background. */
#ifndef MGUARD_DAEMONIZE_H
#define MGUARD_DAEMONIZE_H

/*
 * Detach from the terminal: the caller continues as the daemon, its stderr
 * appended to @log_path (NULL: discarded).
 */
int mg_daemonize(const char *log_path);

#endif /* MGUARD_DAEMONIZE_H */
