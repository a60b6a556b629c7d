#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ansi2png.py COLS ROWS IN.ansi OUT.png - render a terminal capture
# (tmux capture-pane -e -p: text with SGR colour sequences) to a small PNG,
# cell by cell, as the Linux console would show it: VGA colours, bold makes
# the eight base colours bright, reverse swaps.  Fonts: DejaVu Sans Mono
# (fonts-dejavu-core), and WenQuanYi Micro Hei Mono (fonts-wqy-microhei)
# for CJK wide characters when installed.  Deterministic: the same capture
# gives the same bytes.
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
MONO_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SIZE = 15

# the VGA palette of the Linux console, then xterm's 256-colour cube and greys
BASE = [(0, 0, 0), (170, 0, 0), (0, 170, 0), (170, 85, 0), (0, 0, 170), (170, 0, 170), (0, 170, 170),
        (170, 170, 170), (85, 85, 85), (255, 85, 85), (85, 255, 85), (255, 255, 85), (85, 85, 255),
        (255, 85, 255), (85, 255, 255), (255, 255, 255)]


def colour(n):
    if n < 16:
        return BASE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    g = 8 + (n - 232) * 10
    return (g, g, g)


DEFAULT_FG, DEFAULT_BG = 7, 0
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def parse(text, cols, rows):
    """Cells: rows x cols of (char, fg, bg, bold, underline, reverse)."""
    grid = [[(" ", None, None, False, False, False) for _ in range(cols)] for _ in range(rows)]
    fg = bg = None
    bold = underline = reverse = False
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        pos = 0
        while pos < len(line) and x < cols:
            m = SGR.match(line, pos)
            if m:
                params = [int(p) if p else 0 for p in m.group(1).split(";")] if m.group(1) else [0]
                i = 0
                while i < len(params):
                    p = params[i]
                    if p == 0:
                        fg = bg = None
                        bold = underline = reverse = False
                    elif p == 1:
                        bold = True
                    elif p == 22:
                        bold = False
                    elif p == 4:
                        underline = True
                    elif p == 24:
                        underline = False
                    elif p == 7:
                        reverse = True
                    elif p == 27:
                        reverse = False
                    elif 30 <= p <= 37:
                        fg = p - 30
                    elif 90 <= p <= 97:
                        fg = p - 90 + 8
                    elif p == 39:
                        fg = None
                    elif 40 <= p <= 47:
                        bg = p - 40
                    elif 100 <= p <= 107:
                        bg = p - 100 + 8
                    elif p == 49:
                        bg = None
                    elif p in (38, 48) and i + 2 < len(params) and params[i + 1] == 5:
                        if p == 38:
                            fg = params[i + 2]
                        else:
                            bg = params[i + 2]
                        i += 2
                    i += 1
                pos = m.end()
                continue
            ch = line[pos]
            pos += 1
            if ch == "\x1b":
                continue
            if unicodedata.combining(ch) and x > 0:
                c = grid[y][x - 1]
                grid[y][x - 1] = (c[0] + ch,) + c[1:]
                continue
            wide = unicodedata.east_asian_width(ch) in ("W", "F")
            grid[y][x] = (ch, fg, bg, bold, underline, reverse)
            x += 1
            if wide and x < cols:
                grid[y][x] = ("", fg, bg, bold, underline, reverse)
                x += 1
    return grid


def main():
    cols, rows, src, dst = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    text = open(src, encoding="utf-8", errors="replace").read()
    font = ImageFont.truetype(MONO, SIZE)
    font_bold = ImageFont.truetype(MONO_BOLD, SIZE)
    try:
        font_cjk = ImageFont.truetype(CJK, SIZE, index=1)
    except OSError:
        font_cjk = font
    cw = round(font.getlength("M"))
    ascent, descent = font.getmetrics()
    ch_h = ascent + descent + 1
    img = Image.new("RGB", (cols * cw, rows * ch_h), colour(DEFAULT_BG))
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(parse(text, cols, rows)):
        for x, (ch, fg, bg, bold, underline, reverse) in enumerate(row):
            f = DEFAULT_FG if fg is None else fg
            b = DEFAULT_BG if bg is None else bg
            if bold and f < 8:
                f += 8
            fc, bc = colour(f), colour(b)
            if reverse:
                fc, bc = bc, fc
            px, py = x * cw, y * ch_h
            if ch == "":
                continue
            wide = unicodedata.east_asian_width(ch[0]) in ("W", "F")
            w = cw * (2 if wide else 1)
            draw.rectangle([px, py, px + w - 1, py + ch_h - 1], fill=bc)
            if ch != " ":
                use = font_cjk if wide else (font_bold if bold else font)
                # box drawing: stretch the lines to the cell edges so boxes close
                if "\u2500" <= ch[0] <= "\u257f":
                    draw_box(draw, ch[0], px, py, cw, ch_h, fc)
                else:
                    draw.text((px, py), ch, font=use, fill=fc)
            if underline:
                draw.line([px, py + ch_h - 2, px + w - 1, py + ch_h - 2], fill=fc)
    img = img.convert("P", palette=Image.ADAPTIVE, colors=32)
    img.save(dst, optimize=True)


def draw_box(draw, ch, px, py, w, h, fill):
    """The light box-drawing characters curses uses, as lines through the cell."""
    cx, cy = px + w // 2, py + h // 2
    left = ch in "─┐┘┤┬┴┼"
    right = ch in "─┌└├┬┴┼"
    up = ch in "│└┘├┤┴┼"
    down = ch in "│┌┐├┤┬┼"
    if not (left or right or up or down):
        return
    if left:
        draw.line([px, cy, cx, cy], fill=fill)
    if right:
        draw.line([cx, cy, px + w - 1, cy], fill=fill)
    if up:
        draw.line([cx, py, cx, cy], fill=fill)
    if down:
        draw.line([cx, cy, cx, py + h - 1], fill=fill)


if __name__ == "__main__":
    main()
