# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- verifier budget -----------------------------------------------------------
# The verified instruction count of every program the guard loaded on this
# kernel (the verifier's work: it grows with the paths a program has), against
# the budget committed in tests/kernel/verifier-budget.txt. A change that makes
# the verifier walk much more shows up here, in review, before it costs every
# start. Which programs load depends on the engines: the tracepoint ones on a
# host without BPF LSM, the lsm/ or fmod_ret/ ones in the VM.
BUDGET_FILE=tests/kernel/verifier-budget.txt

# "ID INSNS" for each program of this guard: the kernel gives verified_insns
# in the fdinfo of a program descriptor (a link's names only the program).
guard_progs() {
	for info in /proc/"$DPID"/fdinfo/*; do
		awk '/^prog_id:/ { id = $2 } /^verified_insns:/ { n = $2 }
			END { if (id != "" && n != "") print id, n }' "$info" 2>/dev/null
	done | sort -un
}

# budget_of NAME: the program's budget on this kernel, "" if it has none: the
# line whose third field (a kernel release prefix, "6.12.") matches the
# running kernel best, else the line without one.
budget_of() {
	awk -v n="$1" -v k="$(uname -r)" '
		$1 != n || /^#/ { next }
		NF < 3 && best == "" { b = $2 }
		NF >= 3 && index(k, $3) == 1 && length($3) > length(best) { best = $3; b = $2 }
		END { print b }' "$BUDGET_FILE"
}

if ! command -v bpftool >/dev/null 2>&1; then
	fail "bpftool is there to name the guard's programs" "run scripts/install-deps.sh"
else
	progs=$(guard_progs)
	check "the kernel gives the verified instructions of the guard's programs" [ -n "$progs" ]
	total=0
	while read -r id insns; do
		[ -n "$id" ] || continue
		if ! json=$(bpftool prog show id "$id" --json 2>&1); then
			fail "bpftool shows program $id of the guard" "$json"
			continue
		fi
		name=$(printf '%s' "$json" | sed -n 's/^{"id":[0-9]*,"type":"[^"]*","name":"\([^"]*\)".*/\1/p')
		if [ -z "$name" ]; then
			fail "bpftool names program $id of the guard" "$json"
			continue
		fi
		total=$((total + insns))
		budget=$(budget_of "$name")
		if [ -z "$budget" ]; then
			fail "verifier: $name, $insns verified instructions, has a budget" \
				"add '$name <budget>' to $BUDGET_FILE"
		else
			check "verifier: $name, $insns verified instructions, within its budget of $budget" \
				[ "$insns" -le "$budget" ]
		fi
	done <<EOF
$progs
EOF
	echo "# verifier: $total verified instructions in all ($(uname -r), file engine $ENGINE)"
fi
