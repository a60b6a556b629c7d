#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Registry hives, their transaction logs and rescue's own Rescue/ folder are
# never quarantined (issue 19, finding 3): a SYSTEM hive holding a built-in
# rule's strings is detected and reported ("registry hive matched a rule:
# inspect", JSON "inspect") by scan --quarantine, scan --quarantine PATH and
# auto, and stays byte-identical (sha256sum) and readable (hivexget); a stick
# rule `condition: true` quarantines no hive, no log and nothing under
# Rescue/, while the other files go.  Then, with SYSTEM gone, `quarantine
# list`, `quarantine restore` and `undo all` still work, and the commands
# that need hives fail with a clear line; a SYSTEM hive an older rescue put in
# the quarantine comes back with `undo all` before the registry changes are
# reverted.  Judges: sha256sum, hivexget, cmp, python3's json module.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

SYSTEM=Windows/System32/config/SYSTEM
CONFIG=Windows/System32/config

conf() {	# conf FILE KEY=VALUE...
	f=$1; shift
	: >"$f"
	for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$f"; done
}
jq_py() {	# jq_py FILE EXPR: a Python expression on the JSON document `d`
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# run DESC SECS CMD...: CMD under timeout, its output in $T/out, its exit in $rc
run() {
	d=$1 s=$2; shift 2
	timeout "$s" "$@" >"$T/out" 2>&1; rc=$?
	[ "$rc" -ne 124 ] || not_ok "$d: hung (killed after $s s)"
}
# A value holding two strings of the built-in rule Qakbot_Legacy_Component_Names.
qbot_value() {
	printf 'Windows Registry Editor Version 5.00\n\n[\\ControlSet001\\Services\\qbotsvc]\n'
	printf '"ImagePath"="C:\\\\ProgramData\\\\qbothome\\\\_qbotinj.exe"\n\n'
}

base=$T/base
sh "$TOP/tests/fixtures/mktree.sh" win10 "$base" >/dev/null 2>&1
qbot_value >"$T/qbot.reg"
hivexregedit --merge "$base/$SYSTEM" "$T/qbot.reg"
expect "the yara CLI matches the built-in rule in SYSTEM (the judge sees it)" sh -c \
	"yara -C '$TOP/build/rules/compiled.yarc' '$base/$SYSTEM' | grep -q '^Qakbot_Legacy_Component_Names '"
sum0=$(sha256sum <"$base/$SYSTEM")

# hive_intact TREE DESC: SYSTEM byte-identical and read by hivexget
hive_intact() {
	if [ "$(sha256sum <"$1/$SYSTEM")" = "$sum0" ] &&
	   hivexget "$1/$SYSTEM" '\ControlSet001\Services\qbotsvc' ImagePath | grep -q qbothome; then
		ok "$2: SYSTEM byte-identical (sha256sum), hivexget reads it"
	else
		not_ok "$2: SYSTEM changed or unreadable"
	fi
}

# --- scan --quarantine, and scan --quarantine PATH ------------------------------------
for how in volume path; do
	tree=$T/scan-$how
	cp -a "$base" "$tree"
	if [ $how = path ]; then set -- "$SYSTEM"; else set --; fi
	run "scan --quarantine ($how)" 120 "$RESCUE" --root "$tree" --json scan --quarantine "$@"
	expect "scan --quarantine ($how): exit 1 (a detection, no failure)" test "$rc" -eq 1
	expect "scan --quarantine ($how): SYSTEM detected, not quarantined, marked registry hive" test "$(/usr/bin/python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{\"type\":\"detection\"")]
print([(x["path"], x["inspect"], x["action"].startswith("not quarantined: registry hive matched a rule: inspect")) for x in d])
' "$T/out")" = "[('$SYSTEM', 'registry hive', True)]"
	hive_intact "$tree" "scan --quarantine ($how)"
	expect "scan --quarantine ($how): the quarantine is empty" \
		test "$(find "$tree/Rescue" -name '*.bin' 2>/dev/null | wc -l)" -eq 0
	expect "scan --quarantine ($how): no stderr line about a failed quarantine" sh -c "! grep -q 'could not be quarantined' '$T/out'"
