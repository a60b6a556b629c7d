#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile --root trees against rescue's own folder, the quarantine, the scan
# and the reports (issue 19, findings 1 and 2): links, absolute and relative
# ("../../.." climbing out), where rescue expects Rescue/, Rescue/backup,
# Rescue/quarantine, Rescue/reports or Rescue/journal.jsonl; a planted
# quarantine name; manifests that are FIFOs or ask for setuid and sticky
# bits; a restore target (or its folder) that is a link; links, FIFOs and
# device nodes in the scanned folders; FIFOs and links among the RESCUE
# stick's reports and rules.
# Every run is under `timeout 60` (124 = a hang).  A canary folder outside
# the tree must not change: every entry's type, mode, size and mtime, and
# every file's bytes (sha256sum).  The refusal names the link, and the rest
# of the run still does its work.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

user=AndrewRathbun
dl=Users/$user/Downloads
SHA=275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f   # the EICAR file's
out=$T/outside
# From any depth in the tree, enough ".." reach "/", then down to $out.
climb=../../../../../../../../../../../../../../..$out

# The test files: plant.sh's EICAR sample, and a report to copy around.
mkdir -p "$T/seed"
sh "$TOP/tests/samples/plant.sh" "$T/seed" "$T/seed.want"
sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/base"
mkdir -p "$T/base/$dl"
cp "$T/seed/Users/Tester/Downloads/eicar.com" "$T/base/$dl/eicar.com"

# The canary: files with known bytes and modes outside every tree, one of
# them a detection (a scan that reaches it would report or quarantine it).
mkdir -p "$out/sub"
printf 'fleet password = not-to-be-read\n' >"$out/rescue.conf"
chmod 0600 "$out/rescue.conf"
cp "$T/seed/Users/Tester/Downloads/eicar.com" "$out/evil.com"
chmod 0640 "$out/evil.com"
printf 'canary\n' >"$out/sub/canary.txt"
touch -d '2020-02-02 02:02:02' "$out/rescue.conf" "$out/evil.com" "$out/sub/canary.txt" "$out/sub"
canary_state() {
	find "$out" -printf '%P %y %m %s %T@\n' | LC_ALL=C sort
	(cd "$out" && find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
canary_state >"$T/canary.want"

# check_canary DESC: nothing outside the tree changed (since the last check).
check_canary() {
	canary_state >"$T/canary.got"
	if cmp -s "$T/canary.want" "$T/canary.got"; then
		ok "$1: nothing outside the tree changed"
	else
		not_ok "$1: the canary folder changed"; diff "$T/canary.want" "$T/canary.got" | sed 's/^/#   /'
		cp "$T/canary.got" "$T/canary.want"     # the next case is judged on its own
	fi
}

# fresh: a new copy of the tree in $v.
n=0
fresh() { n=$((n + 1)); v=$T/v$n; cp -a "$T/base" "$v"; }

# run WANT DESC ARGS...: rescue ARGS under timeout 60, output in $T/run.out;
# the exit code must be WANT (124 is a hang).
run() {
	run_want=$1 run_d=$2; shift 2
	timeout 60 "$RESCUE" "$@" >"$T/run.out" 2>&1; rc=$?
	if [ "$rc" -eq "$run_want" ]; then
		ok "$run_d: exit $run_want"
	else
		not_ok "$run_d: exit $rc, want $run_want$([ "$rc" -eq 124 ] && echo ' (hang)')"
		sed 's/^/#   /' "$T/run.out" | tail -n 20
	fi
}

# said DESC TEXT: the last run's output holds TEXT (a fixed string).
said() {
	if grep -qF -- "$2" "$T/run.out"; then ok "$1"; else not_ok "$1: no '$2'"; sed 's/^/#   /' "$T/run.out" | tail -n 20; fi
}

# --- links where rescue's own folder and files go, during auto ----------------------
for kind in abs rel; do
	for place in Rescue Rescue/backup Rescue/quarantine Rescue/reports Rescue/journal.jsonl; do
		fresh
		mkdir -p "$v/$(dirname "$place")"
		if [ $kind = abs ]; then ln -s "$out" "$v/$place"; else ln -s "$climb" "$v/$place"; fi
		c="auto, $place a link ($kind)"
		run 4 "$c (YELLOW)" --root "$v" auto
		said "$c: the refusal names it" "$place is a link on the volume: not followed"
		said "$c: the verdict is YELLOW" "VERDICT YELLOW"
		check_canary "$c"
		if [ -L "$v/$place" ]; then ok "$c: the link itself is left as it was"; else not_ok "$c: the link is gone"; fi
		case $place in
		Rescue/quarantine|Rescue/journal.jsonl|Rescue)
			# the quarantine cannot be written or journalled: the file stays
			expect "$c: the detected file is still in place (nothing lost)" cmp "$v/$dl/eicar.com" "$T/base/$dl/eicar.com" ;;
		*)
			# the quarantine has nothing to do with the link: it still works
			expect "$c: the detection is quarantined all the same" test -f "$v/Rescue/quarantine/$SHA.bin" -a ! -e "$v/$dl/eicar.com" ;;
		esac
	done
