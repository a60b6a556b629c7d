#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue autoruns and auto on a win10 tree whose task folders hold what a
# worm can write there (issue 19, finding 6): task XML with a namespace
# prefix, whitespace inside tags, CDATA, over 1 MB, over the read limit, cut
# short, not XML, empty, a DOCTYPE with nested entities (billion laughs) and
# with an external entity naming a file outside the volume, a link to a task
# outside, a link to a folder outside, a FIFO, folders nested 70 deep, bad
# and FIFO .job files.  Every file is either listed with its program or
# named as not read with the reason (text, JSON, the auto report); nothing
# outside the volume is read into the output or changed (a canary folder,
# checked by content and mtime); no run hangs (every one under timeout).
# The same files are then written through ntfs-3g onto the clean NTFS test
# image (links and FIFOs the Interix way, as Windows code can write them)
# and listed through --disk.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

for tool in iconv python3 mkfifo timeout hivexregedit; do
	command -v $tool >/dev/null || { skip "autoruns tasks" "$tool missing"; t_done; exit; }
done

NS=http://schemas.microsoft.com/windows/2004/02/mit/task
R=$T/win10
sh "$TOP/tests/fixtures/mktree.sh" win10 "$R" || { not_ok "mktree win10"; t_done; exit; }
TASKS=$R/Windows/System32/Tasks
mkdir -p "$TASKS"

# task CMD: a task XML (UTF-8) whose one action runs CMD
task() {
	printf '<?xml version="1.0"?>\r\n<Task version="1.2" xmlns="%s">\r\n  <Actions Context="Author">\r\n' "$NS"
	printf '    <Exec>\r\n      <Command>%s</Command>\r\n    </Exec>\r\n  </Actions>\r\n</Task>\r\n' "$1"
}
utf16bom() { printf '\377\376'; iconv -f UTF-8 -t UTF-16LE; }

# ---- outside the volume: a canary folder the run must not read or touch ----
C=$T/canary
mkdir -p "$C/dir"
echo "CANARY-SECRET-7f3a fleet password" >"$C/secret.txt"
task 'C:\OUTSIDE-CANARY.exe' >"$C/task.xml"
task 'C:\OUTSIDE-CANARY-DIR.exe' >"$C/dir/Inner"
touch -d '2001-02-03 04:05:06' "$C/secret.txt" "$C/task.xml" "$C/dir/Inner" "$C/dir"
canary() { find "$C" -exec stat -c '%n %s %Y %a' {} + | LC_ALL=C sort; find "$C" -type f -exec sha256sum {} + | LC_ALL=C sort -k2; }
canary >"$T/canary.before"

