# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The table of bench/vm.sh: for each VM configuration's results.json (from
# bench/run.sh in the guest), the ratio with/without mguard of each workload
# on the instruction-count clock, with its spread over the rounds, against
# the target. Prints it, and writes it as Markdown to the file md.
#
#   awk -v md=FILE -v shift=N -f bench/vm-report.awk results-vm-*.json

function field(s, key,    r) {
	# "key":"text", "key":number or "key":true|false, the first one in s.
	if (match(s, "\"" key "\":\"[^\"]*\"")) {
		r = substr(s, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
		return r
	}
	if (match(s, "\"" key "\":([-0-9.eE+]+|true|false)")) {
		r = substr(s, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
		return r
	}
	return ""
}

function wanted(id) {
	return id == "open-outside" || id == "open-outside-vs-empty" ||
	       id == "open-outside-floor" || id == "open-allowed" ||
	       id == "open-allowed-vs-empty" || id == "open-deep" || id == "open-deep-vs-empty" ||
	       id == "open-plain" || id == "mmap" || id == "connect-guarded" ||
	       id == "connect-outside"
}

FNR == 1 && NR > 1 {
	doc(text)
	text = ""
}

{
	text = text $0
}

END {
	doc(text)
	fmt = "%-16s %-16s %-16s %-8s %-13s %-13s %-8s %s\n"
	printf fmt, "kernel", "engine", "workload", "ratio", "min-max", "q1-q3", "target", "met"
	print "| kernel | engine | workload | ratio | spread over rounds (min-max) | q1-q3 | target | met |" > md
	print "|---|---|---|---|---|---|---|---|" > md
	for (i = 1; i <= n; i++) {
		printf fmt, K[i], E[i], W[i], RT[i], MM[i], IQ[i], T[i], M[i]
		printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", K[i], E[i], W[i], RT[i], MM[i],
			IQ[i], T[i], M[i] > md
	}
	if (ns > 0) {
		print ""
		print "BPF run time per call on the same clock (BPF_ENABLE_STATS; instructions = ns / " 2 ^ shift "):"
		sfmt = "%-30s %-16s %-30s %-14s %s\n"
		printf sfmt, "kernel, guard", "workload", "program", "calls per op", "ns per call"
		print "" > md
		print "| kernel, guard | workload | program | calls per op | ns per call |" > md
		print "|---|---|---|---|---|" > md
		for (i = 1; i <= ns; i++) {
			printf sfmt, SK[i], SW[i], SP[i], SC[i], SN[i]
			printf "| %s | %s | %s | %s | %s |\n", SK[i], SW[i], SP[i], SC[i], SN[i] > md
		}
	}
	printf "clock: QEMU -icount shift=%s,sleep=off (one instruction = %d ns of guest time), 1 vCPU;" \
		" ratio: median over rounds of the CPU time per operation of the fastest batch\n",
		shift, 2 ^ shift
	close(md)
}

function doc(s,    kernel, engine, rows, nr, r, i, id, lo, hi, list, nl, vals, j, v, st, calls, ops) {
	if (s == "")
		return
	kernel = field(s, "kernel")
	engine = field(s, "file_open")
	st = s
	if (sub(/.*"bpf_stats":\[/, "", st)) {
		sub(/\].*/, "", st)
		nr = split(st, r, /\},\{/)
		for (i = 1; i <= nr; i++) {
			calls = field(r[i], "calls") + 0
			ops = field(r[i], "ops") + 0
			# Programs that ran for the workload itself, not for its start.
			if (calls <= 0 || ops <= 0 || calls / ops < 0.5)
				continue
			ns++
			SK[ns] = kernel " " (field(r[i], "guard") == "mguard" ? engine : "empty")
			SW[ns] = field(r[i], "workload")
			SP[ns] = field(r[i], "program")
			SC[ns] = sprintf("%.2f", calls / ops)
			SN[ns] = sprintf("%.1f", field(r[i], "run_time_ns") / calls)
		}
	}
	rows = s
	sub(/.*"rows":\[/, "", rows)
	sub(/\],"fanotify".*/, "", rows)
	nr = split(rows, r, /\},\{/)
	for (i = 1; i <= nr; i++) {
		id = field(r[i], "id")
		if (!wanted(id))
			continue
		list = r[i]
		sub(/.*"round_ratios":\[/, "", list)
		sub(/\].*/, "", list)
		nl = split(list, vals, ",")
		lo = ""
		hi = ""
		for (j = 1; j <= nl; j++) {
			v = vals[j] + 0
			if (lo == "" || v < lo)
				lo = v
			if (hi == "" || v > hi)
				hi = v
		}
		n++
		K[n] = kernel
		E[n] = field(r[i], "engine")
		if (E[n] == "")
			E[n] = engine
		W[n] = id
		RT[n] = sprintf("%.3f", field(r[i], "ratio"))
		MM[n] = nl ? sprintf("%.3f-%.3f", lo, hi) : "-"
		IQ[n] = sprintf("%.3f-%.3f", field(r[i], "ratio_q1"), field(r[i], "ratio_q3"))
		T[n] = field(r[i], "target")
		M[n] = field(r[i], "met")
		M[n] = M[n] == "true" ? "yes" : M[n] == "false" ? "no" : M[n]
		if (T[n] == "")
			T[n] = "-"
		if (M[n] == "")
			M[n] = "-"
	}
}
