/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/secfolders.h"

#include <stdio.h>
#include <strings.h>

#include "rescue/base/winpath.h"

/* Owners: Windows' own components are owned by TrustedInstaller; what an
 * installer running elevated creates is owned by the Administrators group
 * (an administrator's token makes that group the default owner); the Windows
 * Defender data folder is created by its service, as SYSTEM. */
#define TRUSTED_INSTALLER "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
#define ADMINISTRATORS "S-1-5-32-544"
#define LOCAL_SYSTEM "S-1-5-18"

#define PF SECFOLDER_PROGRAM_FILES
#define PD SECFOLDER_PROGRAM_DATA

const struct secfolder secfolders[] = {
	{ "Program Files/Windows Defender", "Microsoft Defender", PF, TRUSTED_INSTALLER },
	{ "Program Files (x86)/Windows Defender", "Microsoft Defender", PF, TRUSTED_INSTALLER },
	{ "Program Files/Windows Defender Advanced Threat Protection", "Microsoft Defender for Endpoint", PF,
	  TRUSTED_INSTALLER },
	{ "ProgramData/Microsoft/Windows Defender", "Microsoft Defender", PD, LOCAL_SYSTEM },
	{ "Program Files/Microsoft Security Client", "Microsoft Security Essentials", PF, ADMINISTRATORS },
	{ "Program Files/Malwarebytes", "Malwarebytes", PF, ADMINISTRATORS },
	{ "ProgramData/Malwarebytes", "Malwarebytes", PD, ADMINISTRATORS },
	{ "Program Files/ESET", "ESET", PF, ADMINISTRATORS },
	{ "ProgramData/ESET", "ESET", PD, ADMINISTRATORS },
	{ "Program Files/AVAST Software", "Avast", PF, ADMINISTRATORS },
	{ "ProgramData/AVAST Software", "Avast", PD, ADMINISTRATORS },
	{ "Program Files/AVG", "AVG", PF, ADMINISTRATORS },
	{ "ProgramData/AVG", "AVG", PD, ADMINISTRATORS },
	{ "Program Files/Kaspersky Lab", "Kaspersky", PF, ADMINISTRATORS },
	{ "Program Files (x86)/Kaspersky Lab", "Kaspersky", PF, ADMINISTRATORS },
	{ "ProgramData/Kaspersky Lab", "Kaspersky", PD, ADMINISTRATORS },
	{ "Program Files/Bitdefender", "Bitdefender", PF, ADMINISTRATORS },
	{ "ProgramData/Bitdefender", "Bitdefender", PD, ADMINISTRATORS },
	{ "Program Files/Sophos", "Sophos", PF, ADMINISTRATORS },
	{ "Program Files (x86)/Sophos", "Sophos", PF, ADMINISTRATORS },
	{ "ProgramData/Sophos", "Sophos", PD, ADMINISTRATORS },
	{ "Program Files/McAfee", "McAfee", PF, ADMINISTRATORS },
	{ "Program Files (x86)/McAfee", "McAfee", PF, ADMINISTRATORS },
	{ "ProgramData/McAfee", "McAfee", PD, ADMINISTRATORS },
	{ "Program Files/Symantec", "Symantec", PF, ADMINISTRATORS },
	{ "Program Files (x86)/Symantec", "Symantec", PF, ADMINISTRATORS },
	{ "ProgramData/Symantec", "Symantec", PD, ADMINISTRATORS },
	{ "Program Files/Trend Micro", "Trend Micro", PF, ADMINISTRATORS },
	{ "Program Files (x86)/Trend Micro", "Trend Micro", PF, ADMINISTRATORS },
	{ "ProgramData/Trend Micro", "Trend Micro", PD, ADMINISTRATORS },
	{ "Program Files/CrowdStrike", "CrowdStrike Falcon", PF, ADMINISTRATORS },
};
const size_t secfolders_n = sizeof(secfolders) / sizeof(secfolders[0]);

const struct secfolder *secfolder_of(const char *rel)
{
	for (size_t i = 0; i < secfolders_n; i++) {
		char below[256];
		snprintf(below, sizeof(below), "%s/**", secfolders[i].path);
		if (strcasecmp(rel, secfolders[i].path) == 0 || winpath_glob(below, rel, '/'))
			return &secfolders[i];
	}
	return NULL;
}
