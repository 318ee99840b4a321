/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The container state an OCI runtime gives its hooks on stdin (runtime-spec
 * "state"): {"ociVersion", "id", "status", "pid", "bundle", "annotations"}.
 * Only what the mguard hook needs is kept.
 */
#ifndef MGUARD_OCI_STATE_H
#define MGUARD_OCI_STATE_H

#include <stddef.h>
#include <sys/types.h>

#define MG_OCI_SCOPE_ANNOTATION "mguard.io/scope"

struct mg_oci_state {
	char id[256];
	pid_t pid;	 /* 0: none given */
	char scope[128]; /* the value of MG_OCI_SCOPE_ANNOTATION; "" when absent */
};

/* Parse @len bytes of JSON. 0, or -EINVAL (not a JSON object, or a field of the wrong type). */
int mg_oci_state_parse(const char *text, size_t len, struct mg_oci_state *ret);

#endif /* MGUARD_OCI_STATE_H */
