#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The log sheet (issue 18): `rescue auto` rewrites reports_dir/log-sheet.html
# after each run, and `rescue fleet DIR --html FILE [--watch]` writes the same
# page.  Judged by headless Chromium: the DOM it builds (one row per machine,
# RED then YELLOW then GREEN, each machine's latest verdict as the reports
# say, its earlier runs as history, counts at the top, no script from a
# hostile computer name) and a screenshot holding the three sticker colours.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

conf() {	# conf FILE KEY=VALUE...
	f=$1; shift
	: >"$f"
	for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$f"; done
}
REP=$T/stick/reports

# Four runs of three machines: an infected Windows 10 twice (the second run
# our users need), a clean XP, and a Windows 7 not scanned (YELLOW).
sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/w10" >/dev/null
sh "$TOP/tests/samples/plant.sh" "$T/w10" >/dev/null
sh "$TOP/tests/fixtures/mktree.sh" xp "$T/xp" >/dev/null
sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/w7" >/dev/null
conf "$T/full.conf" "reports_dir=$REP"
conf "$T/noscan.conf" "reports_dir=$REP" "scan=off" "autoruns=off"
"$RESCUE" --root "$T/w10" auto --config "$T/full.conf" >"$T/out1" 2>&1
expect "auto wrote the log sheet beside its report" test -s "$REP/log-sheet.html"
sleep 1    # the stamp has one-second steps: the second run is later
"$RESCUE" --root "$T/w10" auto --config "$T/full.conf" >"$T/out2" 2>&1
"$RESCUE" --root "$T/xp" auto --config "$T/full.conf" >"$T/out3" 2>&1
"$RESCUE" --root "$T/w7" auto --config "$T/noscan.conf" >"$T/out4" 2>&1
expect "four reports in reports_dir" test "$(find "$REP" -name '*.json' | wc -l)" -eq 4

# What the reports say: each machine's latest verdict (python3's json).
/usr/bin/python3 - "$REP" >"$T/want" <<'PYEOF'
import json, os, sys
latest = {}
for n in os.listdir(sys.argv[1]):
    if n.endswith('.json'):
        d = json.load(open(os.path.join(sys.argv[1], n)))
        if d['machine'] not in latest or d['stamp'] > latest[d['machine']][0]:
            latest[d['machine']] = (d['stamp'], d['verdict'])
for m in sorted(latest):
    print(m, latest[m][1])
PYEOF
sed 's/^/#   want: /' "$T/want"

# A report whose computer name carries markup and an escape, and one that
# cannot be counted.
jq -c '.machine = "EVIL<script>document.title=\"owned\"</script>\u001b[31m" | .verdict = "RED"' \
	"$(find "$REP" -name 'M57-PAT-*.json' | head -n 1)" >"$REP/evil.json"
printf '{"format":"rescue-report/1","machine":"X","verdict":"PURPLE"}' >"$REP/forged.json"

# The stick's learned/ beside reports/: a hash the Windows 10 runs detected,
# learned earlier on a machine whose name carries markup.
mkdir -p "$T/stick/learned"
w10sum=$(find "$REP" -name 'DESKTOP-M3OSHQU-*.json' -exec jq -r '.detection_sha256[]' {} + | head -n 1)
printf '%s;learned from EVIL<script>x()</script> at 20000101T000000Z: Users/a/<b>bad</b>.exe [autostart Run<i>]\n' \
	"$w10sum" >"$T/stick/learned/EVIL-20000101T000000Z-hashes.txt"

"$RESCUE" fleet "$REP" --html "$T/sheet.html" >"$T/fleet.out" 2>&1; rc=$?
expect "fleet --html: exit 4 (an unreadable report)" test "$rc" -eq 4
expect "fleet --html wrote the page" test -s "$T/sheet.html"
expect "the page loads nothing from elsewhere: no script, link, src, url(" \
	sh -c '! grep -Eiq "<script|<link|src=|url\\(|https?:" "$1"' - "$T/sheet.html"

