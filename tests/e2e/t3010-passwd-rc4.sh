#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue passwd on the real matched XP pair (m57-pat, RC4): chntpw -l and
# impacket-secretsdump judge the result; undo restores F and V byte for byte.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"

sh "$TOP/tests/fixtures/mktree.sh" xp "$T/xp" >/dev/null
SAM=$(sam_of "$T/xp")
f0=$(user_value "$SAM" 000001F4 F) v0=$(user_value "$SAM" 000001F4 V)
pf0=$(user_value "$SAM" 000003EB F) pv0=$(user_value "$SAM" 000003EB V)
expect "before: chntpw -l shows Administrator dis/lock (failed count 1)" \
	test "$(chntpw_row "$SAM" Administrator)" = "ADMIN dis/lock"

expect "passwd Administrator --blank --unlock --enable" \
	"$RESCUE" --root "$T/xp" passwd administrator --blank --unlock --enable
expect "chntpw -l: Administrator unlocked, enabled, blank" \
	test "$(chntpw_row "$SAM" Administrator)" = "ADMIN *BLANK*"

# Pat has no NT hash yet (a 4-byte header): the entry is created, V grows.
printf 'Rescue-2026!\n' >"$T/pw1"
expect "passwd 0x3eb --password-stdin (account without a hash)" \
	sh -c "'$RESCUE' --root '$T/xp' passwd 0x3eb --password-stdin <'$T/pw1'"
expect "secretsdump: Pat's NT hash = MD4(UTF-16LE(password))" test "$(nt_of "$T/xp" Pat)" = "$(md4_of_file "$T/pw1")"
expect "Pat's F: password last set is now (FILETIME at 0x18, read by python)" "$PY" -c 'import sys, struct, time
t = struct.unpack_from("<Q", bytes.fromhex(sys.argv[1]), 0x18)[0] / 1e7 - 11644473600
assert abs(t - time.time()) < 3600, t' "$(user_value "$SAM" 000003EB F)"

# non-ASCII, from a file, on the account blanked above (no entry at all now)
printf 'p\303\244ssw\303\266rd\342\202\254 \316\261\316\262\n' >"$T/pw2"
expect "passwd Administrator --password-file (non-ASCII)" \
	"$RESCUE" --root "$T/xp" passwd Administrator --password-file "$T/pw2"
expect "secretsdump: Administrator's NT hash = MD4 of the non-ASCII password" \
	test "$(nt_of "$T/xp" Administrator)" = "$(md4_of_file "$T/pw2")"
expect "secretsdump: Administrator's old LM hash is gone" \
	test "$(secretsdump "$T/xp" | awk -F: '$1 == "Administrator" { print $3 }')" = aad3b435b51404eeaad3b435b51404ee

# the empty password: an empty line
printf '\n' >"$T/pw3"
expect "passwd HelpAssistant --password-stdin with an empty line" \
	sh -c "'$RESCUE' --root '$T/xp' passwd HelpAssistant --password-stdin <'$T/pw3'"
expect "secretsdump: HelpAssistant has the empty password's hash 31d6cfe0..." \
	test "$(nt_of "$T/xp" HelpAssistant)" = 31d6cfe0d16ae931b73c59d7e0c089c0

# promote: Guest into Administrators
expect "passwd guest --promote --enable" "$RESCUE" --root "$T/xp" passwd guest --promote --enable
expect "chntpw -l: Guest is ADMIN" test "$(chntpw_row "$SAM" Guest | cut -d' ' -f1)" = ADMIN
"$RESCUE" --root "$T/xp" --json users >"$T/u.json"
expect "users --json: Guest admin, HelpAssistant blank" "$PY" -c 'import json,sys
u = {x["name"]: x for x in json.load(open(sys.argv[1]))["users"]}
assert u["Guest"]["admin"] and not u["Guest"]["disabled"] and u["HelpAssistant"]["blank"]' "$T/u.json"
expect "promote again: nothing to change" sh -c "'$RESCUE' --root '$T/xp' passwd guest --promote | grep -q 'already in Administrators'"
expect "other accounts untouched: SUPPORT_388945a0 hash as SOURCES.md" \
	test "$(nt_of "$T/xp" SUPPORT_388945a0)" = 46d064464915b89622c1033c872a463e
expect "journal holds passwd entries" grep -q '"item":"passwd"' "$T/xp/Rescue/journal.jsonl"

# undo: every passwd change back, F and V byte-identical (hivexget)
"$RESCUE" --root "$T/xp" undo passwd >"$T/undo.out" 2>&1; rc=$?; sed "s/^/# /" "$T/undo.out"
expect "undo passwd exits 0" test "$rc" -eq 0
expect "undo: Administrator F byte-identical" test "$(user_value "$SAM" 000001F4 F)" = "$f0"
expect "undo: Administrator V byte-identical" test "$(user_value "$SAM" 000001F4 V)" = "$v0"
expect "undo: Pat F and V byte-identical" \
	test "$(user_value "$SAM" 000003EB F)$(user_value "$SAM" 000003EB V)" = "$pf0$pv0"
expect "undo: chntpw -l shows Guest not ADMIN again" test "$(chntpw_row "$SAM" Guest | cut -d' ' -f1)" = -
expect "undo: secretsdump shows Administrator's original hash" \
	test "$(nt_of "$T/xp" Administrator)" = e76f3e0e6fa6cbb0cd98360225f6b955
t_done
