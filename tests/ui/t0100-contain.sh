#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `rescue ui` driven through tmux on a win7 tree, at 80x25 (TERM=vt100: the
# serial console, no colours) and 200x60 (xterm-256color): Home shows the
# installation, Containment asks once (No leaves the hives alone), applies
# (hivexget reads the new values), undoes (the old ones are back), every
# screen is reachable, help opens, a resize redraws, q quits.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/ui/uilib.sh
. "$(dirname "$0")/uilib.sh"

command -v tmux >/dev/null || { skip "ui through tmux" "tmux not installed"; exit 0; }
EXPL='Microsoft\Windows\CurrentVersion\Policies\Explorer'
SCHED='ControlSet001\Services\Schedule'

for geom in "80 25 vt100" "200 60 xterm-256color"; do
	# shellcheck disable=SC2086
	set -- $geom
	cols=$1 rows=$2 term=$3 at="${1}x${2}"
	w=$T/win7-$at
	sh "$TOP/tests/fixtures/mktree.sh" win7 "$w" >/dev/null 2>&1 || { not_ok "mktree win7"; continue; }
	soft=$w/Windows/System32/config/SOFTWARE sys=$w/Windows/System32/config/SYSTEM

	ui_start "$cols" "$rows" "$term" --root "$w"
	ui_see "$at home lists the installation" "WKS-WIN732BITA" "Windows 7 Professional 7601" "folder" "F10Quit"
	ui_keys F1
	ui_see "$at F1 opens the help of Home" "Help: Home" "F10 or q"
	ui_keys Escape
	ui_keys 2
	ui_see "$at containment needs an installation first" "Choose a Windows installation on Home first"

	ui_keys Enter
	ui_see "$at Enter opens containment, every item open" "Containment: shut" "autorun  OPEN" \
		"hosts    OPEN" "NoDriveTypeAutoRun = 0x91 (145), wanted 0xff (255)"
	ui_keys Enter
	ui_see "$at apply asks first" "Apply containment to WKS-WIN732BITA?" "autorun tasks restore shares hosts"
	ui_keys n
	ui_see "$at No changes nothing" "Nothing changed"
	expect_exit 1 "$at after No, NoAutorun still absent (hivexget)" hivexget "$soft" "$EXPL" NoAutorun

	ui_keys Enter
	ui_wait "Apply containment" && ui_keys y
	ui_see "$at applied: the result lists what changed" "Containment applied" \
		"NoAutorun: (absent) -> 0x1 (1)" "Start: 0x2 (2) -> 0x4 (4)"
	ui_keys Enter
	ui_see "$at every item contained" "autorun  contained" "tasks    contained" "hosts    contained" \
		"13 settings changed"
	ui_is "$at SOFTWARE NoAutorun = 1 (hivexget)" "$(hivexget "$soft" "$EXPL" NoAutorun 2>&1)" 1
	ui_is "$at SYSTEM Schedule Start = 4 (hivexget)" "$(hivexget "$sys" "$SCHED" Start 2>&1)" 4
	expect "$at hosts file blocks C2 names" grep -q '^0\.0\.0\.0' "$w/Windows/System32/drivers/etc/hosts"

	# undo only tasks: unmark all but tasks (cursor starts on autorun)
	ui_keys g Space Down Space Space Space
	ui_capture "$T/marks.txt"
	ui_keys u
	ui_see "$at undo asks first, for tasks only" "Put back what rescue changed for:" "tasks"
	ui_keys y
	ui_see "$at undo shows what went back" "Undone" "undone  tasks"
	ui_keys Enter
	ui_see "$at tasks open again, autorun still contained" "tasks    OPEN" "autorun  contained"
	ui_is "$at SYSTEM Schedule Start back to 2 (hivexget)" "$(hivexget "$sys" "$SCHED" Start 2>&1)" 2
	ui_is "$at NoAutorun untouched by the undo" "$(hivexget "$soft" "$EXPL" NoAutorun 2>&1)" 1

	# p: the permissions repair, the same call as `rescue repair permissions`;
	# a --root tree has no NTFS descriptors and says so
	ui_keys p
	ui_see "$at p asks first" "Reset hostile owners and Deny entries"
	ui_keys y
	ui_see "$at a tree that is not an ntfs-3g mount: permissions not checked, and why" \
		"Permissions not checked" "permissions cannot be read on"
	ui_keys Enter

	ui_keys 3
	ui_see "$at Accounts screen" "Accounts:"
	ui_keys 4
	ui_see "$at Scan screen" "Scan:"
	ui_keys 5
	ui_see "$at Verdict screen: YELLOW (no scan), with the computer and the steps" "YELLOW  WKS-WIN732BITA" \
		"not scanned: no scan finished" "no scan finished in this session" \
		"autorun tasks restore shares hosts: 13 settings changed" "tasks: 1 change put back" \
		"Report: not written yet"
	ui_keys Enter
	ui_see "$at writing the report asks first" "Write the report of this session to"
	ui_keys y
	ui_see "$at the report is written and the screen says where" "Report written" "Rescue/reports/"
	ui_keys Enter
	for rep in "$w"/Rescue/reports/*.json; do break; done
	expect "$at report JSON on the volume says YELLOW and the machine" \
		grep -q '"verdict":"YELLOW".*\|"machine":"WKS-WIN732BITA"' "$rep"
	if grep -q 'NoAutorun' "${rep%.json}.txt" && ! grep -q ' tasks .*Schedule : Start' "${rep%.json}.txt"; then
		ok "$at report lists the contained change of NoAutorun, not the undone tasks change"
	else
		not_ok "$at report changes:"; sed 's/^/#   /' "${rep%.json}.txt"
	fi
	ui_keys 6
	ui_see "$at Log screen keeps what was done" "Log of this run" "contain: set  NoAutorun" "undo: undone  tasks"
	ui_keys Escape
	ui_see "$at Esc goes back to the Verdict" "YELLOW  WKS-WIN732BITA"

	# a resize redraws: the help bar is on the new last row
	ui_resize $((cols - 10)) $((rows - 3))
	sleep 0.3
	ui_keys 2
	ui_wait "Containment: shut" 5
	last=$(tail -n 1 "$T/screen.txt")
	n=$(wc -l <"$T/screen.txt")
	case $last in F1Help*) ok "$at resized to $((cols - 10))x$((rows - 3)): help bar on the last row" ;;
	*) not_ok "$at after resize, last row: $last"; sed 's/^/#   |/' "$T/screen.txt" ;; esac
	ui_is "$at resize: rows on screen" "$n" $((rows - 3))

	rc=$(ui_quit)
	# the run changed things but no scan finished: YELLOW's exit code, 4
	ui_is "$at q quits, exit 4 (YELLOW)" "$rc" 4
	ui_is "$at nothing on stderr" "$(cat "$T/ui.err")" ""
done

t_done
