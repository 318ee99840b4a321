/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef MGUARD_CLI_EXIT_H
#define MGUARD_CLI_EXIT_H

/* Exit statuses: 0 fine, 1 error, 2 usage, 3 not running (as systemctl status). */
enum {
	MG_EXIT_OK = 0,
	MG_EXIT_ERROR = 1,
	MG_EXIT_USAGE = 2,
	MG_EXIT_NOT_RUNNING = 3
};

#endif /* MGUARD_CLI_EXIT_H */
