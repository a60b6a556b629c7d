#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The house's layers (docs/layout.md): a file may include headers of its own
# layer and of the layers below it, never above; a folder's private headers
# only from inside that folder; no two modules include each other, directly or
# round a circle; and every header compiles alone (it includes what it uses).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

# The layer table, lowest first: a folder and its rank.
cat >"$T/layers" <<'TABLE'
rescue/base   0
rescue/volume 1
rescue/scan   2
hive          3
rescue/disk   4
rescue/run    5
ui            6
rescue/cli    7
TABLE
# Headers private to their folder: only files in that folder include them.
cat >"$T/private" <<'TABLE'
hive/autoruns-priv.h
rescue/volume/bitin.h
rescue/volume/huff.h
rescue/volume/lzx.h
rescue/volume/wof.h
rescue/volume/xpress.h
TABLE

sources=$(find rescue hive ui -name '*.[ch]' | sort)
expect "every source file is in a folder of the layer table" sh -c '
	for f in $2; do grep -q "^$(dirname "$f") " "$1" || { echo "not in the table: $f"; exit 1; }; done' - "$T/layers" "$sources"

# FILE INCLUDED per line, for the project's own headers ("dir/name.h").
for f in $sources; do
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | sed "s|^|$f |"
done >"$T/edges"
expect "the include list was read (over 300 arrows)" test "$(wc -l <"$T/edges")" -gt 300

awk 'NR == FNR { rank[$1] = $2; next }
     FILENAME == ARGV[2] { priv[$1] = 1; next }
     { fd = $1; sub(/\/[^\/]*$/, "", fd); id = $2; sub(/\/[^\/]*$/, "", id)
       if (!(id in rank)) { if ($2 !~ /\//) next; print "unknown folder: " $1 " -> " $2; bad = 1; next }
       if (rank[id] > rank[fd]) { print "upward: " $1 " (" fd ") -> " $2 " (" id ")"; bad = 1 }
       if (($2 in priv) && id != fd) { print "private header from outside its folder: " $1 " -> " $2; bad = 1 } }
     END { exit bad }' "$T/layers" "$T/private" "$T/edges" >"$T/upward"
expect "no include arrow runs up a layer or into another folder's private header" \
	sh -c 'cat "$1"; [ ! -s "$1" ]' - "$T/upward"

# Modules (a .c and its .h are one): an edge per include of another module;
# tsort names a loop when there is one.
awk '$2 ~ /\// { a = $1; b = $2; sub(/\.[ch]$/, "", a); sub(/\.[ch]$/, "", b); if (a != b) print a, b }' \
	"$T/edges" | sort -u >"$T/modules"
tsort "$T/modules" >/dev/null 2>"$T/loops"
expect "no include circle between modules (tsort finds no loop)" sh -c 'cat "$1"; [ ! -s "$1" ]' - "$T/loops"

# Every header alone, with the flags the build uses.
cflags="-std=gnu11 -I. $(pkg-config --cflags hivex yara libntfs-3g nettle blkid expat ncursesw 2>/dev/null)"
: >"$T/alone"
for h in $(find rescue hive ui -name '*.h' | sort); do
	# shellcheck disable=SC2086
	printf '#include "%s"\n' "$h" | ${CC:-cc} $cflags -Wall -Werror -fsyntax-only -x c - 2>>"$T/alone" ||
		echo "does not compile alone: $h" >>"$T/alone"
done
expect "every header compiles alone" sh -c 'cat "$1"; [ ! -s "$1" ]' - "$T/alone"
t_done
