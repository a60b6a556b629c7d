#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --blank --unlock --enable on the built-in Administrator of every real SAM
# (XP, 7, plaso, regipy: RC4; Windows 10, 11, Velociraptor: AES), each with
# a SYSTEM that does not open it (no pair exists): the flag edits and the
# blank need no boot key.  chntpw -l judges: unlocked, enabled, blank.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"

sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/tree" >/dev/null
SAM=$(sam_of "$T/tree")
for s in dfir-artifact-museum/win7/SAM.xz plaso/SAM.xz regipy/SAM.xz \
	dfir-artifact-museum/win10/SAM.xz dfir-artifact-museum/win11/SAM.xz velociraptor/SAM.xz; do
	unpack_hive "$s" "$SAM"
	expect "$s: passwd Administrator --blank --unlock --enable" \
		"$RESCUE" --root "$T/tree" passwd Administrator --blank --unlock --enable
	row=$(chntpw_row "$SAM" Administrator)
	expect "$s: chntpw -l shows Administrator *BLANK* (enabled, unlocked) [$row]" \
		test "${row#* }" = "*BLANK*"
	printf 'x\n' >"$T/pw"
	expect_exit 3 "$s: setting a password with a SYSTEM that does not open it is refused" \
		sh -c "'$RESCUE' --root '$T/tree' passwd Administrator --password-stdin <'$T/pw'"
	rm -rf "$T/tree/Rescue"
done
t_done
