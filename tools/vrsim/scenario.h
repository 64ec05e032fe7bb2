/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/scenario.h - the scenario model of vrsim: what a .vrs file says,
 * after parsing and static checking (docs/scenarios.md is the language
 * reference).
 *
 * Stages (each its own file; vrs_load runs the first two):
 *   text  --vrs_parse() (parse.c)--> statements (stmt.h: syntax checked,
 *         numbers parsed, platform and title set)
 *         --vrs_check() (check.c)--> a flat list of events (repeat blocks
 *         unrolled, every name resolved to an id, the whole object model
 *         checked: which pipelines, modules, buffers, regions and allocations
 *         exist at each event).
 *   trace --vrs_trace_load() (trace_read.c)--> the same statements, fed one
 *         by one to the same check (trace.h).
 * Bad input yields diagnostics "FILE:LINE: what is wrong" and NO events: the
 * player never sees a scenario that does not check.
 *
 * Ids: every distinct object name (pipeline, module, buffer) gets an object id,
 * every distinct allocation name an allocation id. A name reused after destroy
 * (for example inside a repeat block) keeps its id; each creation is a new
 * instance. Regions are identified by the id of the object that owns them
 * (a pipeline created with size=, or a dp module): that is the unit the report
 * and the sizer work on.
 */
#ifndef VRSIM_SCENARIO_H
#define VRSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRS_NAME_MAX 64		/* bytes of a name, NUL included */
#define VRS_MAX_DIAGS 20	/* diagnostics kept (the first ones) */
#define VRS_MAX_EVENTS 1000000u	/* unrolled events a scenario may have */
#define VRS_MAX_NEST 16		/* nested repeat blocks */
#define VRS_MAX_REPEAT 1000000u	/* repeat count */
#define VRS_NONE UINT32_MAX	/* "no id" */
#define VRS_DP_DEFAULT_SIZE (28u * 1024u) /* dp module size= default (SOF HEAD) */

/* The platform statement (defaults: Intel ACE, see docs/scenarios.md). */
struct vrs_platform {
	size_t page;		/* page size in bytes */
	size_t phys;		/* physical pages */
	size_t virt;		/* virtual window pages */
	size_t line;		/* cache line in bytes */
	size_t align;		/* minimum alignment of every allocation */
	size_t guard;		/* guard pages after every region */
};

enum vrs_obj_kind {
	VRS_OBJ_PIPELINE = 0,
	VRS_OBJ_LL = 1,		/* ll module: shares its pipeline's region */
	VRS_OBJ_DP = 2,		/* dp module: its own region */
	VRS_OBJ_BUFFER = 3,	/* a bind: takes a reference on a region */
	VRS_OBJ_REGION = 4,	/* a bare region (`region`): references by get/put */
	VRS_OBJ_PAGES = 5,	/* a run of pages taken from the pool (`pages`) */
};
#define VRS_OBJ_KINDS 6

/* One object name (all its instances). */
struct vrs_object {
	char name[VRS_NAME_MAX];
	enum vrs_obj_kind kind;
	uint32_t pipeline;	/* modules: their pipeline's object id */
	bool owns_region;	/* pipeline with size=, dp module, region */
	bool seal;		/* created with seal (at least once) */
	size_t size;		/* region bytes (pages: page count) as first written
				 * (0: none) */
	size_t min_align;	/* region: align= as first written (0: the platform's) */
	unsigned line;		/* line of the first creation */
	unsigned instances;	/* creations in the unrolled scenario */
};

/* One allocation name. */
struct vrs_alloc_sym {
	char name[VRS_NAME_MAX];
	uint32_t owner;		/* object id of the owner (pipeline, module, buffer) */
};

