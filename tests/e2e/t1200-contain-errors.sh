#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input to status/contain/undo: a clear one-line error, the right exit
# code, and nothing modified.
. "$(dirname "$0")/../lib.sh"

cfg=Windows/System32/config

fresh() {	# fresh NAME: a win7 tree in $T/NAME and its pristine copy
	rm -rf "${T:?}/$1" "${T:?}/$1.orig"
	sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/$1"
}

snapshot() { cp -a "$T/$1" "$T/$1.orig"; }

# expect_refusal NAME CODE PATTERN DESC ARGS...: exit CODE, one stderr line
# matching PATTERN, and the tree unchanged (no Rescue/ folder either).
expect_refusal() {
	name=$1 code=$2 pat=$3 desc=$4; shift 4
	"$@" >"$T/stdout" 2>"$T/stderr"; rc=$?
	lines=$(wc -l <"$T/stderr")
	if [ "$rc" -eq "$code" ] && [ "$lines" -eq 1 ] && grep -q "$pat" "$T/stderr"; then
		ok "$desc: exit $code, one line"
	else
		not_ok "$desc: exit $rc (want $code), $lines stderr lines"; sed 's/^/#   /' "$T/stderr"
	fi
	if diff -r "$T/$name.orig" "$T/$name" >/dev/null 2>&1; then ok "$desc: nothing modified"
	else not_ok "$desc: nothing modified"; diff -rq "$T/$name.orig" "$T/$name" | sed 's/^/#   /'; fi
}

# a damaged SYSTEM hive that libhivex refuses
fresh bad; unpack_hive regipy/corrupted_system_hive.xz "$T/bad/$cfg/SYSTEM"; snapshot bad
expect_refusal bad 3 'SYSTEM' "corrupt SYSTEM, contain" "$RESCUE" --root "$T/bad" contain
expect_refusal bad 3 'SYSTEM' "corrupt SYSTEM, status" "$RESCUE" --root "$T/bad" status

# a damaged user hive: the machine hives must not be left half-done
fresh baduser; unpack_hive regipy/corrupted_system_hive.xz "$T/baduser/Users/nfury/NTUSER.DAT"; snapshot baduser
expect_refusal baduser 3 'nfury/NTUSER.DAT' "corrupt user hive, contain" "$RESCUE" --root "$T/baduser" contain

# a dirty SYSTEM hive (sequence numbers differ, no logs)
fresh dirty; unpack_hive regipy/SYSTEM_2.xz "$T/dirty/$cfg/SYSTEM"; snapshot dirty
expect_refusal dirty 3 'dirty' "dirty SYSTEM, contain" "$RESCUE" --root "$T/dirty" contain
expect_exit 0 "dirty SYSTEM, contain --force writes it" "$RESCUE" --root "$T/dirty" --force contain
[ "$(hivexget "$T/dirty/$cfg/SYSTEM" '\ControlSet001\Services\Schedule' Start)" = 4 ] &&
	ok "dirty SYSTEM, --force: Schedule Start = 4" || not_ok "dirty SYSTEM, --force: Schedule Start = 4"

# no SOFTWARE hive
fresh nosw; rm "$T/nosw/$cfg/SOFTWARE"; snapshot nosw
expect_refusal nosw 3 'SOFTWARE' "missing SOFTWARE, contain" "$RESCUE" --root "$T/nosw" contain
expect_exit 0 "missing SOFTWARE, contain tasks (SYSTEM only) still works" "$RESCUE" --root "$T/nosw" contain tasks

# a read-only hive file
fresh ro; chmod 444 "$T/ro/$cfg/SOFTWARE"; snapshot ro
expect_refusal ro 3 'read-only' "read-only SOFTWARE, contain" "$RESCUE" --root "$T/ro" contain

# not a Windows tree, no such directory, a file
mkdir -p "$T/empty/stuff"; cp -a "$T/empty" "$T/empty.orig"
expect_refusal empty 3 'not a Windows installation' "not a Windows tree" "$RESCUE" --root "$T/empty" contain
expect_exit 3 "no such directory" "$RESCUE" --root "$T/nonexistent" status
expect_exit 3 "a file as root" "$RESCUE" --root "$T/stderr" status

# usage errors
fresh usage; snapshot usage
expect_refusal usage 2 "unknown item 'bogus'" "unknown item" "$RESCUE" --root "$T/usage" contain bogus
expect_refusal usage 2 "unknown option" "unknown option" "$RESCUE" --root "$T/usage" contain --bogus
expect_exit 2 "no command" "$RESCUE"
expect_exit 2 "unknown command" "$RESCUE" frobnicate
# (no target at all means every local disk: the boot case, tested in t2010)
expect_exit 2 "--root and --disk together" "$RESCUE" --root "$T/usage" --disk /dev/null status

# a damaged journal: undo refuses rather than guess
fresh journal; "$RESCUE" --root "$T/journal" contain >/dev/null 2>&1
printf '{"seq":99,"kind":"value",\n' >>"$T/journal/Rescue/journal.jsonl"; snapshot journal
expect_refusal journal 3 'journal.jsonl line' "damaged journal, undo" "$RESCUE" --root "$T/journal" undo

t_done
