/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The 'mguard run' command: one command, started inside a scope. */
#ifndef MGUARD_CMD_RUN_H
#define MGUARD_CMD_RUN_H

/*
 * Run "run --scope NAME [--policy DIR] [--license FILE] -- CMD [ARGS...]"
 * with argv[0] "run"; it parses its own options, so it is called before any
 * option parsing of its caller. Returns the command's status (its exit
 * code, or 128 + the signal that killed it), 127 when it could not be
 * executed, or, before it starts: 1 for an error, 2 for a usage error.
 */
int mg_cmd_run(int argc, char **argv);

#endif /* MGUARD_CMD_RUN_H */