# plant TASKS XPTASKS: the hostile task files into the two task folders
plant() {
	# ---- what the string matcher missed: all must be listed with their program ----
	printf '<?xml version="1.0" encoding="UTF-16"?>\r\n<t:Task version="1.2" xmlns:t="%s"><t:Actions><t:Exec><t:Command>C:\\Users\\Public\\prefixed.exe</t:Command><t:Arguments>-p</t:Arguments></t:Exec></t:Actions></t:Task>\r\n' "$NS" |
		utf16bom >"$1/Prefixed"
	printf '<Task\r\n xmlns="%s"\r\n><Actions ><Exec >\r\n<Command\t>C:\\Users\\Public\\spaced.exe</Command\n></Exec ></Actions></Task >' "$NS" >"$1/Spaced"
	printf '<Task xmlns="%s"><Actions><Exec><Command><![CDATA[C:\\Users\\Public\\cdata.exe]]></Command><Arguments>&lt;x&gt; &amp; &#65;</Arguments></Exec></Actions></Task>' "$NS" >"$1/Cdata"
	{ printf '<Task xmlns="%s"><!--' "$NS"; head -c 2100000 /dev/zero | tr '\0' x; printf -- '--><Actions><Exec><Command>C:\\Users\\Public\\large.exe</Command></Exec></Actions></Task>'; } >"$1/Large"
	printf '<Task xmlns="%s"><Actions><ComHandler><ClassId>{0000}</ClassId></ComHandler></Actions></Task>' "$NS" >"$1/ComOnly"
	mkdir -p "$1/Microsoft/Windows/Sub"
	task 'C:\Users\Public\nested.exe' | utf16bom >"$1/Microsoft/Windows/Sub/Nested"

	# ---- not read, each with its reason ----
	{ printf '<Task xmlns="%s"><!--' "$NS"; head -c 9000000 /dev/zero | tr '\0' x; printf -- '--></Task>'; } >"$1/Huge"
	printf '<Task xmlns="%s">\n<Actions>\n<Exec>\n</Actions>\n</Task>\n' "$NS" >"$1/Broken"
	task 'C:\Users\Public\cut.exe' | head -c 120 >"$1/Cut"
	: >"$1/Empty"
	printf 'MZ\220\000\003\000\000\000\004\000binary' >"$1/Binary"
	{
		printf '<?xml version="1.0"?>\n<!DOCTYPE Task [\n<!ENTITY a "aaaaaaaaaa">\n'
		prev=a
		for e in b c d e f g h i j; do
			printf '<!ENTITY %s "' $e; for _ in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' $prev; done; printf '">\n'
			prev=$e
		done
		printf ']>\n<Task xmlns="%s"><Actions><Exec><Command>&j;</Command></Exec></Actions></Task>\n' "$NS"
	} >"$1/Laughs"
	printf '<!DOCTYPE Task [<!ENTITY x SYSTEM "file://%s">]>\n<Task xmlns="%s"><Actions><Exec><Command>&x;</Command></Exec></Actions></Task>\n' \
		"$C/secret.txt" "$NS" >"$1/Xxe"
	ln -s "../../../../../../../../../../../../../..$C/task.xml" "$1/Link"
	ln -s "$C/dir" "$1/LinkDir"
	mkfifo "$1/Fifo"
	d=$1
	for i in $(seq 1 70); do d=$d/d$i; done
	mkdir -p "$d"
	task 'C:\Users\Public\deep.exe' >"$d/Deep"
	printf 'not a job file at all, but long enough to look at: %070d' 0 >"$2/Bad.job"
	mkfifo "$2/Fifo.job"
	ln -s "$C/secret.txt" "$2/Link.job"
}
plant "$TASKS" "$R/Windows/Tasks"
# The scheduler's registry knows the linked task too: it is one task, named
# as not read, never also a "registry only" task whose disable would delete
# its TaskCache keys.
cat >"$T/link.reg" <<'EOF'
Windows Registry Editor Version 5.00

[\Microsoft\Windows NT\CurrentVersion\Schedule]

[\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache]

[\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree]

[\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree\Link]
"Id"="{11111111-2222-3333-4444-555555555555}"
EOF
hivexregedit --merge "$R/Windows/System32/config/SOFTWARE" "$T/link.reg" || not_ok "merge the TaskCache entry of the linked task"

# ---- the listing ----
timeout 60 "$RESCUE" --root "$R" --json autoruns >"$T/list.json" 2>"$T/list.err"
rc=$?
if [ $rc -eq 0 ]; then ok "autoruns --json on the hostile task folders: done, nothing flagged"; else
	not_ok "autoruns --json: exit $rc"; sed 's/^/#   /' "$T/list.err"; fi
expect "the XML parser printed nothing of its own (stderr empty)" test ! -s "$T/list.err"
expect "the linked task with a TaskCache entry is listed once, not also as registry only" test \
	"$(python3 -c 'import json,sys; print(sum(e["name"] == "\\Link" for e in json.load(open(sys.argv[1]))["entries"]))' "$T/list.json")" = 1
expect_exit 0 "autoruns (text): done" timeout 60 "$RESCUE" --root "$R" autoruns
cp "$T/.out" "$T/list.txt"

# check.py JSON SPEC: every SPEC line "name<TAB>listed<TAB>command" or
# "name<TAB>unread<TAB>reason prefix" is one entry as said; every file and
# folder under the task folders (walked without following links) is an
# entry, or below a folder entry named as not read.
cat >"$T/check.py" <<'EOF'
import json, os, sys
d = json.load(open(sys.argv[1]))
spec = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
tasks, xp = sys.argv[3], sys.argv[4]
bad = 0
def fail(msg):
    global bad
    bad += 1
    print("#   " + msg)
by = {}
for e in d["entries"]:
    if e["kind"] == "task":
        by.setdefault(e["name"], []).append(e)
