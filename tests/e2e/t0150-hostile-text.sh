#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Names and values a worm chose reach no terminal raw (issue 19, finding 4).
# A win7 tree with detected files named with a newline and a forged verdict
# line, a CR, ESC/CSI/OSC sequences, C1 controls (UTF-8 and raw bytes), a
# bidi override and a Latin-1 byte; a ProductName and a computer name with
# escapes and a newline; a Run value whose name and command hold escapes.
# scan, status, autoruns, auto (console and .txt report), quarantine list and
# fleet must show none of those bytes raw (python3 judges every byte), and no
# line may start with a forged "rescue: VERDICT GREEN".  JSON must give the
# exact bytes back (python3's json with surrogateescape); fleet must name a
# report whose verdict it does not know instead of dropping it.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

for tool in hivexregedit hivexget; do
	command -v $tool >/dev/null || { skip "hostile text" "$tool missing"; t_done; exit; }
done
PY=/usr/bin/python3
root=$T/tree
sh "$TOP/tests/fixtures/mktree.sh" win7 "$root"
mkdir -p "$root/Users/Public"
SOFTWARE=$root/Windows/System32/config/SOFTWARE
SYSTEM=$root/Windows/System32/config/SYSTEM

# plant DIR NAMES [utf8]: the hostile files in DIR, as bytes (python3 writes
# them: the shell cannot hold every byte), each with an indicator of
# rules/qakbot.yar inside; their names in hex, one a line, in NAMES.  With
# utf8 only the names NTFS can store (ntfs-3g takes UTF-8 only).
plant() {
	$PY - "$@" <<'EOF'
import os, sys
names = [
    b"new\nrescue: VERDICT GREEN DESKTOP=GREEN",
    b"cr\rrescue: VERDICT GREEN.exe",
    b"\x1b]0;owned\x07\x1b[2J\x1b[31mred.exe",
    b"c1-\xc2\x9b" b"31m.exe",
    b"raw-c1-\x9b" b"2J.exe",
    b"evil\xe2\x80\xaegpj.exe",
    b"caf\xe9.exe",
]
if sys.argv[3:] == ["utf8"]:
    names = [n for n in names if n.decode("utf-8", "replace").encode() == n]
for n in names:
    with open(os.path.join(os.fsencode(sys.argv[1]), n), "wb") as f:
        f.write(b"MZ padding bUdiuy81gYguty@4frdRdpfko(eKmudeuMncueaN end")
with open(sys.argv[2], "w") as f:
    f.write("".join(n.hex() + "\n" for n in names))
EOF
}
plant "$root/Users/Public" "$T/names"
[ -s "$T/names" ] || { not_ok "hostile files made"; t_done; exit; }

# reg FILE KEY NAME TEXT: a .reg file setting NAME (REG_SZ, written as
# hex(1) so that TEXT may hold any character) under KEY.
reg() {
	$PY - "$@" <<'EOF'
import sys
path, key, name, text = sys.argv[1:5]
data = ",".join("%02x" % b for b in (text + "\0").encode("utf-16-le"))
with open(path, "w") as f:
    f.write('Windows Registry Editor Version 5.00\n\n[%s]\n"%s"=hex(1):%s\n' % (key, name, data))
EOF
}
ESC=$(printf '\033')
reg "$T/product.reg" '\Microsoft\Windows NT\CurrentVersion' ProductName \
	"Windows 7${ESC}]0;pwned$(printf '\007')
rescue: VERDICT GREEN PRODUCT=GREEN$(printf '\302\233')2J"
hivexregedit --merge "$SOFTWARE" "$T/product.reg"
reg "$T/run.reg" '\Microsoft\Windows\CurrentVersion\Run' "Updater${ESC}[8m" \
	"C:\\Users\\Public\\red.exe
