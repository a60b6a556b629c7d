#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `rescue ui --disk IMAGE` (the boot case, one disk): Home lists what the
# disk module found, with its state; a Windows 10 image is mounted when
# chosen, contained, and unmounted at exit (the change read back from the
# image with ntfscat + hivexget); its Scan screen quarantines every planted
# sample, the one in the OneDrive folder too (ntfsls), and its report is
# named on the volume as Home showed it; a hibernated image opens read-only and
# containment is refused (nothing written, YELLOW), and with --remove-hiberfile
# it is opened read-write and contained; a BitLocker volume is
# shown and cannot be opened; a BitLocker volume with a recovery password
# asks for it (a mistyped group said before anything is tried), opens with
# it, the key is never on the screen after entry, and at exit its NTFS is
# unmounted cleanly (not detached busy).  Root only.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/uilib.sh"

command -v tmux >/dev/null || { skip "ui through tmux" "tmux not installed"; exit 0; }
if [ "$(id -u)" -ne 0 ]; then skip "ui on disk images" "needs root (loop devices, FUSE)"; t_done; exit; fi
EXPL='Microsoft\Windows\CurrentVersion\Policies\Explorer'
for v in win10-gpt hibernated bitlocker bitlocker-win10; do
	sh "$TOP/tests/images/build.sh" "$v" "$T/$v.img" >/dev/null 2>&1 || not_ok "build.sh $v"
done

ui_start 80 25 vt100 --disk "$T/win10-gpt.img"
ui_see "win10-gpt: Home lists the installation on p3" "DESKTOP-M3OSHQU" "img p3" " ok " \
	"Ready: rescue can read and write"
ui_keys Enter
ui_see "win10-gpt: opened, containment open" "autorun  OPEN" "win10-gpt.img p3"
ui_keys Enter
ui_wait "Apply containment" && ui_keys y
ui_see "win10-gpt: contained" "Containment applied"
ui_keys Enter
rc=$(ui_quit)
ui_is "win10-gpt: exit 4 (no scan: YELLOW)" "$rc" 4
ui_is "win10-gpt: no mount left" "$(grep -c "$T" /proc/mounts)" 0
ui_is "win10-gpt: no loop device left" "$(losetup -a | grep -c "$T")" 0
t_attach "$T/win10-gpt.img" 3
# shellcheck disable=SC2154 # t_loop: set by t_attach (tests/lib.sh)
ntfscat "$t_loop" Windows/System32/config/SOFTWARE >"$T/SOFTWARE" 2>/dev/null
t_detach
ui_is "win10-gpt: SOFTWARE in the image has NoAutorun = 1 (ntfscat, hivexget)" \
	"$(hivexget "$T/SOFTWARE" "$EXPL" NoAutorun 2>&1)" 1

# the Scan screen on the disk (read directly): every planted sample
# quarantined from the list, the one inside the OneDrive folder too
n=$(wc -l <"$T/win10-gpt.img.manifest")
ui_start 200 60 vt100 --disk "$T/win10-gpt.img"
ui_keys Enter
ui_wait "Containment: shut"
ui_keys 4
ui_wait "Press Enter to scan"
ui_keys Enter
ui_wait "Scan finished" 60
ui_see "win10-gpt: the scan lists the file in the OneDrive folder" "Users/AndrewRathbun/OneDrive/Desktop/Invoice_1121.com"
ui_keys A
ui_wait "Quarantine all" && ui_keys y
ui_see "win10-gpt: A quarantines all $n detections" "$n of $n quarantined"
ui_keys Enter 5 Enter
ui_see "win10-gpt: the report goes to the volume as Home named it" "win10-gpt.img p3:Rescue/reports/ ?"
ui_keys y
ui_see "win10-gpt: ... and is said written there, not in rescue's mount folder" "Report written" \
	"win10-gpt.img p3:Rescue/reports/"
ui_not_see "win10-gpt: no mount folder named" "/run/rescue/"
ui_keys Enter
rc=$(ui_quit)
ui_is "win10-gpt: exit 1 (RED)" "$rc" 1
t_attach "$T/win10-gpt.img" 3
od=/Users/AndrewRathbun/OneDrive
ui_is "win10-gpt: the OneDrive sample is gone from the image, its folder stays (ntfsls)" \
	"$(ntfsls -p $od "$t_loop" 2>/dev/null | grep -cx Desktop) $(ntfsls -p $od/Desktop "$t_loop" 2>/dev/null | grep -c Invoice_1121)" "1 0"
ui_is "win10-gpt: the report is on the image (ntfsls)" "$(ntfsls -p /Rescue/reports "$t_loop" 2>/dev/null | grep -c '\.json$')" 1
t_detach