done

# --- without --quarantine the hive is named the same way ------------------------------------
run "scan (report only)" 120 "$RESCUE" --root "$base" --json scan
expect "scan without --quarantine: exit 1, SYSTEM reported as a registry hive to inspect" sh -c "[ $rc -eq 1 ] &&
	jq -r 'select(.type == \"detection\") | .inspect + \" \" + .action' '$T/out' |
	grep -q '^registry hive reported: registry hive matched a rule: inspect'"

# --- auto: RED, the hive reported for a person ------------------------------------------
tree=$T/auto
cp -a "$base" "$tree"
conf "$T/auto.conf" "reports_dir=$T/part/reports" accounts=none contain=none
run "auto" 300 "$RESCUE" --root "$tree" auto --config "$T/auto.conf"
sed 's/^/#   /' "$T/out"
expect "auto: exit 1, RED (a detection: a person must look)" sh -c "[ $rc -eq 1 ] && grep -q 'VERDICT RED' '$T/out'"
hive_intact "$tree" "auto"
for f in "$tree"/Rescue/reports/*.json; do wjson=$f; done
expect "auto: the JSON report flags SYSTEM (inspect: registry hive), nothing quarantined" test "$(jq_py "$wjson" \
	'[(x["path"], x["inspect"]) for x in d["detection_list"]] == [("'$SYSTEM'", "registry hive")] and d["quarantined"] == 0')" = True
expect "auto: the scan step is ok (nothing failed, nothing changed)" test "$(jq_py "$wjson" '[s["status"] for s in d["steps"] if s["step"] == "scan"]')" = "['ok']"
expect "auto: the text report says: registry hive matched a rule: inspect" \
	grep -q 'not quarantined: registry hive matched a rule: inspect' "${wjson%.json}.txt"

# --- a stick rule `condition: true`: no hive, no log, nothing of Rescue/ -------------------
tree=$T/all
cp -a "$base" "$tree"
cfg=$tree/$CONFIG
printf 'log\n' >"$cfg/SYSTEM.LOG1"
printf 'log\n' >"$cfg/SYSTEM.LOG2"
printf 'blf\n' >"$cfg/{016888bd-6c6f-11de-8d1d-001e0bcde3ec}.TM.blf"
mkdir -p "$cfg/TxR" "$cfg/RegBack" "$cfg/systemprofile"
printf 'txr\n' >"$cfg/TxR/{016888cc-6c6f-11de-8d1d-001e0bcde3ec}.TxR.0.regtrans-ms"
cp "$cfg/SAM" "$cfg/RegBack/SAM"
cp "$cfg/DEFAULT" "$cfg/systemprofile/NTUSER.DAT"
cp "$cfg/SAM" "$cfg/renamed-copy"            # a hive under another name: its "regf" says so
printf 'not a hive\n' >"$cfg/dropped.txt"     # an ordinary file in the hive folder: quarantined
prof=$tree/Users/AndrewRathbun
printf 'log\n' >"$prof/NTUSER.DAT.LOG1"
mkdir -p "$prof/AppData/Local/Microsoft/Windows"
cp "$cfg/DEFAULT" "$prof/AppData/Local/Microsoft/Windows/UsrClass.dat"
mkdir -p "$tree/Windows.old/Windows/System32/config"
cp "$cfg/SAM" "$tree/Windows.old/Windows/System32/config/SAM"    # elsewhere: a hive name with "regf"
mkdir -p "$tree/Rescue/backup"
printf 'backup\n' >"$tree/Rescue/backup/old.txt"
mkdir -p "$T/stick/rules"
printf 'rule Everything_Test\n{\n    condition:\n        true\n}\n' >"$T/stick/rules/all.yar"
(cd "$tree" && find . -type f ! -path './Rescue/*' -printf '%P\n' | LC_ALL=C sort) >"$T/all.files"
grep -Ei '(^|/)(SYSTEM|SOFTWARE|SAM|DEFAULT|NTUSER\.DAT|UsrClass\.dat|renamed-copy)$|\.LOG[12]?$|\.blf$|\.regtrans-ms$' \
	"$T/all.files" >"$T/all.hives"
(cd "$tree" && { cat "$T/all.hives"; echo Rescue/backup/old.txt; } | while IFS= read -r p; do sha256sum "$p"; done) >"$T/all.sums"
conf "$T/all.conf" "reports_dir=$T/part/reports" accounts=none contain=none "rules_extra=$T/stick/rules"
run "auto with condition: true" 300 "$RESCUE" --root "$tree" auto --config "$T/all.conf"
expect "condition: true: exit 1 (RED)" test "$rc" -eq 1
expect "condition: true: every hive, log and Rescue/ file there, byte-identical ($(wc -l <"$T/all.hives") hive files)" \
	sh -c "cd '$tree' && sha256sum -c --quiet '$T/all.sums'"
gone=0 other=0
while IFS= read -r p; do
	grep -qxF "$p" "$T/all.hives" && continue
	other=$((other + 1))
	[ -e "$tree/$p" ] || gone=$((gone + 1))
done <"$T/all.files"
expect "condition: true: the $other other files were quarantined ($gone gone)" test "$gone" -eq "$other" -a "$other" -gt 0
expect "condition: true: dropped.txt in the hive folder was quarantined" test ! -e "$cfg/dropped.txt"
for f in "$tree"/Rescue/reports/*.json; do wjson=$f; done
expect "condition: true: the report names every hive and log as kept for inspection" test "$(jq_py "$wjson" '
sorted(x["path"] for x in d["detection_list"] if x["inspect"] in ("registry hive", "registry hive log")) == sorted(open("'"$T/all.hives"'").read().split("\n")[:-1])')" = True
expect "condition: true: a log is named a registry hive log" test "$(jq_py "$wjson" '
[x["inspect"] for x in d["detection_list"] if x["path"].endswith("SYSTEM.LOG1")]')" = "['registry hive log']"
run "scan --quarantine Rescue/backup/old.txt" 60 "$RESCUE" --root "$tree" --json scan --quarantine --rules "$T/stick/rules/all.yar" Rescue/backup/old.txt
expect "scan --quarantine of a file under Rescue/: refused as rescue's own file" sh -c \
	"[ $rc -eq 1 ] && grep -q '\"inspect\":\"rescue.s own file\"' '$T/out' && [ -f '$tree/Rescue/backup/old.txt' ]"

# --- SYSTEM gone: the quarantine and undo still work -------------------------------------
tree=$T/gone
sh "$TOP/tests/fixtures/mktree.sh" win10 "$tree" >/dev/null 2>&1
sh "$TOP/tests/samples/plant.sh" "$tree" "$T/want" >/dev/null
cp -a "$tree" "$T/gone.orig"
expect_exit 0 "contain" "$RESCUE" --root "$tree" contain
expect_exit 1 "scan --quarantine" "$RESCUE" --root "$tree" scan --quarantine
n=$(wc -l <"$T/want")
rm "$tree/$SYSTEM"
run "status without SYSTEM" 60 "$RESCUE" --root "$tree" status
expect "without SYSTEM: status (needs the hives) exits 3 with one clear line" sh -c \
	"[ $rc -eq 3 ] && [ \$(wc -l <'$T/out') -eq 1 ] && grep -q 'not a Windows installation (no Windows/System32/config/SYSTEM)' '$T/out'"
run "quarantine list without SYSTEM" 60 "$RESCUE" --root "$tree" --json quarantine list
expect "without SYSTEM: quarantine list: exit 0, $n entries" sh -c "[ $rc -eq 0 ] && [ \$(wc -l <'$T/out') -eq $n ]"
id=$(jq -r 'select(.path == "autorun.inf") | .id' "$T/out")
run "quarantine restore without SYSTEM" 60 "$RESCUE" --root "$tree" quarantine restore "$id"
expect "without SYSTEM: quarantine restore puts autorun.inf back byte-identical" sh -c \
	"[ $rc -eq 0 ] && cmp '$T/gone.orig/autorun.inf' '$tree/autorun.inf'"
timeout 120 "$RESCUE" --root "$tree" --yes --json undo all >"$T/out" 2>"$T/err"; rc=$?
expect "without SYSTEM: undo all exits 4 (partly: the SYSTEM changes cannot go back)" test "$rc" -eq 4
expect "without SYSTEM: every quarantined file back byte-identical" sh -c "
	cut -f1 '$T/want' | while IFS= read -r p; do cmp -s '$T/gone.orig/'\"\$p\" '$tree/'\"\$p\" || exit 1; done"
expect "without SYSTEM: the registry steps failed naming the missing hive, the others went back" test "$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
reg = [s for s in r["steps"] if s["item"] not in ("quarantine", "hosts")]
print(bool(reg) and all(not s["ok"] and "SYSTEM" in s["error"] for s in reg) and
      all(s["ok"] for s in r["steps"] if s["item"] in ("quarantine", "hosts")))' "$T/out")" = True
expect "without SYSTEM: the hosts file is back byte for byte" \
	cmp "$T/gone.orig/Windows/System32/drivers/etc/hosts" "$tree/Windows/System32/drivers/etc/hosts"
run "--root without SYSTEM nor Rescue/" 60 "$RESCUE" --root "$T/gone.orig/Users" quarantine list
expect "no SYSTEM and no Rescue/: quarantine list exits 3 naming both" sh -c \
	"[ $rc -eq 3 ] && grep -q 'no Windows/System32/config/SYSTEM, and no Rescue folder' '$T/out'"

# --- SYSTEM quarantined by an older rescue: undo all brings it back first ----------------
# An older rescue quarantined SYSTEM itself.  This one refuses to, so the state
# is made as it left it: a copy of SYSTEM elsewhere is quarantined, and its
# manifest and journal entry are pointed at the hive's path.  An older rescue
# wrote its journal unsigned (rescue/base/journal.h): the signatures are dropped, and
# undo is told to trust unsigned entries.
tree=$T/old
sh "$TOP/tests/fixtures/mktree.sh" win10 "$tree" >/dev/null 2>&1
expect_exit 0 "old: contain" "$RESCUE" --root "$tree" contain
mkdir -p "$tree/Users/Public/Downloads"
cp "$tree/$SYSTEM" "$tree/Users/Public/Downloads/sys.dat"
# shellcheck disable=SC2016 # the $ is YARA's
printf 'rule Hive_Test\n{\n    strings:\n        $r = "regf"\n    condition:\n        $r at 0\n}\n' >"$T/regf.yar"
expect_exit 1 "old: the copy is quarantined" "$RESCUE" --root "$tree" scan --quarantine --rules "$T/regf.yar" Users/Public/Downloads/sys.dat
/usr/bin/python3 - "$tree" "$SYSTEM" <<'EOF'
import glob, json, sys
root, hive = sys.argv[1], sys.argv[2]
for m in glob.glob(root + "/Rescue/quarantine/*.json"):
    d = json.load(open(m)); d["path"] = hive; json.dump(d, open(m, "w"))
lines = [json.loads(l) for l in open(root + "/Rescue/journal.jsonl") if l.strip()]
for e in lines:
    e.pop("kid", None)
    e.pop("mac", None)
    if e.get("kind") == "quarantine":
        e["path"] = hive
open(root + "/Rescue/journal.jsonl", "w").write("".join(json.dumps(e) + "\n" for e in lines))
EOF
rm "$tree/$SYSTEM"
run "old: undo all" 120 "$RESCUE" --root "$tree" --yes undo all --trust-unsigned
sed 's/^/#   /' "$T/out"
expect "old: undo all exits 0" test "$rc" -eq 0
expect "old: SYSTEM is back, then its containment undone: Schedule Start 2 again (hivexget)" \
	sh -c "hivexget '$tree/$SYSTEM' '\\ControlSet001\\Services\\Schedule' Start | grep -qx 2"
expect "old: status works again" "$RESCUE" --root "$tree" status

t_done
