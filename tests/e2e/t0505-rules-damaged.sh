#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Damaged compiled rules (issue 19, finding 7): 150 mutations of the built
# .yarc (bit flips, bytes set, truncations; a fixed seed, so every run tries
# the same files; tests/fixtures/mutate-yarc.sh), each run under `timeout`.
#  - Without a .sum (rules compiled elsewhere) the child's trial alone: each
#    loads or is refused by name; libyara's asserts end the child, never
#    rescue (no exit 134/139, no hang); auto with the ones that crash libyara
#    stops before contain and changes no hive.
#  - Beside the build's compiled.yarc.sum (the built file damaged on a worn
#    stick): every one is refused; auto exits 4 naming the file, changes no
#    hive (sha256 before and after, hivexget reads them) and still writes its
#    report, YELLOW with contain and passwd refused; scan exits 3.
#  - One that crashes libyara on the clean NTFS image through --disk (hives
#    read back with ntfscat), and on the hibernated image (byte-identical).
# shellcheck disable=SC2154 # t_loop is set by t_attach (tests/lib.sh)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

yarc=$(dirname "$RESCUE")/rules/compiled.yarc
[ -f "$yarc" ] || yarc=$TOP/build/rules/compiled.yarc
if [ ! -f "$yarc" ]; then not_ok "no compiled rules beside $RESCUE (run make)"; exit 1; fi
N=150
LIMIT=600   # seconds: only a hang comes near it

sh "$TOP/tests/fixtures/mutate-yarc.sh" "$yarc" "$T/m" "$N"
expect "$N mutations written" test "$(find "$T/m" -name '*.yarc' | wc -l)" -eq "$N"

sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/pristine" >/dev/null
hives() { (cd "$1/Windows/System32/config" && sha256sum SAM SECURITY SOFTWARE SYSTEM 2>/dev/null); }
hives "$T/pristine" >"$T/hives.pristine"

[ -f "$yarc.sum" ] || not_ok "no $yarc.sum beside the built rules (make writes it)"

