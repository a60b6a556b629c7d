# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# tests/qemu/netlib.sh - a private network for the network-boot tests,
# sourced after tests/qemu/lib.sh.  Everything lives in a network namespace
# the test creates and deletes: a bridge (10.77.0.1/24), one tap per machine,
# dnsmasq (DHCP + TFTP, iso/pxe/dnsmasq.conf's settings) and nginx (WebDAV,
# iso/pxe/nginx.conf).  Nothing is sent to any other address.
#
#   net_prereq                     skip the test unless dnsmasq, nginx, make pxe's folder are there
#   net_setup PXEDIR               namespace, bridge, dnsmasq serving PXEDIR; sets NET_NS, QEMU_WRAP
#   net_tap NAME                   a tap device on the bridge
#   net_web_start / net_web_stop   nginx on 10.77.0.1:80 with PXEDIR as its prefix
#   net_proxy                      another DHCP server on the segment (10.77.0.2, in a second namespace
#                                  joined to the bridge), and the laptop's dnsmasq switched to the
#                                  proxy lines of iso/pxe/dnsmasq.conf
NET_ADDR=10.77.0.1

net_prereq() {
	n_why=""
	for n_t in dnsmasq nginx ip; do command -v "$n_t" >/dev/null || n_why="$n_why $n_t"; done
	[ -f "$TOP/build/pxe/pxelinux.0" ] || n_why="$n_why build/pxe (make pxe)"
	[ "$(id -u)" -eq 0 ] || n_why="$n_why root"
	if [ -n "$n_why" ]; then
		skip "network boot tests" "missing:$n_why"
		t_done; exit
	fi
}

net_setup() {
	NET_DIR=$1
	chmod 755 "$T"	# nginx's workers (user nobody) read and write below it
	NET_NS=rescue-pxe-$$
	ip netns add "$NET_NS" || return 1
	t_on_exit "net_teardown"
	QEMU_WRAP="ip netns exec $NET_NS"
	$QEMU_WRAP sh -c "ip link set lo up && ip link add br0 type bridge &&
		ip addr add $NET_ADDR/24 dev br0 && ip link set br0 up" || return 1
	# dnsmasq with the shipped file, on the bridge, logging to the test
	sed -e 's/^interface=.*/interface=br0/' "$TOP/iso/pxe/dnsmasq.conf" >"$T/dnsmasq.conf"
	$QEMU_WRAP dnsmasq --conf-file="$T/dnsmasq.conf" --tftp-root="$NET_DIR" --log-dhcp \
		--log-facility="$T/dnsmasq.log" --dhcp-leasefile="$T/dnsmasq.leases" --pid-file="$T/dnsmasq.pid" \
		--user=root || return 1
}

net_proxy() {
	[ -s "$T/dnsmasq.pid" ] && kill "$(cat "$T/dnsmasq.pid")" 2>/dev/null
	sleep 0.5
	NET_NS2=rescue-dhcp-$$
	ip netns add "$NET_NS2" || return 1
	ip link add vdhcp0 type veth peer name vdhcp1 || return 1
	ip link set vdhcp0 netns "$NET_NS" && ip link set vdhcp1 netns "$NET_NS2" || return 1
	$QEMU_WRAP sh -c "ip link set vdhcp0 master br0 && ip link set vdhcp0 up" || return 1
	ip netns exec "$NET_NS2" sh -c "ip link set lo up && ip addr add 10.77.0.2/24 dev vdhcp1 && ip link set vdhcp1 up" ||
		return 1
	# the building's own DHCP server: addresses, nothing about booting
	ip netns exec "$NET_NS2" dnsmasq --port=0 --interface=vdhcp1 --bind-interfaces \
		--dhcp-range=10.77.0.150,10.77.0.199,255.255.255.0,1h --dhcp-option=3,10.77.0.1 \
		--log-facility="$T/dhcp-other.log" --dhcp-leasefile="$T/dhcp-other.leases" --pid-file="$T/dhcp-other.pid" \
		--user=root || return 1
	# the laptop: the shipped file with its proxy lines instead of the three full-DHCP ones
	sed -e 's/^interface=.*/interface=br0/' \
	    -e '/^dhcp-range=10\.77\.0\.100/s/^/#/' -e '/^dhcp-boot=/s/^/#/' \
	    -e 's/^#\(dhcp-range=10\.77\.0\.0,proxy\)/\1/' -e 's/^#\(pxe-service=\)/\1/' \
	    "$TOP/iso/pxe/dnsmasq.conf" >"$T/dnsmasq-proxy.conf"
	$QEMU_WRAP dnsmasq --conf-file="$T/dnsmasq-proxy.conf" --tftp-root="$NET_DIR" --log-dhcp \
		--log-facility="$T/dnsmasq.log" --dhcp-leasefile="$T/dnsmasq.leases" --pid-file="$T/dnsmasq.pid" \
		--user=root
}

net_tap() {
	$QEMU_WRAP sh -c "ip tuntap add dev $1 mode tap && ip link set $1 master br0 && ip link set $1 up"
}

net_web_start() {
	# the shipped file; only the address it listens on is the test's
	sed -e "s/listen 80;/listen $NET_ADDR:80;/" -e "s|^pid nginx.pid;|pid $T/nginx.pid;|" \
		"$TOP/iso/pxe/nginx.conf" >"$T/nginx.conf"
	$QEMU_WRAP nginx -p "$NET_DIR/" -e "$T/nginx-start.log" -c "$T/nginx.conf" || return 1
	n_i=0
	while [ ! -s "$T/nginx.pid" ] && [ $n_i -lt 50 ]; do sleep 0.1; n_i=$((n_i + 1)); done
	[ -s "$T/nginx.pid" ]
}

net_web_stop() {
	[ -s "$T/nginx.pid" ] || return 0
	kill "$(cat "$T/nginx.pid")" 2>/dev/null
	n_i=0
	while [ -s "$T/nginx.pid" ] && [ $n_i -lt 50 ]; do sleep 0.1; n_i=$((n_i + 1)); done
	rm -f "$T/nginx.pid"
}

net_teardown() {
	net_web_stop
	[ -s "$T/dnsmasq.pid" ] && kill "$(cat "$T/dnsmasq.pid")" 2>/dev/null
	[ -n "${NET_NS:-}" ] && ip netns pids "$NET_NS" 2>/dev/null | xargs -r kill 2>/dev/null
	[ -n "${NET_NS:-}" ] && ip netns del "$NET_NS" 2>/dev/null
	[ -s "$T/dhcp-other.pid" ] && kill "$(cat "$T/dhcp-other.pid")" 2>/dev/null
	[ -n "${NET_NS2:-}" ] && ip netns del "$NET_NS2" 2>/dev/null
	return 0
}
