#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Scan screen with damaged compiled rules (issue 19, finding 7): a .yarc
# that makes libyara crash (found among tests/fixtures/mutate-yarc.sh's
# files) is named in a dialog, the UI keeps running, and the Verdict is
# YELLOW "not scanned"; the hives are untouched (sha256).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/uilib.sh"

command -v tmux >/dev/null || { skip "ui through tmux" "tmux not installed"; exit 0; }

w=$T/w
sh "$TOP/tests/fixtures/mktree.sh" win10 "$w" >/dev/null 2>&1 || { not_ok "mktree win10"; exit 1; }
yarc=$(dirname "$RESCUE")/rules/compiled.yarc
sh "$TOP/tests/fixtures/mutate-yarc.sh" "$yarc" "$T/m" 30
bad=""
for f in "$T"/m/*.yarc; do
	RESCUE_RULES=$f timeout 300 "$RESCUE" --root "$w" scan >"$T/out" 2>&1
	if grep -q 'libyara crashed' "$T/out"; then bad=$f; break; fi
done
if [ -z "$bad" ]; then not_ok "none of 30 mutations makes libyara crash"; t_done; exit; fi
ok "a mutation that makes libyara crash: $(basename "$bad")"
(cd "$w/Windows/System32/config" && sha256sum SAM SOFTWARE SYSTEM) >"$T/hives.before"

export RESCUE_RULES="$bad"
ui_start 100 30 xterm-256color --root "$w"
ui_keys Enter
ui_wait "Containment: shut"
ui_keys 4
ui_see "the scan screen" "Press Enter to scan the whole volume"
ui_keys Enter
ui_see "the damaged rules are named in a dialog, the UI still runs" "Cannot load the rules" "$(basename "$bad")" \
	"damaged compiled"
ui_keys Enter 5
ui_see "the Verdict: YELLOW, not scanned" "YELLOW  DESKTOP-M3OSHQU" "not scanned: no scan finished"
rc=$(ui_quit)
ui_is "exit 4 (YELLOW), not an abort" "$rc" 4
(cd "$w/Windows/System32/config" && sha256sum SAM SOFTWARE SYSTEM) | cmp -s - "$T/hives.before" &&
	ok "the hives are untouched (sha256)" || not_ok "a hive changed"
t_done
