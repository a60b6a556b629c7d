#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile --root trees for the hive, hosts and journal code (issue 19,
# findings 1 and 2): links planted where rescue reads and writes its hives,
# the hosts file, Rescue/ and its journal, and FIFOs where files should be.
# Every run is under `timeout 60` (a hang is a failure), and afterwards the
# canary folder OUTSIDE the tree is unchanged byte for byte, by mode and by
# mtime; the run says which name was a link, and does the rest of its work.
. "$(dirname "$0")/../lib.sh"

cfg=Windows/System32/config
etc=Windows/System32/drivers/etc
OUT=$T/outside

# The canary folder: files with known content and modes, a folder, and
# copies of real hives a link can point at (rescue must not write them).
mkdir -p "$OUT/dir"
printf 'canary\n' >"$OUT/canary"; chmod 600 "$OUT/canary"
printf 'fleet_password = hunter2-canary\n' >"$OUT/rescue.conf"; chmod 640 "$OUT/rescue.conf"
printf 'keep\n' >"$OUT/dir/keep"
sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/pristine" >/dev/null
for h in SYSTEM SOFTWARE; do cp "$T/pristine/$cfg/$h" "$OUT/$h"; done
cp "$T/pristine/Users/nfury/NTUSER.DAT" "$OUT/NTUSER.DAT"
# An old mtime, so that any write (even of the same bytes) shows.
find "$OUT" -exec touch -h -d '2001-02-03 04:05:06' {} +
snap() { (cd "$OUT" && find . -printf '%p %y %m %s %T@ %l\n' | sort && find . -type f -exec sha256sum {} + | sort); }
snap >"$T/outside.snap"
canary() {	# canary DESC: nothing outside the tree changed
	if snap | cmp -s - "$T/outside.snap"; then ok "$1: nothing outside the tree changed"
	else not_ok "$1: nothing outside the tree changed"; snap | diff "$T/outside.snap" - | sed 's/^/#   /' | head; fi
}

fresh() {	# fresh NAME: a win7 tree in $T/NAME
	rm -rf "${T:?}/$1"
	cp -a "$T/pristine" "$T/$1"
}

# run CODE PATTERN DESC ARGS...: exit CODE within 60 s, PATTERN in its
# output (a one-line error, or a note), the canary intact.  PATTERN ""
# checks nothing.
run() {
	code=$1 pat=$2 desc=$3; shift 3
	timeout 60 "$@" >"$T/stdout" 2>"$T/stderr"; rc=$?
	if [ "$rc" -eq 124 ]; then not_ok "$desc: hangs"
	elif [ "$rc" -eq "$code" ]; then ok "$desc: exit $code"
	else not_ok "$desc: exit $rc, want $code"; sed 's/^/#   /' "$T/stderr" | head -5; fi
	if [ -n "$pat" ]; then
		if grep -q -- "$pat" "$T/stderr" "$T/stdout"; then ok "$desc: says '$pat'"
		else not_ok "$desc: says '$pat'"; sed 's/^/#   /' "$T/stderr" | head -5; fi
	fi
	canary "$desc"
}

hive_is() {	# hive_is DESC TREE WANT: Schedule Start in the tree's SYSTEM (hivexget)
	got=$(hivexget "$2/$cfg/SYSTEM" '\ControlSet001\Services\Schedule' Start 2>&1)
	if [ "$got" = "$3" ]; then ok "$1: Schedule Start = $3 (hivexget)"
	else not_ok "$1: Schedule Start = $got, want $3 (hivexget)"; fi
}
still_link() {	# still_link DESC PATH: the planted link is there, untouched
	if [ -L "$2" ]; then ok "$1: the link itself is left in place"; else not_ok "$1: the link itself is left in place"; fi
}

