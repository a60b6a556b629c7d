#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A quarantine is a journaled change: scan --quarantine writes one journal
# entry per file; a plain `rescue undo` leaves them quarantined, and
# `rescue undo quarantine` puts every quarantined file back (through
# the quarantine restore), byte-identical at its original path, marks the
# entries undone and lists the files; a file restored by hand before
# (`quarantine restore ID`) is noted, not restored twice.  Judges: cmp,
# python3's json module.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

root=$T/vol
sh "$TOP/tests/fixtures/mktree.sh" win10 "$root" >/dev/null 2>&1
sh "$TOP/tests/samples/plant.sh" "$root" "$T/want"
cp -a "$root" "$T/orig"
n=$(wc -l <"$T/want")
cut -f1 "$T/want" | LC_ALL=C sort >"$T/paths"

expect_exit 1 "scan --quarantine: exit 1 (detections)" "$RESCUE" --root "$root" scan --quarantine
left=0
while IFS= read -r p; do [ ! -e "$root/$p" ] || left=$((left + 1)); done <"$T/paths"
expect "every planted file left its place ($left left)" test "$left" -eq 0

# journal QUERY: python over the journal's entries (list E) and the planted
# paths (list P), prints the result
journal() {
	/usr/bin/python3 -c '
import json, sys
E = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
P = open(sys.argv[3]).read().splitlines()
print(eval(sys.argv[2]))' "$root/Rescue/journal.jsonl" "$1" "$T/paths"
}
expect "journal: one quarantine entry per planted file, with id, path and sha256" test "$(journal \
	'sorted(e["path"] for e in E if e["kind"] == "quarantine" and e["item"] == "quarantine" and e["id"] and len(e["sha256"]) == 64) == P')" = True

# one file put back by hand first
id=$("$RESCUE" --root "$root" --json quarantine list | jq -r 'select(.path == "autorun.inf") | .id')
expect "quarantine restore of autorun.inf" "$RESCUE" --root "$root" quarantine restore "$id"

# a plain undo reverts containment only: the worm stays in the quarantine
expect "plain undo: nothing to undo (quarantines are not containment)" \
	sh -c "'$RESCUE' --root '$root' --yes undo | grep -qx 'nothing to undo'"
expect "plain undo: the quarantine still holds $((n - 1)) files" \
	test "$("$RESCUE" --root "$root" --json quarantine list | wc -l)" -eq $((n - 1))
"$RESCUE" --root "$root" --yes --json undo quarantine >"$T/undo.json" 2>"$T/undo.err"; rc=$?
expect "undo quarantine: exit 0" test "$rc" -eq 0
# steps QUERY: python over the undo report's steps (list S) and the planted paths (P)
steps() {
	/usr/bin/python3 -c '
import json, sys
S = json.load(open(sys.argv[1]))["steps"]
P = open(sys.argv[3]).read().splitlines()
print(eval(sys.argv[2]))' "$T/undo.json" "$1" "$T/paths"
}
expect "undo --json: one ok step per quarantined file, naming its path" test \
	"$(steps 'sorted(s["what"] for s in S if s["item"] == "quarantine" and s["ok"]) == P')" = True
expect "undo --json: the file restored by hand is noted, not restored twice" test \
	"$(steps '[s["restored"].startswith("(already back") for s in S if s["what"] == "autorun.inf"] == [True] and sum(s["restored"].startswith("(already back") for s in S) == 1')" = True
diffs=0
while IFS= read -r p; do cmp -s "$T/orig/$p" "$root/$p" || { diffs=$((diffs + 1)); echo "# differs: $p"; }; done <"$T/paths"
expect "undo: all $n planted files byte-identical at their original paths (cmp)" test "$diffs" -eq 0
expect "undo: nothing else changed (diff -r, Rescue/ aside)" diff -r --no-dereference -x Rescue "$T/orig" "$root"
expect "undo: the quarantine is empty" sh -c "[ -z \"\$('$RESCUE' --root '$root' --json quarantine list)\" ]"
expect "journal: every quarantine entry marked undone" test "$(journal \
	'{e["seq"] for e in E if e["kind"] == "quarantine"} == {e["of"] for e in E if e["kind"] == "undone"}')" = True
expect "undo again: nothing to undo" sh -c "'$RESCUE' --root '$root' --yes undo | grep -qx 'nothing to undo'"

# text output; `undo quarantine` selects these entries only
"$RESCUE" --root "$root" scan --quarantine Users/AndrewRathbun/Downloads >/dev/null 2>&1
"$RESCUE" --root "$root" --yes undo quarantine >"$T/out" 2>&1
expect "undo quarantine (text): the file listed as undone" \
	grep -q '^undone  quarantine Users/AndrewRathbun/Downloads/eicar.com -> original bytes from Rescue/quarantine/' "$T/out"
expect "undo quarantine: eicar.com back (cmp)" \
	cmp "$T/orig/Users/AndrewRathbun/Downloads/eicar.com" "$root/Users/AndrewRathbun/Downloads/eicar.com"
t_done
