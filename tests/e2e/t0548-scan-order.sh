#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The worm's places first (issue 14 item 3): a whole-volume scan reads the
# Startup folders, the temporary folders, the profiles' Downloads, Desktop
# and AppData, ProgramData and the root's files before the rest, and nothing
# twice.  With one thread (the order of reading is then the order of the
# walk, whatever the machine's speed) the first detection printed is the
# sample planted in a user's Startup folder, the last the one in Documents;
# every planted file is still detected once and the files read are as many
# as find counts.  On a --root tree and on the win10-gpt test disk read
# directly; and `scan` and `auto` read the files autostart entries start
# first.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# shellcheck disable=SC2016 # EICAR's own $ signs
eicar() { printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }
startup="AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"

# check LABEL ROOT MANIFEST JSONL
check() {
	jq -r 'select(.type == "detection") | .path + (if .stream then ":" + .stream else "" end)' "$4" >"$T/order"
	first=$(head -n 1 "$T/order")
	case $first in
	Users/*/"$startup"/updater.com) ok "$1: the first detection is the Startup sample ($first)" ;;
	*) not_ok "$1: the first detection is $first"; sed 's/^/#   /' "$T/order" ;;
	esac
	case $(tail -n 1 "$T/order") in
	Users/*/Documents/*) ok "$1: the sample in Documents, outside the worm's places, comes last" ;;
	*) not_ok "$1: the last detection is $(tail -n 1 "$T/order")" ;;
	esac
	cut -f1 "$3" | LC_ALL=C sort >"$T/want"
	LC_ALL=C sort "$T/order" >"$T/got"
	if cmp -s "$T/want" "$T/got"; then
		ok "$1: every planted file detected once ($(wc -l <"$T/want"))"
	else
		not_ok "$1: detections differ"; diff "$T/want" "$T/got" | sed 's/^/#   /'
	fi
}

# plant_startup ROOT MANIFEST: the sample in the first user's Startup folder.
plant_startup() {
	user=$(cd "$1/Users" && find . -mindepth 1 -maxdepth 1 -type d ! -name Public ! -name Default -printf '%P\n' | sort | head -n 1)
	mkdir -p "$1/Users/$user/$startup"
	eicar >"$1/Users/$user/$startup/updater.com"
	printf 'Users/%s/%s/updater.com\tEICAR_Test_File,hash:EICAR-Test-File\n' "$user" "$startup" >>"$2"
}

root=$T/vol
sh "$TOP/tests/fixtures/mktree.sh" win10 "$root" >/dev/null
sh "$TOP/tests/samples/plant.sh" "$root" "$T/tree.want"
plant_startup "$root" "$T/tree.want"
timeout 300 "$RESCUE" --root "$root" --json scan --threads 1 >"$T/tree.jsonl" 2>"$T/tree.err"
check "tree" "$root" "$T/tree.want" "$T/tree.jsonl"
n=$(find "$root" -path "$root/Rescue" -prune -o -type f -print | wc -l)
if [ "$(jq -r 'select(.type == "summary") | .files' "$T/tree.jsonl")" -eq "$n" ]; then
	ok "tree: $n files read, each once (find agrees)"
else
	not_ok "tree: $(jq -r 'select(.type == "summary") | .files' "$T/tree.jsonl") files read, find counts $n"
fi

# `auto` reads what an autostart entry starts before anything else: a Run
# value starting a sample in Documents, which the whole-volume order reads
# last, is the first detection on auto's console.
user=$(cd "$root/Users" && find . -mindepth 1 -maxdepth 1 -type d ! -name Public ! -name Default -printf '%P\n' | sort | head -n 1)
mkdir -p "$root/Users/$user/Documents/tools"
eicar >"$root/Users/$user/Documents/tools/agent.exe"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[\\Microsoft\\Windows\\CurrentVersion\\Run]\r\n"Agent"="C:\\\\Users\\\\%s\\\\Documents\\\\tools\\\\agent.exe"\r\n' \
	"$user" >"$T/run.reg"
if hivexregedit --merge "$root/Windows/System32/config/SOFTWARE" "$T/run.reg"; then
	timeout 300 "$RESCUE" --root "$root" --json scan --threads 1 >"$T/run.jsonl" 2>"$T/run.err"
	first=$(jq -r 'select(.type == "detection") | .path' "$T/run.jsonl" | head -n 1)
	if [ "$first" = "Users/$user/Documents/tools/agent.exe" ]; then
		ok "scan: the file a Run entry starts is the first detection"
	else
		not_ok "scan: the first detection is '$first'"; sed 's/^/#   /' "$T/run.err"
	fi
	# auto (which then disables the entry: last).
	printf 'threads = 1\nscan = report\n' >"$T/one.conf"
	timeout 300 "$RESCUE" --root "$root" auto --config "$T/one.conf" >"$T/auto.out" 2>&1
	first=$(grep -m 1 ': DETECTED ' "$T/auto.out" | sed 's/^rescue: [^:]*: DETECTED //; s/ \[.*//')
	if [ "$first" = "Users/$user/Documents/tools/agent.exe" ]; then
		ok "auto: the file a Run entry starts is the first detection on the console"
	else
		not_ok "auto: the first detection is '$first'"; grep ': DETECTED ' "$T/auto.out" | sed 's/^/#   /'
	fi
else
	not_ok "hivexregedit --merge of a Run value"
fi

img=$T/disk.img mnt=$T/mnt
t_win_mount win10-gpt "$img" "$mnt"
grep -v '/OneDrive/' "$img.manifest" >"$T/ntfs.want"
plant_startup "$mnt" "$T/ntfs.want"
# The OneDrive folder's files only the direct read sees (t0545) are left out
# of the comparison, not of the scan.
timeout 300 "$RESCUE" --root "$mnt" --json scan --threads 1 --read direct >"$T/ntfs.all" 2>"$T/ntfs.err"
jq -c 'select(.type != "detection" or (.path | test("/OneDrive/") | not))' "$T/ntfs.all" >"$T/ntfs.jsonl"
check "NTFS, read direct" "$mnt" "$T/ntfs.want" "$T/ntfs.jsonl"
t_done
