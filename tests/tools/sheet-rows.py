#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sheet-rows.py PAGE - the machines of a log sheet (rescue fleet --html), one
line each in page order: `row VERDICT NAME NETWORK-CARD-TEXT`, read with
python3's html.parser (not rescue's code): the row's data-verdict, the text
of its <b class="name"> and of its <small class="nic"> (empty when none)."""
import html.parser
import sys


class Sheet(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cur, self.field = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'tr' and a.get('class') == 'machine':
            self.cur = [a.get('data-verdict', '?'), '', '']
        if self.cur is not None and tag in ('b', 'small'):
            self.field = a.get('class')

    def handle_endtag(self, tag):
        if tag == 'tr' and self.cur is not None:
            self.rows.append(self.cur)
            self.cur = None
        if tag in ('b', 'small'):
            self.field = None

    def handle_data(self, data):
        if self.cur is not None and self.field in ('name', 'nic'):
            self.cur[1 if self.field == 'name' else 2] += data


sheet = Sheet()
with open(sys.argv[1], encoding='utf-8') as f:
    sheet.feed(f.read())
for r in sheet.rows:
    print('row', *r)
