/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tell the service manager (systemd, Type=notify) how the guard stands:
 * READY=1 once a policy is enforcing, RELOADING=1 and READY=1 around a
 * reload, STOPPING=1 on the way out. Without NOTIFY_SOCKET these do nothing.
 */
#ifndef MGUARD_NOTIFY_H
#define MGUARD_NOTIFY_H

#include <stdint.h>

/* The guard is enforcing generation @gen. Returns sd_notify's answer (>= 0, or a negative errno). */
int mg_notify_ready(uint32_t gen, unsigned long long pid);

int mg_notify_reloading(void);

int mg_notify_stopping(const char *why);

#endif /* MGUARD_NOTIFY_H */