for name, how, what in spec:
    es = by.get(name, [])
    if len(es) != 1:
        fail("%s: %d entries, want 1" % (name, len(es))); continue
    e = es[0]
    if how == "listed":
        if "not-read" in e["flags"] or "not_read" in e: fail("%s: not read: %s" % (name, e.get("not_read")))
        if e["command"] != what: fail("%s: command %r, want %r" % (name, e["command"], what))
    else:
        if "not-read" not in e["flags"]: fail("%s: not flagged not-read: %s" % (name, e["flags"]))
        if not e.get("not_read", "").startswith(what): fail("%s: reason %r, want %r..." % (name, e.get("not_read"), what))
        if e["flagged"]: fail("%s: not read, yet flagged" % name)
unread_dirs = [n for n, es in by.items() if any("not_read" in e for e in es)]
for top, dirs, files in os.walk(tasks):
    for f in files + [x for x in dirs if os.path.islink(os.path.join(top, x))]:
        p = os.path.join(top, f)
        name = "\\" + os.path.relpath(p, tasks).replace("/", "\\")
        if name in by: continue
        if any(name.startswith(u + "\\") for u in unread_dirs): continue
        fail("task file %s neither listed nor named as not read" % name)
for f in os.listdir(xp):
    if f.lower().endswith(".job") and f[:-4] not in by:
        fail(".job %s neither listed nor named as not read" % f)
if d["not_read"] != sum(1 for es in by.values() for e in es if "not_read" in e):
    fail("not_read count %s" % d["not_read"])
sys.exit(1 if bad else 0)
EOF
deep='\d1'
for i in $(seq 2 64); do deep="$deep\\d$i"; done
tab=$(printf '\t')
cat >"$T/spec" <<EOF
\\Prefixed${tab}listed${tab}C:\\Users\\Public\\prefixed.exe -p
\\Spaced${tab}listed${tab}C:\\Users\\Public\\spaced.exe
\\Cdata${tab}listed${tab}C:\\Users\\Public\\cdata.exe <x> & A
\\Large${tab}listed${tab}C:\\Users\\Public\\large.exe
\\ComOnly${tab}listed${tab}(no program: no Exec action)
\\Microsoft\\Windows\\Sub\\Nested${tab}listed${tab}C:\\Users\\Public\\nested.exe
\\Huge${tab}unread${tab}too large (over 8 MiB)
\\Broken${tab}unread${tab}parse error at line 4: mismatched tag
\\Cut${tab}unread${tab}parse error at line
\\Empty${tab}unread${tab}not XML (no element)
\\Binary${tab}unread${tab}parse error at line 1:
\\Laughs${tab}unread${tab}has a DOCTYPE
\\Xxe${tab}unread${tab}has a DOCTYPE
\\Link${tab}unread${tab}a link (not followed)
\\LinkDir${tab}unread${tab}a link (not followed)
\\Fifo${tab}unread${tab}not a regular file (a FIFO)
$deep${tab}unread${tab}folder nested too deep
Bad${tab}unread${tab}not a .job file this can read
Fifo${tab}unread${tab}not a regular file (a FIFO)
Link${tab}unread${tab}a link (not followed)
EOF
expect "every task file listed with its program or named as not read with the reason (JSON)" \
	python3 "$T/check.py" "$T/list.json" "$T/spec" "$TASKS" "$R/Windows/Tasks"

expect "text: the reasons are shown" sh -c "grep -q '(not read: parse error at line 4: mismatched tag)' '$T/list.txt' &&
	grep -q '(not read: a link (not followed))' '$T/list.txt' && grep -q 'flags: not-read' '$T/list.txt'"
expect "text: the summary counts them" grep -q ', 14 task files or folders not read (flag not-read)' "$T/list.txt"
expect "nothing from outside the volume reached the output" sh -c \
	"! grep -q 'CANARY' '$T/list.json' '$T/list.txt'"

# disabling one not read: a link or FIFO is never touched
id=$(python3 -c 'import json,sys; print([e["id"] for e in json.load(open(sys.argv[1]))["entries"] if e["name"] == "\\Link"][0])' "$T/list.json")
expect_exit 4 "disabling a link task: refused, nothing rescue may set aside" \
	timeout 60 "$RESCUE" --root "$R" --yes autoruns --disable "$id"
cp "$T/.out" "$T/disable.out"
expect "... with the reason" grep -q 'not read (a link (not followed)): nothing rescue may set aside' "$T/disable.out"
expect "... and the link is still there" test -L "$TASKS/Link"