# Two PCs with the same computer name, booted from the network: /init hands
# their reports in named with each one's network card (upload_reports); the
# sheet shows two machines, each with its card, and fleet one line each.
mkdir -p "$T/net"
# the Windows 10 report that is RED (there are two; find's order is not fixed)
w10=$(for f in "$REP"/DESKTOP-M3OSHQU-*.json; do [ "$(jq -r .verdict "$f")" = RED ] && echo "$f"; done | head -n 1)
stem=$(basename "$w10" .json)
cp "$w10" "$T/net/$stem-525400770001.json"
jq -c '.verdict = "GREEN"' "$w10" >"$T/net/$stem-525400770002.json"
"$RESCUE" fleet "$T/net" --html "$T/net.html" >"$T/net.out" 2>&1
sed 's/^/#   /' "$T/net.out"
expect "same name, two network cards: fleet lists each run with its card" sh -c \
	'grep -q "^DESKTOP-M3OSHQU .* RED .*  52:54:00:77:00:01$" "$1" && grep -q "^DESKTOP-M3OSHQU .* GREEN .*  52:54:00:77:00:02$" "$1"' \
	- "$T/net.out"
/usr/bin/python3 "$TOP/tests/tools/sheet-rows.py" "$T/net.html" >"$T/net.rows"
sed 's/^/#   /' "$T/net.rows"
expect "same name, two network cards: two rows on the sheet, each with its card" test "$(cat "$T/net.rows")" = \
	"$(printf 'row RED DESKTOP-M3OSHQU network card 52:54:00:77:00:01\nrow GREEN DESKTOP-M3OSHQU network card 52:54:00:77:00:02')"
# names that only look like it: not 12 hex digits after a dash, so no card
mkdir -p "$T/net2"
cp "$w10" "$T/net2/$stem-52540077000g.json"; cp "$w10" "$T/net2/$stem-52540077000.json"
cp "$w10" "$T/net2/${stem}525400770001.json"; cp "$w10" "$T/net2/$stem-5254007700AB.json"
"$RESCUE" --json fleet "$T/net2" >"$T/net2.json"
expect "a card only from 12 hex digits after a dash (upper case written lower)" test \
	"$(jq -r '[.reports[].nic] | sort | join(",")' "$T/net2.json")" = ",,,52:54:00:77:00:ab"
"$RESCUE" --json fleet "$T/net" >"$T/net.json"
expect "fleet --json: the card of each run" test "$(jq -r '[.reports[].nic] | join(" ")' "$T/net.json")" = \
	"52:54:00:77:00:01 52:54:00:77:00:02"

dom() {	# dom PAGE OUT: the DOM Chromium builds from PAGE
	timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chrome" \
		--dump-dom "file://$1" >"$2" 2>"$T/chrome.err"
}
if ! command -v chromium >/dev/null; then
	skip "the log sheet in Chromium" "chromium not installed (tests/deps.sh installs it)"
	t_done; exit
fi
dom "$T/sheet.html" "$T/dom"
expect "Chromium built the page" grep -q 'id="machines"' "$T/dom"
# machine NAME VERDICT RUNS per row, in page order, read back from the DOM
/usr/bin/python3 - "$T/dom" >"$T/rows" <<'PYEOF'
import html.parser, sys
class P(html.parser.HTMLParser):
    rows, cur, field, scripts = [], None, None, 0
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == 'script': P.scripts += 1
        if tag == 'tr' and a.get('class') == 'machine':
            P.cur = {'verdict': a['data-verdict'], 'name': ''}
        if P.cur is not None and tag in ('td', 'b'):
            P.field = a.get('class', '')
            if 'runs' in P.field: P.cur['runs'] = a['data-runs']
    def handle_endtag(self, tag):
        if tag == 'tr' and P.cur is not None:
            P.rows.append(P.cur); P.cur = None
        if tag in ('td', 'b'): P.field = None
    def handle_data(self, d):
        if P.cur is not None and P.field == 'name': P.cur['name'] += d
p = P(); p.feed(open(sys.argv[1]).read())
print('scripts', P.scripts)
for r in P.rows: print('row', r['name'], r['verdict'], r['runs'])
class L(html.parser.HTMLParser):
    rows, cur, field = [], None, None
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == 'tr' and a.get('class') == 'learned':
            L.cur = {'seen': a['data-seen'], 'from': '', 'file': '', 'names': []}
        if L.cur is not None and tag in ('td', 'b'):
            L.field = a.get('class', '')
            if L.field == 'name': L.cur['names'].append('')
    def handle_endtag(self, tag):
        if tag == 'tr' and L.cur is not None:
            L.rows.append(L.cur); L.cur = None
        if tag in ('td', 'b'): L.field = None
    def handle_data(self, d):
        if L.cur is None: return
        if L.field in ('from', 'file'): L.cur[L.field] += d
        if L.field == 'name': L.cur['names'][-1] += d
