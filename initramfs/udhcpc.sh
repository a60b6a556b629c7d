#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# initramfs/udhcpc.sh - busybox udhcpc's event script in the boot image:
# put the address, route and name servers of the DHCP answer in place.
# udhcpc passes the answer in the environment (interface, ip, mask, router,
# dns).  Only numbers reach `ip`: a hostile DHCP server gets nothing run.
# shellcheck disable=SC2154 # interface, ip, mask, router, dns come from udhcpc
case $1 in
deconfig)
	ip -4 addr flush dev "$interface" 2>/dev/null
	ip link set "$interface" up ;;
bound|renew)
	case $ip$mask in *[!0-9.]*) exit 1 ;; esac
	ip -4 addr flush dev "$interface" 2>/dev/null
	ip -4 addr add "$ip/${mask:-24}" dev "$interface" || exit 1
	for r in $router; do
		case $r in *[!0-9.]*) continue ;; esac
		ip -4 route add default via "$r" dev "$interface" 2>/dev/null && break
	done
	: >/etc/resolv.conf
	for d in $dns; do
		case $d in *[!0-9.]*) continue ;; esac
		echo "nameserver $d" >>/etc/resolv.conf
	done ;;
esac
exit 0