# disabling a task file that is not read but is a regular file: set aside, undone
id=$(python3 -c 'import json,sys; print([e["id"] for e in json.load(open(sys.argv[1]))["entries"] if e["name"] == "\\Broken"][0])' "$T/list.json")
before=$(sha256sum <"$TASKS/Broken")
expect_exit 0 "disabling the unparsable task \\Broken: done" timeout 60 "$RESCUE" --root "$R" --yes autoruns --disable "$id"
expect "... the file is set aside" test ! -e "$TASKS/Broken"
expect_exit 0 "undo autoruns" timeout 60 "$RESCUE" --root "$R" --yes undo autoruns
expect "... puts it back byte for byte" test "$(sha256sum <"$TASKS/Broken")" = "$before"

# ---- the unattended run names them in its report ----
printf '# rescue.conf for a test\r\nreports_dir = %s\n' "$T/reports" >"$T/rescue.conf"
timeout 300 "$RESCUE" --root "$R" auto --config "$T/rescue.conf" >"$T/auto.out" 2>&1
rc=$?
if [ $rc -eq 124 ]; then not_ok "auto: hung (killed after 300 s)"; else ok "auto: finished (exit $rc)"; fi
txt=$(find "$R/Rescue/reports" -name '*.txt' 2>/dev/null | head -n 1)
expect "auto report names every task not read, with the reason" sh -c "test -n '$txt' &&
	grep -q 'scheduled task .Broken (in Windows/System32/Tasks) not read: parse error at line 4' '$txt' &&
	grep -q 'scheduled task .Fifo (in Windows/System32/Tasks) not read: not a regular file (a FIFO)' '$txt' &&
	grep -q 'scheduled task Fifo (in Windows/Tasks) not read: not a regular file (a FIFO)' '$txt' &&
	test \$(grep -c 'autoruns: scheduled task .* not read: ' '$txt') -eq 14"

# ---- the same files on an NTFS volume, through --disk ----
if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ] || ! command -v ntfs-3g >/dev/null || ! command -v ntfscat >/dev/null; then
	skip "autoruns --disk" "needs root, /dev/fuse, ntfs-3g and ntfscat"
elif ! sh "$TOP/tests/images/build.sh" clean "$T/clean.img" >/dev/null 2>&1; then
	not_ok "build the clean test image"
else
	export RESCUE_RUNDIR="$T/run"
	# partition 3 is the Windows volume: written here through ntfs-3g
	# shellcheck disable=SC2046 # START SIZE, split on purpose
	set -- $(sfdisk -q -l -o Start,Sectors "$T/clean.img" | awk 'NR == 4 { print $1 * 512, $2 * 512 }')
	wloop=$(losetup -f --show -o "$1" --sizelimit "$2" "$T/clean.img")
	t_on_exit "losetup -d $wloop 2>/dev/null"
	mkdir -p "$T/mnt"
	t_on_exit "umount '$T/mnt' 2>/dev/null"
	if ntfs-3g "$wloop" "$T/mnt"; then
		mkdir -p "$T/mnt/Windows/System32/Tasks" "$T/mnt/Windows/Tasks"
		plant "$T/mnt/Windows/System32/Tasks" "$T/mnt/Windows/Tasks"
		umount "$T/mnt"
	else
		not_ok "ntfs-3g mount of the test image"
	fi
	losetup -d "$wloop"
	t_attach "$T/clean.img" 3
	# shellcheck disable=SC2016,SC2154 # the script takes its argument as $1; t_loop is set by tests/lib.sh
	expect "the links are Interix files on the volume (ntfscat)" sh -c \
		'ntfscat "$1" Windows/System32/Tasks/Link | head -c 7 | grep -q IntxLNK' - "$t_loop"
	t_detach
	timeout 120 "$RESCUE" --disk "$T/clean.img" --json autoruns >"$T/disk.json" 2>"$T/disk.err"
	rc=$?
	if [ $rc -eq 0 ]; then ok "autoruns --disk --json on the image: done"; else
		not_ok "autoruns --disk --json on the image: exit $rc"; sed 's/^/#   /' "$T/disk.err"; fi
	expect "--disk: every task file listed with its program or named as not read with the reason" \
		python3 "$T/check.py" "$T/disk.json" "$T/spec" "$TASKS" "$R/Windows/Tasks"
	expect "--disk: nothing from outside the volume reached the output" sh -c "! grep -q 'CANARY' '$T/disk.json'"
fi

canary >"$T/canary.after"
expect "the canary folder outside the volume is unchanged (content, size, mtime, mode)" \
	cmp "$T/canary.before" "$T/canary.after"
t_done
