#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# No mount and no loop device outlive a run of rescue --disk: after a
# failing command, after SIGTERM and SIGINT mid-run, and after kill -9 (the
# kernel ends ntfs-3g; the next run removes the empty folder).
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ]; then skip "cleanup" "needs root (loop devices, FUSE)"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"
img=$T/win10-gpt.img
t_image win10-gpt "$img" || not_ok "build win10-gpt"
t_image hibernated "$T/hib.img" || not_ok "build hibernated"

mounts() { grep -cF "$RESCUE_RUNDIR" /proc/mounts; }
loops() { losetup -a | grep -cF "$T/"; }
clean() {	# clean WHAT: nothing of ours mounted or attached
	m=$(mounts) lo=$(loops)
	if [ "$m" -eq 0 ] && [ "$lo" -eq 0 ]; then ok "$1: no mount, no loop device left"
	else not_ok "$1: $m mounts, $lo loop devices left"; grep -F "$T" /proc/mounts | sed 's/^/#   /'; losetup -a | sed 's/^/#   /'; fi
}

"$RESCUE" --disk "$T/hib.img" --yes contain >/dev/null 2>&1
clean "refused write (hibernated)"
"$RESCUE" --disk "$img" --yes contain NOSUCHITEM >/dev/null 2>&1
clean "usage error after mounting"
"$RESCUE" --disk "$img" --install 5 status >/dev/null 2>&1
clean "bad --install"

# killed SIG: start a command that waits on stdin (a FIFO we hold open)
# with the volume mounted read-write, kill it with SIG once that mount is
# there.
mkfifo "$T/fifo"
killed() {
	"$RESCUE" --disk "$img" --yes passwd Administrator --password-stdin <"$T/fifo" >/dev/null 2>&1 &
	pid=$!
	exec 3>"$T/fifo"
	n=0
	while ! grep -F "$RESCUE_RUNDIR" /proc/mounts | grep -q " rw," && [ $n -lt 300 ]; do
		sleep 0.1; n=$((n + 1))
	done
	if [ $n -ge 300 ]; then not_ok "$1: the volume was never mounted read-write"; else ok "$1: mounted read-write"; fi
	kill "-$1" "$pid"
	wait "$pid"; rc=$?
	exec 3>&-
	want=$((128 + $2))
	if [ $rc -eq $want ]; then ok "$1: rescue died of the signal ($rc)"; else not_ok "$1: exit $rc, want $want"; fi
	# On kill -9 the kernel ends ntfs-3g, which then unmounts and closes
	# the loop device (autoclear detaches it): give them a moment.
	n=0
	while [ "$(mounts)" -ne 0 ] || [ "$(loops)" -ne 0 ]; do
		[ $n -lt 100 ] || break
		sleep 0.1; n=$((n + 1))
	done
	clean "kill -$1 mid-run"
}
killed TERM 15
killed INT 2
killed KILL 9
expect "the volume is still sound after the kills (ntfsfix -n)" sh -c '
	l=$(losetup -r -f --show -o $((100352 * 512)) --sizelimit $((393216 * 512)) "$1") || exit 1
	ntfsfix -n "$l"; rc=$?; losetup -d "$l"; exit $rc' - "$img"
expect "kill -9 left only an empty folder" sh -c '[ "$(ls -A "$1" | wc -l)" -eq 1 ]' - "$RESCUE_RUNDIR"
"$RESCUE" --disk "$img" detect >/dev/null 2>&1
expect "the next run removed it" sh -c '[ -z "$(ls -A "$1")" ]' - "$RESCUE_RUNDIR"
clean "after the next run"
t_done
