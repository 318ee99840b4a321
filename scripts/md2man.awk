#!/usr/bin/awk -f
# Turn the Markdown of docs/policy.md into a man page, so both come from one
# source. Handles what that file uses: headings, paragraphs, lists, fenced
# code, tables and `code`. Variables: name, section, date, version.
function esc(s) {
	gsub(/\\/, "\\e", s)
	return s
}
function inline(s,    out, parts, n, i) {
	s = esc(s)
	n = split(s, parts, "`")
	out = parts[1]
	for (i = 2; i <= n; i++)
		out = out ((i % 2) ? "\\fR" : "\\fB") parts[i]
	if (n % 2 == 0)
		out = out "\\fR"
	gsub(/\*\*/, "", out)
	return out
}
function line_out(s) {
	if (s ~ /^[.']/)
		s = "\\&" s
	print s
}
BEGIN {
	print ".TH " toupper(name) " " section " \"" date "\" \"mguard " version "\" \"File Formats\""
	print ".SH NAME"
	print name " \\- mguard tier policy files"
	in_code = 0
}
/^```/ {
	if (in_code) { print ".fi"; print ".RE"; in_code = 0 }
	else { print ".RS 2"; print ".nf"; in_code = 1 }
	next
}
in_code { line_out(esc($0)); next }
/^# / { next }
/^## / { sub(/^## /, ""); print ".SH " toupper($0); next }
/^### / { sub(/^### /, ""); print ".SS " inline($0); next }
/^\|[- |]+\|$/ { next }
/^\|/ {
	n = split($0, cells, "|")
	head = cells[2]; gsub(/^ +| +$/, "", head)
	rest = ""
	for (i = 3; i < n; i++) {
		c = cells[i]; gsub(/^ +| +$/, "", c)
		if (c != "")
			rest = rest (rest == "" ? "" : " \\(em ") c
	}
	print ".TP"
	line_out(inline(head))
	line_out(inline(rest))
	next
}
/^[-*] / { sub(/^[-*] /, ""); print ".IP \\(bu 2"; line_out(inline($0)); next }
/^[0-9]+\. / { num = $1; sub(/^[0-9]+\. /, ""); print ".IP " num " 4"; line_out(inline($0)); next }
/^$/ { print ".PP"; next }
{ sub(/^ +/, ""); line_out(inline($0)) }
