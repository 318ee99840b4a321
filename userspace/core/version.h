/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The release, for --version, the man pages and mguard_build_info. */
#ifndef MGUARD_VERSION_H
#define MGUARD_VERSION_H

#define MG_VERSION "0.1.0"

#endif /* MGUARD_VERSION_H */
