#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A run that did not scan is never GREEN (issue 19, finding 5): scan = off
# with nothing else to do, on a tree (--root) and on the clean NTFS image
# (--disk), is YELLOW "not scanned" on the console, in the text and JSON
# reports, and `rescue fleet` counts it YELLOW; the same run with the scan
# on is GREEN, so the scan is what makes the difference.  Judged by
# python3's json and ntfscat.
# shellcheck disable=SC2154 # t_loop is set by t_attach (tests/lib.sh)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

jq_py() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
REP=$T/RESCUE/reports
mkdir -p "$REP"
printf 'scan = off\ncontain = none\naccounts = none\nautoruns = off\nreports_dir = %s\n' "$REP" >"$T/off.conf"
printf 'contain = none\naccounts = none\nautoruns = off\nreports_dir = %s\n' "$REP" >"$T/on.conf"

# --- --root ---------------------------------------------------------------------------
sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/w" >/dev/null
timeout 300 "$RESCUE" --root "$T/w" auto --config "$T/off.conf" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out"
expect "scan = off, nothing else to do: exit 4, not 0" test "$rc" -eq 4
expect "scan = off: the verdict line says YELLOW, not scanned" \
	grep -q '^rescue: VERDICT YELLOW DESKTOP-M3OSHQU=YELLOW (not scanned: no scan finished' "$T/out"
expect "scan = off: no line claims clean or nothing found" sh -c "! grep -Eq 'GREEN|nothing found' '$T/out'"
for j in "$REP"/DESKTOP-M3OSHQU-*.json; do :; done
expect "scan = off: the JSON report says YELLOW and the scan step skipped" test \
	"$(jq_py "$j" 'd["verdict"] + " " + [s["status"] for s in d["steps"] if s["step"] == "scan"][0]')" = "YELLOW skipped"
expect "scan = off: the text report's second line says not scanned" sh -c \
	"sed -n 2p '${j%.json}.txt' | grep -q 'not scanned: no scan finished'"
mv "$j" "$REP/root-off.json"

sleep 1	# report names are UTC seconds
timeout 300 "$RESCUE" --root "$T/w" auto --config "$T/on.conf" >"$T/out" 2>&1; rc=$?
expect "the same run with the scan: exit 0, GREEN, scanned" sh -c \
	"[ $rc -eq 0 ] && grep -q '^rescue: VERDICT GREEN DESKTOP-M3OSHQU=GREEN (clean: scanned, nothing found' '$T/out'"

# --- --disk ---------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	skip "auto --disk with scan = off" "needs root (loop devices, FUSE)"
else
	export RESCUE_RUNDIR="$T/run"
	if t_image clean "$T/clean.img"; then
		sleep 1
		timeout 300 "$RESCUE" --disk "$T/clean.img" auto --config "$T/off.conf" >"$T/out" 2>&1; rc=$?
		sed 's/^/#   /' "$T/out"
		expect "--disk, scan = off: exit 4, YELLOW, not scanned" sh -c \
			"[ $rc -eq 4 ] && grep -q '^rescue: VERDICT YELLOW .*(not scanned: no scan finished' '$T/out'"
		t_attach "$T/clean.img" 3
		rep=$(ntfsls -p Rescue/reports "$t_loop" 2>/dev/null | grep '\.json$' | head -n 1)
		ntfscat "$t_loop" "Rescue/reports/$rep" >"$T/disk.json" 2>/dev/null
		t_detach
		expect "--disk, scan = off: the report on the image (ntfscat) says YELLOW" \
			test "$(jq_py "$T/disk.json" 'd["verdict"]' 2>&1)" = YELLOW
	else
		not_ok "build the clean image"
	fi
fi

# --- fleet: a run without a scan is counted YELLOW ---------------------------------------
"$RESCUE" fleet "$REP" >"$T/fleet" 2>&1
sed 's/^/#   /' "$T/fleet"
nyellow=$(find "$REP" -name '*.json' -exec grep -l '"verdict":"YELLOW"' {} + | wc -l)
expect "fleet: the runs without a scan counted YELLOW ($nyellow), the scanned one GREEN" \
	grep -q "^$((nyellow + 1)) report(s): 1 GREEN, 0 RED, $nyellow YELLOW" "$T/fleet"
t_done