done

# --- the same through scan --quarantine ----------------------------------------------
for place in Rescue Rescue/quarantine Rescue/journal.jsonl; do
	fresh
	mkdir -p "$v/$(dirname "$place")"
	ln -s "$climb" "$v/$place"
	c="scan --quarantine, $place a link"
	run 4 "$c (partial)" --root "$v" scan --quarantine
	said "$c: quarantine failed, naming the link" "quarantine failed: "
	said "$c: ... and the link" "$place is a link on the volume: not followed"
	expect "$c: the detected file is still in place" cmp "$v/$dl/eicar.com" "$T/base/$dl/eicar.com"
	check_canary "$c"
done

# --- Rescue/journal.jsonl a FIFO: every command that journals or reads it ---------
fresh
mkdir -p "$v/Rescue"
mkfifo "$v/Rescue/journal.jsonl"
run 4 "scan --quarantine, the journal a FIFO (partial)" --root "$v" scan --quarantine
said "scan --quarantine, the journal a FIFO: the quarantine fails naming it" "quarantine failed: cannot open Rescue/journal.jsonl"
expect "scan --quarantine, the journal a FIFO: the detected file is still in place" cmp "$v/$dl/eicar.com" "$T/base/$dl/eicar.com"
run 4 "auto, the journal a FIFO (YELLOW)" --root "$v" auto
run 0 "status, the journal a FIFO" --root "$v" status
run 0 "quarantine list, the journal a FIFO" --root "$v" quarantine list
run 3 "undo, the journal a FIFO" --root "$v" --yes undo
said "undo, the journal a FIFO: named" "Rescue/journal.jsonl is a FIFO, not a file: not read"
check_canary "the journal a FIFO"

# --- quarantine list and restore when Rescue itself is a link ----------------------
fresh
ln -s "$climb" "$v/Rescue"
run 3 "quarantine list, Rescue a link" --root "$v" quarantine list
said "quarantine list, Rescue a link: refused by name" "Rescue is a link on the volume: not followed"
run 3 "quarantine restore, Rescue a link" --root "$v" quarantine restore "$SHA"
run 3 "quarantine purge, Rescue a link" --root "$v" --yes quarantine purge
check_canary "the quarantine commands, Rescue a link"

# --- a planted quarantine name: the .bin, the manifest, a temporary name -------------
fresh
mkdir -p "$v/Rescue/quarantine"
ln -s "$out/evil.com" "$v/Rescue/quarantine/$SHA.bin"
ln -s "$climb/rescue.conf" "$v/Rescue/quarantine/$SHA.1.json"
mkfifo "$v/Rescue/quarantine/$SHA.2.bin"
ln -s "$out/sub/canary.txt" "$v/Rescue/quarantine/$SHA.3.bin.rescue-tmp"
run 1 "scan --quarantine, planted .bin/.json links and a FIFO" --root "$v" scan --quarantine
said "planted names: the id goes past every name taken" "quarantined as $SHA.3"
expect "planted names: the quarantine copy is a new regular file" test -f "$v/Rescue/quarantine/$SHA.3.bin" -a ! -L "$v/Rescue/quarantine/$SHA.3.bin"
expect "planted names: the links are left as they were" test -L "$v/Rescue/quarantine/$SHA.bin" -a -L "$v/Rescue/quarantine/$SHA.3.bin.rescue-tmp"
check_canary "planted quarantine names"

