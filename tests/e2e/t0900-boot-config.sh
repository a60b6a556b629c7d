#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The boot image's configuration (initramfs/initlib.sh) on the host: rescue.conf
# as Notepad writes it, the kernel command line, the order of precedence, and
# the report mode that can never write (tests/e2e/t0100-shellcheck.sh checks
# the scripts themselves).  Run with the host sh and with busybox
# ash (the shell of /init) when busybox is installed.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

LIB=$TOP/initramfs/initlib.sh
shells="sh"
if command -v busybox >/dev/null; then shells="$shells busybox"; else skip "boot config under busybox sh" "busybox not installed (busybox-static, tests/deps.sh)"; fi

# in_shell SHELL SCRIPT: run SCRIPT with initlib.sh loaded, in $T.
in_shell() {
	case $1 in
	busybox) (cd "$T" && busybox sh -c ". '$LIB'; $2") ;;
	*) (cd "$T" && sh -c ". '$LIB'; $2") ;;
	esac
}

# A rescue.conf as edited on Windows: BOM, CRLF, comments, quotes, spaces,
# a dash in a key, a line that is not a setting, a repeated key.
printf '\357\273\277# settings\r\nafter = poweroff\r\n\r\n  disk-wait=5  \r\ncontain = "autorun tasks"\r\nthis line is wrong\r\nafter=reboot\r\n' >"$T/rescue.conf"
# A kernel command line with quotes and a bare flag.
printf 'BOOT_IMAGE=/boot/vmlinuz console=ttyS0 quiet rescue.mode=report rescue.contain="hosts shares" rescue.unlock rescue.after=wait\n' >"$T/cmdline"
printf 'mode = ui\nafter = wait\nconsole = tty1\n' >"$T/defaults"

for sh in $shells; do
	out=$(in_shell "$sh" 'conf_clean rescue.conf 2>err')
	# an empty line for each line that is not a setting: line N is line N of the file
	want=$(printf '\nafter=poweroff\n\ndisk_wait=5\ncontain=autorun tasks\n\nafter=reboot')
	if [ "$out" = "$want" ]; then ok "$sh: rescue.conf with BOM, CRLF, quotes, dashes read"
	else not_ok "$sh: rescue.conf read"; printf '%s\n' "$out" | sed 's/^/#   /'; fi
	expect "$sh: a bad line is named with its line number" grep -q 'rescue.conf:6: not a' "$T/err"

	out=$(in_shell "$sh" 'cmdline_opts cmdline')
	want=$(printf 'mode=report\ncontain=hosts shares\nunlock=yes\nafter=wait')
	if [ "$out" = "$want" ]; then ok "$sh: rescue.* options of the command line, quotes and flags"
	else not_ok "$sh: command line options"; printf '%s\n' "$out" | sed 's/^/#   /'; fi

	mode=$(in_shell "$sh" 'conf_clean defaults >d; conf_clean rescue.conf >p 2>/dev/null; cmdline_opts cmdline >c;
		echo "rescue_partition=/run/rescue/part" >f; echo "mode=ui" >>f; conf_boot merged d p c f')
	expect "$sh: command line wins over rescue.conf (after)" \
		test "$(in_shell "$sh" 'conf_get merged after')" = wait
	expect "$sh: rescue.conf wins over defaults (disk_wait)" \
		test "$(in_shell "$sh" 'conf_get merged disk_wait 15')" = 5
	expect "$sh: facts found at boot win over everything (mode $mode)" test "$mode" = ui
	expect "$sh: no mode line in ui mode (rescue auto does not take mode = ui)" \
		test "$(in_shell "$sh" 'conf_get merged mode none')" = none
	expect "$sh: facts written" test "$(in_shell "$sh" 'conf_get merged rescue_partition')" = /run/rescue/part
	expect "$sh: each key written once" test "$(grep -c '^after = ' "$T/merged")" -eq 1
	expect "$sh: conf_get default for a missing key" \
		test "$(in_shell "$sh" 'conf_get merged nothing fallback')" = fallback

	# report mode: report_only is forced on, whatever rescue.conf says.
	printf 'report_only=no\n' >"$T/p2"
	printf 'mode=report\n' >"$T/c2"
	mode=$(in_shell "$sh" ': >f2; conf_boot merged2 d p2 c2 f2')
	expect "$sh: report mode printed" test "$mode" = report
	expect "$sh: mode = report written for rescue auto" test "$(in_shell "$sh" 'conf_get merged2 mode')" = report
	expect "$sh: report mode sets report_only = yes over rescue.conf" \
		test "$(in_shell "$sh" 'conf_get merged2 report_only')" = yes
	in_shell "$sh" 'printf "mode=auto\n" >c3; conf_boot merged3 d p2 c3 f2' >/dev/null
	expect "$sh: auto mode keeps report_only from rescue.conf" \
		test "$(in_shell "$sh" 'conf_get merged3 report_only')" = no

	# Every key the boot image writes is one rescue auto takes: on a folder
	# that is not Windows it gets as far as detect (exit 3, not 2).
	mkdir -p "$T/empty"
	for m in merged merged2 merged3; do
		expect_exit 3 "$sh: rescue auto takes the boot image's $m rescue.conf" \
			"$RESCUE" --root "$T/empty" auto --config "$T/$m"
	done
	expect "$sh: rescue.config inside the partition accepted" in_shell "$sh" 'safe_relpath fleet/a.conf'
	expect_exit 1 "$sh: rescue.config with .. refused" in_shell "$sh" 'safe_relpath ../../etc/x'

	# console: only the consoles rescue knows; any other name is named in one
	# line and tty1 is used (rescue.conf is written on a Windows PC)
	for c in tty1 tty6 ttyS0 ttyS3 hvc0; do
		expect "$sh: console = $c accepted" test "$(in_shell "$sh" "console_pick $c 2>err")" = "$c" -a ! -s "$T/err"
	done
	for c in port mem kmsg null tty0 tty7 ttyS4 hvc1 console ttyUSB0 ../tty1 /dev/tty1 tty1x sda ''; do
		got=$(in_shell "$sh" "console_pick '$c' 2>err"); st=$?
		if [ "$got" = tty1 ] && [ "$st" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
			grep -qF "rescue: console=$c is not one rescue runs on" "$T/err"; then
			ok "$sh: console = '$c' refused: tty1 used, named in one line"
		else
			not_ok "$sh: console = '$c' refused (got '$got', status $st)"; sed 's/^/#   /' "$T/err"
		fi
	done
	printf 'console = tty1\033]0;x\007\r\n' >"$T/esc.conf"
	got=$(in_shell "$sh" 'console_pick "$(conf_get esc.conf console)" 2>err')
	if [ "$got" = tty1 ] && grep -qF 'console=tty1??0?x? is not' "$T/err" && ! grep -q "$(printf '\033')" "$T/err"; then
		ok "$sh: a console name with escapes: tty1, the name printed with ? for them"
	else
		not_ok "$sh: a console name with escapes (got '$got')"; sed 's/^/#   /' "$T/err"
	fi
done

t_done
