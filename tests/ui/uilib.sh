# shellcheck shell=sh disable=SC2016,SC2034,SC2120,SC2119
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/ui/uilib.sh - sourced by the UI tests after tests/lib.sh: drive
# `rescue ui` in a detached tmux session on a private server (tmux's own
# regress/ idea), read the screen with capture-pane, never sleep blindly.
#   ui_start COLS ROWS TERM ARGS...   start `$RESCUE ui ARGS` in a COLSxROWS pane
#   ui_keys KEY...                    tmux send-keys (names like Enter, Space, F1, Escape)
#   ui_wait TEXT [SECONDS]            0 once TEXT is on the screen (default 10 s)
#   ui_gone TEXT [SECONDS]            0 once TEXT is off the screen (default 10 s)
#   ui_see DESC TEXT...               ok when every TEXT is on screen (waits for the first)
#   ui_not_see DESC TEXT              ok when TEXT is not on screen
#   ui_capture [FILE]                 the screen as text (default $T/screen.txt)
#   ui_capture_ansi FILE              the screen with its colours (SGR sequences)
#   ui_is DESC GOT WANT               ok when GOT = WANT (for hivexget answers)
#   ui_resize COLS ROWS               resize the window (the program gets SIGWINCH)
#   ui_bulk_tree DIR MB               a win10 tree with plant.sh's samples and MB of random data
#                                     (a scan long enough to be seen running)
#   ui_quit                           q, then wait for the program to end; prints its exit code
# Its variables are all ui_*.  The server is killed at exit.  LC_ALL=C.UTF-8 so wide and non-ASCII names
# are drawn as on a UTF-8 console.
ui_n=0
ui_socks=
t_on_exit 'for s in $ui_socks; do tmux -L "$s" kill-server >/dev/null 2>&1; done'

ui_start() {
	ui_cols=$1 ui_rows=$2 ui_term=$3; shift 3
	# a fresh server each time: a new session on a server still shutting
	# down fails ("server exited unexpectedly")
	[ -z "${ui_sock:-}" ] || tmux -L "$ui_sock" kill-server >/dev/null 2>&1
	ui_n=$((ui_n + 1)); ui_sock=rescue-ui-$$-$ui_n; ui_socks="$ui_socks $ui_sock"
	rm -f "$T/ui.rc"
	# the command line as one shell word list, quoted for tmux's shell
	ui_cmd="env TERM=$ui_term LC_ALL=C.UTF-8"
	for ui_a in "$RESCUE" ui "$@"; do ui_cmd="$ui_cmd '$ui_a'"; done
	# a server starting while another exits now and then dies at once
	# ("server exited unexpectedly"): try again
	for ui_i in 1 2 3 4 5; do
		tmux -L "$ui_sock" -f /dev/null new-session -d -x "$ui_cols" -y "$ui_rows" \
			"$ui_cmd 2>$T/ui.err; echo \$? >$T/ui.rc; sleep 600" 2>/dev/null && break
		sleep 0.5
	done
	tmux -L "$ui_sock" set-option -g status off >/dev/null
	tmux -L "$ui_sock" resize-window -x "$ui_cols" -y "$ui_rows" 2>/dev/null
	ui_wait "F1" 10
}

ui_keys() { tmux -L "$ui_sock" send-keys "$@"; }

ui_capture() { tmux -L "$ui_sock" capture-pane -p >"${1:-$T/screen.txt}" 2>/dev/null; }

# the screen with its colours, as SGR sequences (for the screenshots)
ui_capture_ansi() { tmux -L "$ui_sock" capture-pane -e -N -p >"$1" 2>/dev/null; }

# ui_until on|off TEXT [SECONDS]: 0 once TEXT is on (off) the screen, 1
# after SECONDS (default 10); the screen read every 0.1 s.
ui_until() {
	ui_i=0; ui_n=$(( ${3:-10} * 10 ))
	while [ "$ui_i" -lt "$ui_n" ]; do
		ui_capture
		if grep -qF -- "$2" "$T/screen.txt"; then [ "$1" = on ] && return 0
		else [ "$1" = off ] && return 0; fi
		sleep 0.1; ui_i=$((ui_i + 1))
	done
	return 1
}

ui_wait() { ui_until on "$@"; }

ui_gone() { ui_until off "$@"; }

ui_see() {
	ui_d=$1; shift
	ui_wait "$1" 10
	ui_miss=
	for ui_s in "$@"; do grep -qF -- "$ui_s" "$T/screen.txt" || ui_miss="$ui_miss [$ui_s]"; done
	if [ -z "$ui_miss" ]; then ok "$ui_d"; else
		not_ok "$ui_d: not on screen:$ui_miss"; sed 's/^/#   |/' "$T/screen.txt"; fi
}

ui_not_see() {
	ui_capture
	if grep -qF -- "$2" "$T/screen.txt"; then not_ok "$1: [$2] on screen"; sed 's/^/#   |/' "$T/screen.txt"
	else ok "$1"; fi
}

ui_is() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi
}

ui_quit() {
	ui_keys q
	ui_i=0
	while [ ! -s "$T/ui.rc" ] && [ "$ui_i" -lt 100 ]; do sleep 0.1; ui_i=$((ui_i + 1)); done
	cat "$T/ui.rc" 2>/dev/null
}

ui_resize() { tmux -L "$ui_sock" resize-window -x "$1" -y "$2"; }

ui_bulk_tree() {
	sh "$TOP/tests/fixtures/mktree.sh" win10 "$1" >/dev/null 2>&1 || return 1
	sh "$TOP/tests/samples/plant.sh" "$1" >/dev/null || return 1
	mkdir -p "$1/Data"
	ui_i=0
	while [ "$ui_i" -lt "$2" ]; do
		head -c 1048576 /dev/urandom >"$1/Data/blob$ui_i.bin"; ui_i=$((ui_i + 1))
	done
}