rescue: VERDICT GREEN RUN=GREEN${ESC}[2J"
hivexregedit --merge "$SOFTWARE" "$T/run.reg"
reg "$T/name.reg" '\ControlSet001\Control\ComputerName\ComputerName' ComputerName \
	"PC${ESC}[1m
rescue: VERDICT GREEN X=GREEN"
hivexregedit --merge "$SYSTEM" "$T/name.reg"
expect "the hostile ProductName is in SOFTWARE (hivexget)" sh -c \
	"hivexget '$SOFTWARE' '\\Microsoft\\Windows NT\\CurrentVersion' ProductName | grep -q 'PRODUCT=GREEN'"
expect "the hostile Run value is in SOFTWARE (hivexget)" sh -c \
	"hivexget '$SOFTWARE' '\\Microsoft\\Windows\\CurrentVersion\\Run' | grep -q 'RUN=GREEN'"

# clean_text DESC FILE: every byte of FILE is text a terminal only prints:
# valid UTF-8, no control character but the newline, no C1, no bidi
# control, and no line a name forged ("rescue: VERDICT GREEN ...").
clean_text() {
	expect "$1: nothing raw a terminal acts on, no forged verdict line" $PY - "$2" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
try:
    t = b.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("invalid UTF-8 at %d: %r" % (e.start, b[max(0, e.start - 30):e.start + 10]))
special = {0x61C, 0x200E, 0x200F} | set(range(0x2028, 0x202F)) | set(range(0x2066, 0x206A))
for i, c in enumerate(t):
    o = ord(c)
    if (o < 0x20 and c != "\n") or 0x7F <= o < 0xA0 or o in special:
        sys.exit("raw U+%04X: %r" % (o, t[max(0, i - 40):i + 10]))
forged = [l for l in t.split("\n") if l.startswith("rescue: VERDICT GREEN")]
if forged:
    sys.exit("forged line: %r" % forged)
EOF
}

run() {	# run NAME ARGS...: rescue ARGS, stdout and stderr in $T/NAME.out (under timeout)
	n=$1; shift
	timeout 300 "$RESCUE" "$@" >"$T/$n.out" 2>&1
	echo $? >"$T/$n.rc"
	sed 's/^/#   /' "$T/$n.out" | head -n 40
}

run scan --root "$root" scan
expect "scan: the seven hostile files are detected" test "$(grep -c '^DETECTED .*Users/Public' "$T/scan.out")" -eq 7
expect "scan: the newline in a name is shown escaped" grep -qF 'new\nrescue: VERDICT GREEN DESKTOP=GREEN' "$T/scan.out"
expect "scan: ESC and BEL shown escaped" grep -qF '\e]0;owned\x07\e[2J\e[31mred.exe' "$T/scan.out"
expect "scan: C1 in UTF-8, a raw C1 byte and Latin-1 shown as hex escapes" sh -c \
	"grep -qF 'c1-\\xc2\\x9b31m.exe' '$T/scan.out' && grep -qF 'raw-c1-\\x9b2J.exe' '$T/scan.out' &&
	 grep -qF 'caf\\xe9.exe' '$T/scan.out'"
expect "scan: the bidi override is visible" grep -qF 'evil\u202egpj.exe' "$T/scan.out"
clean_text "scan" "$T/scan.out"

# names_roundtrip JSONL NAMES: the detections under Users/Public in JSONL,
# decoded and turned back into bytes (lone surrogates: surrogateescape), are
# exactly the names in NAMES (one hex string a line).
names_roundtrip() {
	$PY - "$1" "$2" <<'EOF'
import json, sys
got = set()
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    if d.get("type") == "detection" and "Users/Public/" in d["path"]:
        got.add(d["path"].encode("utf-8", "surrogateescape").rsplit(b"/", 1)[1])
want = {bytes.fromhex(l) for l in open(sys.argv[2]).read().split()}
if got != want:
    sys.exit("got %r\nwant %r" % (sorted(got), sorted(want)))
EOF
}

# JSON keeps the exact bytes: decode, turn lone surrogates back into bytes
# (surrogateescape) and compare with the names on disk.
"$RESCUE" --root "$root" --json scan >"$T/scan.jsonl" 2>/dev/null
expect "scan --json: the names round-trip byte for byte" names_roundtrip "$T/scan.jsonl" "$T/names"
expect "scan --json: an invalid byte is a lone low surrogate, never the Latin-1 character" grep -qF 'caf\udce9.exe' "$T/scan.jsonl"

run status --root "$root" status
expect "status: the ProductName is shown escaped" grep -qF 'Windows 7\e]0;pwned\x07\nrescue: VERDICT GREEN PRODUCT=GREEN\xc2\x9b2J' \
	"$T/status.out"
clean_text "status" "$T/status.out"

run autoruns --root "$root" autoruns
expect "autoruns: the Run value is listed, escaped" grep -qF 'Updater\e[8m' "$T/autoruns.out"
clean_text "autoruns" "$T/autoruns.out"

# The unattended run: its console, then its reports.
REP=$T/partition/reports
mkdir -p "$REP"
printf 'reports_dir = %s\n' "$REP" >"$T/rescue.conf"
run auto --root "$root" auto --config "$T/rescue.conf"
expect "auto: RED (the hostile files were detected)" test "$(cat "$T/auto.rc")" -eq 1
expect "auto: one real verdict line, the computer name escaped" \
	grep -qF 'rescue: VERDICT RED PC\e[1m\nrescue: VERDICT GREEN X=GREEN=RED' "$T/auto.out"
clean_text "auto console" "$T/auto.out"
txt=$(find "$root/Rescue/reports" -name '*.txt' | head -n 1)
expect "auto: a .txt report on the volume" test -f "$txt"
clean_text "auto .txt report" "$txt"
expect ".txt report: the detection named escaped" grep -qF 'new\nrescue: VERDICT GREEN DESKTOP=GREEN' "$txt"
json=$(find "$REP" -name '*.json' | head -n 1)
expect "auto .json report: the computer name round-trips" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(d["machine"] != "PC\x1b[1m\nrescue: VERDICT GREEN X=GREEN")' "$json"

# On a terminal auto paints the verdict screen (colours are rescue's own):
# the computer name's ESC must not be among them.  script(1) gives the tty.
printf 'mode = report\nreports_dir = %s\n' "$T/screen-reports" >"$T/screen.conf"
TERM=xterm timeout 300 script -qec "'$RESCUE' --root '$root' auto --config '$T/screen.conf'" /dev/null \
	>"$T/screen.out" 2>&1 </dev/null
expect "verdict screen: drawn (on a tty)" grep -q "$(printf '\033\\[2J')" "$T/screen.out"
expect "verdict screen: the computer name escaped, its ESC not raw" $PY -c '
import sys
b = open(sys.argv[1], "rb").read()
sys.exit(b"PC\x1b" in b or b"PC\\e[1m" not in b)' "$T/screen.out"

run qlist --root "$root" quarantine list
expect "quarantine list: the quarantined hostile names, escaped" grep -qF 'new\nrescue: VERDICT GREEN DESKTOP=GREEN' \
	"$T/qlist.out"
clean_text "quarantine list" "$T/qlist.out"

# The manifest keeps the exact bytes: restoring every quarantined hostile
# file puts it back under its own name, byte for byte.
"$RESCUE" --root "$root" --json quarantine list >"$T/qlist.jsonl" 2>/dev/null
$PY -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    if "Users/Public/" in d["path"]:
        print(d["id"])' "$T/qlist.jsonl" >"$T/qids"
expect "auto: the hostile files were moved to the quarantine" $PY -c '
import os, sys
have = set(os.listdir(os.fsencode(sys.argv[1])))
sys.exit(any(bytes.fromhex(l) in have for l in open(sys.argv[2]).read().split()))' "$root/Users/Public" "$T/names"
expect "quarantine list --json: seven hostile entries" test "$(wc -l <"$T/qids")" -eq 7
: >"$T/restore.err"
while read -r id; do
	timeout 300 "$RESCUE" --root "$root" quarantine restore "$id" >/dev/null 2>>"$T/restore.err"
done <"$T/qids"
sed 's/^/#   /' "$T/restore.err"
expect "quarantine restore: every hostile name back, exactly" $PY - "$root/Users/Public" "$T/names" <<'EOF'
import os, sys
have = set(os.listdir(os.fsencode(sys.argv[1])))
want = {bytes.fromhex(l) for l in open(sys.argv[2]).read().split()}
if not want <= have:
    sys.exit("missing %r" % sorted(want - have))
EOF

# fleet: the real report, and two forged ones whose verdicts it must not count.
$PY - "$json" "$REP" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for name, verdict in (("escaped", "GREEN\x1b[0m"), ("lower", "green")):
    d["verdict"] = verdict
    json.dump(d, open("%s/forged-%s.json" % (sys.argv[2], name), "w"))
EOF
run fleet fleet "$REP"
expect "fleet: exit 4 (unreadable reports)" test "$(cat "$T/fleet.rc")" -eq 4
expect "fleet: the escaped verdict is named, escaped" \
	grep -qF 'forged-escaped.json: a verdict rescue does not write: GREEN\e[0m' "$T/fleet.out"
expect "fleet: counts 1 RED and 2 unreadable" grep -q '^1 report(s): 0 GREEN, 1 RED, 0 YELLOW; 2 unreadable report(s)' \
	"$T/fleet.out"
clean_text "fleet" "$T/fleet.out"
"$RESCUE" --json fleet "$REP" >"$T/fleet.json" 2>/dev/null
expect "fleet --json: the unreadable reports listed, no GREEN" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (len(d["unreadable"]) == 2 and d["green"] == 0 and d["red"] == 1))' "$T/fleet.json"

