#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fwrule-grammar.py - check Windows Firewall rule strings against the grammar
of [MS-GPFAS] 2.2.2 ("Firewall Rule Messages"), written from the
specification alone (rescue's C code is not consulted), so the rules rescue
writes are judged by a reading of the spec that is not rescue's own.

Reads one rule string per line on stdin (as `hivexget` prints a value).
Prints "ok" or, for each bad line, "line N: why" and exits 1.

Reading of the spec, where it leaves room:
  - STR-VAL is "1*ALPHANUM" with ALPHANUM undefined; Windows' own rules use
    spaces, '@', '%', ',' and '\\' in names, so any character but '|'.
  - ADDRV6 is "a string representing an IPv6 address" [RFC4291]: checked
    with Python's ipaddress module.
  - V4PREFIX-LENGTH MUST be less than 32, V6PREFIX-LENGTH less than 128.
With --ours, also what rescue's rules must be: Action=Block, Active=TRUE,
and a remote address on every outbound rule (an outbound block rule
without one would cut the machine off)."""
import ipaddress
import re
import sys

PROFILE = {"Domain", "Private", "Public"}
ACTION = {"Allow", "Block", "ByPass"}
DIR = {"In", "Out"}
BOOL = {"TRUE", "FALSE"}
IFSECURE = {"Authenticate", "AuthenticateEncrypt"}
LPORT_KW = {"RPC", "RPC-EPMap", "Teredo"}
LPORT_KW_2_10 = {"IPTLSIn", "IPHTTPSIn"}
RPORT_KW_2_10 = {"IPTLSOut", "IPHTTPSOut"}
LPORT_KW_2_20 = {"DHCP", "Ply2Disc", "mDNS", "TcpCDPSvc"}
ADDR_KW = {"LocalSubnet", "DNS", "DHCP", "WINS", "DefaultGateway"}
ADDR_KW_2_20 = {"IntrAnet", "IntErnet", "Ply2Renders", "RmtIntrAnet", "CaptivePortal"}
IFTYPE = {"Lan", "Wireless", "RemoteAccess"}
DEFER = {"App", "User"}
TTK = {"Proximity", "ProxSharing"}
TTK_2_22 = {"WFDPrint", "WFDDisplay", "WFDDevices"}
TTK_2_27 = {"WFDKmDriver", "UPnP"}
TTK_2_28 = {"WFDCDPSvc"}

DIGITS = re.compile(r"^[0-9]+$")


def number(s, maxdigits, maxval):
    return bool(DIGITS.match(s)) and len(s) <= maxdigits and int(s) <= maxval


def port(s):
    return number(s, 5, 65535)


def port_range(s):
    parts = s.split("-")
    return len(parts) == 2 and port(parts[0]) and port(parts[1]) and int(parts[0]) <= int(parts[1])


def addrv4(s):
    parts = s.split(".")
    return len(parts) == 4 and all(number(p, 3, 255) for p in parts)


def v4int(s):
    return int(ipaddress.IPv4Address(s))


def addrv4_range(s):
    if "-" in s:
        a, _, b = s.partition("-")
        return addrv4(a) and addrv4(b) and v4int(a) <= v4int(b)
    return addrv4(s)


def addrv4_subnet(s):
    a, sep, m = s.partition("/")
    if not sep or not addrv4(a):
        return False
    if addrv4(m):
        return True
    return bool(DIGITS.match(m)) and len(m) <= 2 and int(m) < 32


def addrv6(s):
    try:
        ipaddress.IPv6Address(s)
        return True
    except ValueError:
        return False


def addrv6_range(s):
    if "-" in s:
        a, _, b = s.partition("-")
        return addrv6(a) and addrv6(b) and int(ipaddress.IPv6Address(a)) <= int(ipaddress.IPv6Address(b))
    return addrv6(s)


def addrv6_subnet(s):
    a, sep, m = s.partition("/")
    return bool(sep) and addrv6(a) and bool(DIGITS.match(m)) and len(m) <= 3 and int(m) < 128


def strval(s):
    return len(s) >= 1


def version(s):
    m = re.match(r"^([0-9]{1,3})\.([0-9]{1,3})$", s)
    return bool(m) and int(m.group(1)) <= 255 and int(m.group(2)) <= 255


def icmp(s):
    t, sep, c = s.partition(":")
    return bool(sep) and number(t, 3, 255) and (c == "*" or number(c, 3, 255))


def platform(s):
    p = s.split(":")
    return len(p) == 3 and bool(DIGITS.match(p[0])) and int(p[0]) <= 7 and number(p[1], 3, 255) and \
        number(p[2], 3, 255)


GUID = re.compile(r"^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$")

# token: (check of the value, at most once, minimum version or None)
TOKENS = {
    "Action": (lambda v: v in ACTION, True, None),
    "Dir": (lambda v: v in DIR, True, None),
    "Profile": (lambda v: v in PROFILE, False, None),
    "Protocol": (lambda v: number(v, 3, 255), True, None),
    "LPort": (lambda v: port(v) or v in LPORT_KW, False, None),
    "RPort": (port, False, None),
    "LPort2_10": (lambda v: port_range(v) or v in LPORT_KW_2_10, False, None),
    "RPort2_10": (lambda v: port_range(v) or v in RPORT_KW_2_10, False, None),
    "Security": (lambda v: v in IFSECURE, True, None),
    "Security2_9": (lambda v: v == "An-NoEncap", True, (2, 9)),
    "Security2": (lambda v: v == "AnE-Nego", True, (2, 10)),
    "IF": (lambda v: bool(GUID.match(v)), False, None),
    "IFType": (lambda v: v in IFTYPE, False, None),
    "App": (strval, True, None),
    "Svc": (strval, True, None),
    "LA4": (lambda v: addrv4_range(v) or addrv4_subnet(v), False, None),
    "RA4": (lambda v: addrv4_range(v) or addrv4_subnet(v) or v in ADDR_KW, False, None),
    "LA6": (lambda v: addrv6_range(v) or addrv6_subnet(v), False, None),
    "RA6": (lambda v: addrv6_range(v) or addrv6_subnet(v) or v in ADDR_KW, False, None),
    "Name": (strval, True, None),
    "Desc": (strval, True, None),
    "EmbedCtxt": (strval, True, None),
    "Edge": (lambda v: v in BOOL, True, None),
    "Defer": (lambda v: v in DEFER, True, (2, 10)),
    "LSM": (lambda v: v in BOOL, True, None),
    "Active": (lambda v: v in BOOL, True, None),
    "ICMP4": (icmp, False, None),
    "ICMP6": (icmp, False, None),
    "Platform": (platform, False, None),
    "RMAuth": (strval, True, None),
    "RUAuth": (strval, True, None),
    "AuthByPassOut": (lambda v: v in BOOL, True, None),
    "SkipVer": (version, False, None),
    "LOM": (lambda v: v in BOOL, True, None),
    "Platform2": (lambda v: v == "GTEQ", False, None),
    "PCross": (lambda v: v in BOOL, True, None),
    "LUAuth": (strval, True, None),
    "RA42": (lambda v: v in ADDR_KW_2_20, False, None),
    "RA62": (lambda v: v in ADDR_KW_2_20, False, None),
    "LUOwn": (strval, True, None),
    "AppPkgId": (strval, True, None),
    "LPort2_20": (lambda v: v in LPORT_KW_2_20, False, None),
    "TTK": (lambda v: v in TTK, False, None),
    "TTK2_22": (lambda v: v in TTK_2_22, False, None),
    "TTK2_27": (lambda v: v in TTK_2_27, False, None),
    "TTK2_28": (lambda v: v in TTK_2_28, False, None),
    "LUAuth2_24": (strval, True, None),
    "NNm": (strval, True, None),
    "SecurityRealmId": (strval, True, None),
}
PORT_TOKENS = {"LPort", "RPort", "LPort2_10", "RPort2_10"}


def check(rule, ours):
    """None when RULE parses, else why not."""
    if not rule.startswith("v") or "|" not in rule:
        return "does not start with v VERSION |"
    ver, _, rest = rule[1:].partition("|")
    if not version(ver):
        return "bad VERSION %r" % ver
    vnum = tuple(int(x) for x in ver.split("."))
    if not rest or not rest.endswith("|"):
        return "no FIELD, or the last FIELD does not end in |"
    seen = {}
    protocol = None
    for field in rest[:-1].split("|"):
        tok, eq, val = field.partition("=")
        if not eq:
            return "FIELD %r has no '='" % field
        if tok not in TOKENS:
            return "unknown token %r" % tok
        ok, once, minver = TOKENS[tok]
        if not ok(val):
            return "bad value for %s: %r" % (tok, val)
        if once and tok in seen:
            return "%s appears twice" % tok
        if minver and vnum < minver:
            return "%s needs version %d.%d" % ((tok,) + minver)
        if tok == "Protocol":
            protocol = int(val)
        if tok in PORT_TOKENS and protocol not in (6, 17):
            return "%s without an earlier Protocol=6 or 17" % tok
        if tok == "ICMP4" and protocol != 1 or tok == "ICMP6" and protocol != 58:
            return "%s without the matching Protocol" % tok
        seen.setdefault(tok, []).append(val)
    if any(t in seen for t in PORT_TOKENS) and ("ICMP4" in seen or "ICMP6" in seen):
        return "ports and ICMP in one rule"
    if ours:
        if seen.get("Action") != ["Block"] or seen.get("Active") != ["TRUE"]:
            return "not an active block rule"
        if seen.get("Dir") == ["Out"] and not ("RA4" in seen or "RA6" in seen):
            return "an outbound block rule without a remote address"
    return None


def main():
    ours = "--ours" in sys.argv[1:]
    bad = 0
    n = 0
    for i, line in enumerate(sys.stdin, 1):
        line = line.rstrip("\r\n")
        if not line:
            continue
        n += 1
        why = check(line, ours)
        if why:
            bad += 1
            print("line %d: %s" % (i, why))
    if n == 0:
        print("no rule read")
        return 1
    if not bad:
        print("ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
