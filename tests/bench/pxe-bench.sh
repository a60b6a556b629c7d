#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/pxe-bench.sh - a building at a time, in figures (make bench,
# issue 18): two machines boot over the network at once under TCG, the BIOS
# one through pxelinux, the UEFI one with Secure Boot through shim and GRUB
# (tests/qemu/netlib.sh, the same network as tests/qemu/t0300-pxe.sh), run
# unattended on copies of the infected test image and hand in their reports.
# For each machine:
#   PXE start     its first DHCP request (dnsmasq's log, stamped as it comes)
#   verdict       its JSON report handed in (the PUT's end in nginx's log)
#   power-off     its QEMU exits
#   TFTP          first file sent to the initramfs sent; dnsmasq logs only
#                 the end of a transfer, so this span also holds the boot
#                 loaders' own work between files, less the time the boot
#                 menu stood (it is answered at once, hotkey u)
#   HTTP          nginx's $request_time summed over the machine's requests
#                 (settings, rule sets, reports)
# and the transfers' share of PXE start to verdict.  Figures only: no
# pass or fail on speed.  Needs root, dnsmasq, nginx and make pxe's folder.
# Two machines at once under TCG on two cores take several minutes each.
QEMU_TIMEOUT=${QEMU_TIMEOUT:-1200}
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/../qemu/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$TOP/tests/qemu/autolib.sh"
# shellcheck source=tests/qemu/netlib.sh
. "$TOP/tests/qemu/netlib.sh"
qemu_prereq
net_prereq

now() { date +%s.%N; }

auto_images win10-gpt && t_image win10-gpt "$IMAGES/twin.img" || { echo "pxe-bench: the infected image" >&2; exit 1; }
net_folder
net_setup "$T/pxe" && net_web_start || { echo "pxe-bench: network namespace, dnsmasq, nginx" >&2; exit 1; }
net_pair "$IMAGES/win10-gpt.img" "$IMAGES/twin.img" || { echo "pxe-bench: tap devices" >&2; exit 1; }

# shellcheck disable=SC2154 # q_menu_re is lib.sh's (the boot menus' last title)
# menu_now NAME KEY: when NAME's boot menu is on its serial console, press
# KEY; $T/NAME.menu gets the time it was seen and the time KEY went.
menu_now() {
	m_i=0
	until tr -d '\r' <"$T/$1.log" | grep -Eq "$q_menu_re"; do
		[ $m_i -lt 1200 ] || return 1
		sleep 0.2; m_i=$((m_i + 1))
	done
	m_seen=$(now)
	sleep 1	# as qemu_menu: the loader reads keys once the menu is drawn
	printf '%s' "$2" >"$T/$1.in"
	echo "$m_seen $(now)" >"$T/$1.menu"
}
menu_now pxe-bios u &
menu_bios=$!
menu_now pxe-uefi u &
menu_uefi=$!
net_pair_wait
wait "$menu_bios" "$menu_uefi"	# not dnsmasq's log job, which runs until the end

# figures MACHINE MAC: one line of figures from the logs
figures() {
	f_tag=$(echo "$2" | tr -d ':')
	f_pxe=$(awk -v mac="$2" '/DHCPDISCOVER/ && index($0, mac) { print $1; exit }' "$T/dnsmasq.log")
	f_ip=$(awk -v mac="$2" '/DHCPACK/ && index($0, mac) { for (i = 1; i < NF; i++) if ($(i + 1) == mac) { print $i; exit } }' \
		"$T/dnsmasq.log")
	f_linux=$(tr -d '\r' <"$T/$1.log" | sed -n "s/^rescue: network [^ ]* ($2): \([0-9.]*\)\/.*/\1/p" | head -n 1)
	f_tftp=$(awk -v ip="$f_ip" '/dnsmasq-tftp/ && / sent / && $NF == ip { if (!first) first = $1; last = $1 }
		END { if (first) printf "%s %s", first, last }' "$T/dnsmasq.log")
	f_verdict=$(awk -v ip="$f_linux" -v tag="-$f_tag.json" '$3 == ip && /"PUT / && index($0, tag) { print $1; exit }' \
		"$NET_DIR/nginx-access.log")
	f_http=$(awk -v ip="$f_linux" '$3 == ip { s += $2; n++ } END { printf "%.1f %d", s, n }' "$NET_DIR/nginx-access.log")
	f_off=$(cat "$T/$1.off" 2>/dev/null)
	f_menu=$(awk '{ printf "%.1f", $2 - $1 }' "$T/$1.menu" 2>/dev/null)
	if [ -z "$f_pxe" ] || [ -z "$f_tftp" ] || [ -z "$f_verdict" ]; then
		echo "pxe-bench: $1 ($2): no figures (PXE start '$f_pxe', TFTP '$f_tftp', report '$f_verdict'; see its log)"
		return
	fi
	awk -v m="$1" -v mac="$2" -v pxe="$f_pxe" -v tftp="$f_tftp" -v v="$f_verdict" -v off="$f_off" \
		-v http="$f_http" -v menu="${f_menu:-0}" 'BEGIN {
		split(tftp, t, " "); split(http, h, " ")
		tf = t[2] - t[1] - menu; run = v - pxe
		printf "pxe-bench: %s (%s): PXE start to verdict %.1f s, to power-off %s s\n", m, mac, run,
			off ? sprintf("%.1f", off - pxe) : "?"
		printf "pxe-bench: %s: TFTP %.1f s (first file to initramfs, less the menu'"'"'s %.1f s), HTTP %.1f s in %d requests: transfers %.1f s, %.0f%% of PXE start to verdict\n",
			m, tf, menu, h[1], h[2], tf + h[1], (run > 0 ? 100 * (tf + h[1]) / run : 0)
	}'
}

echo "pxe-bench: two machines at once from the network, under TCG ($(nproc) CPUs, shared)"
figures pxe-bios "$NET_MAC1"
figures pxe-uefi "$NET_MAC2"
first=$(awk '/DHCPDISCOVER/ { print $1; exit }' "$T/dnsmasq.log")
last=$(cat "$T/pxe-bios.off" "$T/pxe-uefi.off" 2>/dev/null | sort -n | tail -n 1)
[ -n "$first" ] && [ -n "$last" ] &&
	awk -v a="$first" -v b="$last" 'BEGIN { printf "pxe-bench: both: first PXE start to last power-off %.1f s\n", b - a }'
t_done
