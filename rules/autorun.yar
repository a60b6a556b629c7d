// SPDX-License-Identifier: GPL-2.0-or-later
// autorun.inf worms (Qakbot's USB spreading among them): an autorun.inf at
// the root of a volume whose [autorun] section starts a program.  The root
// restriction uses the scanner's `relpath` external (volume-relative,
// '/'-separated) so that an installer CD copied into Program Files, whose
// autorun.inf legitimately says open=setup.exe, is not reported.
// Externals: relpath (string; rescue/scan/externals.h).

rule Autorun_Inf_Starts_Program
{
    meta:
        description = "autorun.inf at the volume root whose [autorun] section runs a program (open=, shellexecute= or shell\\...\\command=)"
        based_on = "Microsoft's documentation of the autorun.inf [autorun] keys (open, shellexecute, shell\\verb\\command) and public descriptions of worms, Qakbot among them, that copy themselves to drive roots with such a file"
        family = "Autorun-Worm"
        severity = "high"
    strings:
        $section = "[autorun]" ascii wide nocase
        // The regex starts with a literal key name so YARA has an atom to
        // anchor on; the value must name an executable file type.
        $open = /open[ \t]*=[^\r\n]{1,260}\.(exe|com|scr|pif|bat|cmd|vbs|vbe|js|jse|wsf|dll|cpl)/ nocase
        $shellexec = /shellexecute[ \t]*=[^\r\n]{1,260}\.(exe|com|scr|pif|bat|cmd|vbs|vbe|js|jse|wsf|dll|cpl)/ nocase
        $command = /\\command[ \t]*=[^\r\n]{1,260}\.(exe|com|scr|pif|bat|cmd|vbs|vbe|js|jse|wsf|dll|cpl)/ nocase
    condition:
        filesize < 64KB and relpath matches /^autorun\.inf$/i and $section and any of ($open, $shellexec, $command)
}