# --- restore: the manifest's mode is masked; a link at or above the target ----------
for mode in 1023 2541 3583; do   # 01777, 04755, 06777
	fresh
	run 1 "quarantine of the sample (mode $mode to come)" --root "$v" scan --quarantine
	jq -c ".mode = $mode" "$v/Rescue/quarantine/$SHA.json" >"$T/m.json" && cat "$T/m.json" >"$v/Rescue/quarantine/$SHA.json"
	run 0 "restore with manifest mode $(printf '%o' "$mode")" --root "$v" quarantine restore "$SHA"
	got=$(stat -c %a "$v/$dl/eicar.com")
	expect "restore with manifest mode $(printf '%o' "$mode"): restored as $got, no setuid/setgid/sticky bit" \
		test "$(( 0$got & 07000 ))" -eq 0 -a "$(( 0$got ))" -eq "$(( mode & 0777 ))"
	expect "restore with manifest mode $(printf '%o' "$mode"): byte-identical" cmp "$v/$dl/eicar.com" "$T/base/$dl/eicar.com"
done

fresh
run 1 "quarantine before the restore-into-a-link cases" --root "$v" scan --quarantine
ln -s "$out/rescue.conf" "$v/$dl/eicar.com"
run 3 "restore onto a link to the outside" --root "$v" quarantine restore "$SHA"
said "restore onto a link: refused by name" "$dl/eicar.com is a link on the volume: not followed"
rm "$v/$dl/eicar.com"
mv "$v/$dl" "$v/$dl.moved"
ln -s "$climb" "$v/$dl"
run 3 "restore into a folder that is a link (relative)" --root "$v" quarantine restore "$SHA"
said "restore into a link folder: refused by name" "$dl is a link on the volume: not followed"
rm "$v/$dl"
ln -s "$out/sub" "$v/$dl"
run 3 "restore into a folder that is a link (absolute)" --root "$v" quarantine restore "$SHA"
expect "restore refused: the quarantined copy is kept (nothing lost)" test -f "$v/Rescue/quarantine/$SHA.bin" -a -f "$v/Rescue/quarantine/$SHA.json"
check_canary "restore into links"
rm "$v/$dl"
ln -s "$climb" "$v/$dl"
run 4 "undo quarantine into a folder that is a link (partial)" --root "$v" --yes undo quarantine
said "undo quarantine into a link folder: refused by name" "$dl is a link on the volume: not followed"
check_canary "undo quarantine into a link folder"
rm "$v/$dl"
mv "$v/$dl.moved" "$v/$dl"
run 0 "restore once the links are gone" --root "$v" quarantine restore "$SHA"
expect "restore once the links are gone: byte-identical" cmp "$v/$dl/eicar.com" "$T/base/$dl/eicar.com"

# --- a manifest that is a FIFO: list, restore, undo, auto, purge never wait ----------
fresh
run 1 "quarantine before the FIFO manifest cases" --root "$v" scan --quarantine
mkfifo "$v/Rescue/quarantine/0123456789abcdef.json"
run 4 "quarantine list with a FIFO manifest (partial)" --root "$v" quarantine list
said "quarantine list: the FIFO is named" "Rescue/quarantine/0123456789abcdef.json is a FIFO, not a file: not read"
said "quarantine list: the real entry is still listed" "$SHA  "
run 3 "quarantine restore of the FIFO manifest" --root "$v" quarantine restore 0123456789ab
said "quarantine restore: the FIFO is named" "is a FIFO, not a file: not read"
timeout 60 "$RESCUE" --root "$v" --yes undo >"$T/run.out" 2>&1; rc=$?
expect "undo with a FIFO manifest in the quarantine: no hang (exit $rc)" test "$rc" -ne 124
mkfifo "$v/Rescue/quarantine/$SHA.1.json"
cp "$T/base/$dl/eicar.com" "$v/$dl/again.com"
run 1 "auto with FIFO manifests in the quarantine (RED: a detection, dealt with)" --root "$v" auto
said "auto with FIFO manifests: the detection is quarantined past them" "quarantined as $SHA.2"
run 0 "quarantine purge with a FIFO manifest" --root "$v" --yes quarantine purge
check_canary "FIFO manifests"

# --- a scanned folder holding links out of the volume, FIFOs, devices ----------------
fresh
rm "$v/$dl/eicar.com"
ln -s "$out/evil.com" "$v/$dl/abs.com"
ln -s "$climb/evil.com" "$v/$dl/rel.com"
ln -s "$out" "$v/$dl/absdir"
ln -s "$climb" "$v/$dl/reldir"
mkfifo "$v/$dl/fifo.com"
devices=yes
mknod "$v/$dl/zero" c 1 5 2>/dev/null && mknod "$v/$dl/loop" b 7 0 2>/dev/null || devices=no
run 0 "scan --quarantine of links out, a FIFO and devices: nothing detected" --root "$v" -v scan --quarantine
said "scan: the absolute link is not followed" "$dl/abs.com  (link not followed"
said "scan: the relative link folder is not followed" "$dl/reldir  (link not followed"
said "scan: the FIFO is not read" "$dl/fifo.com  (special file: not a regular file)"
if [ $devices = yes ]; then
	said "scan: the character device is not read" "$dl/zero  (special file: not a regular file)"
	said "scan: the block device is not read" "$dl/loop  (special file: not a regular file)"
