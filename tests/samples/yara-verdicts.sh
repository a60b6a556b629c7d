#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# yara-verdicts.sh COMPILED.yarc HASHES ROOT - the verdicts of the yara CLI (a
# tool we did not write) and sha256sum on every regular file under ROOT, in
# plant.sh's manifest format: "PATH<TAB>RULE,...,hash:NAME", sorted.  Each
# file is scanned alone with the externals rescue defines (filepath: the
# ROOT-relative path, filename: its last component).  Symbolic links are not
# followed (find -type f).
set -eu
[ $# -eq 3 ] || { echo "usage: yara-verdicts.sh COMPILED.yarc HASHES ROOT" >&2; exit 2; }
yarc=$1 hashes=$2
cd "$3"
find . -type f | sed 's|^\./||' | while IFS= read -r f; do
	r=$(yara -d "filepath=$f" -d "filename=${f##*/}" "$yarc" -C "$f" | awk '{print $1}' | LC_ALL=C sort)
	h=$(sha256sum <"$f" | awk '{print $1}')
	r="$r
$(awk -v h="$h" '$1 == h { print "hash:" $2 }' "$hashes")"
	r=$(printf '%s\n' "$r" | grep . | paste -sd, -) || true
	[ -z "$r" ] || printf '%s\t%s\n' "$f" "$r"
done | LC_ALL=C sort
