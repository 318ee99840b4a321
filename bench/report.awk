# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The report of bench/run.sh: reads its values file and its samples file,
# prints the table, and writes the same as JSON (-v json=FILE) and as a
# Markdown table (FILE with .json replaced by .md).
#
#   awk -v json=OUT/results.json -f bench/report.awk OUT/values.txt OUT/samples.txt
#
# A sample is "round phase workload other min_wall min_cpu median_wall
# median_cpu" (ns per operation). Phases: off (no guard), empty (an empty BPF
# program on the file engine's tracepoints), fan (the fanotify guard), on
# (mguard). "other" is the number of BPF programs of other processes on
# tracepoints (-1: it changed meanwhile). A ratio is the median over
# rounds of the ratio of one round's two sides.

function sort_num(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
}

function median(a, n,    b, i) {
	if (n < 1)
		return ""
	for (i = 1; i <= n; i++)
		b[i] = a[i] + 0
	sort_num(b, n)
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}

# The nearest-rank quantile q (0 < q <= 1) of a[1..n].
function quantile(a, n, q,    b, i, r) {
	if (n < 1)
		return ""
	for (i = 1; i <= n; i++)
		b[i] = a[i] + 0
	sort_num(b, n)
	r = int(q * n)
	if (r < q * n)
		r++
	return b[r < 1 ? 1 : r]
}

function fmt_ns(x) {
	if (x == "")
		return "-"
	x += 0
	if (x >= 1e6)
		return sprintf("%.2f ms", x / 1e6)
	if (x >= 1e3)
		return sprintf("%.3f us", x / 1e3)
	return sprintf("%.0f ns", x)
}

function fmt_int(x,    s, neg) {
	x = sprintf("%.0f", x)
	neg = substr(x, 1, 1) == "-"
	if (neg)
		x = substr(x, 2)
	s = ""
	while (length(x) > 3) {
		s = "," substr(x, length(x) - 2) s
		x = substr(x, 1, length(x) - 3)
	}
	return (neg ? "-" : "") x s
}

function jstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	return "\"" s "\""
}

function jnum(x) {
	return x == "" ? "null" : sprintf("%.12g", x)
}

function jbool(met) {
	return met == "yes" ? "true" : met == "no" ? "false" : "null"
}

# A number from a flat JSON object, or "" when it has none.
function json_field(s, name) {
	if (!match(s, "\"" name "\":[-0-9.e]+"))
		return ""
	return substr(s, RSTART + length(name) + 3, RLENGTH - length(name) - 3) + 0
}

# The rounds of workload w that have both phases num and den, metric m (1: min
# wall, 2: min CPU): fills R[] (ratios), DELTA[], NUMV[], DENV[] and returns
# how many. Rounds when no other process had BPF programs on syscall
# tracepoints come first (NOISY = 0); if fewer than 3, also those when their
# number stayed the same on both sides (NOISY = 1); else every round (2).
function pairs(w, num, den, m,    r, k, fn, fd, pass, nv, dv) {
	for (pass = 0; pass <= 2; pass++) {
		k = 0
		for (r = 1; r <= maxround; r++) {
			if (!((r, num, w) in S) || !((r, den, w) in S))
				continue
			fn = F[r, num, w]
			fd = F[r, den, w]
			if (pass == 0 && !(fn == 0 && fd == 0))
				continue
			if (pass == 1 && !(fn == fd && fn >= 0))
				continue
			split(S[r, num, w], nv, " ")
			split(S[r, den, w], dv, " ")
			k++
			NUMV[k] = nv[m] + 0
			DENV[k] = dv[m] + 0
			R[k] = DENV[k] > 0 ? NUMV[k] / DENV[k] : 0
			DELTA[k] = NUMV[k] - DENV[k]
		}
		NOISY = pass
		if (k >= 3)
			return k
	}
	return k
}

