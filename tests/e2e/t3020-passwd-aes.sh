#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue passwd on AES SAMs (Windows 10 1607 and later).  No matched AES-era
# SAM + SYSTEM pair exists (SOURCES.md), so the fixtures are made here: the
# real AES SAMs of DFIRArtifactMuseum win10/win11 and Velociraptor, with
# their domain key re-encrypted under the boot key of the real Windows 10
# SYSTEM of dissect-regf (aes_fixture in tests/fixtures/accounts-lib.sh,
# pycryptodome + hivexregedit).  impacket does not verify an AES boot key, so
# the check is the NT hash it prints for the password we set: MD4(UTF-16LE).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"

aes_tree "$T/w10" dfir-artifact-museum/win10/SAM.xz
expect "secretsdump reads the boot key of dissect-regf SYSTEM" \
	sh -c "PATH=/usr/bin:\$PATH impacket-secretsdump -sam '$(sam_of "$T/w10")' -system '$(system_of "$T/w10")' LOCAL 2>&1 | grep -qi 'bootKey: 0x$DISSECT_BOOTKEY'"
expect "users: the fixture's boot key opens the AES SAM" \
	sh -c "'$RESCUE' --root '$T/w10' --json users | grep -q '\"boot_key_opens_sam\":true'"

# AndrewRathbun (1001) holds a 24-byte header and no hash: the entry is made.
printf 'p\303\244ssw\303\266rd\342\202\254\n' >"$T/pw1"
expect "win10: passwd AndrewRathbun --password-file (non-ASCII, no hash yet)" \
	"$RESCUE" --root "$T/w10" passwd andrewrathbun --password-file "$T/pw1"
expect "win10: secretsdump NT hash of AndrewRathbun = MD4(UTF-16LE(password))" \
	test "$(nt_of "$T/w10" AndrewRathbun)" = "$(md4_of_file "$T/pw1")"
printf '\n' >"$T/pw0"
expect "win10: Administrator --enable --unlock + empty password" \
	sh -c "'$RESCUE' --root '$T/w10' passwd 500 --enable --unlock --password-stdin <'$T/pw0'"
expect "win10: secretsdump shows Administrator with the empty password's hash" \
	test "$(nt_of "$T/w10" Administrator)" = 31d6cfe0d16ae931b73c59d7e0c089c0
expect "win10: chntpw -l shows Administrator enabled (ADMIN, not dis/lock)" \
	sh -c "chntpw -l '$(sam_of "$T/w10")' | grep '| Administrator ' | grep -vq 'dis/lock'"

aes_tree "$T/w11" dfir-artifact-museum/win11/SAM.xz
printf 'Correct horse battery staple 2026\n' >"$T/pw2"
expect "win11: passwd WDAGUtilityAccount (has an AES hash) --password-stdin" \
	sh -c "'$RESCUE' --root '$T/w11' passwd WDAGUtilityAccount --password-stdin <'$T/pw2'"
expect "win11: secretsdump NT hash = MD4(UTF-16LE(password))" \
	test "$(nt_of "$T/w11" WDAGUtilityAccount)" = "$(md4_of_file "$T/pw2")"

aes_tree "$T/vr" velociraptor/SAM.xz
printf 'Rescue-2026!\n' >"$T/pw3"
expect "velociraptor: passwd test --password-stdin (has an AES hash)" \
	sh -c "'$RESCUE' --root '$T/vr' passwd test --password-stdin <'$T/pw3'"
expect "velociraptor: secretsdump NT hash of test = MD4(UTF-16LE(password))" \
	test "$(nt_of "$T/vr" test)" = "$(md4_of_file "$T/pw3")"
expect "velociraptor: Guest --promote shows ADMIN in chntpw -l" \
	sh -c "'$RESCUE' --root '$T/vr' passwd Guest --promote >/dev/null && chntpw -l '$(sam_of "$T/vr")' | grep '| Guest ' | grep -q ADMIN"
expect "velociraptor: our users agrees (Guest admin)" \
	sh -c "'$RESCUE' --root '$T/vr' users | awk '\$1 == 501' | grep -q admin"
# WDAGUtilityAccount (504) is in no alias: its Members\<SID>\000001F8 key is
# created and the SID key's count (the type of its default value, 4 here)
# goes up by one, as in every real SAM here.
members() { hivexregedit --export "$(sam_of "$T/vr")" '\SAM\Domains\Builtin\Aliases\Members' | tr -d '\r'; }
expect "velociraptor: 504 --promote (no Members entry yet)" "$RESCUE" --root "$T/vr" passwd 504 --promote
members >"$T/members"
expect "  Members/<SID>/000001F8 = hex(1):20,02,00,00" \
	sh -c "grep -A1 '000001F8]' '$T/members' | grep -qx '@=hex(1):20,02,00,00'"
expect "  the SID key counts 5 members" sh -c "grep -A1 'S-1-5-21-3442094626-3791537600-2028639842]' '$T/members' | grep -qx '@=hex(5):'"
expect "  chntpw -l: WDAGUtilityAccount ADMIN" \
	test "$(chntpw_row "$(sam_of "$T/vr")" WDAGUtilityAccount | cut -d' ' -f1)" = ADMIN
expect "undo passwd" "$RESCUE" --root "$T/vr" undo passwd
members >"$T/members"
expect "  undo removed the created key and put the count back to 4" \
	sh -c "! grep -q '000001F8' '$T/members' && grep -A1 'S-1-5-21-3442094626-3791537600-2028639842]' '$T/members' | grep -qx '@=hex(4):'"
t_done
