/* SPDX-License-Identifier: BSD-3-Clause */
/* tools/vrsim/scenario.c - small helpers of the scenario model. */
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

void vrs_scenario_free(struct vrs_scenario *sc)
{
	if (!sc)
		return;
	free(sc->objs);
	free(sc->allocs);
	free(sc->evs);
	memset(sc, 0, sizeof(*sc));
}

uint32_t vrs_find_object(const struct vrs_scenario *sc, const char *name)
{
	uint32_t i;

	for (i = 0; i < sc->nobjs; i++)
		if (!strcmp(sc->objs[i].name, name))
			return i;
	return VRS_NONE;
}

const char *vrs_ev_name(unsigned kind)
{
	static const char *const n[] = {
		[VRS_EV_PIPELINE] = "pipeline", [VRS_EV_MODULE] = "module",
		[VRS_EV_ALLOC] = "alloc", [VRS_EV_FREE] = "free",
		[VRS_EV_COMPLETE] = "complete", [VRS_EV_SET_INTERIM] = "set-interim",
		[VRS_EV_START] = "start", [VRS_EV_STOP] = "stop", [VRS_EV_RESET] = "reset",
		[VRS_EV_INTERIM_RESET] = "interim-reset", [VRS_EV_BIND] = "bind",
		[VRS_EV_UNBIND] = "unbind", [VRS_EV_DESTROY] = "destroy",
	};

	return kind < sizeof(n) / sizeof(n[0]) && n[kind] ? n[kind] : "?";
}

size_t vrs_utf8_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i;
	uint32_t cp;

	if (u[0] == 0)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2, cp = u[0] & 0x1fu;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3, cp = u[0] & 0x0fu;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4, cp = u[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

const char *vrs_kind_name(enum vrs_obj_kind kind)
{
	switch (kind) {
	case VRS_OBJ_PIPELINE: return "pipeline";
	case VRS_OBJ_LL: return "ll module";
	case VRS_OBJ_DP: return "dp module";
	case VRS_OBJ_BUFFER: return "buffer";
	}
	return "?";
}