# 1. <name>.rescue-tmp links planted beside hives and hosts (absolute and
#    relative): hivex_commit and the hosts write must not use them.
fresh tmp
ln -s "$OUT/SYSTEM" "$T/tmp/$cfg/SYSTEM.rescue-tmp"
ln -s ../../../../outside/SOFTWARE "$T/tmp/$cfg/SOFTWARE.rescue-tmp"
ln -s "$OUT/canary" "$T/tmp/Users/nfury/NTUSER.DAT.rescue-tmp"
ln -s ../../../../../outside/canary "$T/tmp/$etc/hosts.rescue-tmp"
run 0 "" "planted .rescue-tmp links, contain" "$RESCUE" --root "$T/tmp" contain
hive_is "planted .rescue-tmp links" "$T/tmp" 4
if grep -q '^0.0.0.0 ' "$T/tmp/$etc/hosts"; then ok "planted .rescue-tmp links: hosts blocked"
else not_ok "planted .rescue-tmp links: hosts blocked"; fi
still_link "planted SYSTEM.rescue-tmp" "$T/tmp/$cfg/SYSTEM.rescue-tmp"
run 0 "" "planted .rescue-tmp links, undo" "$RESCUE" --root "$T/tmp" undo
hive_is "planted .rescue-tmp links, undo" "$T/tmp" 2
if cmp -s "$T/pristine/$etc/hosts" "$T/tmp/$etc/hosts"; then ok "planted .rescue-tmp links: undo restores hosts"
else not_ok "planted .rescue-tmp links: undo restores hosts"; fi

# 2. The hosts file is a link to a file outside (a rescue.conf with a
#    password): not read, not backed up, not rewritten; the hives are done.
for how in abs rel; do
	fresh "hosts$how"; rm "$T/hosts$how/$etc/hosts"
	if [ $how = abs ]; then ln -s "$OUT/rescue.conf" "$T/hosts$how/$etc/hosts"
	else ln -s ../../../../../outside/rescue.conf "$T/hosts$how/$etc/hosts"; fi
	run 4 "$etc/hosts is a link on the volume: not followed" "hosts a link ($how), contain" \
		"$RESCUE" --root "$T/hosts$how" contain
	hive_is "hosts a link ($how), contain" "$T/hosts$how" 4
	if grep -rq hunter2 "$T/hosts$how"; then not_ok "hosts a link ($how): its target is not copied into the tree"
	else ok "hosts a link ($how): its target is not copied into the tree"; fi
	grep -q '^hosts  *OPEN' "$T/stdout" && ok "hosts a link ($how): the report shows hosts OPEN" ||
		not_ok "hosts a link ($how): the report shows hosts OPEN"
	still_link "hosts a link ($how)" "$T/hosts$how/$etc/hosts"
	run 4 "$etc/hosts is a link on the volume: not followed" "hosts a link ($how), status" \
		"$RESCUE" --root "$T/hosts$how" status
done

# auto on a tree with the hosts link and a planted SYSTEM.rescue-tmp: the
# contain step fails naming the link, the rest of the run goes on: YELLOW.
fresh autol; rm "$T/autol/$etc/hosts"; ln -s ../../../../../outside/rescue.conf "$T/autol/$etc/hosts"
ln -s "$OUT/SYSTEM" "$T/autol/$cfg/SYSTEM.rescue-tmp"
printf 'reports_dir = %s\n' "$T/reports" >"$T/auto.conf"
run 4 "contain .*$etc/hosts is a link on the volume: not followed" "hosts a link, auto" \
	"$RESCUE" --root "$T/autol" auto --config "$T/auto.conf"
grep -q 'VERDICT YELLOW' "$T/stdout" "$T/stderr" && ok "hosts a link, auto: YELLOW" || not_ok "hosts a link, auto: YELLOW"
grep -q 'passwd  *changed' "$T/stdout" "$T/stderr" && ok "hosts a link, auto: passwd still done" ||
	not_ok "hosts a link, auto: passwd still done"
hive_is "hosts a link, auto" "$T/autol" 4
if grep -rq hunter2 "$T/autol" "$T/reports"; then not_ok "hosts a link, auto: its target is in no backup or report"
else ok "hosts a link, auto: its target is in no backup or report"; fi

