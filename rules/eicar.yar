// SPDX-License-Identifier: GPL-2.0-or-later
// The EICAR anti-malware test file: a 68-byte COM program that every scanner
// detects by agreement, used to prove the scan and quarantine path end to end.
rule EICAR_Test_File
{
    meta:
        description = "EICAR anti-malware test file"
        based_on = "the published EICAR test string (eicar.org), which may be followed by whitespace only"
        family = "test"
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar at 0 and filesize <= 128
}