function add_row(id, label, engine, base, with, ratio, target, met, extra) {
	nrows++
	ROW_ID[nrows] = id
	ROW_LABEL[nrows] = label
	ROW_ENGINE[nrows] = engine
	ROW_BASE[nrows] = base
	ROW_WITH[nrows] = with
	ROW_RATIO[nrows] = ratio
	ROW_TARGET[nrows] = target
	ROW_MET[nrows] = met
	ROW_EXTRA[nrows] = extra
}

function ratio_row(id, label, w, den, engine, tval) {
	pair_row(id, label, w, "on", den, engine, tval)
}

# A row of phase num over phase den; no target when tval is "".
function pair_row(id, label, w, num, den, engine, tval,    k, i, ratio, base, with, list, mark, js, q1, q3) {
	k = pairs(w, num, den, 2)
	if (k == 0)
		return
	ratio = median(R, k)
	base = median(DENV, k)
	with = median(NUMV, k)
	list = ""
	for (i = 1; i <= k; i++)
		list = list (i > 1 ? "," : "") sprintf("%.4f", R[i])
	q1 = quantile(R, k, 0.25)
	q3 = quantile(R, k, 0.75)
	mark = NOISY == 1 ? "*" : NOISY == 2 ? "**" : ""
	mark = mark sprintf(" (%.2f-%.2f)", q1, q3)
	if (NOISY > any_noisy)
		any_noisy = NOISY
	js = "\"baseline_ns\":" jnum(base) ",\"mguard_ns\":" jnum(with)
	js = js ",\"delta_ns\":" jnum(median(DELTA, k)) ",\"ratio\":" jnum(ratio)
	js = js ",\"ratio_q1\":" jnum(q1) ",\"ratio_q3\":" jnum(q3)
	js = js ",\"rounds_used\":" k ",\"other_bpf\":"
	js = js jstr(NOISY == 0 ? "none" : NOISY == 1 ? "steady" : "changing")
	js = js ",\"round_ratios\":[" list "]"
	base = fmt_ns(base) (den == "empty" ? " (empty)" : "")
	if (tval == "")
		add_row(id, label, engine, base, fmt_ns(with), sprintf("%.3f", ratio) mark, "-", "-", js)
	else
		add_row(id, label, engine, base, fmt_ns(with), sprintf("%.3f", ratio) mark,
			sprintf("<= %.2f", tval), ratio <= tval ? "yes" : "no", js)
}

FNR == 1 {
	file++
}

file == 1 && $1 == "drain" {
	nd++
	D_EVENTS[nd] = $3
	D_LINES[nd] = $4
	D_RATE[nd] = $5 > 0 ? $4 / ($5 / 1e9) : 0
	next
}

file == 1 && $1 == "sustained" {
	ns++
	SU_P[ns] = $2
	SU_PROD[ns] = $3
	SU_LINES[ns] = $4
	SU_RATE[ns] = $5 > 0 ? $4 / ($5 / 1e9) : 0
	next
}

file == 1 && $1 == "stat" {
	nst++
	ST_W[nst] = $2
	ST_WHO[nst] = $3
	ST_PROG[nst] = $4
	ST_OPS[nst] = $5
	ST_CNT[nst] = $6
	ST_NS[nst] = $7
	next
}

file == 1 {
	V[$1] = substr($0, length($1) + 2)
	next
}

file == 2 && NF >= 8 {
	S[$1, $2, $3] = $5 " " $6 " " $7 " " $8
	F[$1, $2, $3] = $4 + 0
	if ($1 + 0 > maxround)
		maxround = $1 + 0
}