# 3. The hosts file is a FIFO: no hang, refused by name.
fresh hostsfifo; rm "$T/hostsfifo/$etc/hosts"; mkfifo "$T/hostsfifo/$etc/hosts"
run 4 "$etc/hosts is a FIFO" "hosts a FIFO, contain" "$RESCUE" --root "$T/hostsfifo" contain
hive_is "hosts a FIFO, contain" "$T/hostsfifo" 4
run 4 "$etc/hosts is a FIFO" "hosts a FIFO, status" "$RESCUE" --root "$T/hostsfifo" status

# 4. A hive that is a link to a copy outside: refused by name, not written.
fresh syslink; rm "$T/syslink/$cfg/SYSTEM"; ln -s ../../../../outside/SYSTEM "$T/syslink/$cfg/SYSTEM"
run 3 "$cfg/SYSTEM is a link on the volume: not followed" "SYSTEM a link, contain" \
	"$RESCUE" --root "$T/syslink" contain
run 3 "$cfg/SYSTEM is a link on the volume: not followed" "SYSTEM a link, status" \
	"$RESCUE" --root "$T/syslink" status
fresh swlink; rm "$T/swlink/$cfg/SOFTWARE"; ln -s "$OUT/SOFTWARE" "$T/swlink/$cfg/SOFTWARE"
run 3 "$cfg/SOFTWARE is a link on the volume: not followed" "SOFTWARE a link, contain" \
	"$RESCUE" --root "$T/swlink" contain
run 0 "" "SOFTWARE a link, contain tasks (SYSTEM only) still works" "$RESCUE" --root "$T/swlink" contain tasks
hive_is "SOFTWARE a link, contain tasks" "$T/swlink" 4
fresh deflink; rm "$T/deflink/$cfg/DEFAULT"; ln -s "$OUT/NTUSER.DAT" "$T/deflink/$cfg/DEFAULT"
run 3 "$cfg/DEFAULT is a link on the volume: not followed" "DEFAULT a link, contain" \
	"$RESCUE" --root "$T/deflink" contain
fresh samlink; rm "$T/samlink/$cfg/SAM"; ln -s "$OUT/canary" "$T/samlink/$cfg/SAM"
run 3 "$cfg/SAM is a link on the volume: not followed" "SAM a link, passwd" \
	"$RESCUE" --root "$T/samlink" passwd administrator --blank
# a planted link named like a hive's transaction log: noted, not read
fresh loglink; ln -s "$OUT/canary" "$T/loglink/$cfg/SYSTEM.LOG1"
run 0 "" "SYSTEM.LOG1 a link, contain" "$RESCUE" --root "$T/loglink" contain
hive_is "SYSTEM.LOG1 a link, contain" "$T/loglink" 4

# the task folder as a link: not walked, and noted (it would hide every task)
fresh tasklink; rm -r "$T/tasklink/Windows/System32/Tasks"; ln -s "$OUT/dir" "$T/tasklink/Windows/System32/Tasks"
run 0 "Windows/System32/Tasks is a link on the volume: not followed" "the task folder a link, autoruns" \
	"$RESCUE" --root "$T/tasklink" autoruns

# 5. A user's NTUSER.DAT that is a link: named (not silently skipped), the
#    machine hives are not left half-done; a profile folder that is a link
#    is not followed (its NTUSER.DAT outside is not written).
fresh ntlink; rm "$T/ntlink/Users/nfury/NTUSER.DAT"; ln -s ../../../outside/NTUSER.DAT "$T/ntlink/Users/nfury/NTUSER.DAT"
run 3 "Users/nfury/NTUSER.DAT is a link on the volume: not followed" "NTUSER.DAT a link, contain" \
	"$RESCUE" --root "$T/ntlink" contain
