#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A building at a time (issue 18): two infected machines boot over the
# network at once, one BIOS (pxelinux) and one UEFI with Secure Boot (shim
# and GRUB's network image), from the folder `make pxe` built, served by
# dnsmasq and nginx with the shipped iso/pxe/ files inside a network
# namespace this test makes.  They are copies of the same Windows, so they
# share the computer name, as PCs cloned from one image do: both reports
# must reach the laptop, apart (named with each MAC), and the log sheet must
# show two machines.  Both take their settings from the laptop (one its own
# MAC's file), run unattended, and hand their reports in by WebDAV;
# a third machine boots beside another DHCP server (dnsmasq as a proxy),
# loses the report server during its run, keeps its report on its disk, and
# says so.  The reports are judged by python3's json
# and ntfsls/ntfscat on the disks, the log sheet built from them by python3's html.parser.
# shellcheck disable=SC2154,SC2034 # t_loop is set by tests/lib.sh; *_pid and *_log are read through eval
# Two machines at once under TCG on two cores take several minutes each.
QEMU_TIMEOUT=${QEMU_TIMEOUT:-1200}
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$(dirname "$0")/autolib.sh"
# shellcheck source=tests/qemu/netlib.sh
. "$(dirname "$0")/netlib.sh"
qemu_prereq
net_prereq

auto_images win10-gpt || not_ok "build the infected image"
t_image win10-gpt "$IMAGES/twin.img" || not_ok "a second copy of the infected image"
net_folder
# the BIOS machine's own file: the same, a key only it has, and a line that
# is not a setting (skipped, named on its console and in the log handed in;
# a key the run refuses: tests/e2e/t0910-net-settings.sh)
printf 'mode = auto\nafter = poweroff\nconsole = ttyS0\naccounts = none\nthis line is no setting\n' \
	>"$T/pxe/rescue/conf/52-54-00-77-00-01.conf"
# the laptop's rule sets: a LOKI hash IOC list holding one planted sample of
# the disks (read with ntfscat), packed as make pxe packs it
sample=$(head -n 1 "$IMAGES/win10-gpt.img.manifest" | cut -f1)
t_attach "$IMAGES/win10-gpt.img" 3	# EFI, MSR, then Windows
ntfscat "$t_loop" "$sample" >"$T/sample" 2>/dev/null
t_detach
expect "the sample read from the image (ntfscat)" test -s "$T/sample"
mkdir -p "$T/pxe/rescue/rules/iocs"
printf '# hash IOCs of the building\n%s;Found on the first machine of the building\n' \
	"$(sha256sum <"$T/sample" | cut -c1-64)" >"$T/pxe/rescue/rules/iocs/hash-iocs.txt"
tar -C "$T/pxe/rescue" -cf "$T/pxe/rescue/rules.tar" rules
net_setup "$T/pxe" || { not_ok "network namespace with dnsmasq"; t_done; exit; }
net_tap tapdown || not_ok "tap devices"
net_web_start || not_ok "nginx with iso/pxe/nginx.conf"

# --- two machines at once, the same computer name -------------------------------------
start=$(date +%s)
net_pair "$IMAGES/win10-gpt.img" "$IMAGES/twin.img" || not_ok "tap devices"
net_pair_wait
echo "# two machines, PXE start to power-off: $(($(date +%s) - start)) s (tests/bench/pxe-bench.sh: each one's figures)"
tftp_secs() { awk '/dnsmasq-tftp.*sent/ { print $1 }' "$T/dnsmasq.log" | sed -n '1p;$p' | tr '\n' ' '; }
echo "# TFTP transfers (first, last): $(tftp_secs)"

QEMU_LOG=$bios_log
expect "bios: pxelinux booted it (TFTP sent pxelinux.0)" grep -q 'sent .*/pxelinux.0 ' "$T/dnsmasq.log"
expect "bios: settings from its own MAC's file" auto_log_has 'settings from http://10.77.0.1/rescue/conf/52-54-00-77-00-01.conf'
expect "bios: its console says the reports were sent" auto_log_has '^rescue: reports sent to http://10.77.0.1/rescue/reports/'
expect "bios: its console names the line of its file that is no setting, by address and line" \
	auto_log_has '^rescue: http://10.77.0.1/rescue/conf/52-54-00-77-00-01.conf:5: not a `key = value` line, ignored'
QEMU_LOG=$uefi_log
expect "uefi: shim and GRUB's network image booted it (TFTP sent grubx64.efi)" grep -q 'sent .*/grubx64.efi ' "$T/dnsmasq.log"
expect "uefi: the kernel saw Secure Boot on" auto_log_has 'secureboot: Secure boot enabled'
expect "uefi: settings from default.conf" auto_log_has 'settings from http://10.77.0.1/rescue/conf/default.conf'
expect "uefi: its console says the reports were sent" auto_log_has '^rescue: reports sent to'
expect "uefi: the rule sets came from the laptop" auto_log_has '^rescue: rule sets from http://10.77.0.1/rescue/rules.tar \(1 files\)'

