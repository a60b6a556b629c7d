#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue passwd refuses bad input with one clear line and a non-zero exit,
# and writes nothing (the SAM's SHA-256 and the absence of Rescue/ say so).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"

sh "$TOP/tests/fixtures/mktree.sh" xp "$T/xp" >/dev/null
SAM=$(sam_of "$T/xp")
sum0=$(sha256sum <"$SAM")
unchanged() { [ "$(sha256sum <"$SAM")" = "$sum0" ] && [ ! -e "$T/xp/Rescue/journal.jsonl" ]; }
# expect_exit, keeping the output for one_line (expect overwrites $T/.out)
refused() { expect_exit "$@"; cp "$T/.out" "$T/last"; }
one_line() { [ "$(wc -l <"$T/last")" -eq 1 ] && grep -q "$1" "$T/last"; }

refused 2 "unknown user" "$RESCUE" --root "$T/xp" passwd nobody --blank
expect "  says so in one line" one_line "no account 'nobody'"
refused 2 "unknown RID" "$RESCUE" --root "$T/xp" passwd 0x1234 --unlock
head -c 128 /dev/zero | tr '\0' a >"$T/long"; echo >>"$T/long"
refused 2 "password of 128 characters" "$RESCUE" --root "$T/xp" passwd Pat --password-file "$T/long"
expect "  says Windows' limit in one line" one_line "longer than 127"
printf '\377\376bad\n' >"$T/badutf8"
refused 2 "password that is not UTF-8" "$RESCUE" --root "$T/xp" passwd Pat --password-file "$T/badutf8"
refused 2 "password on the command line is refused" "$RESCUE" --root "$T/xp" passwd Pat --password=secret
refused 2 "empty stdin (no line at all)" sh -c "'$RESCUE' --root '$T/xp' passwd Pat --password-stdin </dev/null"
refused 2 "--blank with --password-stdin" sh -c "echo x | '$RESCUE' --root '$T/xp' passwd Pat --blank --password-stdin"
refused 2 "nothing to do" "$RESCUE" --root "$T/xp" passwd Pat
refused 2 "missing password file" "$RESCUE" --root "$T/xp" passwd Pat --password-file "$T/none"
expect "nothing written by any of these" unchanged

# A Microsoft account: password refused with the advice, flag edits work.
printf 'Windows Registry Editor Version 5.00\n\n[\\SAM\\Domains\\Account\\Users\\000003EB]\n"InternetUserName"=hex:70,00,61,00,74,00,40,00,65,00,78,00,61,00,6d,00,70,00,6c,00,65,00,2e,00,63,00,6f,00,6d,00\n\n' >"$T/msa.reg"
hivexregedit --merge "$SAM" "$T/msa.reg"
sum0=$(sha256sum <"$SAM")
refused 2 "Microsoft account: --blank refused" "$RESCUE" --root "$T/xp" passwd Pat --blank
expect "  with the advice to use the built-in Administrator" one_line "lives online.*Administrator --enable"
expect "  nothing written" unchanged
expect "Microsoft account: users shows microsoft and the address" \
	sh -c "'$RESCUE' --root '$T/xp' users | grep -q 'microsoft.*' && '$RESCUE' --root '$T/xp' users | grep -q 'pat@example.com'"
expect "Microsoft account: --unlock still works" "$RESCUE" --root "$T/xp" passwd Pat --unlock
rm -rf "$T/xp/Rescue"

# A corrupt SAM: a damaged hive in its place.
sh "$TOP/tests/fixtures/mktree.sh" xp "$T/bad" >/dev/null
unpack_hive regipy/corrupted_system_hive.xz "$(sam_of "$T/bad")"
refused 3 "corrupt SAM: users" "$RESCUE" --root "$T/bad" users
refused 3 "corrupt SAM: passwd" "$RESCUE" --root "$T/bad" passwd Administrator --blank
expect "  one line naming the SAM" one_line "SAM"
# A SAM cut short: the first 8 KiB of the real one.
head -c 8192 "$SAM" >"$(sam_of "$T/bad")"
refused 3 "truncated SAM: passwd" "$RESCUE" --root "$T/bad" passwd Administrator --blank
expect "  nothing written" test ! -e "$T/bad/Rescue/journal.jsonl"

# SAM without SYSTEM: not a Windows installation.
sh "$TOP/tests/fixtures/mktree.sh" xp "$T/nosys" >/dev/null
rm -f "$(system_of "$T/nosys")"
refused 3 "SAM without SYSTEM: passwd refused" "$RESCUE" --root "$T/nosys" passwd Pat --blank
expect "  one line naming SYSTEM" one_line "SYSTEM"
# SYSTEM damaged: no boot key; setting refused, blank still works.
sh "$TOP/tests/fixtures/mktree.sh" xp "$T/badsys" >/dev/null
unpack_hive regipy/corrupted_system_hive.xz "$(system_of "$T/badsys")"
sum1=$(sha256sum <"$(sam_of "$T/badsys")")
printf 'x\n' >"$T/pw"
refused 3 "damaged SYSTEM: setting a password refused" \
	"$RESCUE" --root "$T/badsys" passwd Pat --password-file "$T/pw"
expect "  says blank/unlock/enable/promote still work" one_line "still work"
expect "  SAM unchanged" test "$(sha256sum <"$(sam_of "$T/badsys")")" = "$sum1"
expect "damaged SYSTEM: --blank still works" "$RESCUE" --root "$T/badsys" passwd Administrator --blank
t_done
