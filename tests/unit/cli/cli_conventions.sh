#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The command line's conventions, on the built binary (no privileges needed):
# per-command --help, --version, one-line usage errors naming the command's
# help, per-command options, policy scan's exit status, and a man page and a
# completion that know every command and option. Prints TAP lines.
#
#   tests/unit/cli/cli_conventions.sh BUILD_DIR
set -u
M=$(cd "$1" && pwd)/mguard
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ok() { echo "ok - $1"; }
no() { echo "not ok - $1"; [ $# -gt 1 ] && echo "#   $2"; }
t() { name=$1; shift; if "$@"; then ok "$name"; else no "$name" "$*"; fi; }

COMMANDS="probe start stop reload status policy killswitch model version events report license audit run oci-hook"

"$M" --version >"$TMP/v" 2>&1
t "mguard --version exits 0 and prints the version" grep -qx 'mguard [0-9][0-9.]*' "$TMP/v"

for c in $COMMANDS; do
	"$M" "$c" --help >"$TMP/h" 2>&1
	st=$?
	t "mguard $c --help exits 0" [ "$st" = 0 ]
	t "mguard $c --help prints its own usage" grep -q "^usage: mguard $c" "$TMP/h"
done

# A wrong option: exit 2 and one line that names the command's help.
usage_error() {
	c=$1
	shift
	"$M" "$c" "$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	[ "$st" = 2 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
		grep -q "(try 'mguard $c --help')\$" "$TMP/err"
}
for c in probe start stop reload status policy killswitch events report; do
	t "mguard $c --no-such-option: one-line usage error" usage_error "$c" --no-such-option
done
t "an option a command does not take is an error (stop --json)" usage_error stop --json
t "an option a command does not take is an error (status --policy)" usage_error status --policy /x
t "an option a command does not take is an error (killswitch --foreground)" \
	usage_error killswitch on --foreground
# Every option of start that status does not share is refused by status (an
# option the command table forgot to give a bit would pass everywhere).
"$M" start --help | sed -n 's/^  \(--[a-z-]*\)\( [A-Z]\)\{0,1\}.*/\1\2/p' >"$TMP/opts"
while read -r o arg; do
	case $o in --pin-dir | --verbose | --help) continue ;; esac
	if [ -n "$arg" ]; then
		t "status refuses start's $o" usage_error status "$o" x
	else
		t "status refuses start's $o" usage_error status "$o"
	fi
done <"$TMP/opts"
t "a missing option argument is a one-line usage error" usage_error start --policy
t "an operand a command does not take is a usage error" usage_error status extra
t "killswitch without on|off is a usage error" usage_error killswitch maybe
t "policy with an unknown verb is a usage error" usage_error policy frobnicate
"$M" no-such-command >/dev/null 2>"$TMP/err"
st=$?
t "an unknown command: exit 2, one line" [ "$st" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ]

# policy scan: exit 1 for unknown weights, 0 when every weight file is known
# (or there is none), and no policy folder needed.
mkdir -p "$TMP/scan" "$TMP/empty"
printf 'GGUF\003\000\000\000' >"$TMP/scan/a.gguf"
"$M" policy scan --policy "$TMP/none" "$TMP/scan" >/dev/null 2>&1
t "policy scan with an explicit missing policy folder fails" [ $? = 1 ]
(cd "$TMP" && "$M" policy scan "$TMP/scan" >"$TMP/out" 2>"$TMP/err")
st=$?
t "policy scan exits 1 when it finds unknown weights" [ "$st" = 1 ]
t "policy scan lists the unknown file" grep -q "$TMP/scan/a.gguf" "$TMP/out"
"$M" policy scan --json "$TMP/empty" >"$TMP/out" 2>/dev/null
st=$?
t "policy scan exits 0 when nothing is unknown" [ "$st" = 0 ]
t "policy scan --json says how many are unknown" grep -q '"unknown":0}' "$TMP/out"

# The man page and the completion know every command and every option.
MAN=docs/man/mguard.8
COMP=scripts/completion/mguard.bash
opts=$(sed -n 's/.*{ "\([a-z-]*\)", [a-z_]*_argument.*/\1/p' userspace/cli/main.c \
	userspace/cli/cmd_events.c userspace/cli/cmd_report.c userspace/cli/cmd_run.c userspace/cli/cmd_license.c userspace/cli/cmd_audit.c userspace/cli/cmd_oci_hook.c | sort -u)
sed 's/\\-/-/g; s/\\f[BIR]//g' "$MAN" >"$TMP/man.txt"
for c in $COMMANDS; do
	t "man page documents command '$c'" grep -q "^\\.B mguard $c\\b" "$TMP/man.txt"
	t "completion knows command '$c'" grep -qw "$c" "$COMP"
done
for o in $opts; do
	t "man page documents option --$o" grep -q -- "--$o" "$TMP/man.txt"
	t "completion knows option --$o" grep -q -- "--$o" "$COMP"
done

# The completion offers each command only its own options, and scope names.
if command -v bash >/dev/null && [ -f /usr/share/bash-completion/bash_completion ]; then
	complete_words() {
		bash -c '. /usr/share/bash-completion/bash_completion; . scripts/completion/mguard.bash
			COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			_mguard mguard; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
	}
	complete_words mguard stop -- >"$TMP/c" 2>/dev/null
	t "completion: stop offers --leave-enforcing" grep -qx -- --leave-enforcing "$TMP/c"
	t "completion: stop does not offer --json" sh -c "! grep -qx -- --json '$TMP/c'"
else
	no "completion: bash-completion is installed (scripts/install-deps.sh)"
fi