enum vrs_ev_kind {
	VRS_EV_PIPELINE,	/* obj; size (0: no region); expect_fail; seal */
	VRS_EV_MODULE,		/* obj (kind ll or dp); size for dp; expect_fail; seal */
	VRS_EV_ALLOC,		/* alloc, obj = owner; size, align, coherent, expect_fail */
	VRS_EV_FREE,		/* alloc, obj = owner */
	VRS_EV_COMPLETE,	/* marker: obj = pipeline or dp module as written */
	VRS_EV_SET_INTERIM,	/* obj = region owner (follows COMPLETE); expect_fail */
	VRS_EV_START,		/* obj = pipeline */
	VRS_EV_STOP,		/* obj = pipeline */
	VRS_EV_RESET,		/* marker: obj = pipeline; interim_reset */
	VRS_EV_INTERIM_RESET,	/* obj = region owner (follows RESET interim-reset) */
	VRS_EV_BIND,		/* obj = buffer, a -> b endpoints, region_owner */
	VRS_EV_UNBIND,		/* obj = buffer */
	VRS_EV_DESTROY,		/* obj = pipeline, module or page run */
	VRS_EV_REGION,		/* obj (a bare region); size, align (min_align, 0:
				 * the platform's); expect_fail; seal; guard */
	VRS_EV_GET,		/* obj = region: one more reference */
	VRS_EV_PUT,		/* obj = region: one reference less (the last releases
				 * it, with whatever is still allocated) */
	VRS_EV_PAGES,		/* obj (a page run); size = pages; reserve; expect_fail */
};

#define VRS_F_EXPECT_FAIL (1u << 0)
#define VRS_F_COHERENT (1u << 1)
#define VRS_F_INTERIM_RESET (1u << 2)
#define VRS_F_SEAL (1u << 3)
#define VRS_F_HEAP (1u << 4)	/* bind: the buffer is in the system heap, no region */
#define VRS_F_GUARD (1u << 5)	/* region: VR_REGION_GUARD */
#define VRS_F_RESERVE (1u << 6)	/* pages: reserved (virtual only), not mapped */
#define VRS_F_REC (1u << 7)	/* the event carries a recorded result (`rec`) */
#define VRS_F_REC_FAIL (1u << 8) /* a trace recorded this call as failed */

/* One event of the unrolled scenario. */
struct vrs_event {
	uint8_t kind;		/* enum vrs_ev_kind */
	uint16_t flags;		/* VRS_F_* */
	unsigned line;		/* source line */
	uint32_t obj;		/* object id (see the kind) */
	uint32_t alloc;		/* allocation id or VRS_NONE */
	uint32_t a, b;		/* bind endpoints (object ids) or VRS_NONE */
	uint32_t region_owner;	/* bind: object id owning the region (or NONE) */
	size_t size;		/* bytes (alloc, region) */
	size_t align;		/* alloc alignment as written (0: default) */
	/* VRS_F_REC (a trace): what the recording says the call returned, to
	 * find where a replay diverges. alloc: offset from the region base;
	 * region, pages: first page index in the window; get/put: references
	 * after the call; set-interim: interim base offset. */
	size_t rec;
};

struct vrs_scenario {
	char file[256];		/* as given (for messages) */
	char title[128];	/* `title` statement, "" if none */
	struct vrs_platform plat;
	struct vrs_object *objs;
	uint32_t nobjs;
	struct vrs_alloc_sym *allocs;
	uint32_t nallocs;
	struct vrs_event *evs;
	size_t nevs;
	unsigned lines;		/* source lines */
	unsigned statements;	/* statements (before unrolling) */
	size_t expected_failures; /* events marked expect=fail */
};

/* Diagnostics of a failed parse. */
struct vrs_diag {
	unsigned line;
	char msg[200];
};
struct vrs_diags {
	struct vrs_diag d[VRS_MAX_DIAGS];
	unsigned n;		/* kept */
	unsigned total;		/* found (may exceed n) */
};

/*
 * Parse and check `len` bytes of `text` (need not be NUL-terminated) read from
 * `file` (used in messages only): vrs_parse() then vrs_check() (load.c).
 * host_page is the host's page size: the platform page size must be a
 * multiple of it (0: no check).
 * Returns 0 with *sc filled (free with vrs_scenario_free), or -1 with the
 * diagnostics in *dg and *sc empty. -2 on out of memory (one diagnostic).
 */
