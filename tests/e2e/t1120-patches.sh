#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The patch audit (report only) on XP, 7 and 10 trees, with and without the
# records of the fixing updates, which hivexregedit itself writes into the
# SOFTWARE hive in the shape Windows gives them: XP's hotfix keys, Vista+'s
# Component Based Servicing packages (installed, or only staged), Windows
# 10's CurrentBuildNumber and UBR.  `status` says "missing: ..." or
# "patched", `status --json` carries each hole, the report of `rescue auto`
# says it and advises patching, the verdict is unchanged, nothing is written.
. "$(dirname "$0")/../lib.sh"

merge() {	# merge TREE REG-BODY: hivexregedit --merge a .reg body into TREE's SOFTWARE
	sw=$(find "$1" -ipath '*/system32/config/software')
	# hivexregedit creates one level at a time: each key's parents first
	printf '%s\n' "$2" | awk 'BEGIN { print "Windows Registry Editor Version 5.00\n" }
		/^\[/ { n = split(substr($0, 3, length($0) - 3), c, "\\"); p = "";
			 for (i = 1; i < n; i++) { p = p "\\" c[i]; printf "[%s]\n\n", p } }
		{ print }' >"$T/m.reg"
	hivexregedit --merge "$sw" "$T/m.reg"
}

patches_line() {	# patches_line TREE: the "patches" line of status
	"$RESCUE" --root "$1" status 2>&1 | sed -n 's/^patches  //p'
}

is() {	# is DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; printf '#   got:  %s\n#   want: %s\n' "$2" "$3"; fi
}

CBS='\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages'

# --- XP SP3 ---------------------------------------------------------------
sh "$TOP/tests/fixtures/mktree.sh" xp "$T/xp"
cp -a "$T/xp" "$T/xp.orig"
is "xp: no hotfix records: both missing" "$(patches_line "$T/xp")" \
	"missing: MS08-067 (no record of KB958644), MS17-010 (no record of KB4012598)"
expect "xp: status says to patch before the network" sh -c '"$1" --root "$2" status | grep -q "note: install the missing updates before the machine rejoins the network"' - "$RESCUE" "$T/xp"
expect "xp: status wrote nothing" diff -r "$T/xp.orig" "$T/xp"
merge "$T/xp" '[\Microsoft\Updates\Windows XP\SP4\KB958644]
"Description"="Security Update for Windows XP (KB958644)"

[\Microsoft\Windows NT\CurrentVersion\HotFix\KB4012598]
"Installed"=dword:00000001
'
is "xp: KB958644 under Updates, KB4012598 under HotFix: patched" "$(patches_line "$T/xp")" "patched"

# --- Windows 7 SP1 ----------------------------------------------------------
sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/w7"
is "win7: no package: MS17-010 missing, MS08-067 not affected (7 shipped with it)" "$(patches_line "$T/w7")" \
	"missing: MS17-010 (no record of KB4012212/KB4012215; a later rollup may carry it: check Windows Update's history)"
merge "$T/w7" "[$CBS\\Package_for_KB4012215~31bf3856ad364e35~x86~~6.1.1.2]
\"CurrentState\"=dword:00000040
"
is "win7: the rollup only staged (CurrentState 0x40): still missing" "$(patches_line "$T/w7" | cut -c1-19)" "missing: MS17-010 ("
merge "$T/w7" "[$CBS\\Package_for_KB4012215~31bf3856ad364e35~x86~~6.1.1.2]
\"CurrentState\"=dword:00000070
"
is "win7: the rollup installed (0x70): patched" "$(patches_line "$T/w7")" "patched"
"$RESCUE" --root "$T/w7" --json status >"$T/w7.json" 2>&1
expect "win7: status --json names each hole and its state" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["patches"]
states = {h["bulletin"]: (h["state"], h["detail"]) for h in d["holes"]}
assert d["summary"] == "patched", d
assert states == {"MS08-067": ("not affected", ""), "MS17-010": ("patched", "KB4012215 installed")}, states' "$T/w7.json"

# --- Windows 10 --------------------------------------------------------------
sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/w10"
is "win10 22H2 (19045): shipped with both fixes" "$(patches_line "$T/w10")" "patched"
cv='[\Microsoft\Windows NT\CurrentVersion]'
merge "$T/w10" "$cv
\"CurrentBuildNumber\"=\"14393\"
\"CurrentBuild\"=\"14393\"
\"UBR\"=dword:00000200
"
is "win10 1607 at UBR 512: missing" "$(patches_line "$T/w10")" "missing: MS17-010 (build 14393.512, fixed in 14393.953 (KB4013429))"
merge "$T/w10" "$cv
\"UBR\"=dword:000003b9
"
is "win10 1607 at UBR 953: patched" "$(patches_line "$T/w10")" "patched"
merge "$T/w10" "$cv
\"UBR\"=-
"
is "win10 1607 without UBR: unknown, not patched" "$(patches_line "$T/w10")" "unknown: MS17-010 (build 14393 without UBR; fixed in 14393.953 (KB4013429))"

# --- the report of `rescue auto`: says it, advises patching, verdict as before
sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/auto"
printf 'reports_dir = %s\ncontain = none\nscan = off\naccounts = none\n' "$T/reports" >"$T/auto.conf"
"$RESCUE" --root "$T/auto" auto --config "$T/auto.conf" >"$T/auto.out" 2>&1
rep=$(ls "$T"/reports/*.json 2>/dev/null | head -n 1)
expect "auto: the report notes the missing update and advises patching, verdict YELLOW as before (no scan)" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
notes = d["notes"]
assert any(n.startswith("patches: missing: MS17-010 (no record of KB4012212/KB4012215") for n in notes), notes
assert any(n.startswith("install the missing updates before the machine rejoins the network") for n in notes), notes
assert d["verdict"] == "YELLOW", d["verdict"]' "${rep:-$T/none}"

t_done
