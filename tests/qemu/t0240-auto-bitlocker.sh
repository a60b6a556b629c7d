#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# An infected Windows 10 disk encrypted with BitLocker (bitlocker-win10),
# unattended.  With Windows' "BitLocker Recovery Key <ID>.TXT" in the stick's
# keys/ folder the boot image's dislocker opens it: RED, contained and
# quarantined inside the encrypted volume, judged from the host by opening
# it with dislocker and reading with hivexget, ntfscat and ntfsls.  Without
# the key: YELLOW "needs recovery key <ID>", the disk byte-identical.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$(dirname "$0")/autolib.sh"
qemu_prereq
if [ "$(id -u)" -ne 0 ]; then skip "BitLocker QEMU test" "needs root (test images: loop devices, FUSE)"; t_done; exit; fi
if ! command -v dislocker >/dev/null; then skip "BitLocker QEMU test" "dislocker is not installed (host check)"; t_done; exit; fi

auto_images bitlocker-win10 || not_ok "build the encrypted infected image"
ID=$(cut -d, -f1 "$IMAGES/bitlocker-win10.img.key") KEY=$(cut -d, -f2 "$IMAGES/bitlocker-win10.img.key")
TXT="$IMAGES/BitLocker Recovery Key $ID.TXT"

# --- without a key: YELLOW, the disk byte-identical
cp --sparse=always "$IMAGES/bitlocker-win10.img" "$T/disk.img"
sum0=$(sha256sum "$T/disk.img" | cut -d' ' -f1)
auto_stick "$T/stick.img"
auto_boot bl-nokey bios u "$T/stick.img" "sata:$T/disk.img:rw"; rc=$?
if [ "$rc" -eq 0 ]; then ok "no key: the run ends and powers off"; else not_ok "no key: the run ends and powers off"; qemu_show; fi
v=$(auto_verdict)
expect "no key: serial console: $v" test "$v" != "${v#rescue: VERDICT YELLOW}"
expect "no key: the serial console says 'needs recovery key $ID'" auto_log_has "needs recovery key $ID"
expect "no key: the disk byte-identical (sha256sum)" test "$(sha256sum "$T/disk.img" | cut -d' ' -f1)" = "$sum0"

# --- the key file in the stick's keys/: RED, written inside the encrypted volume
cp --sparse=always "$IMAGES/bitlocker-win10.img" "$T/disk.img"
auto_stick "$T/stick.img"
off=$(rescue_part_offset "$T/stick.img")
mmd -i "$T/stick.img@@$off" ::/keys && mcopy -i "$T/stick.img@@$off" "$TXT" "::/keys/BitLocker Recovery Key $ID.TXT" ||
	not_ok "put the key file on the stick"
auto_boot bl-key bios u "$T/stick.img" "sata:$T/disk.img:rw"; rc=$?
if [ "$rc" -eq 0 ]; then ok "key on the stick: the run ends and powers off"; else not_ok "key on the stick: the run ends and powers off"; qemu_show; fi
v=$(auto_verdict)
expect "key on the stick: serial console: $v" test "$v" != "${v#rescue: VERDICT RED DESKTOP-M3OSHQU=RED}"
expect "key on the stick: the key never on the serial console" sh -c '! grep -aqF -e "$2" "$1"' - "$QEMU_LOG" "$KEY"

dmnt=$T/dis
mkdir -p "$dmnt"
t_on_exit "umount '$dmnt' 2>/dev/null"
t_attach "$T/disk.img" 3
if timeout 120 dislocker -r -V "$t_loop" -p"$KEY" -- "$dmnt" >/dev/null 2>&1; then
	vol=$dmnt/dislocker-file
	ntfscat "$vol" Windows/System32/config/SYSTEM >"$T/SYSTEM"
	expect "host (dislocker + hivexget): Schedule Start = 4" test \
		"$(hivexget "$T/SYSTEM" '\ControlSet001\Services\Schedule' Start)" = 4
	left=0 n=0
	while IFS="$(printf '\t')" read -r path _; do
		n=$((n + 1)) f=${path%%:*}
		if ntfscat -q "$vol" "$f" >/dev/null 2>&1; then [ "$f" != "$path" ] || left=$((left + 1)); fi
	done <"$IMAGES/bitlocker-win10.img.manifest"
	expect "host (ntfscat): none of the $n planted samples left ($left are)" test "$left" -eq 0
	expect "host (ntfsls): Rescue/quarantine holds them" test "$(ntfsls "$vol" -p /Rescue/quarantine | grep -c '\.bin$')" -ge "$n"
	rep=$(ntfsls "$vol" -p /Rescue/reports | grep '\.json$' | head -n 1)
	expect "host: the report names the key file and the key ID" sh -c '
		ntfscat "$1" "Rescue/reports/$2" | grep -q "unlocked with the recovery key from keys/BitLocker Recovery Key $3.TXT, key ID $3"' - "$vol" "$rep" "$ID"
	umount "$dmnt"
else
	not_ok "host: dislocker opens the volume after the run"
fi
t_detach
t_done
