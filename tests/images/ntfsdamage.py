#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ntfsdamage.py DEV size RECORD | index RECORD - damage an unmounted NTFS
# volume the way a failing disk or a careless tool leaves one, for the
# "damaged" test image (tests/images/build.sh):
#   size RECORD   the unnamed $DATA of MFT record RECORD (non-resident) gets
#                 a data and initialized size four times its allocated size:
#                 the MFT promises bytes the disk does not hold;
#   index RECORD  the first index block (VCN 0) of folder RECORD's $I30 gets
#                 a wrong update sequence number: its multi-sector fixup no
#                 longer matches, as after a torn write, and no reader may
#                 trust the block.
# The record is read through $MFT's own runlist (record 0), its fixups
# undone, changed and applied again; nothing else on DEV is written.
# RECORD is what ntfs-3g shows as the file's inode number (stat -c %i).
import struct
import sys

SECTOR = 512    # the stride of the multi-sector fixups, whatever the sector size


def u(fmt, buf, off):
    return struct.unpack_from('<' + fmt, buf, off)[0]


def unfix(buf, what):
    """Undo the fixups of BUF (a bytearray) in place; the USA offset."""
    ofs, count = u('H', buf, 4), u('H', buf, 6)
    usn = buf[ofs:ofs + 2]
    for i in range(1, count):
        end = i * SECTOR - 2
        if buf[end:end + 2] != usn:
            sys.exit('ntfsdamage.py: %s: fixup %d does not match' % (what, i))
        buf[end:end + 2] = buf[ofs + 2 * i:ofs + 2 * i + 2]
    return ofs


def refix(buf):
    """Apply the fixups of BUF again (its USN unchanged)."""
    ofs, count = u('H', buf, 4), u('H', buf, 6)
    for i in range(1, count):
        end = i * SECTOR - 2
        buf[ofs + 2 * i:ofs + 2 * i + 2] = buf[end:end + 2]
        buf[end:end + 2] = buf[ofs:ofs + 2]


def runlist(rec, a):
    """The (vcn, lcn, clusters) runs of the non-resident attribute at A."""
    p = a + u('H', rec, a + 0x20)
    vcn, lcn, runs = u('q', rec, a + 0x10), 0, []
    while rec[p]:
        ln, lo = rec[p] & 15, rec[p] >> 4
        n = int.from_bytes(rec[p + 1:p + 1 + ln], 'little')
        if lo:
            lcn += int.from_bytes(rec[p + 1 + ln:p + 1 + ln + lo], 'little', signed=True)
            runs.append((vcn, lcn, n))
        vcn += n
        p += 1 + ln + lo
    return runs


def attribute(rec, atype, name):
    """The offset of the attribute ATYPE named NAME ('' unnamed) in REC."""
    a = u('H', rec, 0x14)
    while a + 8 <= len(rec) and u('I', rec, a) != 0xFFFFFFFF:
        nl, no = rec[a + 9], u('H', rec, a + 10)
        if u('I', rec, a) == atype and rec[a + no:a + no + 2 * nl].decode('utf-16-le') == name:
            return a
        a += u('I', rec, a + 4)
    sys.exit('ntfsdamage.py: no attribute 0x%x %r' % (atype, name))


class Volume:
    def __init__(self, path):
        self.f = open(path, 'r+b')
        boot = self.f.read(512)
        if boot[3:11] != b'NTFS    ':
            sys.exit('ntfsdamage.py: %s: not NTFS' % path)
        self.cluster = u('H', boot, 11) * boot[13]
        self.rec = self.size_of(struct.unpack_from('b', boot, 0x40)[0])
        self.indx = self.size_of(struct.unpack_from('b', boot, 0x44)[0])
        self.f.seek(u('Q', boot, 0x30) * self.cluster)
        mft0 = bytearray(self.f.read(self.rec))
        unfix(mft0, 'MFT record 0')
        self.mft_runs = runlist(mft0, attribute(mft0, 0x80, ''))

    def size_of(self, c):
        return c * self.cluster if c > 0 else 1 << -c

    def where(self, runs, off):
        """The byte on the volume of byte OFF of a stream with RUNS."""
        vcn = off // self.cluster
        for v, lcn, n in runs:
            if v <= vcn < v + n:
                return (lcn + vcn - v) * self.cluster + off % self.cluster
        sys.exit('ntfsdamage.py: offset %d is in no run' % off)

    def record(self, n):
        at = self.where(self.mft_runs, n * self.rec)
        if self.rec > self.cluster and self.where(self.mft_runs, (n + 1) * self.rec - 1) != at + self.rec - 1:
            sys.exit('ntfsdamage.py: MFT record %d is fragmented' % n)
        self.f.seek(at)
        rec = bytearray(self.f.read(self.rec))
        if rec[:4] != b'FILE':
            sys.exit('ntfsdamage.py: MFT record %d is no FILE record' % n)
        unfix(rec, 'MFT record %d' % n)
        return at, rec

    def write(self, at, buf):
        self.f.seek(at)
        self.f.write(buf)


def damage_size(vol, n):
    at, rec = vol.record(n)
    a = attribute(rec, 0x80, '')
    if not rec[a + 8]:
        sys.exit('ntfsdamage.py: the data of record %d is resident' % n)
    big = u('q', rec, a + 0x28) * 4
    struct.pack_into('<qq', rec, a + 0x30, big, big)
    refix(rec)
    vol.write(at, rec)


def damage_index(vol, n):
    _, rec = vol.record(n)
    a = attribute(rec, 0xA0, '$I30')
    block = vol.where(runlist(rec, a), 0)
    vol.f.seek(block)
    indx = bytearray(vol.f.read(vol.indx))
    if indx[:4] != b'INDX':
        sys.exit('ntfsdamage.py: the first index block of record %d is no INDX' % n)
    ofs = u('H', indx, 4)
    usn = (u('H', indx, ofs) + 0x5a5a) & 0xFFFF or 1
    vol.write(block + ofs, struct.pack('<H', usn))


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ('size', 'index'):
        sys.exit('usage: ntfsdamage.py DEV size|index RECORD')
    vol = Volume(sys.argv[1])
    (damage_size if sys.argv[2] == 'size' else damage_index)(vol, int(sys.argv[3]))
    vol.f.close()


main()
