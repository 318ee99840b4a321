/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The 'mguard oci-hook' command: an OCI runtime hook that binds a container to its scope. */
#ifndef MGUARD_CMD_OCI_HOOK_H
#define MGUARD_CMD_OCI_HOOK_H

/*
 * Run "oci-hook [--pin-dir DIR]" with argv[0] "oci-hook": reads the
 * container state on stdin. 0 when the container may start (bound to the
 * scope its annotation names, or naming none); 1 when it must not.
 */
int mg_cmd_oci_hook(int argc, char **argv);

#endif /* MGUARD_CMD_OCI_HOOK_H */
