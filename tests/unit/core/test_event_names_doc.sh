#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Every engine, hook, verdict and reason name an event line can carry
# (userspace/core/names.c) is in docs/events.md, in backquotes: a name added
# to the ABI without its documentation fails here.
set -u
cd "$(dirname "$0")/../../.." || exit 1
n=0
bad=0
# The string literals of names.c's tables: lines of the form [MG_X] = "name",
names=$(sed -n '1,/mg_error_name/ s/^[[:space:]]*\[MG_[A-Z0-9_]*\] = "\([a-z0-9_-]*\)",.*/\1/p' userspace/core/names.c)
[ -n "$names" ] || { echo "not ok - names.c gives no names to check"; exit 1; }
for name in $names; do
	n=$((n + 1))
	if ! grep -q "\`$name\`" docs/events.md; then
		echo "not ok - docs/events.md names '$name' (userspace/core/names.c)"
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ] && echo "ok - docs/events.md names all $n engine, hook, verdict and reason names"
[ "$bad" -eq 0 ]
