#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# yara-verdicts.sh COMPILED.yarc HASHES ROOT - the verdicts of the yara CLI (a
# tool we did not write) and sha256sum on every regular file under ROOT, in
# plant.sh's manifest format: "PATH<TAB>RULE,...,hash:NAME", sorted.  Each
# file is scanned alone with the externals rescue defines (rescue/scan/
# externals.h: relpath the ROOT-relative path, filename its last component,
# filepath its Windows folder "C:\DIR", extension from the last dot, lower
# case); filetype and owner keep their default "": the built-in rules do not
# use them (t0570 checks those).  Symbolic links are not followed (find -type f).
set -eu
[ $# -eq 3 ] || { echo "usage: yara-verdicts.sh COMPILED.yarc HASHES ROOT" >&2; exit 2; }
yarc=$1 hashes=$2
cd "$3"
find . -type f | sed 's|^\./||' | while IFS= read -r f; do
	name=${f##*/} dir=
	case $f in */*) dir=$(printf '%s' "${f%/*}" | tr / '\\') ;; esac
	ext=
	case $name in ?*.*) ext=.$(printf '%s' "${name##*.}" | tr '[:upper:]' '[:lower:]') ;; esac
	r=$(yara -d "relpath=$f" -d "filename=$name" -d "filepath=C:\\$dir" -d "extension=$ext" "$yarc" -C "$f" |
		awk '{print $1}' | LC_ALL=C sort)
	h=$(sha256sum <"$f" | awk '{print $1}')
	r="$r
$(awk -v h="$h" '$1 == h { print "hash:" $2 }' "$hashes")"
	r=$(printf '%s\n' "$r" | grep . | paste -sd, -) || true
	[ -z "$r" ] || printf '%s\t%s\n' "$f" "$r"
done | LC_ALL=C sort
