#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `rescue upload` (the network boot hands its reports in) against nginx with
# the shipped iso/pxe/nginx.conf, in a network namespace this test makes:
# files arrive byte for byte (cmp), names are percent-encoded, a refused PUT
# and a server that is down are said in one line with their exit codes, and
# an upload cut half-way never shows as a report (nginx renames a PUT body
# into place only when it is complete).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/qemu/netlib.sh
. "$TOP/tests/qemu/netlib.sh"

if ! command -v nginx >/dev/null || [ "$(id -u)" -ne 0 ]; then
	skip "rescue upload against nginx" "needs nginx (tests/deps.sh) and root (a network namespace)"
	t_done; exit
fi
mkdir -p "$T/web/rescue/reports" "$T/web/rescue/conf" "$T/web/.nginx-tmp"
chmod 1777 "$T/web/rescue/reports" "$T/web/.nginx-tmp"
# net_setup without dnsmasq: the namespace and the bridge are all this needs
NET_DIR=$T/web; export NET_DIR	# read by net_web_start
chmod 755 "$T"
NET_NS=rescue-up-$$
ip netns add "$NET_NS" || { not_ok "network namespace"; t_done; exit; }
t_on_exit "net_teardown"
QEMU_WRAP="ip netns exec $NET_NS"
$QEMU_WRAP sh -c "ip link set lo up && ip link add br0 type bridge && ip addr add $NET_ADDR/24 dev br0 && ip link set br0 up"
expect "nginx starts with iso/pxe/nginx.conf" net_web_start
URL=http://$NET_ADDR/rescue/reports/

head -c 300000 /dev/urandom >"$T/PC-1-20261203T101010Z-525400000001.json"
printf 'report\n' >"$T/PC-1-20261203T101010Z-525400000001.txt"
printf 'odd\n' >"$T/we ird+name%.txt"
$QEMU_WRAP "$RESCUE" upload "$URL" "$T/PC-1-20261203T101010Z-525400000001.json" \
	"$T/PC-1-20261203T101010Z-525400000001.txt" "$T/we ird+name%.txt" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out"
expect "upload: exit 0" test "$rc" -eq 0
expect "upload: the JSON arrived byte for byte (cmp)" cmp "$T/PC-1-20261203T101010Z-525400000001.json" \
	"$T/web/rescue/reports/PC-1-20261203T101010Z-525400000001.json"
expect "upload: the .txt arrived byte for byte (cmp)" cmp "$T/PC-1-20261203T101010Z-525400000001.txt" \
	"$T/web/rescue/reports/PC-1-20261203T101010Z-525400000001.txt"
expect "upload: an odd name arrives under its own name (percent-encoded on the way)" \
	cmp "$T/we ird+name%.txt" "$T/web/rescue/reports/we ird+name%.txt"
expect "upload: says what it sent" grep -q "^sent $T/PC-1-20261203T101010Z-525400000001.json" "$T/out"

# refused: conf/ takes no PUT (nginx answers 403)
$QEMU_WRAP "$RESCUE" upload "http://$NET_ADDR/rescue/conf/" "$T/we ird+name%.txt" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out"
expect "a refused PUT: exit 4, one line with the HTTP status" sh -c \
	'[ "$1" -eq 4 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "refused (HTTP 403)" "$2"' - "$rc" "$T/out"
expect "a refused PUT: nothing written in conf/" test -z "$(ls -A "$T/web/rescue/conf")"
expect_exit 2 "a URL that is not http://: usage error" $QEMU_WRAP "$RESCUE" upload "ftp://$NET_ADDR/" "$T/out"

# cut half-way: a PUT announcing 1000 bytes sends 500 and hangs up
$QEMU_WRAP /usr/bin/python3 - "$NET_ADDR" <<'PYEOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 80), timeout=10)
s.sendall(b"PUT /rescue/reports/CUT-20261203T101010Z-525400000009.json HTTP/1.1\r\nHost: x\r\n"
          b"Content-Length: 1000\r\nConnection: close\r\n\r\n" + b"{" * 500)
time.sleep(0.5)
s.close()
PYEOF
sleep 1
expect "an upload cut half-way leaves no report behind" test ! -e "$T/web/rescue/reports/CUT-20261203T101010Z-525400000009.json"

net_web_stop
$QEMU_WRAP timeout 60 "$RESCUE" upload "$URL" "$T/PC-1-20261203T101010Z-525400000001.txt" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out"
expect "server down: exit 3, one line naming the server" sh -c \
	'[ "$1" -eq 3 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "report server 10.77.0.1:80 unreachable" "$2"' - "$rc" "$T/out"
t_done
