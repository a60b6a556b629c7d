#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# screenshots.sh [DIR] - the README's screenshots of `rescue ui` (default
# docs/screenshots/): the UI driven through tmux at 80x25 on test Windows
# trees, each screen captured with its colours (capture-pane -e) and drawn
# to PNG by tests/ui/ansi2png.py.  `make screenshots`; not part of make check.
# Needs python3-pil and the fonts (installed here when missing, as root).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/uilib.sh"
out=${1:-$TOP/docs/screenshots}
mkdir -p "$out"
export RESCUE="$TOP/build/rescue"

need=
for p in python3-pil fonts-dejavu-core fonts-wqy-microhei tmux; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "screenshots: missing packages:$need" >&2; exit 1; }
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# shot NAME: the current screen as NAME.png
shot() {
	sleep 0.3
	ui_capture_ansi "$T/$1.ansi"
	/usr/bin/python3 "$TOP/tests/ui/ansi2png.py" 80 25 "$T/$1.ansi" "$out/$1.png" && echo "$out/$1.png"
}

# A Windows 10 tree with the planted samples and some bulk, so the scan
# can be caught running.
w=$T/win10
ui_bulk_tree "$w" 150

ui_start 80 25 tmux-256color --root "$w"
shot home
ui_keys Enter
ui_wait "Containment: shut"
shot contain
ui_keys Enter
ui_wait "Apply containment" && ui_keys y
ui_wait "Containment applied"
shot contain-applied
ui_keys Enter 4 Enter
ui_wait "Now: " 30
shot scan-running
ui_wait "Scan finished" 300
shot scan-results
ui_keys A
ui_wait "Quarantine all" && ui_keys y
ui_wait "quarantined (see each line" && ui_keys Enter
ui_keys 5
ui_wait "RED  "
shot verdict
ui_keys 6
shot log
ui_quit >/dev/null

# Accounts on the XP tree, whose SAM and SYSTEM belong together.
x=$T/xp
sh "$TOP/tests/fixtures/mktree.sh" xp "$x" >/dev/null 2>&1
ui_start 80 25 tmux-256color --root "$x"
ui_keys Enter
ui_wait "Containment: shut"
ui_keys 3
ui_wait "Accounts: local users"
shot accounts
ui_keys G p
ui_wait "New password for"
ui_keys -l "secret"
shot accounts-password
ui_keys Escape
ui_quit >/dev/null

# The log sheet (rescue fleet --html) of a small building, drawn by headless
# Chromium: an infected machine run twice, a clean one, one not scanned.
rep=$T/sheet/reports
for m in win10:full win10:full xp:full win7:noscan; do
	tree=${m%%:*}
	[ -d "$T/sheet/$tree" ] || { sh "$TOP/tests/fixtures/mktree.sh" "$tree" "$T/sheet/$tree" >/dev/null
		[ "$tree" = win10 ] && sh "$TOP/tests/samples/plant.sh" "$T/sheet/$tree" >/dev/null; }
	printf 'reports_dir = %s\n' "$rep" >"$T/sheet.conf"
	[ "${m#*:}" = noscan ] && printf 'scan = off\nautoruns = off\n' >>"$T/sheet.conf"
	"$RESCUE" --root "$T/sheet/$tree" auto --config "$T/sheet.conf" >/dev/null 2>&1
	sleep 1	# one-second report stamps: each run its own
done
(cd "$T/sheet" && "$RESCUE" fleet reports --html "$T/sheet.html" >/dev/null)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$T/chrome" \
	--window-size=1100,520 --screenshot="$out/log-sheet.png" "file://$T/sheet.html" >/dev/null 2>&1 &&
	echo "$out/log-sheet.png"
