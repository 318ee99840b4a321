// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* daemon/state: where the running daemon writes its events, for mguard events. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon/state.h"

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_events_dir(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], buf[PATH_MAX];

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir), "state"), 0);
	snprintf(path, sizeof(path), "%s/x.state", dir);

	/* No state: no daemon. */
	assert_int_equal(mg_state_events_dir(path, buf, sizeof(buf)), -ENOENT);

	write_text(path, "policy\t/etc/mguard\ndigest\tab\nloaded\t1\nevents\t/var/log/mg\n"
			 "scope\ts\t/s\t1\tgeneral\n");
	assert_int_equal(mg_state_events_dir(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/var/log/mg");
	assert_int_equal(mg_state_events_dir(path, buf, 4), -ENAMETOOLONG);

	/* A daemon in the foreground without --log-dir: its standard output only. */
	write_text(path, "policy\t/etc/mguard\nevents\t-\n");
	assert_int_equal(mg_state_events_dir(path, buf, sizeof(buf)), 1);

	/* A state written before the field existed does not say. */
	write_text(path, "policy\t/etc/mguard\ndigest\tab\n");
	assert_int_equal(mg_state_events_dir(path, buf, sizeof(buf)), -ENODATA);

	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
