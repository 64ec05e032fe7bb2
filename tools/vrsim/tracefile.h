/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/tracefile.h - a recorded trace (docs/trace.md) as a scenario.
 *
 *   trace text --trace_read.c--> one record per event line (struct vrs_trec:
 *              every line checked for its operation, its keys and numbers)
 *              --trace_conv.c--> statements of the scenario language (region,
 *              get, put, complete, alloc, free, pages, ...), each given to the
 *              model check (check.c) as it is made, and to the .vrs writer
 *              (scenario_write.c) for --to-scenario.
 * The statements carry what the trace recorded (VRS_F_REC), so that the
 * player can say where a replay diverges.
 */
#ifndef VRSIM_TRACEFILE_H
#define VRSIM_TRACEFILE_H

#include <stdio.h>

#include "stmt.h"

#define VRS_TRACE_PREFIX "vrtrace: "	/* marker of trace lines in a captured log */
#define VRS_TRACE_POOLS 1024		/* pool numbers a trace may use: 1 .. 1023 */

/* One event line of a trace. */
struct vrs_trec {
	int op;				/* enum vr_trace_op */
	unsigned line;			/* line in the file */
	unsigned have;			/* the keys present (1u << K_*: trace_read.c) */
	uint32_t pool, region, seq;
	int rc;
	int phase;			/* enum vr_region_phase, -1 if absent */
	bool coherent;
	unsigned flags, perms;
	size_t size, align, off, page, npages, refs, live;
	size_t page_size, cache_line, window, phys, guard;
	char name[VRS_NAME_MAX];	/* decoded; "" if none */
	bool expect_fail;		/* expect=fail: the program expected this failure */
};

struct vrs_trace_opts {
	const char *prefix;		/* marker of trace lines in a log (NULL: VRS_TRACE_PREFIX) */
	unsigned pool;			/* the pool to play (0: the first initialised) */
	/* what-if: fields that are not 0 replace the recorded platform (page,
	 * phys, virt, line, align; guard: has_guard) */
	struct vrs_platform whatif;
	bool has_guard;
	size_t host_page;		/* the platform's page must be a multiple (0: no check) */
	FILE *scenario_out;		/* --to-scenario: the equivalent .vrs (NULL: none) */
};

/* What the reading found (for the reports). */
struct vrs_trace_info {
	unsigned lines;			/* lines of the file */
	size_t events;			/* event lines of the pool played */
	unsigned pool;			/* the pool played */
	unsigned pools;			/* pools in the trace */
	size_t other_pools;		/* event lines of other pools (not played) */
	size_t nested;			/* page events of a region operation (part of it) */
	size_t refused;			/* calls refused without effect (not played) */
	size_t unplayed;		/* page maps, unmaps and protects inside reserved
					 * runs (not modelled) */
	bool ended;			/* the pool's pool_deinit is in the trace */
	bool whatif;			/* the platform was changed (no comparison) */
};

/*
 * Read the trace in `len` bytes of `text` (from `file`, for messages) into a
 * scenario. Returns 0 (*sc ready to play with VRS_PLAY_CHECK_REC unless
 * info->whatif), -1 with diagnostics "FILE:LINE: what is wrong" in *dg (and
 * *sc empty), -2 on out of memory.
 */
int vrs_trace_load(const char *file, const char *text, size_t len,
		   const struct vrs_trace_opts *o, struct vrs_scenario *sc,
		   struct vrs_trace_info *info, struct vrs_diags *dg);

/* trace_read.c: is this text a trace (its first line, or a line with the
 * prefix, is the header)? Used to tell a trace from a scenario. */
bool vrs_trace_detect(const char *text, size_t len, const char *prefix);

/* trace_read.c: the line-by-line reader. */
struct vrs_treader;
struct vrs_treader *vrs_treader_new(const char *text, size_t len, const char *prefix,
				    struct vrs_diags *dg);
/* The next event line into *t: 1, 0 at the end, -1 on a bad line (diagnosed). */
int vrs_treader_next(struct vrs_treader *r, struct vrs_trec *t);
unsigned vrs_treader_lines(const struct vrs_treader *r);
void vrs_treader_free(struct vrs_treader *r);

/* scenario_write.c: the scenario language as text. */
void vrs_write_platform(FILE *f, const struct vrs_platform *p);
/* One statement (not repeat/end), with `comment` after it when not NULL. */
void vrs_write_stmt(FILE *f, const struct vrs_stmt *s, const char *comment);
/* Statement lines (text, len bytes) to f, consecutive repeats of a group of up
 * to 16 identical lines folded into `repeat N { ... }` when that is shorter:
 * the same events when read back. */
void vrs_write_folded(FILE *f, const char *text, size_t len);

#endif /* VRSIM_TRACEFILE_H */
