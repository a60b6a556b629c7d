// SPDX-License-Identifier: GPL-2.0-or-later
// Qakbot (QBot, Pinkslipbot, W32.Qakbot): indicators across its versions,
// written by us from public descriptions of the family (vendor write-ups of
// 2009-2013 QBot, analyses of the 2020-2023 DLL stagers).  Every string is a
// long literal so that YARA gets good atoms: no short or wildcard regexes here
// (one weak-atom regex made a 50-rule set three times slower).
// Externals: none.  The scanner defines those of rescue/scan/externals.h, unused here.

rule Qakbot_Legacy_Component_Names
{
    meta:
        description = "QBot 2009-2013: names of its own component files and configuration keys"
        based_on = "public write-ups of early W32.Qakbot listing the component files it drops (_qbot.dll, _qbotinj.exe, _qbotnti.exe, the _qbot.cb configuration) and the qbot_version / qbothome configuration names it keeps in clear text"
        family = "Qakbot"
        severity = "high"
    strings:
        $c1 = "_qbotinj.exe" ascii wide nocase
        $c2 = "_qbotnti.exe" ascii wide nocase
        $c3 = "_qbot.dll" ascii wide nocase
        $c4 = "_qbot.cb" ascii wide nocase
        $k1 = "qbot_version" ascii wide nocase
        $k2 = "qbothome" ascii wide nocase
    condition:
        filesize < 16MB and 2 of them
}

rule Qakbot_Stager_Internal_Name
{
    meta:
        description = "Qakbot 2020-2022 DLL stager: the internal module name kept in its export directory"
        based_on = "public analyses of Qakbot DLL payloads loaded with regsvr32/rundll32, which name the module stager_1.dll in the export directory and export DllRegisterServer"
        family = "Qakbot"
        severity = "high"
    strings:
        $name = "stager_1.dll" ascii
        $export = "DllRegisterServer" ascii
    condition:
        uint16(0) == 0x5A4D and filesize < 16MB and $name and $export
}

rule Qakbot_Hardcoded_Key_2023
{
    meta:
        description = "Qakbot 2023-2024 builds: the hard-coded passphrase from which the string and configuration key is derived"
        based_on = "public reverse-engineering reports of Qakbot builds from 2023 on, which quote this 40-character passphrase (hashed to the decryption key) as present in clear in the binary"
        family = "Qakbot"
        severity = "high"
    strings:
        $key = "bUdiuy81gYguty@4frdRdpfko(eKmudeuMncueaN" ascii wide
    condition:
        $key
}

rule Qakbot_Schtasks_Persistence
{
    meta:
        description = "Qakbot persistence: a SYSTEM scheduled task, run once, that starts its DLL through regsvr32 -s"
        based_on = "public descriptions of the scheduled-task command line Qakbot builds for persistence and spreading (schtasks /Create /RU \"NT AUTHORITY\\SYSTEM\" ... /SC ONCE /Z ... regsvr32.exe -s)"
        family = "Qakbot"
        severity = "high"
    strings:
        $ru = "/RU \"NT AUTHORITY\\SYSTEM\"" ascii wide nocase
        $once = "/SC ONCE /Z" ascii wide nocase
        $regsvr = "regsvr32.exe -s" ascii wide nocase
    condition:
        filesize < 16MB and all of them
}
