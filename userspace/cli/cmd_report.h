/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The 'mguard report' command: the compliance report from the event files. */
#ifndef MGUARD_CMD_REPORT_H
#define MGUARD_CMD_REPORT_H

/*
 * Run "report [--since T] [--until T] [--json | --html] [--log-dir DIR |
 * FILE...] [--pin-dir DIR]" with argv[0] "report". Returns the exit status:
 * 0 fine, 1 error (no event file, one that cannot be read), 2 usage (a bad
 * time, two formats, two sources).
 */
int mg_cmd_report(int argc, char **argv);

#endif /* MGUARD_CMD_REPORT_H */
