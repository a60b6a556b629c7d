#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# plant.sh ROOTDIR [MANIFEST] - plant harmless test "infections" into the
# Windows tree ROOTDIR (made by tests/fixtures/mktree.sh or any directory) and
# write MANIFEST (default: stdout): what a scan of ROOTDIR must report, one
# line per file, sorted:
#     PATH<TAB>RULE[,RULE...]
# PATH is ROOTDIR-relative with '/'; RULEs are YARA rule names and
# hash:NAME for a match in rules/*.sha256, sorted (LC_ALL=C).
#
# Nothing planted is malware.  The samples are built here with printf: the
# EICAR test string, text carrying the strings our Qakbot rules look for, and
# PE header blobs (an MZ header, "PE\0\0" and a COFF header with no sections
# and no code) that cannot run.  Their bytes are fixed so that
# rules/rescue-tests.sha256 can name them; only the folder and file names are
# random, as Qakbot's are.
#
# Also made: symbolic links Windows has as junctions (Documents and Settings
# -> Users, AppData/Local/Application Data -> itself: a loop), negative
# controls (files that must NOT be reported), and on XP trees a copy in a
# System Restore point.  Not made here: an alternate data stream (a plain
# directory cannot hold one; see README.md for the disk-image builder).
set -eu

usage() { echo "usage: plant.sh ROOTDIR [MANIFEST]" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
root=$1
[ -d "$root" ] || { echo "plant.sh: $root: not a directory" >&2; exit 1; }
manifest=${2:-}
list=$(mktemp)
trap 'rm -f "$list"' EXIT

# rand N [SET]: N random characters (letters by default), as Qakbot's names are.
rand() { LC_ALL=C tr -dc "${2:-a-zA-Z}" </dev/urandom | head -c "$1"; }

# want PATH RULES: record an expected detection.
want() { printf '%s\t%s\n' "$1" "$2" >>"$list"; }

# put PATH: create the parent folders of ROOT/PATH, print the full path.
put() { mkdir -p "$root/$(dirname "$1")"; printf '%s/%s' "$root" "$1"; }

# shellcheck disable=SC2016 # the $ signs are EICAR's own characters
eicar() { printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }

# pe_blob: a 64-byte MZ header pointing at a PE signature and a COFF header
# for i386 with zero sections: parsed as PE by tools, runnable by nothing.
pe_blob() {
	printf 'MZ'
	head -c 58 /dev/zero
	printf '\100\000\000\000'          # e_lfanew = 0x40
	printf 'PE\000\000'                # signature
	printf '\114\001\000\000'          # machine 0x14c, 0 sections
	head -c 16 /dev/zero               # time stamp, symbols, optional header size 0, characteristics
	printf '%s\n' 'rescue test sample: harmless, no code'
}

# Layout: Vista+ (Users/<name>/AppData/Roaming) or XP (Documents and Settings/<name>/Application Data).
if [ -d "$root/Documents and Settings" ] && [ ! -L "$root/Documents and Settings" ]; then
	xp=1 users="Documents and Settings" roaming="Application Data" local="Local Settings/Application Data"
else
	xp=0 users=Users roaming=AppData/Roaming local=AppData/Local
fi
user=
for d in "$root/$users"/*/; do
	[ -d "$d" ] || continue
	n=$(basename "$d")
	case $n in Public|Default|"Default User"|"All Users"|LocalService|NetworkService) continue ;; esac
	user=$n; break
done
[ -n "$user" ] || user=Tester
home="$users/$user"
win=Windows
for d in "$root"/*/; do
	n=$(basename "$d")
	case $n in [Ww][Ii][Nn][Dd][Oo][Ww][Ss]) win=$n; break ;; esac
done

# 1. EICAR, plain name: rule and hash.
p="$home/Downloads/eicar.com"; eicar >"$(put "$p")"; want "$p" "EICAR_Test_File,hash:EICAR-Test-File"

# 2. EICAR with a Unicode name and trailing spaces (allowed by EICAR): rule only, other hash.
p="$home/Documents/Счёт über € 日本語.com"; { eicar; printf '   \r\n'; } >"$(put "$p")"
want "$p" "EICAR_Test_File"

# 3. EICAR at the bottom of a deep path (over Windows' 260-character MAX_PATH).
deep="$local/Temp"
i=0; while [ $i -lt 30 ]; do i=$((i + 1)); deep="$deep/level-$i-$(rand 6 a-z)"; done
p="$home/$deep/$(rand 8 a-z).txt"; eicar >"$(put "$p")"; want "$p" "EICAR_Test_File,hash:EICAR-Test-File"

