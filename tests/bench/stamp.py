#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# stamp.py LOG CMD... - run CMD with its stderr on a pseudo-terminal (rescue
# prints its progress line only to a terminal), and write to LOG every line
# CMD prints on stdout or stderr with the seconds since CMD started:
#   SECONDS <TAB> out|err <TAB> TEXT
# A CR ends a line too (the progress line is rewritten in place: CR, ESC[K,
# text), and terminal escapes are removed.  CMD's own stdout and stderr are
# passed on unchanged; the exit status is CMD's (128 + N for signal N).
# For tests/bench/volume-bench.sh: the time to the first detection and the
# ETA the progress line shows, read from outside, as a person sees them.
import os
import re
import select
import signal
import subprocess
import sys
import time
import tty

ESC = re.compile(rb'\x1b\[[0-9;?]*[A-Za-z]')


def main():
    if len(sys.argv) < 3:
        sys.stderr.write('usage: stamp.py LOG CMD...\n')
        return 2
    log = open(sys.argv[1], 'w', encoding='utf-8', errors='replace')
    master, slave = os.openpty()
    tty.setraw(slave)               # no CR added before LF, nothing echoed
    outr, outw = os.pipe()
    t0 = time.monotonic()
    child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=outw, stderr=slave)
    os.close(slave)
    os.close(outw)
    # Stopped (the bench interrupted): CMD stops too, and unmounts what it
    # mounted, rather than being left behind.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda n, _f: child.send_signal(n))
    streams = {outr: ['out', b'', sys.stdout.buffer], master: ['err', b'', sys.stderr.buffer]}

    def emit(name, text):
        text = ESC.sub(b'', text).strip()
        if text:
            log.write('%.3f\t%s\t%s\n' % (time.monotonic() - t0, name, text.decode('utf-8', 'replace')))

    while streams:
        ready, _, _ = select.select(list(streams), [], [])
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:         # the pty's EIO once the child closed it
                data = b''
            st = streams[fd]
            if not data:
                emit(st[0], st[1])
                del streams[fd]
                os.close(fd)
                continue
            st[2].write(data)
            st[2].flush()
            parts = re.split(rb'[\r\n]', st[1] + data)
            st[1] = parts.pop()
            for p in parts:
                emit(st[0], p)
    rc = child.wait()
    log.write('%.3f\texit\t%d\n' % (time.monotonic() - t0, rc))
    log.close()
    return rc if rc >= 0 else 128 - rc


if __name__ == '__main__':
    sys.exit(main())