END {
	ef = V["engine_file"]
	em = V["engine_mmap"]
	en = V["engine_net"]

	# 1-4: ratios.
	ratio_row("open-outside", "open+close, process outside every scope",
		  "open-outside", "off", ef, 1.02)
	ratio_row("open-outside-vs-empty", "  the same, vs empty BPF program",
		  "open-outside", "empty", ef, 1.02)
	pair_row("open-outside-floor", "  empty BPF program vs no guard (the floor)",
		 "open-outside", "empty", "off", "empty program", "")
	ratio_row("open-allowed", "open+close of an allowed model file, guarded",
		  "open-allowed", "off", ef, 1.10)
	ratio_row("open-allowed-vs-empty", "  the same, vs empty BPF program",
		  "open-allowed", "empty", ef, 1.10)
	ratio_row("open-deep", "open+close, allowed file 20 folders deep, guarded",
		  "open-deep", "off", ef, 1.15)
	ratio_row("open-deep-vs-empty", "  the same, vs empty BPF program",
		  "open-deep", "empty", ef, 1.15)
	ratio_row("open-plain", "open+close of a file of no model, guarded",
		  "open-plain", "off", ef, 1.10)
	ratio_row("open-plain-vs-empty", "  the same, vs empty BPF program",
		  "open-plain", "empty", ef, 1.10)
	ratio_row("mmap", "mmap " V["mmap_mib"] " MiB weight file, read every page, guarded",
		  "mmap", "off", em, 1.01)
	ratio_row("connect-guarded", "TCP connect to an allowed 127.0.0.1 port, guarded",
		  "connect-guarded", "off", en, 1.05)
	ratio_row("connect-outside", "TCP connect to 127.0.0.1, outside every scope",
		  "connect-outside", "off", en, 1.05)
	# Throughput >= 0.97 of no guard: time per MiB <= 1 / 0.97.
	ratio_row("stream-guarded", "TCP stream to 127.0.0.1 under an egress budget, guarded",
		  "stream-guarded", "off", en, 1.03)

	# 5: events.
	if (nd > 0) {
		drain = median(D_RATE, nd)
		add_row("events-drain", "events, ring buffer to file (" fmt_int(D_EVENTS[1]) " at once)",
			"ringbuf", "-", fmt_int(drain) " /s", "-", ">= 500,000 /s",
			drain >= 500000 ? "yes" : "no", "\"events_per_s\":" jnum(drain))
	}
	k = 0
	for (i = 1; i <= ns; i++) {
		if (SU_P[i] != 1)
			continue
		k++
		tmp[k] = SU_RATE[i]
		tmp2[k] = SU_PROD[i] / 2
	}
	if (k > 0) {
		sust = median(tmp, k)
		prod = median(tmp2, k)
		add_row("events-sustained", "events, sustained, 1 process opening a denied file" \
			(V["events_audit_trail"] == 1 ? ", audit trail on" : ""),
			"ringbuf", "-", fmt_int(sust) " /s", "-", ">= 500,000 /s",
			sust >= 500000 ? "yes" : "no",
			"\"events_per_s\":" jnum(sust) ",\"producer_opens_per_s\":" jnum(prod))
	}
	if ("events_audit_counter" in V) {
		decided = V["events_audit_counter"] + 0
		lines = V["events_lines_audit"] + 0
		dropped = V["events_dropped"] + 0
		limited = V["events_rate_limited"] + 0
		lost = decided - lines - dropped - limited
		js = "\"audit_counter\":" jnum(decided) ",\"lines\":" jnum(lines)
		js = js ",\"dropped\":" jnum(dropped) ",\"rate_limited\":" jnum(limited)
		if ("events_audit_verify_rc" in V)
			add_row("events-audit-verify", "audit verify --strict of the event file",
				"-", "-", V["events_audit_verify_rc"] == 0 ? "intact" : "failed", "-",
				"intact", V["events_audit_verify_rc"] == 0 ? "yes" : "no",
				"\"exit\":" jnum(V["events_audit_verify_rc"]))
		add_row("events-lost", "events lost and not counted", "ringbuf", "-", fmt_int(lost),
			"-", "0", lost == 0 ? "yes" : "no", js ",\"unexplained\":" jnum(lost))
	}

	# 6: policy scale.
	if ("scale_json" in V) {
		sj = V["scale_json"]
		cl = json_field(sj, "compile_load_s")
		sf = json_field(sj, "swap_in_force_s")
		sw = json_field(sj, "swap_s")
		add_row("policy-load", "policy of 100k files, 1k scopes: parse to written",
			"-", "-", sprintf("%.3f s", cl), "-", "< 1 s",
			cl != "" && cl < 1 ? "yes" : "no", "\"seconds\":" jnum(cl))
		add_row("policy-swap", "  reload: generation 2 written and in force",
			"-", "-", sf == "" ? "-" : sprintf("%.1f ms", sf * 1000), "-", "< 50 ms",
			sf != "" && sf >= 0 && sf < 0.05 ? "yes" : "no", "\"seconds\":" jnum(sf))
		add_row("policy-reload", "  reload: generation 1 deleted too", "-", "-",
			sw == "" ? "timed out" : sprintf("%.1f ms", sw * 1000), "-", "-", "-",
			"\"seconds\":" jnum(sw))
	}

	# The table.
	fmt = "%-52s %-16s %-16s %-14s %-20s %-14s %s\n"
	printf fmt, "workload", "engine", "baseline", "with mguard", "ratio", "target", "met"
	for (i = 1; i <= nrows; i++)
		printf fmt, ROW_LABEL[i], ROW_ENGINE[i], ROW_BASE[i], ROW_WITH[i], ROW_RATIO[i],
			ROW_TARGET[i], ROW_MET[i]
	if (any_noisy) {
		print "*  other processes' BPF programs sat on tracepoints in most rounds; rounds when"
		print "   their number held steady were kept: they tax both sides, so the ratio reads low"
	}
	if (any_noisy > 1)
		print "** their number changed during most rounds: every round was kept"
	if ("events_audit_counter" in V) {
		printf "events: %s decided by the kernel, %s written by the daemon, %s dropped (ring" \
			" buffer full) and %s rate-limited, both counted\n", fmt_int(decided),
			fmt_int(lines), fmt_int(dropped), fmt_int(limited)
	}
	if ("scale_daemon_ready_ms" in V) {
		printf "policy scale, the daemon: ready in %s ms (%s links), peak RSS %.1f MiB," \
			" maps %.1f MiB\n", V["scale_daemon_ready_ms"], V["scale_daemon_links"],
			V["scale_daemon_vmhwm_kib"] / 1024, V["scale_daemon_memlock_bytes"] / 1048576
	}
	if ("scale_daemon_error" in V)
		print "policy scale, the daemon did not start: " V["scale_daemon_error"]
	if ("scale_flat_daemon" in V && V["scale_flat_daemon"] != "ok") {
		print "policy scale, the 1,000 scopes as siblings of one cgroup: the daemon did not start:"
		print "  " V["scale_flat_daemon"]
	}

	# fanotify, on wall-clock time: its cost is in another process.
	nf = 0
	split("open-outside open-allowed open-deep open-plain", fw, " ")
	for (j = 1; j <= 4; j++) {
		w = fw[j]
		k = pairs(w, "fan", "off", 1)
		if (k == 0)
			continue
		fr = median(R, k)
		fan_ns = median(NUMV, k)
		none_ns = median(DENV, k)
		k = pairs(w, "on", "off", 1)
		mr = median(R, k)
		mg_ns = median(NUMV, k)
		k = pairs(w, "on", "fan", 1)
		mf = median(R, k)
		nf++
		FN_LINE[nf] = sprintf("%-16s %-12s %-12s %-12s %-10.2f %-10.3f %.3f", w, fmt_ns(none_ns),
				      fmt_ns(fan_ns), fmt_ns(mg_ns), fr, mr, mf)
		FN_MD[nf] = sprintf("| %s | %s | %s | %s | %.2f | %.3f | %.3f |", w, fmt_ns(none_ns),
				    fmt_ns(fan_ns), fmt_ns(mg_ns), fr, mr, mf)
		js = "{\"workload\":" jstr(w) ",\"none_ns\":" jnum(none_ns)
		js = js ",\"fanotify_ns\":" jnum(fan_ns) ",\"mguard_ns\":" jnum(mg_ns)
		js = js ",\"fanotify_ratio\":" jnum(fr) ",\"mguard_ratio\":" jnum(mr)
		FN_JSON[nf] = js ",\"mguard_over_fanotify\":" jnum(mf) "}"
	}
	if (nf > 0) {
		print ""
		print "against a fanotify permission-event guard of the same file rule (wall-clock):"
		printf "%-16s %-12s %-12s %-12s %-10s %-10s %s\n", "workload", "no guard", "fanotify",
			"mguard", "fan/none", "mg/none", "mg/fan"
		for (i = 1; i <= nf; i++)
			print FN_LINE[i]
		print "connect: fanotify has no equivalent (it sees files, not sockets)"
	}

	if (nst > 0) {
		print ""
		print "BPF run time per call, host-wide, while each workload ran (BPF_ENABLE_STATS;"
		print "the tracepoint's own cost is not in it):"
		printf "%-16s %-8s %-30s %-14s %s\n", "workload", "guard", "program", "calls per op",
			"ns per call"
		for (i = 1; i <= nst; i++)
			printf "%-16s %-8s %-30s %-14.2f %.1f\n", ST_W[i], ST_WHO[i], ST_PROG[i],
				ST_CNT[i] / ST_OPS[i], ST_CNT[i] ? ST_NS[i] / ST_CNT[i] : 0
	}

	print ""
	printf "machine: %s, %s CPUs, %s, kernel %s; %s rounds of %s batches; load average %s -> %s\n",
		V["date"], V["machine_nproc"], V["machine_cpu"], V["machine_kernel"], V["method_rounds"],
		V["method_batches"], V["machine_loadavg_start"], V["machine_loadavg_end"]

	if (json != "")
		write_json()
}

