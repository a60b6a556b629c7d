#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue autoruns on win10 and XP trees with persistence planted the way
# Qakbot does it, pointing at tests/samples/plant.sh's samples: machine and
# user Run/RunOnce values (and the Wow6432Node view), a service, an IFEO
# debugger, an extra Userinit program, a scheduled task (Vista+ XML with its
# TaskCache entry; an XP .job file built here from the public format) and a
# Startup folder file.  Every planted entry must be listed with the right
# target, flagged and disabled; nothing else flagged (the real hives' own
# services, SecurityHealth, ctfmon...); hivexget and reglookup (tools we did
# not write) confirm the registry after the disable; `rescue undo autoruns`
# brings back hives whose hivexregedit export equals the one before, and the
# files byte for byte.
# SC1003: '\\' in single quotes is a backslash, meant.  SC2015: `A && ok ||
# not_ok` is safe here, ok never fails.  SC2129: one line per planted entry.
# shellcheck disable=SC1003,SC2015,SC2129
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

for tool in hivexregedit hivexget reglookup iconv python3; do
	command -v $tool >/dev/null || { skip "autoruns" "$tool missing"; t_done; exit; }
done

# ---- helpers to build Windows things from the shell ----
utf16() { printf '%s' "$1" | iconv -f UTF-8 -t UTF-16LE; }
byte() { printf '%b' "\\0$(printf '%o' "$1")"; }
u16() { byte $(($1 & 255)); byte $(($1 >> 8 & 255)); }
# A [MS-TSCH] Unicode string: character count including the NUL, UTF-16LE.
ustr() { if [ -z "$1" ]; then u16 0; else u16 $((${#1} + 1)); utf16 "$1"; u16 0; fi; }
# job FILE APP PARAMS: an XP scheduled task: a 0x44-byte fixed section (product
# version, file version 1, a UUID, the application name's offset 0x46, the
# trigger offset, zeros), the running instance count, then the strings.
job() {
	{
		u16 0x0501; u16 1; printf 'rescue-test-uuid'; u16 0x46; u16 0
		head -c 44 /dev/zero
		u16 0; ustr "$2"; ustr "$3"; ustr 'C:\'; ustr 'Tester'; ustr ''; u16 0; u16 0; u16 0
	} >"$1"
}
# winp REL: C:\ + REL with backslashes; regp: the same escaped for a .reg file.
winp() { printf 'C:\\%s' "$1" | tr / '\\'; }
# lnk FILE TARGET: a shell link ([MS-SHLLINK]) whose LinkInfo holds TARGET
# as its local base path: a 0x4C-byte header (size, class id, flags
# HasLinkInfo|IsUnicode), then LinkInfo (size, header size 0x1C, flags
# VolumeIDAndLocalBasePath, offsets of the volume id, base path, network
# link, suffix) and the two strings.
u32() { u16 $(($1 & 65535)); u16 $(($1 >> 16)); }
lnk() {
	{
		u32 0x4c; printf '\001\024\002\000\000\000\000\000\300\000\000\000\000\000\000\106'; u32 0x82
		head -c 52 /dev/zero
		u32 $((0x1c + ${#2} + 2)); u32 0x1c; u32 1; u32 0; u32 0x1c; u32 0; u32 $((0x1c + ${#2} + 1))
		printf '%s' "$2"; byte 0; byte 0
	} >"$1"
}
regp() { winp "$1" | sed 's/\\/\\\\/g'; }
regs() { printf '%s' "$1" | sed 's/\\/\\\\/g'; }
# exports HIVE KEY: hivexregedit's export with each key's values sorted (a
# value undo puts back is appended after its siblings: same data, other order).
export_sorted() {
	hivexregedit --export "$1" "$2" | tr -d '\r' | python3 -c '
import sys
blocks = sys.stdin.read().split("\n\n")
for b in blocks:
    lines = b.strip("\n").split("\n")
    print("\n".join(lines[:1] + sorted(lines[1:])) + "\n")'
}
sha() { sha256sum <"$1" | cut -d' ' -f1; }

# check.py JSON SPEC: every SPEC line "kind<TAB>name<TAB>target" is an entry
# that exists and is flagged "detected"; no other entry is flagged; the LEGIT
# names (rest of argv) are listed and not flagged.
cat >"$T/check.py" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
want = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
legit = sys.argv[3:]
bad = 0
def fail(msg):
    global bad
    bad += 1
    print("#   " + msg)
flagged = {e["id"] for e in d["entries"] if e["flagged"]}
matched = set()
for kind, name, target in want:
    # Userinit is listed once per program in it: the planted one by target
    es = [e for e in d["entries"] if e["kind"] == kind and e["name"] == name
          and (e["target"] or "").lower() == target.lower()]
    if not es:
        fail("missing %s %s -> %s" % (kind, name, target)); continue
    for e in es:
        matched.add(e["id"])
        if not e["exists"]: fail("%s: target not found" % name)
        if "detected" not in e["flags"]: fail("%s: not flagged detected: %s" % (name, e["flags"]))
for e in d["entries"]:
    if e["id"] in flagged and e["id"] not in matched:
        fail("flagged but not planted: %s %s -> %s %s" % (e["kind"], e["name"], e["target"], e["flags"]))
for n in legit:
    es = [e for e in d["entries"] if e["name"] == n]
    if not es: fail("legit entry %s not listed" % n)
    for e in es:
        if e["flagged"]: fail("legit entry %s flagged" % n)
print("\n".join(sorted(matched)), file=open(sys.argv[2] + ".ids", "w"))
sys.exit(1 if bad else 0)
EOF

for v in win10 xp; do
	R=$T/$v
	sh "$TOP/tests/fixtures/mktree.sh" $v "$R" || { not_ok "mktree $v"; continue; }
	sh "$TOP/tests/samples/plant.sh" "$R" "$T/$v.manifest" || { not_ok "plant $v"; continue; }
	man=$T/$v.manifest
	stager=$(awk -F'\t' '$2 ~ /Qakbot_Stager/ && $1 !~ /^System Volume/ { print $1 }' "$man")
	exe=$(awk -F'\t' '$2 == "Executable_In_AppData_Microsoft_Random_Folder" { print $1 }' "$man")
	wtemp=$(awk -F'\t' '$2 == "Qakbot_Hardcoded_Key_2023" { print $1 }' "$man")
	bat=$(awk -F'\t' '$2 == "Qakbot_Schtasks_Persistence" { print $1 }' "$man")
	if [ $v = xp ]; then
		cfg=WINDOWS/system32/config sys=$cfg/system sw=$cfg/software win=WINDOWS
		u=Pat roam="Documents and Settings/Pat/Application Data" startup="Documents and Settings/Pat/Start Menu/Programs/Startup"
	else
		cfg=Windows/System32/config sys=$cfg/SYSTEM sw=$cfg/SOFTWARE win=Windows
		u=AndrewRathbun roam="Users/$u/AppData/Roaming" startup="$roam/Microsoft/Windows/Start Menu/Programs/Startup"
	fi
	nt=$(dirname "$roam")/NTUSER.DAT
	[ $v = xp ] || nt="Users/$u/NTUSER.DAT"
	cs=ControlSet$(printf '%03d' "$(hivexget "$R/$sys" '\Select' Current)")
	svc=Wkqzvbtn
	task=WinSvcUpd
	guid='{6C1F1A2B-3D4E-4F50-8A9B-0C1D2E3F4A5B}'
	ui_orig=$(hivexget "$R/$sw" '\Microsoft\Windows NT\CurrentVersion\Winlogon' Userinit)
	app_rel=${exe#"$roam"/}
	spec=$T/$v.spec
	: >"$spec"

	# machine: Run, IFEO, Userinit
	cat >"$T/sw.reg" <<EOF
Windows Registry Editor Version 5.00

[\\Microsoft\\Windows\\CurrentVersion\\Run]
"WindowsUpdateHelper"="regsvr32.exe -s \\"$(regp "$stager")\\""
"VendorTool"="C:\\\\Program Files\\\\Vendor Tool\\\\vendor.exe /tray"

[\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\sethc.exe]
"Debugger"="$(regp "$exe")"

[\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon]
"Userinit"="$(regs "$ui_orig")$(regp "$exe"),"
EOF
	printf 'run\tWindowsUpdateHelper\t%s\n' "$stager" >>"$spec"
	printf 'ifeo\tsethc.exe\t%s\n' "$exe" >>"$spec"
	printf 'winlogon\tUserinit\t%s\n' "$exe" >>"$spec"
	if [ $v = win10 ]; then
		cat >>"$T/sw.reg" <<EOF

[\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run]
"Helper32"="$(regp "$exe") /q"

[\\Microsoft\\Windows NT\\CurrentVersion\\Windows]
"AppInit_DLLs"="C:\\\\Windows\\\\System32\\\\vendorhook.dll,$(regp "$stager")"

[\\Microsoft\\Windows NT\\CurrentVersion\\Schedule]

[\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache]

[\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree]

[\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree\\$task]
"Id"="$guid"
"Index"=dword:00000003

[\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tasks]

[\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tasks\\$guid]
"Path"="\\\\$task"
"Actions"=hex:03,00,0c,00,00,00,41,00,75,00,74,00,68,00,6f,00,72,00,66,66
EOF
		printf 'run\tHelper32\t%s\n' "$exe" >>"$spec"
		printf 'appinit\tAppInit_DLLs\t%s\n' "$stager" >>"$spec"
		# the task file, UTF-16LE with a byte order mark as Windows writes it
		{ printf '\377\376'; utf16 "<?xml version=\"1.0\" encoding=\"UTF-16\"?>
<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">
  <Actions Context=\"Author\">
    <Exec>
      <Command>%SystemRoot%\\System32\\regsvr32.exe</Command>
      <Arguments>-s &quot;$(winp "$stager")&quot;</Arguments>
    </Exec>
  </Actions>
</Task>"; } >"$R/$win/System32/Tasks/$task"
		taskfile="$win/System32/Tasks/$task"
		printf 'task\t\\%s\t%s\n' "$task" "$stager" >>"$spec"
	else
		taskfile="$win/Tasks/$task.job"
		job "$R/$taskfile" "$(winp "$exe")" "-s"
		printf 'task\t%s\t%s\n' "$task" "$exe" >>"$spec"
	fi
	hivexregedit --merge "$R/$sw" "$T/sw.reg" || not_ok "$v: merge SOFTWARE"

	# the user: Run with %APPDATA% through rundll32, RunOnce
	cat >"$T/nt.reg" <<EOF
Windows Registry Editor Version 5.00

[\\Software\\Microsoft\\Windows\\CurrentVersion\\Run]
"Qxvbmtz"=str(2):"rundll32.exe \\"%APPDATA%\\\\$(regs "$(printf '%s' "${stager#"$roam"/}" | tr / '\\')")\\",DllRegisterServer"

[\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce]
"Updater"=str(2):"%APPDATA%\\\\$(regs "$(printf '%s' "$app_rel" | tr / '\\')")"
EOF
	printf 'run\tQxvbmtz\t%s\n' "$stager" >>"$spec"
	printf 'run\tUpdater\t%s\n' "$exe" >>"$spec"
	hivexregedit --merge "$R/$nt" "$T/nt.reg" || not_ok "$v: merge NTUSER.DAT"

	# a service started from Windows\Temp
	cat >"$T/sys.reg" <<EOF
Windows Registry Editor Version 5.00

[\\$cs\\Services\\$svc]
"Type"=dword:00000010
"Start"=dword:00000002
"ErrorControl"=dword:00000000
"ImagePath"=str(2):"%SystemRoot%\\\\Temp\\\\$(basename "$wtemp")"
"DisplayName"="Windows Update Helper Service"
EOF
	printf 'service\t%s\t%s\n' "$svc" "$wtemp" >>"$spec"
	hivexregedit --merge "$R/$sys" "$T/sys.reg" || not_ok "$v: merge SYSTEM"

	# a Startup file (a copy of the detected batch file) and desktop.ini
	mkdir -p "$R/$startup"
	cp "$R/$bat" "$R/$startup/$(basename "$bat")"
	printf '[.ShellClassInfo]\r\n' >"$R/$startup/desktop.ini"
	printf '%s\tQakbot_Schtasks_Persistence\n' "$startup/$(basename "$bat")" >>"$man"
	printf 'startup\t%s\t%s\n' "$(basename "$bat")" "$startup/$(basename "$bat")" >>"$spec"
	if [ $v = win10 ]; then
		# all users' Startup folder: a link to the planted program
		allst="ProgramData/Microsoft/Windows/Start Menu/Programs/Startup"
		mkdir -p "$R/$allst"
		lnk "$R/$allst/Updater.lnk" "$(winp "$exe")"
		printf 'startup\tUpdater.lnk\t%s\n' "$exe" >>"$spec"
	fi

	legit="VendorTool"
	if [ $v = win10 ]; then legit="$legit SecurityHealth Skype Tcpip"; else legit="$legit ctfmon.exe MSMSGS Tcpip win32dd1"; fi

	# ---- list ----
	expect_exit 1 "$v: autoruns lists and finds flagged entries (exit 1)" \
		"$RESCUE" --root "$R" autoruns --detected "$man"
	"$RESCUE" --root "$R" --json autoruns --all --detected "$man" >"$T/$v.json"
	# shellcheck disable=SC2086 # legit is a list of names
	if python3 "$T/check.py" "$T/$v.json" "$spec" $legit >"$T/.out"; then
		ok "$v: $(wc -l <"$spec") planted entries listed, targets resolved, flagged; nothing else flagged"
	else
		not_ok "$v: planted entries listed and flagged"; cat "$T/.out"
	fi
	grep -q '"flags":\["missing","windows"\]' "$T/$v.json" && ok "$v: Windows' own services listed (missing files only noted)" \
		|| not_ok "$v: Windows' own services listed"
	expect_exit 0 "$v: listing without the detected list flags nothing planted with plain names" \
		sh -c "'$RESCUE' --root '$R' --json autoruns --all | python3 -c 'import json,sys; d=json.load(sys.stdin); \
			sys.exit(0 if all(\"detected\" not in e[\"flags\"] for e in d[\"entries\"]) else 1)'"
	grep -q "\"id\":\"$(head -n1 "$spec.ids")\"" "$T/$v.json" || not_ok "$v: ids"
	# the read-only listing wrote nothing
	[ ! -e "$R/Rescue" ] && ok "$v: listing writes nothing" || not_ok "$v: listing wrote $R/Rescue"

	# ---- before ----
	for h in "$sw" "$nt"; do export_sorted "$R/$h" '\' >"$T/$v.$(basename "$h").before"; done
	export_sorted "$R/$sys" "\\$cs\\Services" >"$T/$v.sys.before"
	task_sha=$(sha "$R/$taskfile")
	startup_sha=$(sha "$R/$startup/$(basename "$bat")")
	[ $v = xp ] || lnk_sha=$(sha "$R/$allst/Updater.lnk")

	# ---- disable by id ----
	# shellcheck disable=SC2046 # one id per word
	expect_exit 0 "$v: autoruns --disable ID... ($(wc -l <"$spec.ids") entries)" \
		"$RESCUE" --root "$R" --yes autoruns --disable $(cat "$spec.ids")
	run='\Microsoft\Windows\CurrentVersion\Run'
	if ! hivexget "$R/$sw" "$run" WindowsUpdateHelper >/dev/null 2>&1 &&
	   hivexget "$R/$sw" "$run" VendorTool >/dev/null 2>&1; then
		ok "$v: hivexget: machine Run value gone, the legit one kept"
	else not_ok "$v: machine Run value"; fi
	if ! hivexget "$R/$nt" '\Software\Microsoft\Windows\CurrentVersion\Run' Qxvbmtz >/dev/null 2>&1 &&
	   ! hivexget "$R/$nt" '\Software\Microsoft\Windows\CurrentVersion\RunOnce' Updater >/dev/null 2>&1; then
		ok "$v: hivexget: user Run and RunOnce values gone"
	else not_ok "$v: user Run values"; fi
	if reglookup -H -p "/$cs/Services/$svc/Start" "$R/$sys" 2>/dev/null | grep -q ',DWORD,0x00000004,'; then
		ok "$v: reglookup: service Start = 4"
	else not_ok "$v: service Start"; reglookup -H -p "/$cs/Services/$svc" "$R/$sys" | sed 's/^/#   /'; fi
	if ! hivexget "$R/$sw" '\Microsoft\Windows NT\CurrentVersion\Image File Execution Options\sethc.exe' Debugger >/dev/null 2>&1
	then ok "$v: hivexget: IFEO debugger gone"; else not_ok "$v: IFEO debugger"; fi
	got=$(hivexget "$R/$sw" '\Microsoft\Windows NT\CurrentVersion\Winlogon' Userinit)
	[ "$got" = "$ui_orig" ] && ok "$v: hivexget: Userinit back to \"$got\"" || not_ok "$v: Userinit is \"$got\""
	if [ ! -e "$R/$taskfile" ] && [ ! -e "$R/$startup/$(basename "$bat")" ] && [ -e "$R/$startup/desktop.ini" ] &&
	   { [ $v = xp ] || [ ! -e "$R/$allst/Updater.lnk" ]; } &&
	   find "$R/Rescue/backup" -type f -name "$(basename "$taskfile")" | grep -q .; then
		ok "$v: task and Startup files set aside into Rescue/backup"
	else not_ok "$v: task and Startup files"; fi
	if [ $v = win10 ]; then
		tc='\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache'
		if ! hivexget "$R/$sw" "$tc\\Tree\\$task" Id >/dev/null 2>&1 &&
		   ! hivexget "$R/$sw" "$tc\\Tasks\\$guid" Actions >/dev/null 2>&1 &&
		   hivexget "$R/$sw" '\WOW6432Node\Microsoft\Windows\CurrentVersion\Run' Helper32 >/dev/null 2>&1; then
			not_ok "$v: Wow6432Node Run value still there"
		elif ! hivexget "$R/$sw" "$tc\\Tree\\$task" Id >/dev/null 2>&1 &&
		   ! hivexget "$R/$sw" "$tc\\Tasks\\$guid" Actions >/dev/null 2>&1; then
			ok "$v: hivexget: TaskCache values and the Wow6432Node Run value gone"
		else not_ok "$v: TaskCache values"; fi
		hivexget "$R/$sw" "$run" SecurityHealth >/dev/null && ok "$v: SecurityHealth left alone" \
			|| not_ok "$v: SecurityHealth"
		got=$(hivexget "$R/$sw" '\Microsoft\Windows NT\CurrentVersion\Windows' AppInit_DLLs)
		[ "$got" = 'C:\Windows\System32\vendorhook.dll' ] && ok "$v: hivexget: the planted DLL taken out of AppInit_DLLs" \
			|| not_ok "$v: AppInit_DLLs is \"$got\""
	fi
	expect_exit 0 "$v: nothing active is flagged any more (the disabled service is only listed)" \
		"$RESCUE" --root "$R" autoruns --detected "$man"

	# ---- undo ----
	expect_exit 0 "$v: undo autoruns" "$RESCUE" --root "$R" --yes undo autoruns
	same=1
	for h in "$sw" "$nt"; do
		export_sorted "$R/$h" '\' >"$T/$v.$(basename "$h").after"
		cmp -s "$T/$v.$(basename "$h").before" "$T/$v.$(basename "$h").after" || {
			same=0; diff "$T/$v.$(basename "$h").before" "$T/$v.$(basename "$h").after" | head | sed 's/^/#   /'; }
	done
	export_sorted "$R/$sys" "\\$cs\\Services" >"$T/$v.sys.after"
	cmp -s "$T/$v.sys.before" "$T/$v.sys.after" || { same=0; diff "$T/$v.sys.before" "$T/$v.sys.after" | head | sed 's/^/#   /'; }
	[ $same = 1 ] && ok "$v: hivexregedit exports after undo equal the ones before (SOFTWARE, NTUSER.DAT, Services)" \
		|| not_ok "$v: exports after undo differ"
	if [ -f "$R/$taskfile" ] && [ "$(sha "$R/$taskfile")" = "$task_sha" ] &&
	   [ "$(sha "$R/$startup/$(basename "$bat")")" = "$startup_sha" ] &&
	   { [ $v = xp ] || [ "$(sha "$R/$allst/Updater.lnk")" = "$lnk_sha" ]; }; then
		ok "$v: task and Startup files back, byte for byte"
	else not_ok "$v: files after undo"; fi
	expect_exit 1 "$v: after undo the entries are flagged again" "$RESCUE" --root "$R" autoruns --detected "$man"
done

# --disable-flagged and --dry-run on the XP tree (entries back after undo)
R=$T/xp
expect_exit 0 "xp: --disable-flagged --dry-run" "$RESCUE" --root "$R" autoruns --detected "$T/xp.manifest" --disable-flagged --dry-run
grep -q '^would disable' "$T/.out" && ok "xp: dry run says what it would disable" || not_ok "xp: dry run output"
expect_exit 1 "xp: dry run changed nothing" "$RESCUE" --root "$R" autoruns --detected "$T/xp.manifest"
expect_exit 2 "unknown id is a usage error" "$RESCUE" --root "$R" --yes autoruns --disable 0badc0de
expect_exit 2 "--disable without ids is a usage error" "$RESCUE" --root "$R" --yes autoruns --disable
expect_exit 0 "xp: --disable-flagged" "$RESCUE" --root "$R" --yes --json autoruns --detected "$T/xp.manifest" --disable-flagged
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["disabled"] and all(s["ok"] for s in d["disabled"]) else 1)' "$T/.out" \
	&& ok "xp: --json report of the disabled entries" || not_ok "xp: --json disable report"

# scan --quarantine disables the entries that start what it quarantined
R=$T/q
if ! sh "$TOP/tests/fixtures/mktree.sh" win10 "$R" || ! sh "$TOP/tests/samples/plant.sh" "$R" "$T/q.manifest"; then
	not_ok "q: tree"
fi
stager=$(awk -F'\t' '$2 ~ /Qakbot_Stager/ { print $1 }' "$T/q.manifest")
wtemp=$(awk -F'\t' '$2 == "Qakbot_Hardcoded_Key_2023" { print $1 }' "$T/q.manifest")
sw=$R/Windows/System32/config/SOFTWARE sys=$R/Windows/System32/config/SYSTEM
printf 'Windows Registry Editor Version 5.00\n\n[\\Microsoft\\Windows\\CurrentVersion\\Run]\n"Updater"="regsvr32.exe -s \\"%s\\""\n' \
	"$(regp "$stager")" >"$T/q.reg"
hivexregedit --merge "$sw" "$T/q.reg"
printf 'Windows Registry Editor Version 5.00\n\n[\\ControlSet001\\Services\\Wkqzvbtn]\n"Type"=dword:00000010\n"Start"=dword:00000002\n"ImagePath"=str(2):"%%SystemRoot%%\\\\Temp\\\\%s"\n' \
	"$(basename "$wtemp")" >"$T/q2.reg"
hivexregedit --merge "$sys" "$T/q2.reg"
export_sorted "$sw" '\' >"$T/q.sw.before"
"$RESCUE" --root "$R" --json scan --quarantine >"$T/q.scan" 2>&1
if grep -q '"type":"autorun_disabled".*"ok":true' "$T/q.scan" &&
   ! hivexget "$sw" '\Microsoft\Windows\CurrentVersion\Run' Updater >/dev/null 2>&1 &&
   hivexget "$sw" '\Microsoft\Windows\CurrentVersion\Run' SecurityHealth >/dev/null &&
   reglookup -H -p /ControlSet001/Services/Wkqzvbtn/Start "$sys" | grep -q ',DWORD,0x00000004,'; then
	ok "scan --quarantine: the Run value and the service of quarantined files disabled (hivexget, reglookup)"
else not_ok "scan --quarantine disables autostart entries"; grep -v detection "$T/q.scan" | sed 's/^/#   /'; fi
"$RESCUE" --root "$R" --json autoruns --all >"$T/q.json"
python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
e = [e for e in d["entries"] if e["name"] == "Wkqzvbtn"][0]
sys.exit(0 if "quarantined" in e["flags"] and "disabled" in e["flags"] and not e["exists"] else 1)' "$T/q.json" \
	&& ok "autoruns reads the quarantine manifest: the service is flagged quarantined, disabled" \
	|| not_ok "autoruns and the quarantine manifest"
expect_exit 0 "q: undo autoruns" "$RESCUE" --root "$R" --yes undo autoruns
export_sorted "$sw" '\' >"$T/q.sw.after"
if cmp -s "$T/q.sw.before" "$T/q.sw.after" &&
   reglookup -H -p /ControlSet001/Services/Wkqzvbtn/Start "$sys" | grep -q ',DWORD,0x00000002,'; then
	ok "q: undo puts the Run value and Start=2 back"
else not_ok "q: undo after scan --quarantine"; fi
t_done
