#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Secure Boot (shim, signed GRUB and kernel) boots the stick, unattended, on
# a PC with two disks: a clean Windows 10 (SATA) and a hibernated one
# (virtio).  The clean one is GREEN (its report on its disk and on the
# stick); the hibernated one is YELLOW and its disk byte for byte what it
# was; the machine's verdict is YELLOW.  autoruns = off keeps the boot short.
# shellcheck disable=SC2154 # t_loop is set by tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$(dirname "$0")/autolib.sh"
qemu_prereq
if [ "$(id -u)" -ne 0 ]; then skip "Secure Boot QEMU test" "needs root (test images: loop devices, FUSE)"; t_done; exit; fi

auto_images clean hibernated || not_ok "build the images"
sha256sum "$IMAGES/hibernated.img" >"$T/hib.sum"
auto_stick "$T/stick.img" autoruns=off
auto_boot secboot secboot u "$T/stick.img" "sata:$IMAGES/clean.img:rw" "virtio:$IMAGES/hibernated.img:rw"; rc=$?
if [ "$rc" -eq 0 ]; then ok "Secure Boot, unattended, clean + hibernated disks: the run ends and powers off"; else not_ok "Secure Boot, unattended, clean + hibernated disks: the run ends and powers off"; qemu_show; fi
echo "# boot to power-off: ${auto_secs:-?} s"
expect "the kernel says Secure Boot is enabled" grep -aq 'Secure boot enabled' "$QEMU_LOG"
expect "serial console: the clean disk (SATA) is GREEN" auto_log_has '^rescue: verdict sd[a-z]3 \(DESKTOP-M3OSHQU\): GREEN'
expect "serial console: the hibernated disk (virtio) is YELLOW" auto_log_has '^rescue: verdict vda3 \(DESKTOP-M3OSHQU\): YELLOW'
expect "serial console: it says why" auto_log_has 'hibernated \(Windows would resume over any change\)' 
v=$(auto_verdict)
expect "serial console: $v" test "$v" != "${v#rescue: VERDICT YELLOW}"
expect "sha256sum: the hibernated disk is byte-identical" sha256sum -c "$T/hib.sum"
t_attach "$IMAGES/clean.img" 3
rep=$(ntfsls "$t_loop" -p /Rescue/reports | grep '\.json$' | head -n 1)
ntfscat "$t_loop" "Rescue/reports/$rep" >"$T/clean.json"
t_detach
expect "the report on the clean disk says GREEN" test \
	"$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$T/clean.json" 2>&1)" = GREEN
n=$(stick_ls "$T/stick.img" reports | grep -c 'DESKTOP-M3OSHQU-.*\.json')
expect "mtools: two reports on the RESCUE partition ($n)" test "$n" -eq 2
t_done
