#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The layer rule of userspace/ (docs/ARCHITECTURE.md), checked:
#   - a file includes only its own layer or lower ones, bottom up:
#     core policy license compile kernel daemon cli;
#   - only userspace/kernel/ includes libbpf (<bpf/...>) or the skeleton;
#   - no .c or .h file is over MAX_LINES lines.
# Prints each offence as FILE:LINE: what, and exits 1 if there is one.
#
#   scripts/check-layers.sh [MAX_LINES]   (default 600)
set -u
cd "$(dirname "$0")/.." || exit 1
MAX_LINES=${1:-600}
LAYERS="core policy license compile kernel daemon cli"

rank() {
	i=0
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo "$i"; return; }
		i=$((i + 1))
	done
	echo -1
}

bad=0
for f in $(find userspace -name '*.[ch]' | sort); do
	layer=${f#userspace/}
	layer=${layer%%/*}
	own=$(rank "$layer")
	if [ "$own" -lt 0 ]; then
		echo "$f: not in a layer folder ($LAYERS)"
		bad=1
		continue
	fi
	# Quoted includes name the layer: "kernel/loader.h". Others are the ABI
	# header (bpf/) or generated (the skeleton).
	out=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z]*/' "$f" |
		sed -E 's|^([0-9]+):[^"]*"([a-z]+)/.*|\1 \2|' |
		while read -r line dep; do
			r=$(rank "$dep")
			if [ "$r" -lt 0 ]; then
				echo "$f:$line: includes \"$dep/...\", which is not a layer"
			elif [ "$r" -gt "$own" ]; then
				echo "$f:$line: $layer includes $dep, a higher layer"
			fi
		done)
	[ -n "$out" ] && { echo "$out"; bad=1; }
	if [ "$layer" != kernel ]; then
		out=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](bpf/|[^">]*skel\.h)' "$f" |
			sed -E "s|^([0-9]+):.*|$f:\\1: libbpf or the skeleton outside userspace/kernel/|")
		[ -n "$out" ] && { echo "$out"; bad=1; }
	fi
	n=$(wc -l <"$f")
	if [ "$n" -gt "$MAX_LINES" ]; then
		echo "$f: $n lines, over $MAX_LINES"
		bad=1
	fi
done
if [ "$bad" -ne 0 ]; then
	echo "layers: FAIL"
	exit 1
fi
echo "layers: ok"