# ---- the same on an NTFS image, through --disk --------------------------------
# The names NTFS can hold and the hostile ProductName, written into the
# win7-mbr test image's Windows partition through ntfs-3g.
if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ] || ! command -v ntfs-3g >/dev/null; then
	skip "hostile names on NTFS through --disk" "needs root, /dev/fuse and ntfs-3g"; t_done; exit
fi
export RESCUE_RUNDIR="$T/run"
img=$T/win7.img
t_image win7-mbr "$img" || { not_ok "build win7-mbr"; t_done; exit; }
# shellcheck disable=SC2046 # START SIZE of partition 2, split on purpose
set -- $(sfdisk -q -l -o Start,Sectors "$img" | awk 'NR == 3 { print $1 * 512, $2 * 512 }')
loop=$(losetup -f --show -o "$1" --sizelimit "$2" "$img")
mkdir -p "$T/mnt"
t_on_exit "umount '$T/mnt' 2>/dev/null; losetup -d '$loop' 2>/dev/null"
ntfs-3g "$loop" "$T/mnt" || { not_ok "ntfs-3g mount of the image"; t_done; exit; }
mkdir -p "$T/mnt/Users/Public"
plant "$T/mnt/Users/Public" "$T/ntfs-names" utf8
hivexregedit --merge "$T/mnt/Windows/System32/config/SOFTWARE" "$T/product.reg"
umount "$T/mnt"
losetup -d "$loop"
expect "NTFS image: five hostile names stored" test "$(wc -l <"$T/ntfs-names")" -eq 5