# the serial line hangs up while an installation is mounted: nothing stays
ui_start 80 25 vt100 --disk "$T/win10-gpt.img"
ui_keys Enter
ui_wait "autorun  "
expect "mounted: a loop device is attached" sh -c "losetup -a | grep -q \"$T/win10-gpt.img\""
pid=$(pgrep -f "ui --disk $T/win10-gpt.img" | head -n 1)
[ -n "$pid" ] && kill -HUP "$pid"
i=0; while [ ! -s "$T/ui.rc" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# the loop device is busy while ntfs-3g has it mounted: gone means unmounted
ui_is "SIGHUP: unmounted, no loop device left" "$(losetup -a | grep -c "$T")" 0

ui_start 80 25 vt100 --disk "$T/hibernated.img"
ui_see "hibernated: Home says so, with what it means" "hibernated" "Windows is hibernated"
ui_keys Enter
ui_see "hibernated: opened read-only, and says why" "Read-only:"
ui_keys Enter
ui_wait "Apply containment" && ui_keys y
ui_see "hibernated: containment refused, nothing written" "Containment failed"
ui_keys Enter 5
ui_see "hibernated: verdict YELLOW" "YELLOW  " "refused"
rc=$(ui_quit)
ui_is "hibernated: exit 4" "$rc" 4
t_attach "$T/hibernated.img" 3
# shellcheck disable=SC2154 # t_loop: set by t_attach (tests/lib.sh)
ntfscat "$t_loop" Windows/System32/config/SOFTWARE >"$T/SOFTWARE" 2>/dev/null
ntfsls "$t_loop" >"$T/ls" 2>/dev/null
t_detach
expect_exit 1 "hibernated: NoAutorun still absent in the image (hivexget)" hivexget "$T/SOFTWARE" "$EXPL" NoAutorun
if grep -qx Rescue "$T/ls"; then not_ok "hibernated: a Rescue folder was written"; else ok "hibernated: no Rescue folder"; fi

# --remove-hiberfile, as the read-only message advises: opened read-write,
# contained (ntfs-3g removed the hibernation file)
ui_start 80 25 vt100 --disk "$T/hibernated.img" --remove-hiberfile
ui_keys Enter
ui_wait "autorun  "
ui_not_see "hibernated, --remove-hiberfile: not opened read-only" "Read-only:"
ui_keys Enter
ui_wait "Apply containment" && ui_keys y
ui_see "hibernated, --remove-hiberfile: contained" "Containment applied"
ui_keys Enter
ui_quit >/dev/null
t_attach "$T/hibernated.img" 3
ntfscat "$t_loop" Windows/System32/config/SOFTWARE >"$T/SOFTWARE" 2>/dev/null
t_detach
ui_is "hibernated, --remove-hiberfile: NoAutorun = 1 in the image (ntfscat, hivexget)" \
	"$(hivexget "$T/SOFTWARE" "$EXPL" NoAutorun 2>&1)" 1

ui_start 80 25 vt100 --disk "$T/bitlocker.img"
ui_see "bitlocker: Home shows the volume and why it cannot be read" "BitLocker" "Encrypted with BitLocker"
ui_keys Enter
ui_see "bitlocker: Enter is refused" "cannot be opened"
rc=$(ui_quit)
ui_is "bitlocker: exit 0 (nothing opened)" "$rc" 0

# the recovery key typed on Home (bitlocker-win10: "ID,KEY" beside the image)
key=$(cut -d, -f2 "$T/bitlocker-win10.img.key" | tr -d -)
ui_start 100 30 vt100 --disk "$T/bitlocker-win10.img"
ui_see "bitlocker-win10: Home shows the locked volume" "BitLocker"
ui_keys Enter
ui_see "bitlocker-win10: Enter asks for the recovery key" "48-digit recovery key"
ui_keys 111112
ui_see "bitlocker-win10: a mistyped group is said before anything is tried" "group 1 is mistyped"
ui_keys BSpace BSpace BSpace BSpace BSpace BSpace
ui_keys "$key"
ui_see "bitlocker-win10: 48 digits typed, shown in groups" "${key%"${key#??????}"}-"
ui_keys Enter
ui_see "bitlocker-win10: unlocked" "unlocked: Enter opens it"
ui_not_see "bitlocker-win10: the key is not on the screen after entry" "${key%"${key#??????}"}"
ui_keys Enter
ui_see "bitlocker-win10: opened, its containment listed" "autorun  OPEN"
ui_quit >/dev/null
# (on a busy machine dislocker may take a while to end: wait for the exit)
i=0; while [ ! -s "$T/ui.rc" ] && [ "$i" -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
ui_is "bitlocker-win10: the UI ended (exit 4: nothing scanned)" "$(cat "$T/ui.rc" 2>/dev/null)" 4
# the open installation let go of its root before the unmount: ntfs-3g
# unmounted cleanly, not detached busy (which left dislocker to its SIGTERM)
ui_is "bitlocker-win10: the volume unmounted cleanly at exit (no 'unmount ... busy')" \
	"$(grep -c "unmount" "$T/ui.err")" 0
losetup -a | grep "$T" | sed 's/^/#   left: /'
ui_is "bitlocker-win10: no mount, no loop device, no dislocker left" \
	"$(grep -c "$T" /proc/mounts) $(losetup -a | grep -c "$T") $(pgrep -c -f "dislocker.*$T")" "0 0 0"

t_done