hive_is "NTUSER.DAT a link, contain" "$T/ntlink" 2
run 0 "Users/nfury/NTUSER.DAT is a link on the volume" "NTUSER.DAT a link, autoruns notes it" \
	"$RESCUE" --root "$T/ntlink" autoruns
fresh ntfifo; rm "$T/ntfifo/Users/nfury/NTUSER.DAT"; mkfifo "$T/ntfifo/Users/nfury/NTUSER.DAT"
run 3 "hive Users/nfury/NTUSER.DAT: Users/nfury/NTUSER.DAT is a FIFO" "NTUSER.DAT a FIFO, contain" \
	"$RESCUE" --root "$T/ntfifo" contain
fresh proflink; cp "$OUT/NTUSER.DAT" "$OUT/dir/NTUSER.DAT"; touch -d '2001-02-03 04:05:06' "$OUT/dir/NTUSER.DAT" "$OUT/dir"
snap >"$T/outside.snap"
ln -s "$OUT/dir" "$T/proflink/Users/evil"
run 0 "" "a profile folder that is a link, contain" "$RESCUE" --root "$T/proflink" contain
hive_is "a profile folder that is a link, contain" "$T/proflink" 4

# 6. Rescue, Rescue/backup, Rescue/journal.jsonl as links during contain:
#    refused by name, nothing written (no backup, no journal: no change).
fresh rl1; ln -s "$OUT/dir" "$T/rl1/Rescue"
fresh rl2; mkdir "$T/rl2/Rescue"; ln -s ../../outside/dir "$T/rl2/Rescue/backup"
fresh rl3; mkdir "$T/rl3/Rescue"; ln -s ../../outside/canary "$T/rl3/Rescue/journal.jsonl"
fresh rl4; mkdir "$T/rl4/Rescue"; ln -s "$OUT/dir" "$T/rl4/Rescue/backup"
# passwd: a Rescue/ it cannot make is a refusal (3); a journal it cannot
# append to, after the backup, a partial run (4).  The SAM is as it was.
for c in "rl1 Rescue 3" "rl2 Rescue/backup 3" "rl3 Rescue/journal.jsonl 4" "rl4 Rescue/backup 3"; do
	# shellcheck disable=SC2086 # the fields of the case, split on purpose
	set -- $c
	run 4 "$2 is a link on the volume: not followed" "$2 a link, contain" "$RESCUE" --root "$T/$1" contain
	hive_is "$2 a link, contain" "$T/$1" 2
	if cmp -s "$T/pristine/$etc/hosts" "$T/$1/$etc/hosts"; then ok "$2 a link: hosts not written without a backup"
	else not_ok "$2 a link: hosts not written without a backup"; fi
	run "$3" "$2 is a link on the volume: not followed" "$2 a link, passwd" \
		"$RESCUE" --root "$T/$1" passwd administrator --blank
	if cmp -s "$T/pristine/$cfg/SAM" "$T/$1/$cfg/SAM"; then ok "$2 a link, passwd: SAM not written"
	else not_ok "$2 a link, passwd: SAM not written"; fi
done
# Rescue as a plain file: named as such, relative to the volume
fresh rfile; printf 'worm\n' >"$T/rfile/Rescue"
run 4 "cannot create Rescue/backup/[0-9TZ]*: Rescue is not a folder: refused" "Rescue a file, contain" \
	"$RESCUE" --root "$T/rfile" contain
hive_is "Rescue a file, contain" "$T/rfile" 2
run 3 "Rescue/journal.jsonl is a link on the volume: not followed" "journal a link, undo" \
	"$RESCUE" --root "$T/rl3" undo

