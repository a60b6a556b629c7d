#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Scan screen on a win10 tree with tests/samples/plant.sh's infections,
# at 80x25 and 200x60: the scan runs to the end, every planted file is
# listed (a UTF-8 name drawn as itself), one detection is quarantined (gone
# from its place, its manifest in Rescue/quarantine/), then all, one is
# restored (back, byte for byte: sha256sum), the Verdict is RED and the
# report lists the detections.  Each planted file is also started by a Run
# value of SOFTWARE: the value of the file quarantined is deleted with it
# (hivexget, a tool we did not write, reads the hive), the others stay
# until all are quarantined, the report has the step "autoruns" and
# `rescue undo autoruns` brings the values back.  At 200x60 a larger tree is
# cancelled during the scan: what was found is kept and the verdict says
# incomplete.  Last, a file changed after the scan is not quarantined: the
# screen quarantines what was listed (path and SHA-256), without a new scan.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/uilib.sh"

command -v tmux >/dev/null || { skip "ui through tmux" "tmux not installed"; exit 0; }
for tool in hivexregedit hivexget iconv od; do
	command -v $tool >/dev/null || { skip "ui scan" "$tool missing"; t_done; exit 0; }
done

RUNKEY='\Microsoft\Windows\CurrentVersion\Run'
# hex1 TEXT: TEXT as a .reg hex(1) value (UTF-16LE, NUL-terminated).
hex1() { { printf '%s' "$1" | iconv -f UTF-8 -t UTF-16LE; printf '\0\0'; } | od -An -v -tx1 | tr -s ' \n' ',,' |
	sed 's/^,//; s/,$//'; }
# plant_runs ROOT MANIFEST: a Run value Tn starting the n-th file of MANIFEST.
plant_runs() {
	n=0
	{ printf 'Windows Registry Editor Version 5.00\n\n[%s]\n' "$RUNKEY"
	  while IFS="$(printf '\t')" read -r p _; do
		n=$((n + 1))
		printf '"T%d"=hex(1):%s\n' $n "$(hex1 "\"C:\\$(printf '%s' "$p" | tr / '\\')\"")"
	  done <"$2"; } >"$T/runs.reg"
	hivexregedit --merge "$1/Windows/System32/config/SOFTWARE" "$T/runs.reg"
}
# runs_left ROOT: the Tn values still in Run, sorted, on one line.
runs_left() { hivexget "$1/Windows/System32/config/SOFTWARE" "$RUNKEY" | sed -n 's/^"\(T[0-9]*\)"=.*/\1/p' |
	LC_ALL=C sort | tr '\n' ' '; }

# goto_row N: the list's N-th row (from 0) selected.
goto_row() {
	ui_keys g
	ui_j=0; while [ "$ui_j" -lt "$1" ]; do ui_keys j; ui_j=$((ui_j + 1)); done
}

