#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""winbulk.py ROOT FILES USER MANIFEST - fill ROOT, an ntfs-3g mount (with
streams_interface=windows) that already holds mktree.sh's Windows 10 tree and
plant.sh's samples for USER, with the bulk of a used Windows 10/11 system
volume: FILES files in about FILES/5 folders (System32, SysWOW64, WinSxS,
Program Files, ProgramData, user profiles), most under 64 KiB and a tail of
MB-sized ones, of seeded pseudo-random bytes; WinSxS hard links into
System32/SysWOW64 (40,000 per 300,000 files); and, whatever FILES is, the
parts of a real volume that a walk and a scan must get through: junctions
(loops included), a path over 300 characters, names in many scripts, an
NTFS-compressed folder, sparse files (pagefile.sys, hiberfil.sys - not
hibernated -, swapfile.sys, a shadow-copy store, a file over 4 GiB),
Zone.Identifier streams on downloads, $Recycle.Bin per SID.  Two more samples
are planted (in WinSxS and in a second profile) and appended to MANIFEST.
Prints a summary.  Everything but the mount's timestamps is the same for the
same FILES: one seed, no clock, no /dev/urandom."""
import math
import os
import random
import struct
import sys
import time

SEED = 0x57494E31  # any fixed number: the image is the same from run to run
FILES_PER_FOLDER = 5
LINKS_PER_FILE = 40000 / 300000
POOL = 8 << 20      # bytes of seeded noise every file's content is cut from
CHUNK = 1 << 20     # largest write

# FILE_ATTRIBUTE_* and reparse tags (MS-FSCC 2.6, 2.1.2.1)
ATTR_HIDDEN, ATTR_SYSTEM, ATTR_COMPRESSED = 0x2, 0x4, 0x800
TAG_MOUNT_POINT = 0xA0000003

EICAR = (b'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-'
         b'TEST-FILE!$H+H*')
EICAR_RULES = 'EICAR_Test_File,hash:EICAR-Test-File'

WORDS = ('api ms win core shell net crypt sys ui data update service host kernel media print '
         'audio video font cache store sync search policy defender edge runtime package driver '
         'input display network security storage power bits wmi task setup appx bluetooth usb '
         'wlan dns dhcp smb rdp hyper clip speech ink photo mail maps xbox game text lang '
         'telemetry diag trace perf event log config cert tpm boot recovery backup').split()
EXT = {
    'sys32': ('dll', 'dll', 'dll', 'exe', 'mui', 'sys', 'inf', 'cat', 'xml', 'dat', 'ini'),
    'sxs': ('manifest', 'dll', 'mum', 'cat', 'cdf-ms'),
    'prog': ('dll', 'exe', 'pak', 'json', 'dat', 'png', 'js', 'html', 'bin', 'config'),
    'data': ('dat', 'log', 'xml', 'json', 'db', 'etl', 'tmp', 'bin'),
    'cache': ('', '', 'tmp', 'dat', 'js', 'png', 'jpg', 'css', 'json'),
    'docs': ('docx', 'xlsx', 'pdf', 'jpg', 'png', 'txt', 'zip', 'mp3'),
}
# The names of extra profiles (the tree's own USER comes from mktree.sh).
PROFILES = ('Maria', 'Public', 'Default')
# A folder name and a file name in each of many scripts (and a character
# outside the BMP: a UTF-16 surrogate pair on NTFS).
SCRIPTS = ('Фотографии', 'Φωτογραφίες', 'صور العائلة', 'תמונות', 'फ़ोटो', 'รูปภาพ', '사진',
           '写真と動画', '照片', 'Café Crème', 'Ảnh gia đình', 'ფოტოები', 'Լուսանկարներ',
           'ছবি', 'புகைப்படங்கள்', 'Zdjęcia ŁÓDŹ', 'Fotoğraflar', '😀 Emoji 🎉')


def choose(rng, seq):
    return seq[rng.randrange(len(seq))]


def word_name(rng, style):
    """A file or folder name in the style of its area."""
    if style == 'sxs':
        return '%s_microsoft-windows-%s-%s_31bf3856ad364e35_10.0.%d.%d_none_%016x' % (
            choose(rng, ('amd64', 'wow64', 'x86', 'msil')), choose(rng, WORDS), choose(rng, WORDS),
            choose(rng, (19041, 22621, 22631)), rng.randrange(1, 4000), rng.getrandbits(64))
    if style == 'cache':
        return choose(rng, ('f_%06x' % rng.getrandbits(24), 'data_%d' % rng.randrange(9),
                            '%08X' % rng.getrandbits(32),
                            '{%08X-%04X-4%03X-8%03X-%012X}' % (
                                rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                rng.getrandbits(12), rng.getrandbits(48))))
    n = rng.randrange(1, 4)
    parts = [choose(rng, WORDS) for _ in range(n)]
    sep = choose(rng, ('-', '.', '', '_'))
    name = sep.join(p.capitalize() if sep == '' else p for p in parts)
    if rng.random() < 0.3:
        name += str(rng.randrange(100))
    return name


class Volume:
    """The mount being filled and what was put there."""

    def __init__(self, root, rng):
        self.root, self.rng = root, rng
        noise = rng.randbytes(POOL)
        self.pool = memoryview(noise + noise[:CHUNK])
        self.names = {}          # folder -> lower-case names in it (NTFS ignores case)
        self.files = self.folders = self.links = self.junctions = self.streams = 0
        self.bytes = self.sparse = 0

    def path(self, rel):
        return os.path.join(self.root, rel)

    def unique(self, folder, name):
        if folder not in self.names:     # what mktree.sh and plant.sh put there
            p = self.path(folder)
            self.names[folder] = {n.lower() for n in os.listdir(p)} if os.path.isdir(p) else set()
        taken = self.names[folder]
        base, ext = os.path.splitext(name)
        n = 1
        while name.lower() in taken:
            n += 1
            name = '%s (%d)%s' % (base, n, ext)
        taken.add(name.lower())
        return name

    def mkdir(self, rel):
        p = self.path(rel)
        if not os.path.isdir(p):
            os.makedirs(p)
            self.folders += 1
        return rel

    def write(self, rel, size=None, data=None):
        """A new file of SIZE noise bytes, or holding DATA."""
        fd = os.open(self.path(rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            if data is not None:
                os.write(fd, data)
                size = len(data)
            else:
                left = size
                while left > 0:
                    n = min(left, CHUNK)
                    off = self.rng.randrange(POOL)
                    os.write(fd, self.pool[off:off + n])
                    left -= n
        finally:
            os.close(fd)
        self.files += 1
        self.bytes += size

    def sparse_file(self, rel, size, islands=()):
        """A file of SIZE bytes that is a hole but for ISLANDS (offset, length) of noise."""
        fd = os.open(self.path(rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.ftruncate(fd, size)
            for off, n in islands:
                os.pwrite(fd, self.pool[:n], off)
                self.bytes += n
        finally:
            os.close(fd)
        self.files += 1
        self.sparse += size

    def stream(self, rel, name, data):
        with open(self.path(rel) + ':' + name, 'wb') as f:
            f.write(data)
        self.streams += 1

    def attrib(self, rel, bits):
        p = self.path(rel)
        old = struct.unpack('>I', os.getxattr(p, 'system.ntfs_attrib_be', follow_symlinks=False))[0]
        os.setxattr(p, 'system.ntfs_attrib_be', struct.pack('>I', old | bits), follow_symlinks=False)

    def junction(self, rel, target):
        """REL as Windows makes it: an empty folder with a mount-point reparse
        point to the absolute path TARGET (C:\\...); replaces the symbolic
        link plant.sh made in its place."""
        p = self.path(rel)
        if os.path.islink(p):
            os.unlink(p)
        if not os.path.isdir(p):
            os.mkdir(p)
        sub = ('\\??\\' + target).encode('utf-16-le')
        prn = target.encode('utf-16-le')
        body = struct.pack('<HHHH', 0, len(sub), len(sub) + 2, len(prn)) + sub + b'\0\0' + prn + b'\0\0'
        os.setxattr(p, 'system.ntfs_reparse_data',
                    struct.pack('<IHH', TAG_MOUNT_POINT, len(body), 0) + body, follow_symlinks=False)
        self.attrib(rel, ATTR_HIDDEN | ATTR_SYSTEM)
        self.junctions += 1


def file_size(rng):
    """Most files small, a few hundred KB, a tail of MB (a Windows volume's spread)."""
    r = rng.random()
    if r < 0.9843:
        lo, hi = 16, 48 << 10
    elif r < 0.9993:
        lo, hi = 64 << 10, 1 << 20
    else:
        lo, hi = 1 << 20, 16 << 20
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def bulk_area(v, rel, nfiles, name_style, ext):
    """NFILES files in about NFILES/5 folders below REL: a random tree (each
    new folder under a random earlier one, at most 10 deep)."""
    rng = v.rng
    v.mkdir(rel)
    folders = [(rel, 0)]
    for _ in range(max(0, nfiles // FILES_PER_FOLDER - 1)):
        parent, depth = choose(rng, folders)
        if depth >= 10:
            parent, depth = rel, 0
        name = v.unique(parent, word_name(rng, name_style if name_style != 'sxs' or depth == 0 else 'plain'))
        folders.append((v.mkdir(parent + '/' + name), depth + 1))
    made = []
    for _ in range(nfiles):
        folder = choose(rng, folders)[0]
        e = choose(rng, EXT[ext])
        name = v.unique(folder, word_name(rng, 'cache' if ext == 'cache' else 'plain') + ('.' + e if e else ''))
        v.write(folder + '/' + name, file_size(rng))
        made.append(folder + '/' + name)
    return made


def winsxs_links(v, sources, nlinks):
    """NLINKS hard links in WinSxS component folders (one to four each) to
    files of System32/SysWOW64, as servicing keeps every system file."""
    rng = v.rng
    picked = rng.sample(sources, min(nlinks, len(sources)))
    i = 0
    while i < len(picked):
        comp = v.mkdir('Windows/WinSxS/' + v.unique('Windows/WinSxS', word_name(rng, 'sxs')))
        for src in picked[i:i + rng.randrange(1, 5)]:
            os.link(v.path(src), v.path(comp + '/' + v.unique(comp, os.path.basename(src))))
            v.links += 1
            i += 1


def zone_identifier(rng, name):
    return ('[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://www.example.com/downloads\r\n'
            'HostUrl=https://dl%d.example.net/files/%s\r\n' % (rng.randrange(1, 9), name)).encode()


def recycle_info(rng, sid_path, name, size):
    """A $I file (version 2): the deleted file's size, deletion time, path."""
    orig = 'C:\\%s\\Documents\\%s' % (sid_path, name) + '\0'
    when = 133000000000000000 + rng.getrandbits(40)  # a FILETIME in 2022
    return struct.pack('<qqqI', 2, size, when, len(orig)) + orig.encode('utf-16-le')


def specials(v, user, manifest):
    """What every size of the volume holds (see the top)."""
    rng = v.rng
    home = 'Users/' + user
    planted = []

    # Junctions Windows makes (two of them loops), and their targets.
    for d in ('ProgramData', 'Users/Default/AppData/Roaming', 'Users/Public/Documents',
              home + '/AppData/Local', home + '/AppData/Roaming', home + '/Documents'):
        v.mkdir(d)
    for rel, target in (('Documents and Settings', 'C:\\Users'),
                        ('Users/All Users', 'C:\\ProgramData'),
                        ('Users/Default User', 'C:\\Users\\Default'),
                        ('ProgramData/Application Data', 'C:\\ProgramData'),
                        (home + '/Application Data', 'C:\\Users\\%s\\AppData\\Roaming' % user),
                        (home + '/My Documents', 'C:\\Users\\%s\\Documents' % user),
                        (home + '/AppData/Local/Application Data', 'C:\\Users\\%s\\AppData\\Local' % user)):
        v.junction(rel, target)

    # Names in many scripts: a folder each, a file in it named in the same script.
    for s in SCRIPTS:
        d = v.mkdir('Users/Maria/Pictures/' + s)
        v.write(d + '/' + s + ' 001.jpg', file_size(rng))

    # A path over 300 characters, below ProgramData (installers nest deep).
    d = 'ProgramData/Package Cache/{%08X-1C1D-4B4F-9E2A-5D6C7B8A9F01}' % rng.getrandbits(32)
    while len(d) < 300:
        d += '/Microsoft Visual C++ Redistributable Component %d' % rng.randrange(100)
    v.mkdir(d)
    v.write(d + '/vc_runtimeAdditional_x64.msi', 4096 + rng.randrange(65536))
    longest = len(d) + len('/vc_runtimeAdditional_x64.msi')

    # An NTFS-compressed folder: new files in it are compressed by ntfs-3g.
    logs = v.mkdir('Windows/Logs/CBS')
    v.attrib(logs, ATTR_COMPRESSED)
    for i in range(12):
        lines = ''.join('2024-05-%02d 10:%02d:%02d, Info CBS Loaded Servicing Stack v10.0.19041.%d\r\n'
                        % (i + 1, n % 60, n % 59, n % 4000) for n in range(4000))
        v.write('%s/CbsPersist_2024051%d.log' % (logs, i), data=lines.encode())

    # Sparse files: a hole on the disk, a size in the MFT.
    GiB = 1 << 30
    v.sparse_file('pagefile.sys', 8 * GiB)
    v.sparse_file('hiberfil.sys', 3 * GiB + (512 << 20))    # zeros first: not hibernated
    v.sparse_file('swapfile.sys', 256 << 20)
    svi = v.mkdir('System Volume Information')
    v.attrib(svi, ATTR_HIDDEN | ATTR_SYSTEM)
    v.sparse_file(svi + '/{%08x-4a3b-11ee-9c2e-0800270d4e6f}{3808876b-c176-4e48-b7ae-04046e6cc752}'
                  % rng.getrandbits(32), 6 * GiB, ((0, 1 << 20), (3 * GiB, 1 << 20)))
    v.write(svi + '/IndexerVolumeGuid',
            data=('{%08X-6F1B-4C8E-9D2A-0B7E5C3D1A2F}' % rng.getrandbits(32)).encode('utf-16-le'))
    # Over 4 GiB, with bytes across the 4 GiB mark (a 32-bit offset wraps there).
    v.mkdir(home + '/Videos')
    big = 4 * GiB + (123 << 20) + 17
    v.sparse_file(home + '/Videos/Family holiday 2019.mp4', big,
                  ((0, 1 << 20), (4 * GiB - (512 << 10), 1 << 20), (big - (1 << 20), 1 << 20)))

    # Downloads with the Zone.Identifier stream a browser adds.
    for u in (user, 'Maria'):
        dl = v.mkdir('Users/%s/Downloads' % u)
        for i in range(8):
            name = v.unique(dl, '%s_setup_%d.exe' % (choose(rng, WORDS), rng.randrange(100)))
            v.write(dl + '/' + name, (200 << 10) + rng.randrange(3 << 20))
            v.stream(dl + '/' + name, 'Zone.Identifier', zone_identifier(rng, name))
    for name in sorted(os.listdir(v.path(home + '/Downloads'))):     # plant.sh's samples too
        p = home + '/Downloads/' + name
        if name.endswith('.com') and os.path.isfile(v.path(p)) and not os.path.islink(v.path(p)):
            v.stream(p, 'Zone.Identifier', zone_identifier(rng, name))

    # $Recycle.Bin: a folder per SID, desktop.ini, $I/$R pairs.
    rb = v.mkdir('$Recycle.Bin')
    v.attrib(rb, ATTR_HIDDEN | ATTR_SYSTEM)
    dom = 'S-1-5-21-%d-%d-%d' % (rng.getrandbits(31), rng.getrandbits(31), rng.getrandbits(31))
    for sid, who in (('S-1-5-18', 'Windows\\System32\\config\\systemprofile'),
                     (dom + '-500', 'Users\\Administrator'), (dom + '-1001', 'Users\\' + user),
                     (dom + '-1002', 'Users\\Maria')):
        d = v.mkdir(rb + '/' + sid)
        v.write(d + '/desktop.ini', data='\r\n[.ShellClassInfo]\r\nCLSID={645FF040-5081-101B-9F08-00AA002F954E}\r\n'
                .encode('utf-16-le'))
        for i in range(3):
            tag = ''.join(choose(rng, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') for _ in range(6))
            size = file_size(rng)
            v.write('%s/$R%s.docx' % (d, tag), size)
            v.write('%s/$I%s.docx' % (d, tag), data=recycle_info(rng, who, 'report %d.docx' % i, size))

    # Two more samples: in WinSxS (a servicing folder) and in a second profile.
    comp = v.mkdir('Windows/WinSxS/' + v.unique('Windows/WinSxS', word_name(rng, 'sxs')))
    planted.append(comp + '/svchelper.com')
    dl = 'Users/Maria/Downloads/Free_PDF_Converter.com'
    planted.append(dl)
    for p in planted:
        v.write(p, data=EICAR)
    v.stream(dl, 'Zone.Identifier', zone_identifier(rng, 'Free_PDF_Converter.com'))
    if manifest:
        with open(manifest, encoding='utf-8') as f:
            lines = f.read().splitlines()
        lines += ['%s\t%s' % (p, EICAR_RULES) for p in planted]
        with open(manifest + '.new', 'w', encoding='utf-8') as f:
            f.write(''.join(l + '\n' for l in sorted(lines, key=lambda s: s.encode())))
        os.replace(manifest + '.new', manifest)
    return longest


def main():
    if len(sys.argv) != 5:
        sys.exit('usage: winbulk.py ROOT FILES USER MANIFEST')
    root, nfiles, user, manifest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    start = time.monotonic()
    v = Volume(root, random.Random(SEED))
    rng = v.rng
    # Where a Windows 10 volume's files are, as shares of FILES.
    areas = [('Windows/System32', .20, 'plain', 'sys32'),
             ('Windows/SysWOW64', .10, 'plain', 'sys32'),
             ('Windows/WinSxS', .10, 'sxs', 'sxs'),
             ('Windows/servicing/Packages', .03, 'plain', 'sxs'),
             ('Windows/Microsoft.NET/assembly', .05, 'plain', 'prog'),
             ('Windows/assembly/NativeImages_v4.0.30319_64', .03, 'plain', 'prog'),
             ('Windows/INF', .02, 'plain', 'sys32'),
             ('Program Files', .12, 'plain', 'prog'),
             ('Program Files (x86)', .08, 'plain', 'prog'),
             ('ProgramData/Microsoft', .07, 'plain', 'data'),
             ('Users/%s/AppData/Local/Microsoft/Edge/User Data/Default/Cache' % user, .08, 'cache', 'cache'),
             ('Users/%s/AppData/Local/Packages' % user, .04, 'plain', 'data'),
             ('Users/%s/AppData/Roaming' % user, .02, 'plain', 'data'),
             ('Users/Maria/AppData/Local/Google/Chrome/User Data/Default/Cache', .04, 'cache', 'cache'),
             ('Users/%s/Documents' % user, .01, 'plain', 'docs'),
             ('Users/Maria/Documents', .01, 'plain', 'docs')]
    system = []
    for rel, share, style, ext in areas:
        made = bulk_area(v, rel, round(nfiles * share), style, ext)
        if rel in ('Windows/System32', 'Windows/SysWOW64'):
            system += made
    for p in PROFILES:
        v.mkdir('Users/' + p)
    winsxs_links(v, system, round(nfiles * LINKS_PER_FILE))
    longest = specials(v, user, manifest)
    print('winbulk: %d files in %d folders, %d hard links, %d junctions, %d streams, '
          '%.2f GB of data, %.1f GB more in sparse files, longest path %d characters, %.0f s'
          % (v.files, v.folders, v.links, v.junctions, v.streams, v.bytes / 1e9, v.sparse / 1e9, longest,
             time.monotonic() - start))


if __name__ == '__main__':
    main()
