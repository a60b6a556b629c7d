#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# scan --quarantine then quarantine restore: every planted detection leaves its
# place for Rescue/quarantine, the quarantined copies match no rule (yara CLI)
# and cannot run (no MZ header, not executable), a rescan is clean, and
# restore puts back byte-identical files with their times at the original
# paths.  Judges: cmp, stat, the yara CLI.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

yarc=$TOP/build/rules/compiled.yarc
root=$T/vol
sh "$TOP/tests/fixtures/mktree.sh" xp "$root"
sh "$TOP/tests/samples/plant.sh" "$root" "$T/want"
# Old times, so that a restore that forgets them is caught.
cut -f1 "$T/want" | while IFS= read -r p; do touch -d '2009-06-01 12:34:56.123456789' "$root/$p"; done
cp -a "$root" "$T/orig"
n=$(wc -l <"$T/want")

"$RESCUE" --root "$root" --json scan --quarantine >"$T/q.jsonl" 2>"$T/q.err"; rc=$?
if [ $rc -eq 1 ] && [ "$(jq -r 'select(.type=="detection") | .action' "$T/q.jsonl" | grep -c '^quarantined ')" -eq "$n" ]; then
	ok "scan --quarantine: exit 1, all $n detections quarantined"
else
	not_ok "scan --quarantine (exit $rc)"; sed 's/^/#   /' "$T/q.err"
fi
gone=0
while IFS= read -r p; do [ -e "$root/$p" ] && gone=$((gone + 1)); done <<EOF2
$(cut -f1 "$T/want")
EOF2
if [ $gone -eq 0 ]; then ok "no detected file is left at its place"; else not_ok "$gone detected files still in place"; fi
q=$root/Rescue/quarantine
nb=$(find "$q" -name '*.bin' | wc -l)
if [ "$nb" -eq "$n" ] && [ "$(find "$q" -name '*.json' | wc -l)" -eq "$n" ]; then
	ok "Rescue/quarantine holds $n .bin files and $n manifests"
else
	not_ok "quarantine holds $nb .bin files, want $n"
fi
if out=$(yara -C -r -d filepath= -d filename= "$yarc" "$q") && [ -z "$out" ]; then
	ok "the yara CLI finds no rule matching in the quarantine"
else
	not_ok "a quarantined file matches a rule (or yara failed)"; printf '%s\n' "$out" | sed 's/^/#   /'
fi
# ... while the same CLI does match the originals (the judge is not blind).
if [ "$(yara -C -r -d filepath= -d filename= "$yarc" "$T/orig" | wc -l)" -ge 8 ]; then
	ok "the yara CLI matches the originals"
else
	not_ok "the yara CLI does not match the originals"
fi
bad=0
for f in "$q"/*.bin; do
	[ "$(head -c 2 "$f")" = MZ ] && bad=$((bad + 1))
	[ -x "$f" ] && bad=$((bad + 1))
done
if [ $bad -eq 0 ]; then ok "no quarantined file starts with MZ or is executable"; else not_ok "$bad quarantined files could run"; fi
# Every manifest is valid JSON naming its original path (python3 judges).
expect "every manifest is valid JSON with path, size, times and rules" /usr/bin/python3 -c '
import json, sys, glob
for m in glob.glob(sys.argv[1] + "/*.json"):
    d = json.load(open(m))
    assert d["path"] and d["sha256"] and d["rules"] and "mtime" in d and "size" in d, m
' "$q"
expect_exit 0 "a rescan of the volume (quarantine included) is clean" "$RESCUE" --root "$root" scan
expect "quarantine list shows $n entries" sh -c "[ \$('$RESCUE' --root '$root' --json quarantine list | wc -l) -eq $n ]"

for id in $("$RESCUE" --root "$root" --json quarantine list | jq -r .id); do
	"$RESCUE" --root "$root" quarantine restore "$id" >/dev/null 2>>"$T/restore.err" || echo "$id" >>"$T/restore.fail"
done
if [ ! -s "$T/restore.fail" ]; then ok "quarantine restore of every id"; else not_ok "restore failed"; sed 's/^/#   /' "$T/restore.err"; fi
diffs=0
while IFS= read -r p; do
	cmp -s "$T/orig/$p" "$root/$p" || { diffs=$((diffs + 1)); echo "# differs: $p"; }
	[ "$(stat -c %y "$T/orig/$p")" = "$(stat -c %y "$root/$p" 2>/dev/null)" ] || { diffs=$((diffs + 1)); echo "# time differs: $p"; }
done <<EOF2
$(cut -f1 "$T/want")
EOF2
if [ $diffs -eq 0 ]; then ok "all $n files restored byte-identical with their times (to the nanosecond)"; else not_ok "$diffs restore differences"; fi
expect "nothing else changed (diff -r, Rescue/ aside)" diff -r --no-dereference -x Rescue "$T/orig" "$root"
expect "the quarantine is empty after restoring everything" sh -c "[ -z \"\$('$RESCUE' --root '$root' --json quarantine list)\" ]"
expect_exit 2 "restore of an unknown id is a usage error" "$RESCUE" --root "$root" quarantine restore deadbeefdeadbeef

# A restore never overwrites: quarantine EICAR, put a file in its place.
"$RESCUE" --root "$root" scan --quarantine "Documents and Settings/Pat/Downloads" >/dev/null 2>&1
echo mine >"$root/Documents and Settings/Pat/Downloads/eicar.com"
id=$("$RESCUE" --root "$root" --json quarantine list | jq -r .id)
expect_exit 3 "restore refuses to overwrite a file at the original path" "$RESCUE" --root "$root" quarantine restore "$id"
expect "purge empties the quarantine" sh -c "'$RESCUE' --root '$root' --yes quarantine purge && [ -z \"\$(ls '$q')\" ]"
t_done
