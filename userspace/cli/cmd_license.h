/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The 'mguard license' command: key pairs, signing and checking licences. */
#ifndef MGUARD_CMD_LICENSE_H
#define MGUARD_CMD_LICENSE_H

/*
 * Run "license VERB ..." with argv[0] "license"; it parses its own options,
 * so it is called before any option parsing of its caller. Returns the exit
 * status: 0 fine, 1 error (an invalid licence included), 2 usage.
 */
int mg_cmd_license(int argc, char **argv);

#endif /* MGUARD_CMD_LICENSE_H */
