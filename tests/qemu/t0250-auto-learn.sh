#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A fleet that learns (issue 15) as a technician meets it: ONE stick boots
# two PCs in turn (BIOS, "Rescue (unattended)", one SATA disk each).  The
# first (win7-mbr) has a dropper in a user's AppData/Roaming that only its
# random name flags, started by a Run value: the entry is disabled and the
# dropper's hash goes to the stick's learned/.  The second (clean, otherwise
# GREEN) holds the same bytes under a plain name: RED, found by the learned
# hash alone, the report saying where it was learned, the copy quarantined.
# Judged from the host: hivexget and ntfscat/ntfsls on the disks, mtools on
# the stick's RESCUE partition, python3's json.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$(dirname "$0")/autolib.sh"
. "$TOP/tests/fixtures/learn-lib.sh"
qemu_prereq
if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ]; then skip "learn QEMU test" "needs root (test images: loop devices, FUSE)"; t_done; exit; fi

auto_images win7-mbr clean || not_ok "build the test images"
learn_dropper "$T/dropper.bytes"
dsum=$(sha256sum <"$T/dropper.bytes" | cut -c1-64)
plain=Users/Public/Documents/notes.dat
learn_plant "$IMAGES/win7-mbr.img" 2 "$T/dropper.bytes" || not_ok "plant the dropper and its Run value (ntfs-3g, hivexregedit)"
learn_put "$IMAGES/clean.img" 3 "$T/dropper.bytes" "$plain" || not_ok "put the same bytes under a plain name (ntfs-3g)"
auto_stick "$T/stick.img"

# --- PC 1: the random name flags the Run entry, its target is learned
auto_run "PC 1" pc1 "$T/stick.img" "sata:$IMAGES/win7-mbr.img:rw"
expect "PC 1: serial console: $v" test "$v" != "${v#rescue: VERDICT RED WKS-WIN732BITA=RED}"
t_attach "$IMAGES/win7-mbr.img" 2
ntfscat "$t_loop" Windows/System32/config/SOFTWARE >"$T/SOFTWARE"
t_detach
expect "PC 1: hivexget: the Run entry is disabled on the disk" sh -c \
	'test -s "$1" && ! hivexget "$1" "\\Microsoft\\Windows\\CurrentVersion\\Run" "$2"' - "$T/SOFTWARE" "$LEARN_RUN"
lf=$(stick_ls "$T/stick.img" learned | grep -o 'WKS-WIN732BITA-[0-9TZ]*-hashes\.txt' | head -n 1)
line=$(stick_cat "$T/stick.img" "learned/$lf" | tr -d '\r' | grep "^$dsum;")
stamp=$(printf '%s\n' "$line" | sed -n 's/^[0-9a-f]*;learned from WKS-WIN732BITA at \([0-9]*T[0-9]*Z\): .*/\1/p')
expect "PC 1: mtools: the stick's learned/${lf:-?} has the dropper's SHA-256 (sha256sum) and its entry" \
	test -n "$stamp" -a "$line" = "$dsum;learned from WKS-WIN732BITA at $stamp: $LEARN_DROPPER [autostart $LEARN_RUN]"

# --- PC 2: the same stick; the plain-named copy found by the learned hash
auto_run "PC 2" pc2 "$T/stick.img" "sata:$IMAGES/clean.img:rw"
expect "PC 2: serial console: $v" test "$v" != "${v#rescue: VERDICT RED DESKTOP-M3OSHQU=RED}"
t_attach "$IMAGES/clean.img" 3
expect "PC 2: ntfscat: the copy is gone from its place" sh -c '! ntfscat -q "$1" "$2" >/dev/null 2>&1' - "$t_loop" "$plain"
expect "PC 2: ntfsls: Rescue/quarantine holds it" sh -c 'ntfsls "$1" -p /Rescue/quarantine | grep -q "\.bin$"' - "$t_loop"
rep=$(ntfsls "$t_loop" -p /Rescue/reports | grep '\.json$' | head -n 1)
ntfscat "$t_loop" "Rescue/reports/$rep" >"$T/report.json"
t_detach
expect "PC 2: the report on the disk: the copy found by the learned hash, learned from WKS-WIN732BITA at ${stamp:-?}, quarantined" \
	test "$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
x = [x for x in d["detection_list"] if x["path"] == sys.argv[2]]
print(len(x) == 1 and x[0]["sha256"] == sys.argv[3] and x[0]["action"].startswith("quarantine") and
      any("learned from WKS-WIN732BITA at " + sys.argv[4] in m["description"] for m in x[0]["matches"]))' \
	"$T/report.json" "$plain" "$dsum" "$stamp" 2>&1)" = True
t_done