else
	skip "scan: device nodes are not read" "mknod needs root"
fi
run 2 "scan PATH through a relative link" --root "$v" scan --quarantine "$dl/rel.com"
said "scan PATH through a link: refused by name" "$dl/rel.com is a link on the volume: not followed"
run 2 "scan /absolute/PATH through a link folder" --root "$v" scan --quarantine "$v/$dl/absdir/evil.com"
said "scan /absolute/PATH through a link folder: refused by name" "$dl/absdir is a link on the volume: not followed"
run 0 "auto over links out, a FIFO and devices" --root "$v" auto
check_canary "links, FIFOs and devices in a scanned folder"

# A hiberfil.sys that is a FIFO: looked at without waiting, not hibernated.
fresh
mkfifo "$v/hiberfil.sys"
run 1 "auto, hiberfil.sys a FIFO (RED: a detection, dealt with)" --root "$v" auto
said "auto, hiberfil.sys a FIFO: not taken for hibernated" "contain  changed"

# --- the RESCUE stick: its reports folder and rules ----------------------------------
# Links where this run's report names will be (any second of the next ten
# minutes, well past the timeout): on the volume and in reports_dir.
fresh
stick=$T/stick
mkdir -p "$stick/reports" "$stick/rules" "$v/Rescue/reports"
now=$(date -u +%s)
i=0
while [ $i -le 600 ]; do
	s=$(date -u -d "@$((now + i))" +%Y%m%dT%H%M%SZ)
	ln -s "$out/rescue.conf" "$stick/reports/DESKTOP-M3OSHQU-$s.json"
	ln -s "$climb/sub/canary.txt" "$stick/reports/DESKTOP-M3OSHQU-$s.txt"
	ln -s "$climb/rescue.conf" "$v/Rescue/reports/$s.json"
	i=$((i + 1))
done
mkfifo "$stick/rules/evil.yar" "$stick/rules/hashes.sha256"
printf 'reports_dir = %s\nrules_extra = %s\n' "$stick/reports" "$stick/rules" >"$T/stick.conf"
run 1 "auto with links at the report names and FIFO rule files (RED: a detection)" --root "$v" auto --config "$T/stick.conf"
expect "auto: the report notes the FIFO rule file, skipped by name" \
	grep -qF "rules/evil.yar is a FIFO, not a file: not read: rule file skipped" "$stick"/reports/DESKTOP-M3OSHQU-*-2.txt
expect "auto: the report went to a new name on the volume" sh -c 'ls "$1"/Rescue/reports/*-2.json' - "$v"
expect "auto: the report copy went to a new name on the stick" sh -c 'ls "$1"/reports/DESKTOP-M3OSHQU-*-2.json' - "$stick"
expect "auto: the detection is quarantined" test -f "$v/Rescue/quarantine/$SHA.bin"
check_canary "links among the stick's reports, FIFOs among its rules"

# A rescue.conf that is a FIFO: refused before anything is touched.
mkfifo "$stick/rescue.conf"
fresh
run 3 "auto --config a FIFO: nothing done" --root "$v" auto --config "$stick/rescue.conf"
said "auto --config a FIFO: named" "rescue.conf is a FIFO, not a file: not read"
expect "auto --config a FIFO: the volume is untouched" diff -r --no-dereference "$T/base" "$v"

# fleet over that folder, plus a FIFO report, a link to a report outside and
# a link to a folder of reports outside: only the real report counts.
cp "$stick"/reports/DESKTOP-M3OSHQU-*-2.json "$out/report.json"
canary_state >"$T/canary.want"
mkfifo "$stick/reports/fifo.json"
ln -s "$out/report.json" "$stick/reports/outside.json"
ln -s "$climb" "$stick/reports/outside-folder"
run 0 "fleet over links and a FIFO" fleet "$stick/reports"
said "fleet: only the one real report counts" "1 report(s): 0 GREEN, 1 RED, 0 YELLOW"
check_canary "fleet"

t_done