for geom in "80 25 vt100" "200 60 xterm-256color"; do
	set -- $geom
	cols=$1 rows=$2 term=$3 at="${1}x${2}"
	w=$T/w10-$at
	sh "$TOP/tests/fixtures/mktree.sh" win10 "$w" >/dev/null 2>&1 || { not_ok "mktree win10"; continue; }
	sh "$TOP/tests/samples/plant.sh" "$w" "$T/want-$at" || { not_ok "plant.sh"; continue; }
	ndet=$(wc -l <"$T/want-$at")
	plant_runs "$w" "$T/want-$at" || not_ok "$at plant the Run values"
	all_runs=$(runs_left "$w")
	ui_is "$at one Run value per planted file" "$(echo "$all_runs" | wc -w)" "$ndet"

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
	# The first row the confirmation names on one line: rows come in the
	# order found, which varies, and a path wider than the dialog wraps.
	row=0
	while :; do
		goto_row $row
		ui_keys Enter
		ui_wait "It is made harmless"
		first=$(sed -n 's/.*Quarantine \(.*\)? .*/\1/p' "$T/screen.txt" | head -n 1)
		cut -f 1 "$T/want-$at" | grep -qxF -- "$first" || [ $((row + 1)) -ge "$ndet" ] && break
		ui_keys n
		ui_gone "It is made harmless"
		row=$((row + 1))
	done
	ui_is "$at quarantine asks once, for a planted file" "$(cut -f 1 "$T/want-$at" | grep -cxF -- "$first")" 1
	ui_keys y
	ui_see "$at and shows the result" "quarantined "
	ui_keys Enter
	if [ ! -e "$w/$first" ] && ls "$w"/Rescue/quarantine/*.json >/dev/null 2>&1; then
		ok "$at $first moved to Rescue/quarantine/"
	else not_ok "$at $first still there, or no manifest"; fi
	# its Run value (the n-th of the manifest) deleted with it, no other
	n=$(cut -f 1 "$T/want-$at" | grep -nxF -- "$first" | cut -d: -f 1)
	ui_is "$at the Run value starting $first is disabled, the others stay" "$(runs_left "$w")" \
		"$(echo "$all_runs" | tr ' ' '\n' | grep -vx -e '' -e "T$n" | LC_ALL=C sort | tr '\n' ' ')"
	ui_keys A
	ui_see "$at A asks once for the rest" "Quarantine all $((ndet - 1)) detections"
	ui_keys y
	ui_see "$at all quarantined" "$((ndet - 1)) of $((ndet - 1)) quarantined"
	ui_keys Enter
	left=
	while IFS="$(printf '\t')" read -r p _; do [ ! -e "$w/$p" ] || left="$left $p"; done <"$T/want-$at"
	ui_is "$at no planted file left in place" "$left" ""
	ui_is "$at every Run value starting a quarantined file is disabled" "$(runs_left "$w")" ""

	goto_row $row
	ui_keys r
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
	expect "$at report JSON: the autostart entries disabled, as the step autoruns" \
		grep -q '"step":"autoruns","status":"changed"' "$rep"
	rc=$(ui_quit)
	ui_is "$at exit 1: RED" "$rc" 1
	ui_is "$at nothing on stderr" "$(cat "$T/ui.err")" ""
	"$RESCUE" --root "$w" --yes undo autoruns >"$T/undo.out" 2>&1 || { sed 's/^/#   /' "$T/undo.out"; not_ok "$at undo autoruns"; }
	ui_is "$at rescue undo autoruns brings every Run value back" "$(runs_left "$w")" "$all_runs"
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

# Changed after the scan: eicar.com gets one more line (the EICAR rule
# still matches it, a new scan would take it), so it is no longer the file
# listed: left in place, and its Run value with it.
w=$T/changed
sh "$TOP/tests/fixtures/mktree.sh" win10 "$w" >/dev/null 2>&1 || not_ok "changed: mktree win10"
sh "$TOP/tests/samples/plant.sh" "$w" "$T/want-changed" || not_ok "changed: plant.sh"
plant_runs "$w" "$T/want-changed" || not_ok "changed: plant the Run values"
ndet=$(wc -l <"$T/want-changed")
eicar=Users/AndrewRathbun/Downloads/eicar.com
n=$(cut -f 1 "$T/want-changed" | grep -nxF -- "$eicar" | cut -d: -f 1)
ui_start 200 60 xterm-256color --root "$w"
ui_keys Enter
ui_wait "Containment: shut"
ui_keys 4 Enter
ui_wait "Scan finished" 120
printf 'more\r\n' >>"$w/$eicar"
before=$(sha256sum <"$w/$eicar")
ui_keys A
ui_see "changed: A asks for all" "Quarantine all $ndet detections"
ui_keys y
ui_see "changed: all but the changed file quarantined" "$((ndet - 1)) of $ndet quarantined"
ui_keys Enter
ui_keys 6
ui_see "changed: the Log says why it was left" "changed since it was scanned"
expect "changed: $eicar is in place, as it was changed" test "$(sha256sum <"$w/$eicar")" = "$before"
ui_is "changed: only its Run value is left" "$(runs_left "$w")" "T$n "
ui_quit >/dev/null

t_done
