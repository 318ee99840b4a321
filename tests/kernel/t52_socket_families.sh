# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# The network beyond connect and sendto: socket families and types, the send
# paths and options that could make a packet's destination differ from the
# one checked, and sockets passed in from outside the scope.
. tests/kernel/routes_lib.sh
PORT_UNLISTED=18446 # in no egress list (t70 counts the events of PORT_DENIED)

# --- IPv4 and IPv6: TCP and UDP only (cgroup/sock_create, both engines) -----------------
# name family type protocol
while read -r name f t p; do
	rt_both "$name socket in a scope: EPERM" 'errno EPERM' "$ROUTE" socket "$f" "$t" "$p"
	"$ROUTE" socket "$f" "$t" "$p" >"$TMP/out" 2>/dev/null
	check "$name socket outside every scope is made as before" grep -qx 'ok socket' "$TMP/out"
done <<LIST
raw-IPv4 2 3 1
raw-IPv6 10 3 58
MPTCP 2 1 262
UDP-Lite 2 2 136
LIST
check "event for a refused socket" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"socket"' '"verdict":"deny"' '"reason":"socket"'
# ICMP "ping" sockets: only for the groups in ping_group_range; widened for the test.
PING_RANGE=$(cat /proc/sys/net/ipv4/ping_group_range)
echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range
rt_both "ICMP ping socket in a scope: EPERM" 'errno EPERM' "$ROUTE" socket 2 2 1
"$ROUTE" socket 2 2 1 >"$TMP/out" 2>/dev/null
check "ICMP ping socket outside every scope is made" grep -qx 'ok socket' "$TMP/out"
echo "$PING_RANGE" >/proc/sys/net/ipv4/ping_group_range
rt_both "a TCP socket in a scope is made" 'ok socket' "$ROUTE" socket 2 1 0
rt_both "a UDP over IPv6 socket in a scope is made" 'ok socket' "$ROUTE" socket 10 2 0

# --- other families (lsm/socket_create; the socket() tracepoint on the fallback engine) ---
RT_ENGINE=$ENGINE_SOCKET
rt_refused "packet socket (AF_PACKET)" 'errno EPERM' "$ROUTE" socket 17 3 0
rt_refused "vsock socket (AF_VSOCK)" 'errno EPERM|errno EAFNOSUPPORT' "$ROUTE" socket 40 1 0
rt_refused "netfilter netlink (nftables: NAT could redirect a listed destination)" 'errno EPERM' \
	"$ROUTE" socket 16 3 12
RT_ENGINE=
rt_both "routing netlink (getaddrinfo, getifaddrs) is still made" 'ok socket' "$ROUTE" socket 16 3 0
rt_both "a UNIX socket is still made" 'ok socket' "$ROUTE" socket 1 1 0
"$ROUTE" socket 17 3 0 >"$TMP/out" 2>/dev/null
check "packet socket outside every scope is made as before" grep -qx 'ok socket' "$TMP/out"
# Routing netlink may only query (links, routes and tunnels carry packets past
# the egress checks). In a network namespace of the helper's own, so where the
# change is made (the fallback engine: a named gap) it stays there.
for how in cg run; do
	rt_placed "$how" "$ROUTE" rtnl-newaddr
	case "$ENGINE_SOCKET" in
	bpf-lsm | fmod-ret) check "routing netlink: adding an address is refused ($how)" grep -qx 'errno EPERM' "$TMP/out" ;;
	*) check "routing netlink: adding an address is not seen on this engine, a named gap ($how)" \
		grep -qx 'ok added' "$TMP/out" ;;
	esac
done
rt_both "routing netlink: listing the addresses still works" 'ok listed' "$ROUTE" rtnl-getaddr

# --- send paths: the destination checked is the one the packet goes to ---------------------
rt_both "TCP fast open (sendto MSG_FASTOPEN) to a port not listed: EPERM" 'errno EPERM' \
	"$ROUTE" fastopen 127.0.0.1 "$PORT_UNLISTED"
rt_both "TCP fast open to a listed port passes the hook" 'errno ECONNREFUSED' \
	"$ROUTE" fastopen 127.0.0.1 "$PORT_OK"
