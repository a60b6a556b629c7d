#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Accounts screen on the XP tree (its SAM and SYSTEM belong together, so
# passwords can be set), at 80x25 and 200x60: users and flags listed; a new
# password typed twice and never shown (a mismatch changes nothing); the
# NT hash impacket-secretsdump prints is MD4(UTF-16LE(password)) for a
# non-ASCII password; blank + unlock on Administrator, judged by chntpw -l; the Verdict lists the steps.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"
. "$(dirname "$0")/uilib.sh"

command -v tmux >/dev/null || { skip "ui through tmux" "tmux not installed"; exit 0; }
PW='Pässwörd€ 2026'
printf '%s\n' "$PW" >"$T/pw"

for geom in "80 25 vt100" "200 60 xterm-256color"; do
	set -- $geom
	cols=$1 rows=$2 term=$3 at="${1}x${2}"
	w=$T/xp-$at
	sh "$TOP/tests/fixtures/mktree.sh" xp "$w" >/dev/null 2>&1 || { not_ok "mktree xp"; continue; }

	ui_start "$cols" "$rows" "$term" --root "$w"
	ui_keys Enter
	ui_wait "Containment: shut"
	ui_keys 3
	ui_see "$at accounts listed with flags" "Accounts: local users" "Administrator" "Pat" "admin blank" \
		"disabled blank" "the boot key opens them"

	# Pat is the last row; a mismatched second entry changes nothing
	ui_keys G p
	ui_see "$at p asks for the new password" "New password for Pat:"
	ui_keys -l "$PW"; ui_keys Enter
	ui_see "$at asks for it again" "The same password again:"
	ui_keys -l "something else"; ui_keys Enter
	ui_see "$at two different entries: nothing changed" "The two passwords differ"
	ui_keys Enter
	ui_is "$at after the mismatch Pat still has the empty password's hash (or none)" \
		"$(nt_of "$w" Pat | sed 's/^31d6cfe0d16ae931b73c59d7e0c089c0$//')" ""

	ui_keys p
	ui_wait "New password for Pat:"
	ui_keys -l "$PW"
	ui_capture "$T/typing.txt"
	ui_keys Enter
	ui_wait "The same password again:"
	ui_keys -l "$PW"; ui_keys Enter
	ui_see "$at asks once before writing" "Set a new password for Pat (RID 1003)" "on M57-PAT?"
	ui_keys y
	ui_see "$at shows what was done" "password set"
	ui_keys Enter
	ui_see "$at Pat now has a password" "admin password"
	ui_is "$at secretsdump: Pat's NT hash = MD4(UTF-16LE(password))" "$(nt_of "$w" Pat)" "$(md4_of_file "$T/pw")"
	if grep -qF "rd€" "$T/typing.txt" || grep -qF "$PW" "$T/screen.txt"; then not_ok "$at the password was shown"
	else ok "$at the password is never on screen"; fi

	# Administrator (first row): blank, then unlock
	ui_keys g b
	ui_see "$at blank asks once" "Blank the password of Administrator (RID 500)"
	ui_keys y
	ui_see "$at blank done" "Administrator"
	ui_keys Enter
	ui_keys l
	ui_wait "Unlock Administrator" && ui_keys y
	ui_wait "Enter or Esc: close" && ui_keys Enter
	ui_is "$at chntpw -l: Administrator blank and no longer locked" "$(chntpw_row "$(sam_of "$w")" Administrator)" \
		"ADMIN *BLANK*"

	ui_keys 5
	ui_see "$at the verdict lists the account steps" "Pat (1003): password set" "Administrator (500)"
	rc=$(ui_quit)
	ui_is "$at exit 4: YELLOW, nothing was scanned" "$rc" 4
	ui_is "$at nothing on stderr" "$(cat "$T/ui.err")" ""
done

t_done