l = L(); l.feed(open(sys.argv[1]).read())
for r in L.rows: print('learned', r['from'], '|', r['file'], '|', r['seen'], ','.join(r['names']))
PYEOF
sed 's/^/#   dom: /' "$T/rows"
expect "the DOM holds no script element (the hostile name stayed text)" grep -qx 'scripts 0' "$T/rows"
expect "one row per machine: four (three machines and the hostile one)" test "$(grep -c '^row ' "$T/rows")" -eq 4
expect "rows sorted RED, then YELLOW, then GREEN" sh -c '
	awk "/^row /{ print \$(NF-1) }" "$1" | awk "{ r = (\$1 == \"RED\") ? 0 : (\$1 == \"YELLOW\") ? 1 : 2;
		if (r < last) bad = 1; last = r } END { exit bad }"' - "$T/rows"
while read -r m v; do
	expect "$m: the sticker shows its latest verdict $v" grep -q "^row $m $v " "$T/rows"
done <"$T/want"
expect "DESKTOP-M3OSHQU: both runs in its history" grep -q '^row DESKTOP-M3OSHQU [A-Z]* 2$' "$T/rows"
expect "the hostile name is shown escaped, as text" grep -q '^row EVIL<script>document.title="owned"</script>\\e\[31m RED 1$' "$T/rows"
expect "the title is the page's own" grep -q '<title>rescue log sheet</title>' "$T/dom"
reds=$(grep -c '^row .* RED [0-9]*$' "$T/rows")
expect "the count of RED machines at the top is $reds" grep -q "id=\"count-RED\">RED <span class=\"n\">$reds</span>" "$T/dom"
expect "the unreadable report is named, not counted" grep -q 'forged.json: a verdict rescue does not write: PURPLE' "$T/dom"
expect "Learned: the hash learned on the hostile machine, its markup as text, seen again on the infected Windows 10" \
	grep -qx 'learned EVIL<script>x()</script> | Users/a/<b>bad</b>.exe | 1 DESKTOP-M3OSHQU' "$T/rows"

timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chrome" --hide-scrollbars \
	--window-size=1400,900 --screenshot="$T/shot.png" "file://$T/sheet.html" >/dev/null 2>>"$T/chrome.err"
if /usr/bin/python3 -c 'import PIL' 2>/dev/null; then
	expect "the screenshot shows the RED, YELLOW and GREEN stickers" /usr/bin/python3 -c '
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
seen = {c for _, c in im.getcolors(1 << 24)}
want = {"RED": (0xc6, 0x28, 0x28), "YELLOW": (0xf9, 0xa8, 0x25), "GREEN": (0x1a, 0x7f, 0x37)}
missing = [k for k, c in want.items() if c not in seen]
print("#   missing colours:", missing)
sys.exit(1 if missing else 0)' "$T/shot.png"
else
	skip "the screenshot's colours" "python3-pil not installed"
fi

# --watch: the page follows the folder until SIGTERM.
"$RESCUE" fleet "$REP" --html "$T/watch.html" --watch 2>"$T/watch.err" &
pid=$!
t_on_exit "kill $pid 2>/dev/null"
n=0; while [ ! -s "$T/watch.html" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
expect "--watch wrote the page" grep -q 'id="count-machines">4<' "$T/watch.html"
expect "--watch asks the browser to reload it" grep -q 'http-equiv="refresh"' "$T/watch.html"
jq -c '.machine = "NEWCOMER" | .verdict = "GREEN"' "$(find "$REP" -name 'M57-PAT-*.json' | head -n 1)" \
	>"$REP/newcomer.json"
n=0; while ! grep -q NEWCOMER "$T/watch.html" && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
expect "--watch rewrote the page when a report arrived" grep -q 'id="count-machines">5<' "$T/watch.html"
kill -TERM "$pid"
wait "$pid"; rc=$?
expect "--watch ends on SIGTERM with exit 0" test "$rc" -eq 0
expect "--watch said on stderr what it wrote" grep -q '5 machine(s)' "$T/watch.err"
expect_exit 2 "--watch without --html: usage" "$RESCUE" fleet "$REP" --watch
t_done
