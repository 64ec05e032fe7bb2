/* SPDX-License-Identifier: BSD-3-Clause */
/* tools/vrsim/scenario.c - small helpers of the scenario model: the platform
 * (defaults, keys, checks), numbers, names of kinds. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/vregion.h"

#include "scenario.h"

const char *const vrs_platform_keys[VRS_PLATFORM_KEYS] = {
	"page", "phys", "virt", "line", "align", "guard",
};

void vrs_scenario_init(struct vrs_scenario *sc, const char *file)
{
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->file, sizeof(sc->file), "%s", file ? file : "-");
	/* the defaults of docs/scenarios.md (Intel ACE) */
	sc->plat.page = 4096;
	sc->plat.phys = 320;
	sc->plat.virt = 320;
	sc->plat.line = 64;
	sc->plat.align = 64;
	sc->plat.guard = 1;
}

int vrs_platform_set(struct vrs_platform *p, const char *key, const char *val, char *msg,
		     size_t n)
{
	size_t *dst[VRS_PLATFORM_KEYS] = { &p->page, &p->phys, &p->virt, &p->line, &p->align,
					   &p->guard };
	unsigned k;

	for (k = 0; k < VRS_PLATFORM_KEYS; k++)
		if (!strcmp(key, vrs_platform_keys[k]))
			break;
	if (k == VRS_PLATFORM_KEYS) {
		snprintf(msg, n, "unknown option '%s' for 'platform' (accepted: page= phys= virt= "
			 "line= align= guard=)", key);
		return -1;
	}
	if (vrs_parse_size(val, dst[k])) {
		snprintf(msg, n, "bad number '%s' for %s (use e.g. 4096, 0x1000, 4K, 1M)", val, key);
		return -1;
	}
	return 0;
}

int vrs_platform_check(const struct vrs_platform *p, size_t host_page, char *msg, size_t n)
{
	if (!vrs_pow2(p->page) || p->page < 64 || p->page > ((size_t)1 << 20))
		snprintf(msg, n, "page must be a power of two from 64 to 1M, not %zu", p->page);
	else if (host_page && p->page % host_page)
		snprintf(msg, n, "page=%zu: vrsim maps real pages, so the page size must be a "
			 "multiple of the host page size (%zu)", p->page, host_page);
	else if (!p->phys || p->phys > (1u << 24))
		snprintf(msg, n, "phys must be a page count from 1 to 16M, not %zu", p->phys);
	else if (!p->virt || p->virt > (1u << 22))
		snprintf(msg, n, "virt must be a page count from 1 to 4M, not %zu", p->virt);
	else if (!vrs_pow2(p->line) || p->line > p->page)
		snprintf(msg, n, "line must be a power of two up to the page size, not %zu", p->line);
	else if (!vrs_pow2(p->align) || p->align < 8 || p->align > p->page)
		snprintf(msg, n, "align must be a power of two from 8 to the page size (the "
			 "library's min_align), not %zu", p->align);
	else if (p->guard >= p->virt)
		snprintf(msg, n, "guard must be less than virt (%zu), not %zu", p->virt, p->guard);
	else if (p->virt > SIZE_MAX / 4 / p->page)
		snprintf(msg, n, "the window (virt=%zu pages of %zu B) does not fit in this host's "
			 "address space", p->virt, p->page);
	else
		return 0;
	return -1;
}

/* Unsigned number: decimal or 0x hex, optional K/k (KiB) or M/m (MiB) suffix. */
int vrs_parse_size(const char *s, size_t *out)
{
	unsigned long long v = 0, mul = 1;
	const char *p = s;
	int base = 10;

	if (!s || !*s)
		return -1;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return -1;
	}
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		if (v > (ULLONG_MAX - d) / (unsigned)base)
			return -1;
		v = v * (unsigned)base + d;
	}
	if (p == s || (base == 16 && p == s + 2))
		return -1;
	if (*p == 'K' || *p == 'k')
		mul = 1024, p++;
	else if (*p == 'M' || *p == 'm')
		mul = 1024 * 1024, p++;
	if (*p)
		return -1;
	if (v > ULLONG_MAX / mul || v * mul > (unsigned long long)SIZE_MAX)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

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
		[VRS_EV_REGION] = "region", [VRS_EV_GET] = "get", [VRS_EV_PUT] = "put",
		[VRS_EV_PAGES] = "pages",
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
	case VRS_OBJ_REGION: return "region";
	case VRS_OBJ_PAGES: return "page run";
	}
	return "?";
}

const char *vrs_kind_a(enum vrs_obj_kind kind)
{
	switch (kind) {
	case VRS_OBJ_PIPELINE: return "a pipeline";
	case VRS_OBJ_LL: return "an ll module";
	case VRS_OBJ_DP: return "a dp module";
	case VRS_OBJ_BUFFER: return "a buffer";
	case VRS_OBJ_REGION: return "a region";
	case VRS_OBJ_PAGES: return "a page run";
	}
	return "?";
}

const char *vrs_phase_name(int phase)
{
	switch (phase) {
	case VR_REGION_LIFETIME: return "lifetime";
	case VR_REGION_INTERIM: return "interim";
	case VR_REGION_INVALID: return "invalid";
	default: return "-";
	}
}
