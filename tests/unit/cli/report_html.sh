#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# mguard report --html, rendered by headless Chromium: the numbers in the
# rendered page (cells named by data-key, bars and points of the SVG charts)
# are those of --json for the same event files, the charts have a bar per
# bucket and a point per reload and kill switch change, and the file refers
# to nothing outside itself. Chromium missing is a failure, not a skip.
# Prints TAP lines.
#
#   tests/unit/cli/report_html.sh BUILD_DIR
set -u
M=$(cd "$1" && pwd)/mguard
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ok() { echo "ok - $1"; }
no() { echo "not ok - $1"; [ $# -gt 1 ] && echo "#   $2"; }

# Two files of one rotation, two scopes, a refused reload, the kill switch
# on and off, a malformed line and fields the report does not know.
mkdir -p "$TMP/log"
H='"schema":1,"host":"node-1","policy_digest":"sha256:00ff"'
D="\"type\":\"decision\",\"engine\":\"tracepoint-kill\",\"generation\":1,\"cgroup_id\":7,\"pid\":10,\"tid\":10"
cat >"$TMP/log/events.jsonl.1" <<EOF
{$H,"time":"2026-12-01T08:00:00.000001Z","type":"daemon_start","generation":null,"pid":99,"pin_dir":"/sys/fs/bpf/mguard"}
{$H,"time":"2026-12-01T08:00:01.000001Z","type":"policy_loaded","generation":1,"policy_dir":"/etc/mguard","previous_digest":null,"mode":"enforce","scopes":2}
{$H,"time":"2026-12-01T08:10:00.5Z",$D,"hook":"file_open","verdict":"kill","reason":"tier","scope":"vllm","seq":3,"prev":"ab","file":{"dev":"8:1","ino":42,"path":"/srv/m/a","name":"a","model":"frontier-x","tier":"prohibited","flags":"O_RDONLY","flags_raw":0}}
{$H,"time":"2026-12-01T08:20:00Z",$D,"hook":"connect4","verdict":"deny","reason":"egress","scope":"vllm","net":{"family":"ipv4","addr":"10.0.0.1","port":443,"protocol":"tcp"}}
{"schema":1,"time":"2026-12-01T08:30:00Z","type":
EOF
cat >"$TMP/log/events.jsonl" <<EOF
{$H,"time":"2026-12-01T09:05:00Z","type":"killswitch","generation":1,"state":"on","previous":"off","changes":1}
{$H,"time":"2026-12-01T09:06:00Z",$D,"hook":"file_open","verdict":"kill","reason":"killswitch","scope":"batch","file":{"dev":"8:1","ino":43,"path":null,"name":"b","model":"small","tier":"general","flags":"O_RDONLY","flags_raw":0}}
{$H,"time":"2026-12-01T09:15:00Z","type":"killswitch","generation":1,"state":"off","previous":"on","changes":1}
{$H,"time":"2026-12-01T09:30:00Z","type":"checkpoint","seq":9,"chain":"cd"}
{$H,"time":"2026-12-01T10:00:00Z","type":"policy_load_failed","generation":1,"result":"failed","policy_dir":"/etc/mguard","error":"policy.yaml:3:1: unknown key <x> & more"}
{$H,"time":"2026-12-01T10:40:00Z",$D,"hook":"file_open","verdict":"audit","reason":"tier","scope":"batch","file":{"dev":"8:1","ino":44,"path":null,"name":"c","model":"mid","tier":"controlled","flags":"O_RDONLY","flags_raw":0}}
{$H,"time":"2026-12-01T10:45:00Z",$D,"hook":"connect4","verdict":"deny","reason":"egress","scope":"vllm","net":{"family":"ipv4","addr":"10.0.0.2","port":443,"protocol":"tcp"}}
EOF

ARGS="--pin-dir /nonexistent/pins --log-dir $TMP/log --since 2026-12-01T08:00:00Z --until 2026-12-01T10:59:59Z"
# shellcheck disable=SC2086
"$M" report --json $ARGS >"$TMP/r.json" 2>"$TMP/json.err"
st=$?
if [ "$st" = 0 ]; then ok "report --json exits 0"; else no "report --json exits 0" "$(cat "$TMP/json.err")"; fi
# shellcheck disable=SC2086
"$M" report --html $ARGS >"$TMP/r.html" 2>"$TMP/html.err"
st=$?
if [ "$st" = 0 ]; then ok "report --html exits 0"; else no "report --html exits 0" "$(cat "$TMP/html.err")"; fi

# Self-contained: no reference to anything outside the file, no script.
if grep -qiE 'https?:|src=|<script|<link|url\(|@import' "$TMP/r.html"; then
	no "the HTML refers to nothing outside itself" "$(grep -oiE '.{20}(https?:|src=|<script|<link|url\(|@import).{20}' "$TMP/r.html" | head -n 3)"
else
	ok "the HTML refers to nothing outside itself"
fi

if ! command -v chromium >/dev/null 2>&1; then
	no "chromium is installed (scripts/install-deps.sh installs Debian's chromium)"
	exit 0
fi
ok "chromium is installed"
timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$TMP/r.html" \
	>"$TMP/dom.html" 2>"$TMP/chromium.err"
st=$?
if [ "$st" = 0 ] && grep -q '<svg' "$TMP/dom.html"; then
	ok "headless chromium renders the report"
else
	no "headless chromium renders the report" "exit $st: $(tail -n 2 "$TMP/chromium.err")"
	exit 0
fi

python3 - "$TMP/r.json" "$TMP/dom.html" <<'EOF'
import json
import sys
from html.parser import HTMLParser

report = json.load(open(sys.argv[1]))


class Dom(HTMLParser):
    """The numbers of the rendered page: cells by data-key, bars and points."""

    def __init__(self):
        super().__init__()
        self.stack = []  # (tag, attrs) of open elements
        self.totals = {}
        self.scopes = {}  # name -> {"bars": [...], "classes": {(hook, reason): count}}
        self.points = []
        self.cell = None
        self.text = ""

    def within(self, tag, cls=None):
        for t, a in reversed(self.stack):
            if t == tag and (cls is None or cls in (a.get("class") or "").split()):
                return a
        return None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ("meta", "br", "line", "circle", "rect"):
            self.stack.append((tag, a))
        scope = self.within("section", "scope")
        if tag == "rect" and "bar" in (a.get("class") or "").split():
            if scope is not None and self.within("svg", "violations") is not None:
                self.scopes.setdefault(scope["data-scope"], {"bars": [], "classes": {}})[
                    "bars"].append(int(a["data-value"]))
        if tag == "circle" and "point" in (a.get("class") or "").split():
            if self.within("svg", "timeline") is not None:
                self.points.append(a.get("data-time"))
        if tag == "td" and "data-key" in a:
            self.cell = a["data-key"]
            self.text = ""

    def handle_endtag(self, tag):
        if tag == "td" and self.cell:
            value = int(self.text.strip())
            if self.within("table", "totals") is not None:
                self.totals[self.cell] = value
            row = self.within("tr", "class")
            scope = self.within("section", "scope")
            if row is not None and scope is not None and self.cell == "count":
                s = self.scopes.setdefault(scope["data-scope"], {"bars": [], "classes": {}})
                s["classes"][(row["data-hook"], row["data-reason"])] = value
            self.cell = None
        while self.stack and tag not in ("meta", "br", "line", "circle", "rect"):
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if self.cell:
            self.text += data


dom = Dom()
dom.feed(open(sys.argv[2]).read())
failed = 0


def check(name, got, want):
    global failed
    if got == want:
        print("ok - " + name)
    else:
        failed += 1
        print("not ok - " + name)
        print("#   rendered %r, JSON %r" % (got, want))


t = report["totals"]
for key in ("violations", "deny", "kill", "audit", "rate_suppressed", "events_dropped",
            "reloads", "reloads_failed", "killswitch_changes"):
    check("rendered total '%s' is the JSON's" % key, dom.totals.get(key), t[key])
check("rendered 'lines' is the JSON's", dom.totals.get("lines"), report["input"]["lines"])
check("rendered 'malformed' is the JSON's", dom.totals.get("malformed"),
      report["input"]["malformed"])
# What the input holds, so the comparison cannot pass on two empty reports.
check("the report counts the 5 violations of the input", t["violations"], 5)
check("the report counts the malformed line", report["input"]["malformed"], 1)
check("hourly buckets over three hours", len(report["window"]["buckets"]), 3)

check("a section per scope", sorted(dom.scopes), sorted(s["name"] for s in report["scopes"]))
for s in report["scopes"]:
    r = dom.scopes.get(s["name"], {"bars": [], "classes": {}})
    check("scope %s: a bar per bucket" % s["name"], len(r["bars"]),
          len(report["window"]["buckets"]))
    check("scope %s: the bars are the JSON's series" % s["name"], r["bars"],
          s["violations"]["series"])
    check("scope %s: the class counts are the JSON's" % s["name"], r["classes"],
          {(c["hook"], c["reason"]): c["count"] for c in s["violations"]["classes"]})
check("scope vllm's series", next(s for s in report["scopes"] if s["name"] == "vllm")
      ["violations"]["series"], [2, 0, 1])
check("a timeline point per reload and kill switch change", len(dom.points),
      len(report["reloads"]) + len(report["killswitch"]["changes"]))
check("the timeline has the 4 points of the input", len(dom.points), 4)
sys.exit(0)
EOF