ls -l "$T/pxe/rescue/reports" | sed 's/^/#   /'
report_of() {	# report_of MACTAG: the JSON report the machine with that MAC handed in
	find "$T/pxe/rescue/reports" -name "*-$1.json" | head -n 1
}
verdict_of() {	# verdict_of MACTAG: its verdict, or nothing
	f=$(report_of "$1")
	[ -n "$f" ] && /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$f"
}
name_of() {	# name_of MACTAG: the computer name in its report
	f=$(report_of "$1")
	[ -n "$f" ] && /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["machine"])' "$f"
}
expect "the server holds the BIOS machine's JSON report: RED" test "$(verdict_of 525400770001)" = RED
expect "the server holds the UEFI machine's JSON report: RED" test "$(verdict_of 525400770002)" = RED
expect "both machines have the same computer name (DESKTOP-M3OSHQU)" test \
	"$(name_of 525400770001) $(name_of 525400770002)" = "DESKTOP-M3OSHQU DESKTOP-M3OSHQU"
expect "same name, two reports: two JSON files, different content, each named with its own MAC" sh -c '
	[ "$(find "$1" -name "DESKTOP-M3OSHQU-*.json" | wc -l)" -eq 2 ] && ! cmp -s "$2" "$3"' - \
	"$T/pxe/rescue/reports" "$(report_of 525400770001)" "$(report_of 525400770002)"
expect "the UEFI machine's report names the laptop's IOC list for the sample" sh -c '
	jq -e "[.detection_list[] | select(.path == \"$2\") | .matches[]? | select(.namespace == \"iocs/hash-iocs.txt\")] | length == 1" "$1"' \
	- "$(report_of 525400770002)" "$sample"
expect "the BIOS machine's console log on the server names that line too" sh -c \
	'grep -q "52-54-00-77-00-01.conf:5: not a .key = value. line" "$1"' - \
	"$(find "$T/pxe/rescue/reports" -name '*-525400770001.console.log' | head -n 1)"
expect "the server holds both .txt reports and both console logs" test \
	"$(find "$T/pxe/rescue/reports" -name '*.txt' | wc -l)$(find "$T/pxe/rescue/reports" -name '*.console.log' | wc -l)" = 22
expect "the BIOS machine's report says accounts were left alone (its own settings)" sh -c \
	'grep -q "accounts *skipped\|passwd *skipped" "$1"' - "$(find "$T/pxe/rescue/reports" -name 'DESKTOP-*-525400770001.txt' | head -n 1)"
expect "the UEFI machine's report does not (default.conf): a password was reset" sh -c \
	'! grep -q "accounts *skipped\|passwd *skipped" "$1"' - "$(find "$T/pxe/rescue/reports" -name 'DESKTOP-*-525400770002.txt' | head -n 1)"
expect "nothing half-written: nginx's temporary folder holds no file" test -z "$(find "$T/pxe/.nginx-tmp" -type f)"

"$RESCUE" fleet "$T/pxe/rescue/reports" --html "$T/sheet.html" >"$T/fleet.out" 2>&1
sed 's/^/#   /' "$T/fleet.out"
/usr/bin/python3 "$TOP/tests/tools/sheet-rows.py" "$T/sheet.html" >"$T/sheet.rows"
sed 's/^/#   /' "$T/sheet.rows"
expect "the log sheet shows two machines, both RED, told apart by their network cards" test "$(cat "$T/sheet.rows")" = \
	"$(printf 'row RED DESKTOP-M3OSHQU network card 52:54:00:77:00:01\nrow RED DESKTOP-M3OSHQU network card 52:54:00:77:00:02')"

# --- beside another DHCP server; the report server goes down during the run -------------
# The building's DHCP server gives the address, the laptop's dnsmasq in proxy
# mode says what to boot; the machine takes its settings, then nginx is gone.
net_proxy || not_ok "another DHCP server and dnsmasq in proxy mode"
auto_images win10-gpt
qemu_start pxe-down bios net:tapdown:52:54:00:77:00:03 "sata:$IMAGES/win10-gpt.img:rw"
qemu_wait 'rescue: settings from' 900 || not_ok "server down: the machine took its settings before"
net_web_stop
if qemu_wait 'rescue: the report stays' "${AUTO_TIMEOUT:-600}" && qemu_end 120; then
	ok "server down: the run ended and powered off"
else
	not_ok "server down: the run ended and powered off"; qemu_show
fi
expect "proxy DHCP: the address came from the other DHCP server (10.77.0.150-199)" \
	auto_log_has 'network eth0 \(52:54:00:77:00:03\): 10\.77\.0\.1[5-9][0-9]/24'
expect "proxy DHCP: the laptop's dnsmasq answered as a proxy" grep -q 'proxy' "$T/dnsmasq.log"
expect "server down: the console names the unreachable server" auto_log_has 'report server 10.77.0.1:80 unreachable'
expect "server down: the console says the report stays on the Windows disk" \
	auto_log_has '^rescue: the report stays on the Windows disk'
t_attach "$IMAGES/win10-gpt.img" 3
rep=$(ntfsls "$t_loop" -p /Rescue/reports | grep '\.json$' | head -n 1)
[ -n "$rep" ] && ntfscat "$t_loop" "Rescue/reports/$rep" >"$T/down.json"
t_detach
expect "server down: the report is on the Windows disk (ntfsls, ntfscat): RED" test \
	"$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$T/down.json" 2>/dev/null)" = RED
expect "server down: nothing of it reached the server" test -z "$(find "$T/pxe/rescue/reports" -name '*525400770003*')"
t_done
