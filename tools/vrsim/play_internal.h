/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/play_internal.h - private to the player: the state of one play,
 * shared by play.c (the events) and play_pool.c (the pool's timeline, the
 * snapshot at the peak, the leak check, the -v log).
 */
#ifndef VRSIM_PLAY_INTERNAL_H
#define VRSIM_PLAY_INTERNAL_H

#include "vregion/vpage.h"
#include "vregion/vregion.h"

#include "play.h"

struct rt_region {
	struct vr_region *vr;
	uint32_t key;			/* owner object id */
	uint32_t refs;
	bool live;
	size_t bytes;			/* bytes in use at its last observation */
	size_t vwork;			/* events since its last validate walk */
	size_t swork, scost;		/* events since its last statistics, and their cost */
	uint32_t interim;		/* head of its live interim allocations */
	size_t span;			/* its entry in r->spans (RECORD), or SIZE_MAX */
};

struct rt_obj {
	bool alive;
	bool reserve;			/* page run: reserved, not allocated */
	uint32_t reg;			/* rt_region index used, VRS_NONE if none */
	uint32_t head;			/* first live allocation (alloc id) */
	void *pages;			/* page run: its first page, NULL if none */
	size_t span;			/* page run: its entry in r->spans, or SIZE_MAX */
};

struct rt_alloc {
	void *p;
	size_t size;
	uint32_t reg;
	uint32_t prev, next;		/* in the owner's list */
	uint32_t iprev, inext;		/* in the region's interim list */
	bool live;
	bool interim;
	uint8_t fill;
};

struct pctx {
	const struct vrs_scenario *sc;
	const struct vrs_play_opts *o;
	struct vrs_result *r;
	struct vr_port port;
	struct vr_vpage_pool pool;
	struct rt_obj *ob;
	struct rt_alloc *al;
	struct rt_region *rg;
	size_t nrg, caprg;
	size_t ev;
	unsigned line;
	FILE *log;
	bool verbose;
	bool validate;
	bool record;
	bool check_rec;			/* compare with what a trace recorded */
	bool pool_dirty;		/* the event may have changed the pool */
	size_t pool_vwork;		/* pool events since its last validate walk */
	size_t traced;			/* events written to opts.trace_out */
	size_t bytes_total;		/* bytes in use in every live region */
	size_t cap_spans;
	size_t snap_bytes;		/* bytes_total at the chosen peak */
	struct vr_vpage_stats ps;	/* the pool after the last pool event */
	char note[256];			/* verbose: outcome of the current event */
	char interim_note[160];		/* verbose: what `complete` gave (set-interim) */
	char libmsg[1024];		/* verbose: library messages of the current event */
};

/* play.c */
void vrs_liberr(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *vrs_oname(struct pctx *c, uint32_t id);
void vrs_observe(struct pctx *c, uint32_t reg, bool force);
void vrs_play_event(struct pctx *c, const struct vrs_event *e);
bool vrs_walk_due(size_t *work, size_t cost);
bool vrs_due(size_t *work, size_t cost, size_t ratio);

/* play_pool.c */
void vrs_pool_sample(struct pctx *c);
void vrs_snapshot(struct pctx *c);
int vrs_finish(struct pctx *c);
void vrs_log_event(struct pctx *c, const struct vrs_event *e);
size_t vrs_span_open(struct pctx *c, uint32_t owner, size_t vpages, size_t ppages);
void vrs_span_close(struct pctx *c, size_t span);

#endif /* VRSIM_PLAY_INTERNAL_H */