int vrs_load(const char *file, const char *text, size_t len, size_t host_page,
	     struct vrs_scenario *sc, struct vrs_diags *dg);

/* Start an empty scenario: *sc zeroed, its file name set, the platform at
 * its defaults (Intel ACE: docs/scenarios.md). */
void vrs_scenario_init(struct vrs_scenario *sc, const char *file);

/* Free what a load allocated; *sc is zeroed. NULL-safe. */
void vrs_scenario_free(struct vrs_scenario *sc);

/* Record a diagnostic at `line` (0: none), printf-style (diag.c). */
void vrs_diag(struct vrs_diags *dg, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print the diagnostics as "FILE:LINE: msg" lines to a stdio stream (FILE *). */
void vrs_diags_print(const struct vrs_diags *dg, const char *file, void *stream);

/* Parse a byte count: decimal or 0x hex with an optional K/k (x1024) or
 * M/m (x1048576) suffix ("96K", "96k", "0x400", "28672"). 0 or -1. */
int vrs_parse_size(const char *s, size_t *out);

/* The platform's keys, in the order of the `platform` statement:
 * "page", "phys", "virt", "line", "align", "guard". */
#define VRS_PLATFORM_KEYS 6
extern const char *const vrs_platform_keys[VRS_PLATFORM_KEYS];

/* Set platform key `key` (one of vrs_platform_keys) from the number `val`
 * (vrs_parse_size syntax). Returns 0, or -1 with the reason in msg (n bytes):
 * an unknown key or a bad number. The values are checked together by
 * vrs_platform_check. */
int vrs_platform_set(struct vrs_platform *p, const char *key, const char *val, char *msg,
		     size_t n);

/* Check a whole platform (ranges, powers of two, guard < virt, the window in
 * the address space; host_page: the page size must be a multiple of it, 0 =
 * no check). Returns 0, or -1 with the reason in msg. */
int vrs_platform_check(const struct vrs_platform *p, size_t host_page, char *msg, size_t n);

/* Object id of `name`, or VRS_NONE. O(objects). */
uint32_t vrs_find_object(const struct vrs_scenario *sc, const char *name);

/* True for the events that create a region or a page run (their failure
 * means the pool had no room). */
static inline bool vrs_ev_creates(unsigned kind)
{
	return kind == VRS_EV_PIPELINE || kind == VRS_EV_MODULE || kind == VRS_EV_REGION ||
	       kind == VRS_EV_PAGES;
}

/* Name of an event kind as written in the language ("alloc", "bind", ...). */
const char *vrs_ev_name(unsigned kind);

/* Bytes of the well-formed UTF-8 sequence starting at s (1 for ASCII, 2-4
 * for a non-overlong, non-surrogate code point up to U+10FFFF), or 0 if
 * s does not start one (s[0] == 0 included). Reads at most 4 bytes, stops
 * at a NUL. */
size_t vrs_utf8_len(const char *s);

/* True iff x is a power of two (0 is not). */
static inline bool vrs_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

/* Pages of `bytes` rounded up, without overflow (page > 0). */
static inline size_t vrs_pages(size_t bytes, size_t page)
{
	return bytes / page + (bytes % page != 0);
}

/* "pipeline", "ll module", "dp module", "buffer", "region", "page run". */
const char *vrs_kind_name(enum vrs_obj_kind kind);

/* The same with its article: "a pipeline", "an ll module", ... */
const char *vrs_kind_a(enum vrs_obj_kind kind);

/* Name of an enum vr_region_phase ("lifetime", "interim", "invalid"), "-"
 * for anything else (-1: a creation, no phase). */
const char *vrs_phase_name(int phase);

/* "s" unless n == 1: "%zu page%s", n, vrs_s(n). */
static inline const char *vrs_s(size_t n)
{
	return n == 1 ? "" : "s";
}

#endif /* VRSIM_SCENARIO_H */
