#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue users on the real XP pair (m57-pat SAM + SYSTEM) and on an AES SAM
# without its SYSTEM: what chntpw -l and SOURCES.md say about the accounts.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"

sh "$TOP/tests/fixtures/mktree.sh" xp "$T/xp" >/dev/null
"$RESCUE" --root "$T/xp" users >"$T/users.txt" 2>&1
expect "users exits 0 on the XP tree" test $? -eq 0
sed 's/^/# /' "$T/users.txt"
row() { awk -v r="$1" '$1 == r' "$T/users.txt"; }
expect "Administrator 500: admin, has a password, 1 failed logon" \
	sh -c "echo '$(row 500)' | grep -q 'Administrator .*admin,password .* 1\$'"
expect "Guest 501: disabled, blank" sh -c "echo '$(row 501)' | grep -q 'disabled,blank'"
expect "Pat 1003: admin, blank (secretsdump: 31d6cfe0...)" sh -c "echo '$(row 1003)' | grep -q 'Pat .*admin,blank'"
expect "five accounts, as chntpw -l lists" test "$(grep -c '^[0-9]' "$T/users.txt")" -eq 5
# chntpw agrees on who is ADMIN
expect "chntpw -l: Pat and Administrator ADMIN" \
	sh -c "chntpw -l '$(sam_of "$T/xp")' | grep -c 'ADMIN' | grep -qx 2"

"$RESCUE" --root "$T/xp" --json users >"$T/users.json"
expect "users --json parses, 5 users, Pat blank admin" "$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
u = {x["rid"]: x for x in d["users"]}
assert len(u) == 5 and d["sam_hash_format"] == "rc4" and d["boot_key_opens_sam"]
assert u[1003]["blank"] and u[1003]["admin"] and not u[1003]["has_password"]
assert u[500]["failed_logons"] == 1 and u[500]["has_password"] and u[501]["disabled"]
assert u[1003]["last_logon"].startswith("2009-12-08")' "$T/users.json"

# Windows 10 AES SAM with a SYSTEM of another machine: listed, key refused
sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/w10" >/dev/null
"$RESCUE" --root "$T/w10" --json users >"$T/w10.json"
expect "AES SAM listed; boot key reported as not opening it" "$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
u = {x["rid"]: x for x in d["users"]}
assert d["sam_hash_format"] == "aes" and not d["boot_key_opens_sam"] and "padding" in d["boot_key_problem"]
assert u[500]["disabled"] and u[1001]["admin"] and u[1001]["name"] == "AndrewRathbun"
assert u[504]["has_password"] and u[504]["hash"] == "aes"' "$T/w10.json"
t_done
