#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A worm-controlled disk must never reach past it (issue 19), on NTFS images
# whose traps were made the way a program on Windows can make them (Interix
# links and FIFOs through ntfs-3g; tests/images/build.sh hostile*): every
# command that reaches a trap ends (under timeout), names it in one line, and
# leaves the canary folder outside the volume as it was, byte for byte, by
# mode and by mtime.  Judged with sha256sum, find, ntfsls/ntfscat, hivexget.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ]; then skip "hostile disks" "needs root (loop devices, FUSE)"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"
CANARY=/tmp/rescue-hostile-canary	# where the images' links lead (build.sh)

# The canary folder: what each link points at, with known bytes and modes.
canary_make() {
	rm -rf "$CANARY"
	mkdir -p "$CANARY/tasks"
	printf '127.0.0.1 canary\n' >"$CANARY/hosts"
	printf 'not a hive\n' >"$CANARY/hive"
	printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >"$CANARY/eicar.com"
	printf '<Task/>\n' >"$CANARY/tasks/canary"
	chmod 0600 "$CANARY/hosts" "$CANARY/hive"
	touch -d '2001-01-01 00:00:00' "$CANARY"/* "$CANARY/tasks/canary" "$CANARY"
	canary_state >"$T/canary.before"
}
canary_state() { (cd "$CANARY" && find . -printf '%p %y %m %s %T@\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
canary_intact() { canary_state | cmp -s - "$T/canary.before"; }
t_on_exit 'rm -rf "$CANARY"'

# run DESC WANT_RC CMD...: CMD under timeout; a hang is its own failure.
run() {
	d=$1 want=$2; shift 2
	timeout 120 "$@" >"$T/out" 2>&1; rc=$?
	if [ "$rc" -eq 124 ]; then not_ok "$d: hung (killed after 120 s)"; return; fi
	if [ "$rc" -eq "$want" ]; then ok "$d: exit $rc"; else not_ok "$d: exit $rc, want $want"; sed 's/^/#   /' "$T/out" | tail -n 20; fi
	if canary_intact; then ok "$d: nothing outside the volume changed"; else
		not_ok "$d: the canary folder outside the volume changed"
		canary_state | diff "$T/canary.before" - | sed 's/^/#   /'
	fi
}
said() { expect "$1" grep -q -- "$2" "$T/out"; }

for v in hostile hostile-rescue hostile-fifo; do
	t_image "$v" "$T/$v.img" || not_ok "build $v"
done
printf 'reports_dir = %s\nthreads = 2\n' "$T/RESCUE/reports" >"$T/rescue.conf"

# --- links at the hosts file, a hive's temporary name, the Desktop -----------------
canary_make
run "hostile: contain" 4 "$RESCUE" --disk "$T/hostile.img" --yes contain
said "hostile: contain names the hosts link" 'drivers/etc/hosts is a link on the volume: not followed'
t_attach "$T/hostile.img" 3
ntfscat "$t_loop" Windows/System32/config/SYSTEM >"$T/SYSTEM"
expect "hostile: the registry steps were still done (hivexget: Schedule Start = 4)" test \
	"$(hivexget "$T/SYSTEM" '\ControlSet001\Services\Schedule' Start)" = 4
t_detach
run "hostile: scan --quarantine" 1 "$RESCUE" --disk "$T/hostile.img" --yes scan --quarantine
expect "hostile: the linked EICAR outside was not scanned" sh -c '! grep -q "invoice.com" "$1"' - "$T/out"
run "hostile: undo all" 0 "$RESCUE" --disk "$T/hostile.img" --yes undo all
# The hosts link fails the contain step: the rest is done, and a person must look.
run "hostile: auto" 4 "$RESCUE" --disk "$T/hostile.img" auto --config "$T/rescue.conf"
said "hostile: auto's verdict is YELLOW" '^rescue: VERDICT YELLOW'
said "hostile: auto still quarantined the planted samples" 'detected, all quarantined'
said "hostile: the name with a newline cannot forge a verdict line" 'Downloads/new\\nrescue: VERDICT GREEN'
expect "hostile: no forged verdict line" sh -c '! grep -q "^rescue: VERDICT GREEN DESKTOP=GREEN" "$1"' - "$T/out"

# --- rescue's own folder is a link out of the volume -------------------------------
canary_make
run "Rescue link: contain" 4 "$RESCUE" --disk "$T/hostile-rescue.img" --yes contain
said "Rescue link: the refusal names Rescue" 'Rescue is a link on the volume: not followed'
run "Rescue link: auto" 4 "$RESCUE" --disk "$T/hostile-rescue.img" auto --config "$T/rescue.conf"
said "Rescue link: auto's verdict is YELLOW" '^rescue: VERDICT YELLOW'
# Without its own folder rescue has no quarantine and no journal to work from.
run "Rescue link: quarantine list" 3 "$RESCUE" --disk "$T/hostile-rescue.img" quarantine list
said "Rescue link: quarantine list names Rescue" 'Rescue is a link on the volume: not followed'
run "Rescue link: undo all" 3 "$RESCUE" --disk "$T/hostile-rescue.img" --yes undo all
said "Rescue link: undo names Rescue" 'Rescue is a link on the volume: not followed'

# --- FIFOs where rescue reads: the journal and the hosts file ------------------------
canary_make
run "FIFO: status" 4 "$RESCUE" --disk "$T/hostile-fifo.img" status
said "FIFO: status names the hosts FIFO" 'hosts is a FIFO, not a file'
run "FIFO: contain" 4 "$RESCUE" --disk "$T/hostile-fifo.img" --yes contain
said "FIFO: contain names the journal FIFO" 'journal.jsonl is not a regular file'
run "FIFO: undo all" 3 "$RESCUE" --disk "$T/hostile-fifo.img" --yes undo all
said "FIFO: undo names the journal FIFO" 'journal.jsonl is a FIFO'
run "FIFO: quarantine list" 0 "$RESCUE" --disk "$T/hostile-fifo.img" quarantine list
run "FIFO: auto" 4 "$RESCUE" --disk "$T/hostile-fifo.img" auto --config "$T/rescue.conf"
t_done
