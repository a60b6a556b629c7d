#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo on a workstation without QEMU: a Windows 7 tree built from real
# hives, then status, contain, status, undo, as a technician would run them.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rescue=$top/build/rescue
dir=${1:-$top/build/demo-tree}
rm -rf "$dir"
# The journal's signing key (rescue/base/journalkey.h) beside the tree, not in the
# machine's /var/lib/rescue.
export RESCUE_STATE_DIR="${RESCUE_STATE_DIR:-$dir.state}"
sh "$top/tests/fixtures/mktree.sh" win7 "$dir"
run() { printf '\n$ %s\n' "$*"; "$@"; }
run "$rescue" --root "$dir" status
run "$rescue" --root "$dir" --yes contain
run "$rescue" --root "$dir" status
printf '\nThe journal (%s):\n' "$dir/Rescue/journal.jsonl"
head -n 3 "$dir/Rescue/journal.jsonl"
run "$rescue" --root "$dir" --yes undo
