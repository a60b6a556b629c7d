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
#   net_folder                     $T/pxe: a copy of make pxe's folder, no reports, its default.conf an
#                                  unattended run that powers off (console ttyS0)
#   net_pair IMAGE1 IMAGE2         the building: two machines at once, one BIOS (pxelinux, tap tapbios,
#                                  MAC 52:54:00:77:00:01) on IMAGE1 and one UEFI with Secure Boot (shim,
#                                  GRUB, tapuefi, MAC ...:02) on IMAGE2, each disk written (:rw); sets
#                                  bios_pid bios_log uefi_pid uefi_log; $T/NAME.off gets the time each
#                                  QEMU exits (pxe-bios, pxe-uefi)
#   net_pair_wait                  ok / not_ok for each: ran, handed in its reports, powered off
# Timestamps: dnsmasq's lines in $T/dnsmasq.log start with the time they came
# (seconds since the epoch, nanoseconds: dnsmasq's own have whole seconds, and
# TFTP logs only a transfer's end); nginx's access log ($NET_DIR/nginx-access.log)
# has the time each request ended ($msec) and how long it took ($request_time).
NET_ADDR=10.77.0.1
NET_MAC1=52:54:00:77:00:01
NET_MAC2=52:54:00:77:00:02

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
	net_dnsmasq "$T/dnsmasq.conf"
}

# net_stamped LOG: append stdin to LOG, each line after the time it came.
net_stamped() {
	while IFS= read -r n_line; do printf '%s %s\n' "$(date +%s.%N)" "$n_line"; done >>"$1"
}

# net_dnsmasq CONF: the laptop's dnsmasq with CONF, in the foreground of a
# background job, its log stamped into $T/dnsmasq.log; waits for its pid file.
net_dnsmasq() {
	rm -f "$T/dnsmasq.pid"
	$QEMU_WRAP dnsmasq --keep-in-foreground --conf-file="$1" --tftp-root="$NET_DIR" --log-dhcp \
		--log-facility=- --dhcp-leasefile="$T/dnsmasq.leases" --pid-file="$T/dnsmasq.pid" \
		--user=root 2>&1 | net_stamped "$T/dnsmasq.log" &
	n_i=0
	while [ ! -s "$T/dnsmasq.pid" ] && [ $n_i -lt 50 ]; do sleep 0.1; n_i=$((n_i + 1)); done
	[ -s "$T/dnsmasq.pid" ]
}

net_proxy() {
	[ -s "$T/dnsmasq.pid" ] && kill "$(cat "$T/dnsmasq.pid")" 2>/dev/null
	sleep 0.5
	NET_NS2=rescue-dhcp-$$
	ip netns add "$NET_NS2" || return 1
	# made inside the namespaces, so two tests at once cannot clash on the names
	$QEMU_WRAP ip link add vdhcp0 type veth peer name vdhcp1 netns "$NET_NS2" || return 1
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
	net_dnsmasq "$T/dnsmasq-proxy.conf"
}

net_tap() {
	$QEMU_WRAP sh -c "ip tuntap add dev $1 mode tap && ip link set $1 master br0 && ip link set $1 up"
}

net_web_start() {
	# the shipped file; the address it listens on and the access log's
	# timings are the test's
	n_fmt="log_format timed '\$msec \$request_time \$remote_addr \"\$request\" \$status \$request_length \$bytes_sent';"
	sed -e "s/listen 80;/listen $NET_ADDR:80;/" -e "s|^pid nginx.pid;|pid $T/nginx.pid;|" \
		-e "s|access_log nginx-access.log;|$n_fmt access_log nginx-access.log timed;|" \
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

net_folder() {
	cp -a "$TOP/build/pxe" "$T/pxe"
	rm -f "$T/pxe/rescue/reports/"*
	printf 'mode = auto\nafter = poweroff\nconsole = ttyS0\n' >"$T/pxe/rescue/conf/default.conf"
}

# net_offtime NAME PID: in the background, the time QEMU PID exits into $T/NAME.off
net_offtime() {
	( while kill -0 "$2" 2>/dev/null; do sleep 0.2; done; date +%s.%N >"$T/$1.off" ) &
}

# shellcheck disable=SC2154,SC2034 # qemu_pid is lib.sh's; the *_log are read through eval and by the caller
net_pair() {
	net_tap tapbios && net_tap tapuefi || return 1
	qemu_start pxe-bios bios "net:tapbios:$NET_MAC1" "sata:$1:rw"
	bios_pid=$qemu_pid bios_log=$QEMU_LOG
	net_offtime pxe-bios "$bios_pid"
	qemu_start pxe-uefi secboot "net:tapuefi:$NET_MAC2" "sata:$2:rw"
	uefi_pid=$qemu_pid uefi_log=$QEMU_LOG
	net_offtime pxe-uefi "$uefi_pid"
}

net_pair_wait() {
	for n_m in bios uefi; do
		eval "qemu_pid=\$${n_m}_pid QEMU_LOG=\$${n_m}_log"
		if qemu_wait 'rescue: reports sent to|rescue: the report stays' "${AUTO_TIMEOUT:-600}" && qemu_end 120; then
			ok "$n_m: booted from the network, ran, handed in its reports, powered off"
		else
			not_ok "$n_m: booted from the network, ran, handed in its reports, powered off"; qemu_show
		fi
	done
}