# 4. Qakbot's home: %APPDATA%\Microsoft\<random>\ with a DLL stager, an EXE and a data file.
qdir="$home/$roaming/Microsoft/$(rand 1 A-Z)$(rand 8 a-z)"
p="$qdir/$(rand 8 a-z).dll"
{ pe_blob; printf 'DllRegisterServer\000stager_1.dll\000'; } >"$(put "$p")"
want "$p" "Executable_In_AppData_Microsoft_Random_Folder,Qakbot_Stager_Internal_Name,hash:Rescue-Test-Qakbot-Stager"
stager=$p
p="$qdir/$(rand 8 a-z).exe"; pe_blob >"$(put "$p")"; want "$p" "Executable_In_AppData_Microsoft_Random_Folder"
p="$qdir/$(rand 6 a-z).dat"
printf 'qbot_version=test\r\nqbothome=%s\r\n' "$(rand 8)" >"$(put "$p")"; want "$p" "Qakbot_Legacy_Component_Names"

# 5. Early QBot component names, as UTF-16LE (wide) text.
p="ProgramData/$(rand 10).tmp"
printf '_\000q\000b\000o\000t\000i\000n\000j\000.\000e\000x\000e\000\000\000_\000q\000b\000o\000t\000.\000d\000l\000l\000' >"$(put "$p")"
want "$p" "Qakbot_Legacy_Component_Names"

# 6. The 2023 passphrase inside a PE blob in Windows\Temp.
p="$win/Temp/$(rand 7 a-z)$(rand 3 0-9).tmp"
{ pe_blob; printf 'bUdiuy81gYguty@4frdRdpfko(eKmudeuMncueaN\000'; } >"$(put "$p")"
want "$p" "Qakbot_Hardcoded_Key_2023"

# 7. The scheduled-task persistence command, in a batch file.
p="$home/$local/Temp/$(rand 8 a-z).bat"
printf 'schtasks.exe /Create /RU "NT AUTHORITY\\SYSTEM" /tn %s /tr "regsvr32.exe -s \\"%%APPDATA%%\\Microsoft\\%s\\x.dll\\"" /SC ONCE /Z /ST 12:00 /ET 12:15\r\n' \
	"$(rand 8)" "$(rand 8)" >"$(put "$p")"
want "$p" "Qakbot_Schtasks_Persistence"

# 8. autorun.inf at the volume root starting a program (hidden names, as worms use).
exe=$(rand 8 a-z).exe
p="autorun.inf"
printf ';%s\r\n[AutoRun]\r\nopen=%s\r\nshellexecute=%s\r\nshell\\open\\command=%s\r\nUseAutoPlay=1\r\n' \
	"$(rand 40)" "$exe" "$exe" "$exe" >"$(put "$p")"
want "$p" "Autorun_Inf_Starts_Program"

# 9. Detected by hash only (no rule matches its bytes).
p="$home/$local/$(rand 12 a-z0-9).bin"
printf 'rescue test sample: detected by its SHA-256 only\n' >"$(put "$p")"
want "$p" "hash:Rescue-Test-HashOnly"

# 10. XP: System Restore keeps a renamed copy of the worm in each restore point.
if [ "$xp" = 1 ]; then
	rp=
	for d in "$root/System Volume Information"/_restore*/RP*/; do [ -d "$d" ] && rp=${d%/} && break; done
	[ -n "$rp" ] || rp="$root/System Volume Information/_restore{4DC8E8A3-2B1F-4C0E-9A9D-6B1E2F3A4C5D}/RP1"
	mkdir -p "$rp"
	p="${rp#"$root"/}/A0000$(rand 3 0-9).dll"
	cp "$root/$stager" "$root/$p"
	want "$p" "Qakbot_Stager_Internal_Name,hash:Rescue-Test-Qakbot-Stager"
fi

# Negative controls: each is one indicator short of a detection.
put "Program Files/Vendor Driver CD/autorun.inf" >/dev/null	# not at the root
printf '[autorun]\r\nopen=setup.exe\r\nicon=setup.ico\r\n' >"$root/Program Files/Vendor Driver CD/autorun.inf"
printf '[autorun]\r\nicon=drive.ico\r\nlabel=Data\r\n' >"$(put "$home/$local/autorun.inf")"
pe_blob >"$(put "$home/$roaming/Microsoft/Windows/Start Menu/Programs/tool.exe")"	# Windows' own folder, deeper
pe_blob >"$(put "$home/$roaming/Microsoft/Teams/update.exe")"			# excluded name
printf 'notes: the word qbot_version alone is not enough\n' >"$(put "$home/Documents/notes.txt")"
{ printf 'see '; eicar; } >"$(put "$home/Documents/eicar-quoted.txt")"		# EICAR not at offset 0
{ pe_blob; printf 'stager_1.dll\000'; } >"$(put "$home/$roaming/notes.bin")"	# name without the export

# Junctions Windows has, as symbolic links (how ntfs-3g shows junctions):
# the walk must neither follow them nor loop.
if [ "$xp" = 0 ] && [ ! -e "$root/Documents and Settings" ]; then
	ln -s Users "$root/Documents and Settings"
fi
[ -e "$root/$home/$local/Application Data" ] || ln -s . "$root/$home/$local/Application Data"

if [ -n "$manifest" ]; then LC_ALL=C sort "$list" >"$manifest"; else LC_ALL=C sort "$list"; fi
