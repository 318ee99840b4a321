# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# --- cross-hook narrowing: loading licensed weights narrows a process's egress --------
# The scope may reach 127.0.0.1:PORT_OK/tcp and PORT_UDP/udp; lic-long, under
# which licensed-70b loads, allows only PORT_UDP/udp.
LICENSED=$TMP/models/licensed/model.safetensors
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_OK" >/dev/null
check "narrowing: before loading, the scope's tcp port is reachable" grep -qx 'errno ECONNREFUSED' "$TMP/out"
try_in_scope "$TMP/out" load-then "$LICENSED" connect 127.0.0.1 "$PORT_OK" >/dev/null
check "narrowing: after loading licensed weights, the same connect: EPERM" grep -qx 'errno EPERM' "$TMP/out"
check "event says the licence narrowed it" wait_for 5 has_line "$TMP/events.jsonl" \
	'"reason":"narrowed-by-license"' "\"port\":$PORT_OK"
try_in_scope "$TMP/out" load-then "$LICENSED" sendto 127.0.0.1 "$PORT_UDP" >/dev/null
check "narrowing: what the licence allows still works" grep -qx 'ok sent' "$TMP/out"
try_in_scope "$TMP/out" load-then "$LICENSED" fork connect 127.0.0.1 "$PORT_OK" >/dev/null
check "narrowing: a child of the narrowed process inherits it" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" load-then "$TMP/models/small/model.gguf" connect 127.0.0.1 "$PORT_OK" >/dev/null
check "narrowing: loading a general model narrows nothing" grep -qx 'errno ECONNREFUSED' "$TMP/out"
