// SPDX-License-Identifier: GPL-2.0-or-later
// Where Qakbot lives: a PE executable directly inside a randomly named folder
// under %APPDATA%\Microsoft\ (Users\<name>\AppData\Roaming\Microsoft\<random>\
// on Vista and later, Documents and Settings\<name>\Application Data\
// Microsoft\<random>\ on XP).  Uses the scanner's `relpath` external
// (volume-relative, '/'-separated); no strings, so it costs no scanning time.
// Externals: relpath (string; rescue/scan/externals.h).

rule Executable_In_AppData_Microsoft_Random_Folder
{
    meta:
        description = "PE executable directly inside a letters-only folder under %APPDATA%\\Microsoft\\ that Windows and Office do not use"
        based_on = "public descriptions of Qakbot installing its executable/DLL as %APPDATA%\\Microsoft\\<random letters>\\<random>.exe|.dll; the folder names Microsoft software itself uses there are excluded"
        family = "Qakbot"
        severity = "medium"
    condition:
        uint16(0) == 0x5A4D and filesize < 32MB and
        uint32(uint32(0x3C)) == 0x00004550 and
        relpath matches /^(Users\/[^\/]+\/AppData\/Roaming|Documents and Settings\/[^\/]+\/Application Data)\/Microsoft\/[A-Za-z]{4,16}\/[^\/]+$/i and
        not relpath matches /\/Microsoft\/(AddIns|Credentials|Crypto|Document Building Blocks|Excel|Installer|Internet Explorer|MMC|Network|Office|OneNote|Outlook|PowerPoint|Proof|Protect|Signatures|Skype|Speech|Spelling|Stationery|SystemCertificates|Teams|Templates|UProof|Vault|Windows|Word)\//i
}
