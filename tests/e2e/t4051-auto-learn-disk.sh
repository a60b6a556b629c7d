#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A fleet that learns (issue 15), on disk images as the boot image sees a PC:
# two machines in sequence on one RESCUE stick folder.  Machine 1 (win7-mbr)
# gets a dropper in a user's AppData/Roaming whose only sin is its random
# name, started by a Run value; `rescue --disk IMG1 auto` disables the entry
# and learns the dropper's hash.  Machine 2 (win10-gpt) holds the same bytes
# under a plain name: `rescue --disk IMG2 auto` finds them by the learned hash
# alone, says where it was learned, and quarantines them.  Judged from the
# outside: ntfscat, ntfsls, hivexget, sha256sum, python3's json.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/learn-lib.sh"

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ]; then skip "learn --disk" "needs root (loop devices, FUSE)"; t_done; exit; fi
for tool in ntfs-3g ntfscat ntfsls hivexregedit hivexget sha256sum; do
	command -v $tool >/dev/null || { skip "learn --disk" "$tool missing"; t_done; exit; }
done
export RESCUE_RUNDIR="$T/run"
jq_py() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

t_image win7-mbr "$T/m1.img" || { not_ok "build win7-mbr"; t_done; exit 1; }
t_image win10-gpt "$T/m2.img" || { not_ok "build win10-gpt"; t_done; exit 1; }
STICK=$T/stick
mkdir -p "$STICK"
printf 'rescue_partition = %s\nreports_dir = %s/reports\nautoruns = flagged\n' "$STICK" "$STICK" >"$T/rescue.conf"

# --- machine 1: the dropper and its Run value, planted through ntfs-3g --------
learn_dropper "$T/dropper.bytes"
dropper=$LEARN_DROPPER
dsum=$(sha256sum <"$T/dropper.bytes" | cut -c1-64)
if learn_plant "$T/m1.img" 2 "$T/dropper.bytes"; then ok "m1: dropper and Run value planted (ntfs-3g, hivexregedit)"
else not_ok "m1: plant the dropper and its Run value"; fi

timeout 600 "$RESCUE" --disk "$T/m1.img" auto --config "$T/rescue.conf" >"$T/m1.out" 2>&1; rc=$?
expect "m1: auto exits 1 (RED)" test "$rc" -eq 1
t_attach "$T/m1.img" 2
ntfscat "$t_loop" Windows/System32/config/SOFTWARE >"$T/m1.SOFTWARE"
expect "m1: the random-name Run entry is disabled (ntfscat + hivexget)" sh -c \
	'test -s "$1" && ! hivexget "$1" "\\Microsoft\\Windows\\CurrentVersion\\Run" "$2"' - "$T/m1.SOFTWARE" "$LEARN_RUN"
t_detach
learned=$(find "$STICK/learned" -name 'WKS-WIN732BITA-*-hashes.txt' 2>/dev/null | head -n 1)
line=$(grep "^$dsum;" "$learned" 2>/dev/null)
stamp=$(printf '%s\n' "$line" | sed -n 's/^[0-9a-f]*;learned from WKS-WIN732BITA at \([0-9]*T[0-9]*Z\): .*/\1/p')
if [ -n "$stamp" ] && [ "$line" = "$dsum;learned from WKS-WIN732BITA at $stamp: $dropper [autostart $LEARN_RUN]" ]; then
	ok "m1: the stick's learned/ has the dropper's SHA-256 (sha256sum), its machine, time and entry"
else not_ok "m1: dropper hash learned (${learned:-no learned/WKS-WIN732BITA-*-hashes.txt})"; sed 's/^/#   /' "$T/m1.out"; fi

# --- machine 2: the same bytes under a plain name ------------------------------
plain=Users/Public/Documents/notes.dat
if learn_put "$T/m2.img" 3 "$T/dropper.bytes" "$plain"; then ok "m2: the same bytes put under a plain name (ntfs-3g)"
else not_ok "m2: put the copy"; fi
timeout 600 "$RESCUE" --disk "$T/m2.img" auto --config "$T/rescue.conf" >"$T/m2.out" 2>&1; rc=$?
expect "m2: auto exits 1 (RED)" test "$rc" -eq 1
m2json=$(find "$STICK/reports" -name 'DESKTOP-M3OSHQU-*.json' | head -n 1)
got=$(jq_py "$m2json" '[(x["sha256"], x["action"], [m["description"] for m in x["matches"]]) for x in d["detection_list"] if x["path"] == "'"$plain"'"]' 2>&1)
case $got in
*"'$dsum'"*"learned from WKS-WIN732BITA at $stamp"*) ok "m2: $plain found by the learned hash; the report says learned from WKS-WIN732BITA at $stamp" ;;
*) not_ok "m2: $plain in the report: $got"; sed 's/^/#   /' "$T/m2.out" ;;
esac
case $got in
*"'quarantine"*) ok "m2: the report says the copy was quarantined" ;;
*) not_ok "m2: the copy's action: $got" ;;
esac
t_attach "$T/m2.img" 3
expect "m2: ntfscat: the copy is gone from its place" sh -c '! ntfscat -q "$1" "$2" >/dev/null 2>&1' - "$t_loop" "$plain"
expect "m2: ntfsls: Rescue/quarantine holds files" sh -c 'ntfsls "$1" -p /Rescue/quarantine | grep -q "\.bin$"' - "$t_loop"
t_detach

expect "nothing left mounted" sh -c '! grep -F "$1" /proc/mounts' - "$T"
expect "no loop device left" sh -c '! losetup -a | grep -F "$1"' - "$T"
t_done
