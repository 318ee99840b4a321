/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* mguard model seal DIR: fs-verity on a model's files, and the policy lines that name them. */
#ifndef MGUARD_CMD_SEAL_H
#define MGUARD_CMD_SEAL_H

#include <stdio.h>

/*
 * Enable fs-verity (SHA-256, 4096-byte blocks) on every regular file under
 * @dir (links not followed), measure each, and print to @out the 'sha256'
 * and 'verity' entries of a model whose files are [@dir]. A file with
 * fs-verity already is measured as it is. Errors go to the log: a file
 * system without fs-verity (nothing is sealed then), or a file that failed
 * after others were sealed (they are named: fs-verity cannot be undone).
 * Returns 0, or 1 on any error (nothing printed to @out).
 */
int mg_model_seal(const char *dir, FILE *out);

#endif /* MGUARD_CMD_SEAL_H */