# 7. journal.jsonl is a FIFO: contain, status, undo, undo all never hang.
fresh jfifo; mkdir "$T/jfifo/Rescue"; mkfifo "$T/jfifo/Rescue/journal.jsonl"
run 4 "Rescue/journal.jsonl is not a regular file" "journal a FIFO, contain" "$RESCUE" --root "$T/jfifo" contain
hive_is "journal a FIFO, contain" "$T/jfifo" 2
run 0 "" "journal a FIFO, status" "$RESCUE" --root "$T/jfifo" status
run 3 "Rescue/journal.jsonl is a FIFO" "journal a FIFO, undo" "$RESCUE" --root "$T/jfifo" undo
run 3 "Rescue/journal.jsonl is a FIFO" "journal a FIFO, undo all" "$RESCUE" --root "$T/jfifo" undo all

# 8. Crafted journal lines whose paths go through links: undo and undo all
#    delete and overwrite nothing outside.  (Entries rescue cannot tie to
#    a run of its own may instead be skipped as untrusted: either way the
#    canary is the judge, and nothing may hang or crash.)
fresh jl
ln -s "$OUT/dir" "$T/jl/Windows/Evil"
rm "$T/jl/$etc/hosts"; ln -s "$OUT/canary" "$T/jl/$etc/hosts"
mkdir -p "$T/jl/Rescue/backup/x"; printf 'worm\n' >"$T/jl/Rescue/backup/x/hosts"
ln -s ../../../../outside/rescue.conf "$T/jl/Rescue/backup/x/conf"
sha() { sha256sum "$1" | cut -d' ' -f1; }
k=$(sha "$OUT/dir/keep") c=$(sha "$OUT/canary") w=$(sha "$T/jl/Rescue/backup/x/hosts") h=$(sha "$T/pristine/$etc/hosts")
cp "$T/pristine/$etc/hosts" "$T/jl/Windows/plain"
run=20991231T235959Z
{
	# rescue "created" a file behind the link: undo would remove it
	echo '{"seq":1,"run":"'$run'","item":"hosts","kind":"file","path":"Windows/Evil/keep","backup":null,"old_sha256":null,"new_sha256":"'"$k"'"}'
	# hosts (a link to the canary) "replaced": undo would write it back
	echo '{"seq":2,"run":"'$run'","item":"hosts","kind":"file","path":"'$etc'/hosts","backup":"Rescue/backup/x/hosts","old_sha256":"'"$w"'","new_sha256":"'"$c"'"}'
	# a backup that is a link to a file outside: not read into the tree
	echo '{"seq":3,"run":"'$run'","item":"hosts","kind":"file","path":"Windows/plain","backup":"Rescue/backup/x/conf","old_sha256":"'"$(sha "$OUT/rescue.conf")"'","new_sha256":"'"$h"'"}'
	# a path that climbs out
	echo '{"seq":4,"run":"'$run'","item":"hosts","kind":"file","path":"../../outside/canary","backup":null,"old_sha256":null,"new_sha256":"'"$c"'"}'
} >"$T/jl/Rescue/journal.jsonl"
for args in undo "undo all"; do
	# shellcheck disable=SC2086 # the words of the command, split on purpose
	timeout 60 "$RESCUE" --root "$T/jl" $args >"$T/stdout" 2>"$T/stderr"; rc=$?
	if [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ]; then ok "crafted journal, $args: no hang, no crash (exit $rc)"
	else not_ok "crafted journal, $args: exit $rc"; sed 's/^/#   /' "$T/stderr" | head -5; fi
	canary "crafted journal, $args"
	if grep -q hunter2 "$T/jl/Windows/plain"; then not_ok "crafted journal, $args: a backup link is not read in"
	else ok "crafted journal, $args: a backup link is not read in"; fi
	still_link "crafted journal, $args: Windows/Evil" "$T/jl/Windows/Evil"
	still_link "crafted journal, $args: hosts" "$T/jl/$etc/hosts"
done
if grep -q 'Windows/Evil is a link on the volume\|untrusted' "$T/stdout" "$T/stderr"; then
	ok "crafted journal: the link (or the untrusted entry) is named"
else not_ok "crafted journal: the link (or the untrusted entry) is named"; cat "$T/stdout" "$T/stderr" | sed 's/^/#   /' | head; fi

t_done
