#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue detect shows each installation's hives: dirty now (with usable logs),
# recovered by rescue earlier, or clean; as text and as JSON (judged with
# python3's json module).  Detect itself writes nothing (sha256sum of the
# image); recover, or contain (which recovers first), turns "dirty" into
# "recovered".
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ]; then skip "detect hives" "needs root (loop devices, FUSE)"; t_done; exit; fi
if [ ! -d "$DATA/hives" ]; then skip "detect hives" "no data at $DATA"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"

t_image dirty-hives "$T/d.img" || not_ok "build dirty-hives"
t_image win10-gpt "$T/clean.img" || not_ok "build win10-gpt"
cp --sparse=always "$T/d.img" "$T/d2.img"

# hive IMG HIVE-SUFFIX QUERY: python over the JSON of hive HIVE-SUFFIX (h) of
# partition 3 (v) in `detect --json` of IMG
hive() {
	"$RESCUE" --disk "$1" --json detect 2>/dev/null | /usr/bin/python3 -c '
import json, sys
v = [v for v in json.load(sys.stdin)["volumes"] if v["number"] == 3][0]
hs = [h for h in v["hives"] if h["hive"].endswith(sys.argv[1])]
h = hs[0] if hs else None
print(eval(sys.argv[2]))' "$2" "$3"
}

before=$(sha256sum <"$T/d.img")
expect "dirty hives: hives_state dirty" test "$(hive "$T/d.img" /SYSTEM 'v["hives_state"]')" = dirty
expect "dirty hives: detect wrote nothing (sha256sum of the image)" test "$(sha256sum <"$T/d.img")" = "$before"
for h in config/DEFAULT AndrewRathbun/NTUSER.DAT; do
	expect "before: $h dirty, its logs usable, not recovered by rescue" test "$(hive "$T/d.img" $h \
		'(h["dirty"], h["logs_usable"], h["recovered_by_rescue"], h["state"], h["seq"][0] != h["seq"][1])')" = \
		"(True, True, False, 'recovered-in-memory', True)"
done
expect "before: SYSTEM, SOFTWARE, SAM clean" test "$(hive "$T/d.img" /SYSTEM \
	'sorted((h["hive"].split("/")[-1], h["dirty"], h["recovered_by_rescue"]) for h in v["hives"] if "config/S" in h["hive"])')" = \
	"[('SAM', False, False), ('SOFTWARE', False, False), ('SYSTEM', False, False)]"
"$RESCUE" --disk "$T/d.img" detect >"$T/out" 2>&1
expect "text: the installation's hives are dirty, DEFAULT's row says so" sh -c \
	'grep -q "^installation 1 (d.img p3): hives dirty$" "$1" && grep -Eq "^ +DIRTY +Windows/System32/config/DEFAULT: dirty \(90/89\): .*from DEFAULT.LOG1, DEFAULT.LOG2" "$1"' - "$T/out"

expect_exit 0 "recover on the disk image" "$RESCUE" --disk "$T/d.img" --yes recover
expect "after recover: hives_state recovered" test "$(hive "$T/d.img" /SYSTEM 'v["hives_state"]')" = recovered
for h in config/DEFAULT AndrewRathbun/NTUSER.DAT; do
	expect "after recover: $h clean now, recovered by rescue" test "$(hive "$T/d.img" $h \
		'(h["dirty"], h["recovered_by_rescue"], h["state"], h["seq"][0] == h["seq"][1])')" = "(False, True, 'clean', True)"
done
expect "after recover: SYSTEM not marked recovered" test "$(hive "$T/d.img" /SYSTEM 'h["recovered_by_rescue"]')" = False
"$RESCUE" --disk "$T/d.img" detect >"$T/out" 2>&1
expect "text after recover: DEFAULT clean, recovered by rescue" \
	grep -Eq '^ +ok +Windows/System32/config/DEFAULT: clean \(recovered from its transaction logs by rescue, run ' "$T/out"

expect_exit 0 "contain autorun on the other copy (recovers first)" "$RESCUE" --disk "$T/d2.img" --yes contain autorun
expect "after contain: DEFAULT and NTUSER.DAT recovered by rescue, hives_state recovered" test "$(hive "$T/d2.img" /SYSTEM \
	'(v["hives_state"], sorted(h["hive"].split("/")[-1] for h in v["hives"] if h["recovered_by_rescue"] and not h["dirty"]))')" = \
	"('recovered', ['DEFAULT', 'NTUSER.DAT'])"

expect "clean image: hives_state clean, no hive dirty or recovered" test "$(hive "$T/clean.img" /SYSTEM \
	'(v["hives_state"], len(v["hives"]) >= 5, any(h["dirty"] or h["recovered_by_rescue"] for h in v["hives"]))')" = \
	"('clean', True, False)"
expect "clean image, text: one line" sh -c '"$1" --disk "$2" detect | grep -q "^installation 1 (clean.img p3): hives clean$"' - \
	"$RESCUE" "$T/clean.img"
t_done
