# SPDX-License-Identifier: GPL-2.0-or-later
# initramfs/initlib.sh - functions of the boot image's /init that do not touch
# the machine: reading rescue.conf and the kernel command line, merging them.
# Sourced by /init (busybox ash) and by tests/e2e on the host (dash + mawk), so
# POSIX sh and POSIX awk only.
#
# rescue.conf is data, never code: it is parsed here by awk and never sourced
# or eval'ed, because the RESCUE partition is writable from any Windows PC the
# stick was plugged into.
#
# Format: one `key = value` a line; `#` starts a comment line; blank lines are
# ignored; spaces around key and value are trimmed; a value may be wrapped in
# double quotes; CR line ends and a UTF-8 byte-order mark (Notepad) are
# accepted; `-` in a key is the same as `_`.  A later line wins over an earlier.

# conf_clean FILE: print FILE's settings as normalised `key=value` lines,
# an empty line for each other line, so line N of the output is line N of
# FILE (rescue auto's messages about it then name the line a technician
# edits).  A line that is not a setting is reported on stderr with its
# number and skipped: a typo must not silently change the run.
conf_clean() {
	awk -v src="$1" '
	{
		sub(/\r$/, "")
		if (NR == 1) sub(/^\357\273\277/, "")
		if ($0 ~ /^[ \t]*(#|$)/) { print ""; next }
		eq = index($0, "=")
		key = substr($0, 1, eq - 1); val = substr($0, eq + 1)
		gsub(/^[ \t]+|[ \t]+$/, "", key); gsub(/^[ \t]+|[ \t]+$/, "", val)
		if (eq == 0 || key !~ /^[A-Za-z0-9_.-]+$/) {
			printf "%s:%d: not a `key = value` line, ignored\n", src, NR > "/dev/stderr"
			print ""
			next
		}
		gsub(/-/, "_", key)
		if (val ~ /^".*"$/) val = substr(val, 2, length(val) - 2)
		print key "=" val
	}' "$1"
}

# conf_source FILE NAME OUT: clean the settings file FILE (the stick's
# rescue.conf, the network's conf/<MAC>.conf) into OUT and print one line
# for each problem in it, naming it NAME (where the technician finds it):
# the lines conf_clean skips, then what `rescue auto` refuses in it (a key
# it does not know, a bad value).  The merged file is refused by the run
# all the same (YELLOW, nothing done); these lines say on the console, and
# in the console log a network boot hands in, which file and line it was.
conf_source() {
	conf_clean "$1" >"$3" 2>"$3.err"
	conf_rename "$1" "$2" <"$3.err"
	rescue auto --check --config "$3" 2>&1 >/dev/null | conf_rename "$3" "$2"
	rm -f "$3.err"
}

# conf_rename FROM TO: copy stdin to stdout with FROM replaced by TO and
# rescue's "rescue: " prefix dropped (the caller says its own).
conf_rename() {
	awk -v f="$1" -v t="$2" '{
		sub(/^rescue: /, "")
		i = index($0, f)
		if (i) $0 = substr($0, 1, i - 1) t substr($0, i + length(f))
		print
	}'
}

# cmdline_opts FILE: print the `rescue.KEY=VALUE` words of a kernel command
# line (/proc/cmdline) as `KEY=VALUE` lines; a bare `rescue.KEY` means
# KEY=yes.  Double quotes group words the way the kernel does
# (rescue.contain="autorun tasks").
cmdline_opts() {
	awk '
	{
		line = $0; n = 0; w = ""; q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (c == "\"") { q = !q; continue }
			if (!q && (c == " " || c == "\t" || c == "\n")) {
				if (w != "") words[++n] = w
				w = ""; continue
			}
			w = w c
		}
		if (w != "") words[++n] = w
		for (i = 1; i <= n; i++) {
			if (substr(words[i], 1, 7) != "rescue.") continue
			kv = substr(words[i], 8); eq = index(kv, "=")
			if (eq) { key = substr(kv, 1, eq - 1); val = substr(kv, eq + 1) }
			else { key = kv; val = "yes" }
			if (key !~ /^[A-Za-z0-9_.-]+$/) continue
			gsub(/-/, "_", key)
			print key "=" val
		}
	}' "$1"
}

# conf_merge OUT [FILE...]: merge normalised `key=value` files (as printed by
# conf_clean / cmdline_opts) into OUT as a rescue.conf: each key once, with its
# last value, in the order keys first appeared.
conf_merge() {
	out=$1; shift
	awk '
	{
		eq = index($0, "="); if (eq < 2) next
		key = substr($0, 1, eq - 1)
		if (!(key in val)) order[++n] = key
		val[key] = substr($0, eq + 1)
	}
	END {
		print "# rescue.conf written by the boot image: built-in defaults, then the RESCUE"
		print "# partition'"'"'s rescue.conf, the network'"'"'s (a network boot), then rescue.*"
		print "# options of the kernel command line."
		for (i = 1; i <= n; i++) print order[i] " = " val[order[i]]
	}' "$@" >"$out"
}

# conf_get FILE KEY [DEFAULT]: print KEY's last value in the rescue.conf FILE,
# or DEFAULT when FILE does not set it.
conf_get() {
	conf_clean "$1" 2>/dev/null | awk -v k="$2" -v d="${3:-}" '
	{ eq = index($0, "="); if (substr($0, 1, eq - 1) == k) { v = substr($0, eq + 1); f = 1 } }
	END { print (f ? v : d) }'
}

# conf_boot OUT DEFAULTS PARTITION NETWORK CMDLINE FACTS: write the rescue.conf of a
# boot, from normalised files in rising order of precedence (FACTS, what
# /init found, cannot be overridden), and print the mode.  The file is the
# one `rescue auto` reads: the report mode is `rescue auto` with
# report_only = yes, so a report-only boot can never write; in the modes it
# does not know (ui, shell) the mode line is left out, so a technician can
# still run `rescue auto --config` on it from a shell.
conf_boot() {
	out=$1; shift
	conf_merge "$out" "$@"
	bmode=$(conf_get "$out" mode ui)
	case $bmode in
	auto) ;;
	report)
		echo "report_only=yes" >"$out.extra"
		conf_merge "$out" "$@" "$out.extra" ;;
	*)
		cat "$@" | grep -v '^mode=' >"$out.extra"
		conf_merge "$out" "$out.extra" ;;
	esac
	rm -f "$out.extra"
	echo "$bmode"
}

# safe_relpath PATH: succeed when PATH names a file inside a directory
# (no `..` component), so rescue.config cannot point outside the partition.
safe_relpath() {
	case /$1/ in
	*/../*) return 1 ;;
	esac
	[ -n "$1" ]
}

# console_pick NAME: print the console the front end runs on: NAME when it is
# one rescue knows (the screen's tty1..tty6, the serial ports ttyS0..ttyS3,
# the hypervisor console hvc0), else tty1, with one line on stderr naming
# NAME (control characters and the like as `?`) and a failure status.  The
# console comes from rescue.conf on a partition any Windows PC can write: any
# other character device (/dev/port, /dev/mem, /dev/kmsg) would get the front
# end's screen written into it.
console_pick() {
	case $1 in
	tty[1-6]|ttyS[0-3]|hvc0) echo "$1"; return 0 ;;
	esac
	echo tty1
	printf 'rescue: console=%s is not one rescue runs on (tty1..tty6, ttyS0..ttyS3, hvc0): using tty1\n' \
		"$(printf '%s' "$1" | tr -c 'A-Za-z0-9._/-' '?' | cut -c 1-40)" >&2
	return 1
}