rt_both "sendmmsg: the message to a port not listed is refused, the one before it sent" 'sent=1' \
	"$ROUTE" sendmmsg 127.0.0.1 "$PORT_UDP" "$PORT_UNLISTED"
rt_both "sendmmsg of two messages to a listed port sends both" 'sent=2' \
	"$ROUTE" sendmmsg 127.0.0.1 "$PORT_UDP" "$PORT_UDP"
rt_both "IPv4-mapped IPv6 connect to a port not listed: EPERM" 'errno EPERM' \
	"$ROUTE" connect-mapped 127.0.0.1 "$PORT_UNLISTED"
rt_both "IPv4-mapped IPv6 connect to a listed port passes" 'errno ECONNREFUSED' \
	"$ROUTE" connect-mapped 127.0.0.1 "$PORT_OK"
rt_both "UDP connect, AF_UNSPEC disconnect, send: no destination is left" 'errno EDESTADDRREQ' \
	"$ROUTE" unspec-send 127.0.0.1 "$PORT_UDP"
# Loose source routing: connect and sendmsg see 127.0.0.1, the header names the hop.
rt_both "IPv4 source route to an unlisted first hop: the packet is refused (backstop)" 'errno EPERM' \
	"$ROUTE" lsrr-send 127.0.0.1 "$PORT_UDP" 127.0.0.2
"$ROUTE" lsrr-send 127.0.0.1 "$PORT_UDP" 127.0.0.2 >"$TMP/out" 2>/dev/null
check "the same send outside every scope goes out" grep -qx 'ok sent' "$TMP/out"
rt_both "a plain UDP send to a listed port still goes out past the backstop" 'ok sent' \
	"$TRY" sendto 127.0.0.1 "$PORT_UDP"
check "event for the packet the backstop refused" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"skb_egress"' '"verdict":"deny"' '"addr":"127.0.0.2"'

# The backstop passes a connected socket's packets and a server's replies.
# listening PORT: a TCP socket listens on 127.0.0.1:PORT (state 0A in /proc/net/tcp).
listening() { grep -q "0100007F:$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp; }
for how in cg run; do
	"$ROUTE" tcp-serve "$PORT_OK" 30 >"$TMP/srv" 2>/dev/null &
	spid=$!
	wait_for 10 listening "$PORT_OK"
	rt_placed "$how" "$ROUTE" tcp-client 127.0.0.1 "$PORT_OK"
	check "TCP to a listed port exchanges data ($how)" grep -qx 'ok got=hi' "$TMP/out"
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	rt_placed "$how" "$ROUTE" tcp-serve 18450 30 >/dev/null &
	spid=$!
	wait_for 10 sh -c "'$ROUTE' tcp-client 127.0.0.1 18450 >'$TMP/cli' 2>/dev/null"
	wait "$spid" 2>/dev/null
	check "a TCP server in the scope still answers a client outside it ($how)" \
		grep -qx 'ok got=hi' "$TMP/cli"
done

# --- sockets passed in from outside the scope (their cgroup hooks are not the scope's) ------
# serve KIND ARGS...: a server outside the scope passes a descriptor of KIND to every caller.
serve() {
	"$ROUTE" fd-serve "$TMP/sockets/fd.sock" 60 "$@" >/dev/null 2>&1 &
	SPID=$!
	wait_for 5 [ -S "$TMP/sockets/fd.sock" ]
}
unserve() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; rm -f "$TMP/sockets/fd.sock"; }
serve udp 127.0.0.1 "$PORT_UNLISTED"
RT_ENGINE=$ENGINE_RECEIVE
rt_refused "a UDP socket connected outside the scope, passed in" 'denied no-fd' "$ROUTE" recv-use "$TMP/sockets/fd.sock"
RT_ENGINE=
unserve
serve unix
rt_both "a UNIX socket passed in still arrives" 'ok socket' "$ROUTE" recv-use "$TMP/sockets/fd.sock"
unserve
serve tcp-listen
rt_both "a listening TCP socket passed in (socket activation) still arrives" 'ok socket' \
	"$ROUTE" recv-use "$TMP/sockets/fd.sock"
unserve