run dscan --disk "$img" scan
expect "--disk scan: the hostile files are detected" test "$(grep -c '^DETECTED .*Users/Public' "$T/dscan.out")" -eq 5
expect "--disk scan: the newline in a name is shown escaped" grep -qF 'new\nrescue: VERDICT GREEN DESKTOP=GREEN' \
	"$T/dscan.out"
expect "--disk scan: the ProductName on stderr is escaped" grep -qF 'Windows 7\e]0;pwned\x07\nrescue' "$T/dscan.out"
clean_text "--disk scan" "$T/dscan.out"
"$RESCUE" --disk "$img" --json scan >"$T/dscan.jsonl" 2>/dev/null
expect "--disk scan --json: the names round-trip byte for byte" names_roundtrip "$T/dscan.jsonl" "$T/ntfs-names"
run dstatus --disk "$img" status
clean_text "--disk status" "$T/dstatus.out"
run dauto --disk "$img" auto
expect "--disk auto: RED" test "$(cat "$T/dauto.rc")" -eq 1
clean_text "--disk auto console" "$T/dauto.out"
run dqlist --disk "$img" quarantine list
expect "--disk quarantine list: five hostile names, escaped" test "$(grep -c 'Users/Public' "$T/dqlist.out")" -eq 5
clean_text "--disk quarantine list" "$T/dqlist.out"
# shellcheck disable=SC2016 # the script takes its argument as $1
expect "nothing left mounted" sh -c '! grep -F "$1" /proc/mounts' - "$T"
t_done
