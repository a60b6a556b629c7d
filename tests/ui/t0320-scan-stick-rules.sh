#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Scan screen booted from a stick (the boot image's settings, here
# RESCUE_BOOT_CONF): the stick's rules/ are used as `auto` uses them, through
# the same function (rescue/run/runrules.h).  The first scan compiles them
# into the stick's cache/ (judged by sha256sum -c and yara -C), the next UI
# loads that file and does not rewrite it (same inode, same digest), and a
# hash in the stick's learned/ is a detection too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/uilib.sh"

command -v tmux >/dev/null || { skip "ui through tmux" "tmux not installed"; exit 0; }

w=$T/w
sh "$TOP/tests/fixtures/mktree.sh" win10 "$w" >/dev/null 2>&1 || { not_ok "mktree win10"; exit 1; }
mkdir -p "$w/Users/Public" "$T/stick/rules" "$T/stick/learned"
printf 'padding STICK-RULE-MARKER-51c2 padding\n' >"$w/Users/Public/marked.bin"
printf 'only a learned hash finds this file %s\n' "$$" >"$w/Users/Public/learned.bin"
cat >"$T/stick/rules/marker.yar" <<'R'
rule stick_rule_marker { strings: $a = "STICK-RULE-MARKER-51c2" condition: $a }
R
printf '%s;learned from PC-1 at 20261201T101010Z: Users/x/learned.bin\n' \
	"$(sha256sum <"$w/Users/Public/learned.bin" | cut -c1-64)" >"$T/stick/learned/PC-1-20261201T101010Z-hashes.txt"
printf 'rescue_partition = %s\nrules_extra = %s/rules\n' "$T/stick" "$T/stick" >"$T/boot.conf"
export RESCUE_BOOT_CONF="$T/boot.conf"

scan_once() {	# scan_once NAME: start the UI, scan, see both files, quit
	ui_start 120 30 xterm-256color --root "$w"
	ui_keys Enter
	ui_wait "Containment: shut"
	ui_keys 4
	ui_see "$1: the scan screen" "Press Enter to scan the whole volume"
	ui_keys Enter
	ui_wait "Scan finished" 120
	ui_see "$1: the stick's rule and its learned hash find their files" "Scan finished" "marked.bin" \
		"stick_rule_marker" "learned.bin"
	ui_quit >/dev/null
}

scan_once first
cache=$(find "$T/stick/cache" -name 'rules-*.yarc' 2>/dev/null | head -n 1)
key=$(basename "$cache" .yarc)
expect "first UI scan: the stick's rules cached in its cache/ (sha256sum -c)" \
	sh -c "[ -n '$cache' ] && cd '$T/stick/cache' && sha256sum --status -c '$key.yarc.sum'"
expect "the cached set finds the marker (yara -C)" \
	sh -c "yara -C '$cache' '$w/Users/Public/marked.bin' | grep -q '^stick_rule_marker '"
before="$(stat -c %i "$cache") $(sha256sum <"$cache")"
scan_once second
expect "second UI scan: the cache file is loaded, not rewritten (same inode and digest)" \
	test "$(stat -c %i "$cache") $(sha256sum <"$cache")" = "$before"
t_done
