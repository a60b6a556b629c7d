#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Dirty hives recovered from their transaction logs (issue 6), judged by tools
# we did not write: hivexsh, reglookup, hivexget, od.
#   tree a: Windows 10 with the dirty NTUSER.DAT and DEFAULT + logs, and the
#           dirty SYSTEM_B (Windows 10 1709) + its logs as SYSTEM (logs in
#           mixed case): status, recover, idempotence, contain/undo after
#   tree b: the Windows 11 NTUSER.DAT and DEFAULT + logs (LOG2 holds the
#           earlier entries): recover, then undo recover puts every byte back
#   tree c: a clean Windows 10 with SYSTEM_B and damaged logs: truncated,
#           another hive's, a bad entry hash; SYSTEM_2 without logs
. "$(dirname "$0")/../lib.sh"

cfg=Windows/System32/config
user=Users/AndrewRathbun
class='ControlSet001\Control\Class\{4d36e967-e325-11ce-bfc1-08002be10318}\0003'
count='/SOFTWARE/Microsoft/Windows/CurrentVersion/Explorer/UserAssist/{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}/Count'

seqs() { od -An -tu4 -j4 -N8 "$1" | awk '{print $1 "/" $2}'; }

# XOR-32 of the first 508 bytes against the stored checksum (0 -> 1, -1 -> -2)
checksum_ok() {
	x=0
	# shellcheck disable=SC2046
	set -- $(od -An -tu4 -v -N508 "$1") "$(od -An -tu4 -j508 -N4 "$1" | tr -d ' ')"
	while [ $# -gt 1 ]; do x=$((x ^ $1)); shift; done
	[ "$x" -eq 0 ] && x=1
	[ "$x" -eq 4294967295 ] && x=4294967294
	[ "$x" -eq "$1" ]
}

# equal sequence numbers, right checksum, opens in hivexsh and reglookup
hive_sound() {
	s=$(seqs "$1")
	[ "${s%/*}" = "${s#*/}" ] && checksum_ok "$1" &&
		[ -n "$(printf 'ls\n' | hivexsh "$1")" ] &&
		reglookup -H "$1" >/dev/null 2>&1 && [ "$(reglookup -H "$1" 2>/dev/null | wc -l)" -gt 100 ]
}

dump() { reglookup -H -i "$1" 2>/dev/null | sort; }

if [ ! -d "$DATA/hives" ]; then skip "recover" "no data at $DATA"; t_done; exit; fi

# ---- tree a ----------------------------------------------------------------
a=$T/a
sh "$TOP/tests/fixtures/mktree.sh" win10-dirty "$a" >/dev/null 2>&1
unpack_hive regipy/SYSTEM_B.xz "$a/$cfg/SYSTEM"
unpack_hive regipy/SYSTEM_B.LOG1.xz "$a/$cfg/SYSTEM.LOG1"
unpack_hive regipy/SYSTEM_B.LOG2.xz "$a/$cfg/system.log2"
cp -a "$a" "$T/a.orig"
# The primaries alone, as libhivex and reglookup see them (they ignore logs).
dump "$a/$cfg/SYSTEM" >"$T/sys.before"
dump "$a/$user/NTUSER.DAT" >"$T/nt.before"

"$RESCUE" --root "$a" status >"$T/status" 2>&1
expect "status: SYSTEM dirty, recoverable in memory" \
	grep -q 'DIRTY.*config/SYSTEM: dirty (1622/1621): recovered in memory.*24 log entries, sequence 2107..2130' "$T/status"
expect "status: DEFAULT and NTUSER.DAT dirty" \
	sh -c "grep -q 'DIRTY.*config/DEFAULT: dirty (90/89)' '$T/status' && grep -q 'DIRTY.*NTUSER.DAT: dirty (195/194)' '$T/status'"
expect "status --json: hives with their state" \
	sh -c "'$RESCUE' --root '$a' --json status | grep -q '\"state\":\"recovered-in-memory\"'"
expect "status wrote nothing" diff -r "$T/a.orig" "$a"

expect_exit 0 "recover writes the three dirty hives" "$RESCUE" --root "$a" --yes recover
for h in "$cfg/SYSTEM" "$cfg/DEFAULT" "$user/NTUSER.DAT"; do
	expect "$h: equal sequence numbers, right checksum, hivexsh and reglookup open it" hive_sound "$a/$h"
done
expect "SYSTEM sealed one beyond the last log entry (2130)" test "$(seqs "$a/$cfg/SYSTEM")" = 2131/2131
expect "SYSTEM hive bins size grew as the log entries say" \
	test "$(od -An -tu4 -j40 -N4 "$a/$cfg/SYSTEM" | tr -d ' ')" -eq 12591104
expect "the logs are emptied" sh -c "for f in '$a/$cfg/SYSTEM.LOG1' '$a/$cfg/system.log2' '$a/$cfg/DEFAULT.LOG1' \
	'$a/$user/ntuser.dat.LOG2'; do [ ! -s \"\$f\" ] || exit 1; done"
expect "primaries and logs backed up byte for byte" sh -c "cmp '$T/a.orig/$cfg/SYSTEM' '$a'/Rescue/backup/*/files/$cfg/SYSTEM &&
	cmp '$T/a.orig/$cfg/system.log2' '$a'/Rescue/backup/*/files/$cfg/system.log2 &&
	cmp '$T/a.orig/$user/NTUSER.DAT' '$a'/Rescue/backup/*/files/$user/NTUSER.DAT"
expect "journal: FILE entries of item recover" \
	test "$(grep -c '"item":"recover","kind":"file"' "$a/Rescue/journal.jsonl")" -eq 9

dump "$a/$cfg/SYSTEM" >"$T/sys.after"
dump "$a/$user/NTUSER.DAT" >"$T/nt.after"
expect "SYSTEM: thousands of rows only the logs held" test "$(comm -13 "$T/sys.before" "$T/sys.after" | wc -l)" -gt 5000
expect "SYSTEM: $class DriverDesc absent from the primary alone (hivexget)" \
	sh -c "! hivexget '$T/a.orig/$cfg/SYSTEM' '\\$class' DriverDesc 2>/dev/null"
expect "SYSTEM: $class DriverDesc = Disk drive after recovery (hivexget)" \
	sh -c "hivexget '$a/$cfg/SYSTEM' '\\$class' DriverDesc | grep -qx 'Disk drive'"
expect "SYSTEM: $class InfPath = disk.inf after recovery (hivexget)" \
	sh -c "hivexget '$a/$cfg/SYSTEM' '\\$class' InfPath | grep -qx 'disk.inf'"
expect "NTUSER.DAT: UserAssist Count written 21:03:13 (the logs), not 20:58:03 (the primary)" \
	sh -c "grep -q '^$count,KEY,,2022-02-08 20:58:03' '$T/nt.before' && grep -q '^$count,KEY,,2022-02-08 21:03:13' '$T/nt.after'"

cp -a "$a" "$T/a.rec"
expect "recover again: nothing to do" sh -c "'$RESCUE' --root '$a' --yes recover | grep -q 'no dirty hive'"
expect "recover again wrote nothing" diff -r "$T/a.rec" "$a"
expect "status: recovered by rescue" \
	sh -c "'$RESCUE' --root '$a' status | grep -q 'config/SYSTEM: clean (recovered from its transaction logs by rescue'"

# contain / undo on the recovered hives, as on clean ones
expect_exit 0 "contain autorun on the recovered hives" "$RESCUE" --root "$a" --yes contain autorun
expect "hivexget: SYSTEM Cdrom AutoRun = 0" \
	sh -c "hivexget '$a/$cfg/SYSTEM' '\\ControlSet001\\Services\\Cdrom' AutoRun | grep -qx 0"
expect "hivexget: NTUSER.DAT NoDriveTypeAutoRun = 255" \
	sh -c "hivexget '$a/$user/NTUSER.DAT' '\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer' NoDriveTypeAutoRun | grep -qx 255"
expect "contained hives still sound" sh -c "for h in '$a/$cfg/SYSTEM' '$a/$user/NTUSER.DAT'; do
	od -An -tu4 -j4 -N8 \"\$h\" | awk '{exit \$1 != \$2}' || exit 1; done"

# undo of the recovery while the later edits stand: refused, naming what to undo first
cp -a "$a" "$T/a.contained"
"$RESCUE" --root "$a" --yes undo recover >"$T/out" 2>&1; rc=$?
expect "undo recover with the contain edits standing: exit 4, says to undo autorun first" \
	sh -c "[ $rc -eq 4 ] && grep -q 'SYSTEM: left as it is: rescue changed the hive .*config/SYSTEM after recovering it.*undo them first (\`rescue undo autorun\`)' '$T/out'"
expect "undo recover refused: hives and logs as they were (cmp)" sh -c "for f in '$cfg/SYSTEM' '$cfg/SYSTEM.LOG1' \
	'$cfg/DEFAULT' '$user/NTUSER.DAT' '$user/ntuser.dat.LOG1'; do cmp '$T/a.contained/'\"\$f\" '$a/'\"\$f\" || exit 1; done"

expect_exit 0 "undo (all items)" "$RESCUE" --root "$a" --yes undo
expect "undo: Cdrom AutoRun back to 1, the recovered data kept" \
	sh -c "hivexget '$a/$cfg/SYSTEM' '\\ControlSet001\\Services\\Cdrom' AutoRun | grep -qx 1 &&
	hivexget '$a/$cfg/SYSTEM' '\\$class' DriverDesc | grep -qx 'Disk drive'"
expect "undo: NoDriveTypeAutoRun gone again" \
	sh -c "! hivexget '$a/$user/NTUSER.DAT' '\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer' NoDriveTypeAutoRun"
cp -a "$a" "$T/a.undone"
# Windows ran since (it writes its logs at once): the recovery stays
printf 'HvLE' >>"$a/$cfg/SYSTEM.LOG1"
"$RESCUE" --root "$a" --yes undo recover >"$T/out" 2>&1
expect "undo recover after Windows wrote a log: SYSTEM refused, the originals named" \
	sh -c "grep -q 'FAILED.*config/SYSTEM: left as it is: .*SYSTEM.LOG1 changed since rescue emptied it.*Rescue/backup/' '$T/out'"
expect "undo recover after Windows wrote a log: SYSTEM's other log not put back" test ! -s "$a/$cfg/system.log2"
rm -rf "$a"
cp -a "$T/a.undone" "$a"
# the later edits undone (their hives rewritten by that undo): the recovery goes back
expect_exit 0 "undo recover once the contain edits are undone" "$RESCUE" --root "$a" --yes undo recover
orig_back() {
	for f in "$cfg/SYSTEM" "$cfg/SYSTEM.LOG1" "$cfg/system.log2" "$cfg/DEFAULT" "$cfg/DEFAULT.LOG1" \
		"$cfg/DEFAULT.LOG2" "$user/NTUSER.DAT" "$user/ntuser.dat.LOG1" "$user/ntuser.dat.LOG2"; do
		cmp "$T/a.orig/$f" "$1/$f" || return 1
	done
	[ "$(seqs "$1/$cfg/SYSTEM")" = 1622/1621 ] && [ -n "$(printf 'ls\n' | hivexsh "$1/$cfg/SYSTEM")" ] &&
		reglookup -H "$1/$user/NTUSER.DAT" >/dev/null 2>&1
}
expect "undo recover: every dirty primary and log back byte for byte (cmp), hivexsh and reglookup open them" \
	orig_back "$a"
# everything in one run: the edits first, then the recoveries
expect_exit 0 "undo all (edits standing)" "$RESCUE" --root "$T/a.contained" --yes undo all
expect "undo all: every dirty primary and log back byte for byte (cmp), hivexsh and reglookup open them" \
	orig_back "$T/a.contained"
expect "undo all: SOFTWARE (not dirty) holds what it held (hivexregedit --export)" sh -c \
	"hivexregedit --export '$T/a.orig/$cfg/SOFTWARE' '\\' >'$T/sw.a' && hivexregedit --export '$T/a.contained/$cfg/SOFTWARE' '\\' >'$T/sw.b' && cmp '$T/sw.a' '$T/sw.b'"
expect "undo all: nothing left to undo" sh -c "'$RESCUE' --root '$T/a.contained' --yes undo all | grep -qx 'nothing to undo'"

# ---- tree b ----------------------------------------------------------------
b=$T/b
m=dfir-artifact-museum/win11
sh "$TOP/tests/fixtures/mktree.sh" win10 "$b" >/dev/null 2>&1
unpack_hive $m/DEFAULT.xz "$b/$cfg/DEFAULT"
unpack_hive $m/DEFAULT.LOG1.xz "$b/$cfg/DEFAULT.LOG1"
unpack_hive $m/DEFAULT.LOG2.xz "$b/$cfg/DEFAULT.LOG2"
unpack_hive $m/NTUSER.DAT.xz "$b/$user/NTUSER.DAT"
unpack_hive $m/ntuser.dat.LOG1.xz "$b/$user/ntuser.dat.LOG1"
unpack_hive $m/ntuser.dat.LOG2.xz "$b/$user/ntuser.dat.LOG2"
cp -a "$b" "$T/b.orig"
expect_exit 0 "Windows 11: recover" "$RESCUE" --root "$b" --yes recover
for h in "$cfg/DEFAULT" "$user/NTUSER.DAT"; do
	expect "Windows 11 $h: equal sequence numbers, checksum, hivexsh, reglookup" hive_sound "$b/$h"
done
expect "Windows 11 DEFAULT: Search InstalledPackagedAppsRevision as the logs have it, not the primary" \
	sh -c "hivexget '$T/b.orig/$cfg/DEFAULT' '\\Software\\Microsoft\\Windows\\CurrentVersion\\Search' InstalledPackagedAppsRevision | grep -qx '{B24AC606-E416-4006-A34F-C939B277AA7A}' &&
	hivexget '$b/$cfg/DEFAULT' '\\Software\\Microsoft\\Windows\\CurrentVersion\\Search' InstalledPackagedAppsRevision | grep -qx '{0F064CCB-5F16-468F-8691-C123C6BCFCA8}'"
expect "Windows 11 NTUSER.DAT: OneDrive LastUpdate from the logs (0x6202da20)" \
	sh -c "reglookup -H -p '/Software/Microsoft/OneDrive/Accounts/LastUpdate' '$b/$user/NTUSER.DAT' 2>/dev/null | grep -qi ',QWORD,0x000000006202DA20,'"
expect_exit 0 "undo recover (nothing written since)" "$RESCUE" --root "$b" --yes undo recover
expect "undo recover: the dirty hives and their logs are back byte for byte" \
	sh -c "for f in '$cfg/DEFAULT' '$cfg/DEFAULT.LOG1' '$cfg/DEFAULT.LOG2' '$user/NTUSER.DAT' \
	'$user/ntuser.dat.LOG1' '$user/ntuser.dat.LOG2'; do cmp '$T/b.orig/'\"\$f\" '$b/'\"\$f\" || exit 1; done"

expect_exit 0 "contain autorun on the dirty Windows 11 hives (recovers them first)" \
	"$RESCUE" --root "$b" --yes contain autorun
expect "contain: NTUSER.DAT recovered (OneDrive LastUpdate of the logs) and contained" \
	sh -c "reglookup -H -p '/Software/Microsoft/OneDrive/Accounts/LastUpdate' '$b/$user/NTUSER.DAT' 2>/dev/null | grep -qi ',QWORD,0x000000006202DA20,' &&
	hivexget '$b/$user/NTUSER.DAT' '\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer' NoDriveTypeAutoRun | grep -qx 255"
expect "contain: the recovery journaled before the edits, logs emptied" \
	sh -c "[ ! -s '$b/$user/ntuser.dat.LOG1' ] && awk '/\"item\":\"autorun\"/ {a=NR} /\"item\":\"recover\".*NTUSER.DAT\"/ {r=NR} END {exit !(r && a && r < a)}' '$b/Rescue/journal.jsonl'"

# ---- tree c: damaged logs, nothing written ---------------------------------
c=$T/c
sh "$TOP/tests/fixtures/mktree.sh" win10 "$c" >/dev/null 2>&1
unpack_hive regipy/SYSTEM_B.xz "$c/$cfg/SYSTEM"
unpack_hive regipy/SYSTEM_B.LOG1.xz "$T/LOG1"
unpack_hive regipy/SYSTEM_B.LOG2.xz "$T/LOG2"

# case NAME MESSAGE: logs already in place; recover and contain refuse, write nothing
refused() {
	rm -rf "$T/c.orig"
	cp -a "$c" "$T/c.orig"
	"$RESCUE" --root "$c" --yes recover >"$T/out" 2>&1
	rc=$?
	if [ "$rc" -eq 4 ] && grep -q "$2" "$T/out"; then ok "$1: recover refuses, says \"$2\""
	else not_ok "$1: recover refuses (exit $rc)"; sed 's/^/#   /' "$T/out"; fi
	expect_exit 3 "$1: contain refuses" "$RESCUE" --root "$c" --yes contain shares
	expect "$1: nothing written" diff -r "$T/c.orig" "$c"
}

head -c 100000 "$T/LOG2" >"$c/$cfg/SYSTEM.LOG2"
cp "$T/LOG1" "$c/$cfg/SYSTEM.LOG1"
refused "truncated LOG2" "SYSTEM.LOG2: the log entry at offset 12288 (sequence 2112) is cut off"

unpack_hive dfir-artifact-museum/win11/ntuser.dat.LOG1.xz "$c/$cfg/SYSTEM.LOG1"
unpack_hive dfir-artifact-museum/win11/ntuser.dat.LOG2.xz "$c/$cfg/SYSTEM.LOG2"
refused "logs of another hive" "SYSTEM.LOG1 belongs to another hive"

cp "$T/LOG1" "$c/$cfg/SYSTEM.LOG1"
cp "$T/LOG2" "$c/$cfg/SYSTEM.LOG2"
# one byte inside LOG2's fourth entry (sequence 2114, at offset 360448)
printf 'X' | dd of="$c/$cfg/SYSTEM.LOG2" bs=1 seek=361448 conv=notrunc 2>/dev/null
refused "a bad entry hash" "sequence 2114) has a bad hash: the replay stopped before it"

expect_exit 0 "--force replays up to the bad entry, as Windows would" "$RESCUE" --root "$c" --force --yes recover
expect "--force: SYSTEM at sequence 2114 (2113 + 1), sound" \
	sh -c "test \"\$(od -An -tu4 -j4 -N8 '$c/$cfg/SYSTEM' | awk '{print \$1 \"/\" \$2}')\" = 2114/2114" 
expect "--force: the result opens in hivexsh and reglookup" hive_sound "$c/$cfg/SYSTEM"

rm -f "$c/$cfg/SYSTEM.LOG1" "$c/$cfg/SYSTEM.LOG2"
unpack_hive regipy/SYSTEM_2.xz "$c/$cfg/SYSTEM"
refused "dirty without logs" "no transaction logs.*may be lost"
expect "status names what may be lost" \
	sh -c "'$RESCUE' --root '$c' status | grep -q 'SYSTEM: dirty (205/204), NOT recovered: no transaction logs'"

# A recoverable DEFAULT beside the refused SYSTEM: contain refuses and the
# recovery of DEFAULT is not written either (it waits for the hive's first write).
unpack_hive dfir-artifact-museum/win10/DEFAULT.xz "$c/$cfg/DEFAULT"
unpack_hive dfir-artifact-museum/win10/DEFAULT.LOG1.xz "$c/$cfg/DEFAULT.LOG1"
unpack_hive dfir-artifact-museum/win10/DEFAULT.LOG2.xz "$c/$cfg/DEFAULT.LOG2"
rm -rf "$T/c.orig"
cp -a "$c" "$T/c.orig"
expect_exit 3 "contain autorun: SYSTEM refused" "$RESCUE" --root "$c" --yes contain autorun
expect "contain autorun refused: DEFAULT not recovered on disk either, nothing written" diff -r "$T/c.orig" "$c"
t_done