function write_json(    i, md, sep, label) {
	printf "{\"machine\":{\"date\":%s,\"kernel\":%s,\"nproc\":%s,\"cpu\":%s,\"mem_gib\":%s,",
		jstr(V["date"]), jstr(V["machine_kernel"]), jnum(V["machine_nproc"]),
		jstr(V["machine_cpu"]), jnum(V["machine_mem_gib"]) > json
	printf "\"loadavg_start\":%s,\"loadavg_end\":%s},", jstr(V["machine_loadavg_start"]),
		jstr(V["machine_loadavg_end"]) > json
	printf "\"method\":{\"rounds\":%s,\"batches\":%s,\"cpu\":%s,", jnum(V["method_rounds"]),
		jnum(V["method_batches"]), jnum(V["method_cpu"]) > json
	printf "\"ops\":{\"open\":%s,\"connect\":%s,\"mmap_passes\":%s},", jnum(V["ops_open"]),
		jnum(V["ops_connect"]), jnum(V["ops_mmap"]) > json
	printf "\"metric\":\"CPU time per operation of the fastest batch; ratio: median over" \
		" rounds of the ratio of one round's two sides\",\"waited_for_other_bpf_s\":%s},",
		jnum(V["waited_s"]) > json
	printf "\"engines\":{\"file_open\":%s,\"mmap\":%s,\"connect\":%s},\"tracepoints\":%s,",
		jstr(ef), jstr(em), jstr(en), jstr(V["tracepoints"]) > json

	printf "\"rows\":[" > json
	for (i = 1; i <= nrows; i++) {
		sep = i > 1 ? "," : ""
		printf "%s{\"id\":%s,\"workload\":%s,\"engine\":%s,\"baseline\":%s,", sep,
			jstr(ROW_ID[i]), jstr(ROW_LABEL[i]), jstr(ROW_ENGINE[i]), jstr(ROW_BASE[i]) > json
		printf "\"with_mguard\":%s,\"ratio_text\":%s,\"target\":%s,\"met\":%s,%s}",
			jstr(ROW_WITH[i]), jstr(ROW_RATIO[i]), jstr(ROW_TARGET[i]), jbool(ROW_MET[i]),
			ROW_EXTRA[i] > json
	}
	printf "],\"fanotify\":[" > json
	for (i = 1; i <= nf; i++)
		printf "%s%s", (i > 1 ? "," : ""), FN_JSON[i] > json

	printf "],\"events\":{\"drain\":[" > json
	for (i = 1; i <= nd; i++)
		printf "%s{\"events\":%s,\"lines\":%s,\"events_per_s\":%s}", (i > 1 ? "," : ""),
			jnum(D_EVENTS[i]), jnum(D_LINES[i]), jnum(D_RATE[i]) > json
	printf "],\"sustained\":[" > json
	for (i = 1; i <= ns; i++)
		printf "%s{\"producers\":%s,\"opens\":%s,\"lines\":%s,\"events_per_s\":%s}",
			(i > 1 ? "," : ""), jnum(SU_P[i]), jnum(SU_PROD[i]), jnum(SU_LINES[i]),
			jnum(SU_RATE[i]) > json
	printf "],\"audit_counter\":%s,\"lines\":%s,\"dropped\":%s,\"rate_limited\":%s," \
		"\"fd_unresolved\":%s},", jnum(V["events_audit_counter"]), jnum(V["events_lines_audit"]),
		jnum(V["events_dropped"]), jnum(V["events_rate_limited"]),
		jnum(V["events_fd_unresolved"]) > json

	printf "\"bpf_stats\":[" > json
	for (i = 1; i <= nst; i++)
		printf "%s{\"workload\":%s,\"guard\":%s,\"program\":%s,\"ops\":%s,\"calls\":%s," \
			"\"run_time_ns\":%s}", (i > 1 ? "," : ""), jstr(ST_W[i]), jstr(ST_WHO[i]),
			jstr(ST_PROG[i]), jnum(ST_OPS[i]), jnum(ST_CNT[i]), jnum(ST_NS[i]) > json

	printf "],\"policy_scale\":%s,", (("scale_json" in V) ? V["scale_json"] : "null") > json
	printf "\"policy_scale_daemon\":{\"ready_ms\":%s,\"vmhwm_kib\":%s,\"links\":%s,",
		jnum(V["scale_daemon_ready_ms"]), jnum(V["scale_daemon_vmhwm_kib"]),
		jnum(V["scale_daemon_links"]) > json
	printf "\"maps_memlock_bytes\":%s,\"stop_ms\":%s,\"error\":%s,\"sibling_scopes\":%s},",
		jnum(V["scale_daemon_memlock_bytes"]), jnum(V["scale_daemon_stop_ms"]),
		(("scale_daemon_error" in V) ? jstr(V["scale_daemon_error"]) : "null"),
		(("scale_flat_daemon" in V) ? jstr(V["scale_flat_daemon"]) : "null") > json
	printf "\"daemon_vmhwm_kib\":%s}\n", jnum(V["daemon_vmhwm_kib"]) > json
	close(json)

	# Markdown, for docs/performance.md.
	md = json
	sub(/\.json$/, ".md", md)
	print "| workload | engine | baseline | with mguard | ratio | target | met |" > md
	print "|---|---|---|---|---|---|---|" > md
	for (i = 1; i <= nrows; i++) {
		# Markdown: leading spaces of a cell are dropped.
		label = ROW_LABEL[i]
		sub(/^ +/, "", label)
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", label, ROW_ENGINE[i], ROW_BASE[i],
			ROW_WITH[i], ROW_RATIO[i], ROW_TARGET[i], ROW_MET[i] > md
	}
	if (nf > 0) {
		print "" > md
		print "| workload | no guard | fanotify | mguard | fanotify / none | mguard / none" \
			" | mguard / fanotify |" > md
		print "|---|---|---|---|---|---|---|" > md
		for (i = 1; i <= nf; i++)
			print FN_MD[i] > md
	}
	close(md)
}
