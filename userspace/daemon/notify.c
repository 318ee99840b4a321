// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <systemd/sd-daemon.h>

#include "core/log.h"
#include "daemon/notify.h"

/* A failure to notify is worth one warning: the service manager waits on it. */
static int mg_notify_checked(int r, const char *what)
{
	if (r < 0)
		mg_log_errno(r, "failed to notify the service manager (%s)", what);
	return r;
}

int mg_notify_ready(uint32_t gen, unsigned long long pid)
{
	/* MAINPID: after going to the background the pid is not the one started. */
	return mg_notify_checked(sd_notifyf(0,
					    "READY=1\nMAINPID=%llu\n"
					    "STATUS=enforcing policy generation %u",
					    pid, gen),
				 "READY=1");
}

int mg_notify_reloading(void)
{
	return mg_notify_checked(sd_notify(0, "RELOADING=1\nSTATUS=reloading the policy"),
				 "RELOADING=1");
}

int mg_notify_stopping(const char *why)
{
	return mg_notify_checked(sd_notifyf(0, "STOPPING=1\nSTATUS=%s", why), "STOPPING=1");
}
