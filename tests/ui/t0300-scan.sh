#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Scan screen on a win10 tree with tests/samples/plant.sh's infections,
# at 80x25 and 200x60: the scan runs to the end, every planted file is
# listed (a UTF-8 name drawn as itself), one detection is quarantined (gone
# from its place, its manifest in Rescue/quarantine/), then all, one is
# restored (back, byte for byte: sha256sum), the Verdict is RED and the
# report lists the detections.  At 200x60 a larger tree is cancelled during
# the scan: what was found is kept and the verdict says incomplete.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/uilib.sh"

command -v tmux >/dev/null || { skip "ui through tmux" "tmux not installed"; exit 0; }

for geom in "80 25 vt100" "200 60 xterm-256color"; do
	set -- $geom
	cols=$1 rows=$2 term=$3 at="${1}x${2}"
	w=$T/w10-$at
	sh "$TOP/tests/fixtures/mktree.sh" win10 "$w" >/dev/null 2>&1 || { not_ok "mktree win10"; continue; }
	sh "$TOP/tests/samples/plant.sh" "$w" "$T/want-$at" || { not_ok "plant.sh"; continue; }
	ndet=$(wc -l <"$T/want-$at")

	ui_start "$cols" "$rows" "$term" --root "$w"
	ui_keys Enter
	ui_wait "Containment: shut"
	ui_keys 4
	ui_see "$at the scan screen offers the whole volume" "Press Enter to scan the whole volume"
	ui_keys Enter
	ui_wait "Scan finished" 120
	ui_see "$at the scan runs to the end and lists every planted file" "Scan finished: $ndet detections" \
		"Detections: $ndet" "Finished: " "Счёт über € 日本語.com"
	if [ "$cols" -ge 200 ]; then
		miss=
		# long paths are cut at the front ("...") to fit: their file names show
		while IFS="$(printf '\t')" read -r p _; do
			grep -qF -- "$p" "$T/screen.txt" || grep -qF -- "/${p##*/}" "$T/screen.txt" || miss="$miss $p"
		done <"$T/want-$at"
		ui_is "$at every file of plant.sh's manifest is on screen" "$miss" ""
	fi
	# d: the detail view (the file, then each rule with its file and author)
	ui_keys g d
	ui_see "$at d shows the detection's details" "bytes, sha256 " "reported"
	ui_keys Enter
	# the first row, as the confirmation names it
	ui_keys g Enter
	ui_wait "It is made harmless"
	first=$(sed -n 's/.*Quarantine \(.*\)? .*/\1/p' "$T/screen.txt" | head -n 1)
	ui_is "$at quarantine asks once, for a planted file" "$(cut -f 1 "$T/want-$at" | grep -cxF -- "$first")" 1
	ui_keys y
	ui_see "$at and shows the result" "quarantined "
	ui_keys Enter
	if [ ! -e "$w/$first" ] && ls "$w"/Rescue/quarantine/*.json >/dev/null 2>&1; then
		ok "$at $first moved to Rescue/quarantine/"
	else not_ok "$at $first still there, or no manifest"; fi
	ui_keys A
	ui_see "$at A asks once for the rest" "Quarantine all $((ndet - 1)) detections"
	ui_keys y
	ui_see "$at all quarantined" "$((ndet - 1)) of $((ndet - 1)) quarantined"
	ui_keys Enter
	left=
	while IFS="$(printf '\t')" read -r p _; do [ ! -e "$w/$p" ] || left="$left $p"; done <"$T/want-$at"
	ui_is "$at no planted file left in place" "$left" ""

	ui_keys g r
	ui_see "$at restore asks once" "Put $first back where it was?"
	ui_keys y
	ui_see "$at restored" "Restored"
	ui_keys Enter
	expect "$at $first is back" test -f "$w/$first"

	ui_keys 5
	ui_see "$at verdict RED with the scan step" "RED  DESKTOP-M3OSHQU" "detections found" "scan" \
		"$ndet detections"
	ui_keys Enter
	ui_wait "Write the report" && ui_keys y
	ui_see "$at report written" "Report written"
	ui_keys Enter
	for rep in "$w"/Rescue/reports/*.json; do break; done
	expect "$at report JSON: RED, $ndet detections, the restored one says restored" \
		sh -c 'grep -q "\"verdict\":\"RED\"" "$1" && grep -q "restored" "$1" && grep -q "\"quarantined\":$(($2 - 1))" "$1"' \
		sh "$rep" "$ndet"
	rc=$(ui_quit)
	ui_is "$at exit 1: RED" "$rc" 1
	ui_is "$at nothing on stderr" "$(cat "$T/ui.err")" ""
done

# Cancel: a tree with enough data that the scan is still running when c
# arrives (the bar shows a file before the key is sent).
w=$T/big
# 1 GiB of random data: on an idle machine 120 MB was scanned before the
# key arrived, so the margin must be seconds, not milliseconds.
ui_bulk_tree "$w" 1024 || not_ok "cancel: tree"
ui_start 200 60 xterm-256color --root "$w"
ui_keys Enter
ui_wait "Containment: shut"
ui_keys 4 Enter
ui_wait "Now: " 30
ui_keys c
ui_wait "Scan cancelled" 60
ui_see "cancel: the scan stops, says incomplete, keeps its list" "Cancelled, incomplete" "Detections: "
ui_keys 5
ui_see "cancel: the verdict is not GREEN" "cancelled (incomplete)"
ui_not_see "cancel: no GREEN" "GREEN  "
rc=$(ui_quit)
case $rc in 1|4) ok "cancel: exit $rc (RED or YELLOW)" ;; *) not_ok "cancel: exit '$rc'" ;; esac

t_done
