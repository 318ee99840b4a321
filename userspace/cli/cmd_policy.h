/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef MGUARD_CMD_POLICY_H
#define MGUARD_CMD_POLICY_H

#include <stdbool.h>

struct mg_policy_cmd {
	const char *policy_dir; /* --policy, or the default */
	bool policy_given;	/* --policy was on the command line */
	bool json;
	bool offline; /* show: look nothing up on this machine */
};

/* check [DIR], show [DIR] or scan FOLDER; returns an MG_EXIT_* status. */
int mg_policy_cmd_run(const struct mg_policy_cmd *o, const char *verb, const char *arg);

#endif /* MGUARD_CMD_POLICY_H */
