/* SPDX-License-Identifier: BSD-3-Clause */
/* version.c - the run-time version query (vregion/version.h). */
#include "vregion/version.h"

const char *vr_version(void)
{
	return VREGION_VERSION_STRING;
}

unsigned long vr_version_number(void)
{
	return (unsigned long)VREGION_VERSION_NUMBER;
}
