/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The 'mguard audit' command: the host key, and checking the event file's chain. */
#ifndef MGUARD_CMD_AUDIT_H
#define MGUARD_CMD_AUDIT_H

/*
 * Run "audit VERB ..." with argv[0] "audit"; it parses its own options.
 * Returns the exit status: 0 intact (or done), 1 tampered or failed, 2
 * usage or a file that cannot be read.
 */
int mg_cmd_audit(int argc, char **argv);

#endif /* MGUARD_CMD_AUDIT_H */