# --- the child's trial alone (rules compiled elsewhere: no .sum) ------------------
# `scan` of an empty folder: loading is all that runs, so every file either
# loads or is refused with its name; libyara's asserts end the child only.
# (Damage the trial lets through can still crash a scan of real files: the
# .sum below is what stops that for the built rules.)
mkdir "$T/pristine/Empty"
aborted="" hung="" unnamed="" crashers=""
bad=0 good=0
for f in "$T"/m/*.yarc; do
	i=$(basename "$f" .yarc)
	RESCUE_RULES=$f timeout "$LIMIT" "$RESCUE" --root "$T/pristine" scan Empty >"$T/out" 2>&1
	rc=$?
	case $rc in
	0) good=$((good + 1)) ;;
	3) bad=$((bad + 1)); grep -q "^rescue: $f: " "$T/out" || unnamed="$unnamed $i"
	   grep -q 'libyara crashed' "$T/out" && crashers="$crashers $f" ;;
	124) hung="$hung $i" ;;
	*) aborted="$aborted $i($rc)"; sed 's/^/#   /' "$T/out" | head -n 5 ;;
	esac
done
ncrash=0; for f in $crashers; do ncrash=$((ncrash + 1)); done
expect "trial: no run aborted or crashed (exit 134/139...):${aborted:- none}" test -z "$aborted"
expect "trial: no run hung (timeout ${LIMIT}s):${hung:- none}" test -z "$hung"
expect "trial: $bad refused ($ncrash after libyara crashed in the child), $good loaded" \
	test $((bad + good)) -eq "$N" -a "$ncrash" -gt 0
expect "trial: every refusal names the file in one line:${unnamed:- all do}" test -z "$unnamed"
crasher=${crashers# }; crasher=${crasher%% *}	# for --disk below

# auto with every file libyara crashed on: stopped before contain, hives unchanged
cp -a "$T/pristine" "$T/w"
hives "$T/w" >"$T/before"
missed=""
for f in $crashers; do
	printf 'rules_compiled = %s\ncontain = all\naccounts = admins\n' "$f" >"$T/rc.conf"
	timeout "$LIMIT" "$RESCUE" --root "$T/w" auto --config "$T/rc.conf" >"$T/out" 2>&1
	rc=$?
	[ "$rc" -eq 4 ] && grep -q "^rescue: nothing changed: the scan rules could not load: $f: damaged compiled rules: libyara crashed" "$T/out" ||
		missed="$missed $(basename "$f")($rc)"
done
expect "trial, auto: the $ncrash runs stop, exit 4, naming the file:${missed:- all}" test -z "$missed"
hives "$T/w" | cmp -s - "$T/before" && ok "trial, auto: no hive changed (sha256)" || not_ok "trial, auto: a hive changed"

# --- the built compiled.yarc damaged beside its .sum, as on a worn stick ---------------
# Every damaged copy is refused before libyara reads it: auto stops before
# contain (exit 4), scan refuses (exit 3), no hive changes, the report is YELLOW.
cp "$yarc" "$T/good.yarc"; cp "$yarc.sum" "$T/good.yarc.sum"
expect_exit 0 "the built rules with their .sum: a clean scan" env RESCUE_RULES="$T/good.yarc" \
	timeout "$LIMIT" "$RESCUE" --root "$T/pristine" scan
# The .sum is on the stick too: garbage, too large or a FIFO beside good
# rules is refused, named, never waited on.
cp "$yarc" "$T/sum.yarc"
for bad in garbage huge fifo; do
	rm -f "$T/sum.yarc.sum"
	case $bad in
	garbage) printf 'not a digest\n' >"$T/sum.yarc.sum" ;;
	huge) head -c 1000000 /dev/zero >"$T/sum.yarc.sum" ;;
	fifo) mkfifo "$T/sum.yarc.sum" ;;
	esac
	expect_exit 3 "a $bad .sum beside the rules: scan refuses them" env RESCUE_RULES="$T/sum.yarc" \
		timeout "$LIMIT" "$RESCUE" --root "$T/pristine" scan
	cp "$T/.out" "$T/sum.out"
	expect "... naming the .sum" grep -q "sum.yarc.sum" "$T/sum.out"
done
aborted="" hung="" unnamed="" changed="" noreport="" scanbad=""
for f in "$T"/m/*.yarc; do
	i=$(basename "$f" .yarc)
	cp "$yarc.sum" "$f.sum"
	printf 'rules_compiled = %s\ncontain = all\naccounts = admins\n' "$f" >"$T/rc.conf"
	timeout "$LIMIT" "$RESCUE" --root "$T/w" auto --config "$T/rc.conf" >"$T/out" 2>&1
	rc=$?
	case $rc in
	4) ;;
	124) hung="$hung $i"; continue ;;
	*) aborted="$aborted $i($rc)"; sed 's/^/#   /' "$T/out" | tail -n 5; continue ;;
	esac
	grep -q "^rescue: nothing changed: the scan rules could not load: $f: damaged compiled rules: their SHA-256 is not the one $f.sum recorded" "$T/out" ||
		unnamed="$unnamed $i"
	hives "$T/w" | cmp -s - "$T/before" || changed="$changed $i"
	for rep in "$T"/w/Rescue/reports/*.json; do :; done	# the last: names are UTC times
	[ -f "$rep" ] && [ "$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict"], [s["status"] for s in d["steps"] if s["step"] in ("contain", "passwd")])' "$rep")" = \
		"YELLOW ['refused', 'refused']" ] || noreport="$noreport $i"
	RESCUE_RULES=$f timeout "$LIMIT" "$RESCUE" --root "$T/pristine" scan >"$T/out" 2>&1
	rc=$?
	[ "$rc" -eq 3 ] && grep -q "^rescue: $f: damaged compiled rules" "$T/out" || scanbad="$scanbad $i($rc)"
done
rm -f "$T"/m/*.sum
expect "auto: every run ends with exit 4, never an abort:${aborted:- none}" test -z "$aborted"
expect "auto: no run hung (timeout ${LIMIT}s):${hung:- none}" test -z "$hung"
expect "auto: every run names the file and its digest in one line:${unnamed:- all do}" test -z "$unnamed"
expect "auto: no hive changed (sha256):${changed:- none}" test -z "$changed"
expect "auto: the report is still written, YELLOW, contain and passwd refused:${noreport:- all}" test -z "$noreport"
expect "scan: every run refused, exit 3, naming the file:${scanbad:- all}" test -z "$scanbad"
expect "the tree's hives still read (hivexget SYSTEM Select Current)" \
	sh -c "hivexget '$T/w/Windows/System32/config/SYSTEM' '\\Select' Current | grep -qx '[0-9]*'"

# not a file at all
printf 'rules_compiled = %s\ncontain = all\n' "$T/m" >"$T/dir.conf"
cp -a "$T/pristine" "$T/d"
timeout "$LIMIT" "$RESCUE" --root "$T/d" auto --config "$T/dir.conf" >"$T/out" 2>&1
rc=$?
expect "a folder as rules_compiled: exit 4, named, not a regular file" sh -c \
	"[ $rc -eq 4 ] && grep -q 'could not load: $T/m: cannot read compiled rules: not a regular file' '$T/out'"
hives "$T/d" | cmp -s - "$T/hives.pristine" && ok "a folder as rules_compiled: no hive changed" ||
	not_ok "a folder as rules_compiled: a hive changed"

# --- the same on an NTFS image through --disk: hives read back with ntfscat --------
if [ "$(id -u)" -ne 0 ] || [ -z "${crasher:-}" ]; then
	skip "auto --disk with damaged rules" "needs root (loop devices, FUSE) and a mutation that crashes libyara"
	t_done; exit
fi
export RESCUE_RUNDIR="$T/run"
t_image clean "$T/clean.img" || { not_ok "build the clean image"; t_done; exit; }
disk_hives() {	# the image's hives as ntfscat reads them
	t_attach "$T/clean.img" 3 &&
	for h in SAM SOFTWARE SYSTEM; do
		printf '%s %s\n' "$(ntfscat "$t_loop" "Windows/System32/config/$h" | sha256sum | cut -c 1-64)" "$h"
	done
	t_detach
}
disk_hives >"$T/disk.before"
printf 'rules_compiled = %s\ncontain = all\naccounts = admins\n' "$crasher" >"$T/disk.conf"
timeout "$LIMIT" "$RESCUE" --disk "$T/clean.img" auto --config "$T/disk.conf" >"$T/out" 2>&1
rc=$?
sed 's/^/#   /' "$T/out"
expect "--disk, rules that crash libyara: exit 4 (YELLOW), not an abort" test "$rc" -eq 4
expect "--disk: the one line names the file and says nothing changed" \
	grep -q "^rescue: nothing changed: the scan rules could not load: $crasher: damaged compiled rules: libyara crashed" "$T/out"
expect "--disk: verdict YELLOW, not scanned" grep -q '^rescue: VERDICT YELLOW .*(not scanned' "$T/out"
disk_hives >"$T/disk.after"
expect "--disk: no hive on the image changed (ntfscat, sha256)" cmp "$T/disk.before" "$T/disk.after"
t_attach "$T/clean.img" 3
rep=$(ntfsls -p Rescue/reports "$t_loop" 2>/dev/null | grep '\.json$' | head -n 1)
ntfscat "$t_loop" "Rescue/reports/$rep" >"$T/disk.json" 2>/dev/null
t_detach
expect "--disk: the report on the image (ntfscat) says YELLOW, contain and passwd refused" test \
	"$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict"], [s["status"] for s in d["steps"] if s["step"] in ("contain", "passwd")])' "$T/disk.json" 2>&1)" = \
	"YELLOW ['refused', 'refused']"

# hibernated = remove would delete hiberfil.sys before contain: not without rules
if t_image hibernated "$T/hib.img"; then
	sha256sum "$T/hib.img" >"$T/hib.sum"
	printf 'rules_compiled = %s\nhibernated = remove\n' "$crasher" >"$T/hib.conf"
	timeout "$LIMIT" "$RESCUE" --disk "$T/hib.img" auto --config "$T/hib.conf" >"$T/out" 2>&1
	rc=$?
	sed 's/^/#   /' "$T/out"
	expect "--disk, hibernated = remove, damaged rules: exit 4, the hibernation file kept" sh -c \
		"[ $rc -eq 4 ] && grep -q 'hibernation file could not be removed: not without scan rules' '$T/out'"
	expect "--disk, hibernated = remove, damaged rules: the image is byte-identical (sha256sum)" sha256sum -c "$T/hib.sum"
else
	not_ok "build the hibernated image"
fi
t_done
