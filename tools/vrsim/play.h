/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/play.h - play a checked scenario on the real library (posix
 * port: memfd physical pages, mmap page tables, guard pages that fault) and
 * record what happened: per region, per pool, over time, and at the end
 * (leak check).
 *
 * One play builds its own port and pool from the scenario's platform and
 * tears them down at the end, so plays are independent and repeatable: the
 * sizer (size.h) replays the same scenario with one region's size changed.
 */
#ifndef VRSIM_PLAY_H
#define VRSIM_PLAY_H

#include <stdio.h>

#include "scenario.h"

#define VRS_PLAY_RECORD (1u << 0)	/* timeline, pool peaks, snapshot at peak */
#define VRS_PLAY_VALIDATE (1u << 1)	/* validate after every event, fill patterns */
#define VRS_PLAY_VERBOSE (1u << 2)	/* log every event to opts.log */
#define VRS_PLAY_CHECK_REC (1u << 3)	/* a trace: compare with what it recorded */
/* Only what decides region opts.region: the other regions' allocations,
 * frees and phase changes are not played (they do not touch the pool); their
 * records say nothing then. For the sizer's replays. */
#define VRS_PLAY_ONE_REGION (1u << 4)

#define VRS_MAX_FAILS 8		/* failures kept per region (all are counted) */
#define VRS_MAX_REFHIST 256	/* refcount changes kept per region */
#define VRS_MAX_LIBERR 8	/* library errors kept */
#define VRS_MAX_LEAKS 16	/* leak lines kept */
#define VRS_MAX_DIVERGE 8	/* divergences from a trace kept */
/* VRS_PLAY_VALIDATE's walks cost at most this many units (granules, blocks,
 * window pages) per event on average (play.c: vrs_walk_due). */
#define VRS_VALIDATE_RATIO 64
/* A region's statistics cost O(its lifetime granules) (vr_region_get_stats):
 * they are read after every event of a region of up to this many granules,
 * every granules / ratio events beyond (play.c: stats_due). */
#define VRS_STATS_RATIO 4096

struct vrs_play_opts {
	unsigned flags;			/* VRS_PLAY_* */
	/* Region bytes per object id (sc->nobjs entries; 0 = as written), or
	 * NULL to play every region as written. */
	const size_t *size_override;
	FILE *log;			/* VRS_PLAY_VERBOSE output (stderr if NULL) */
	/* The library's trace of this play (docs/trace.md) is written here, or
	 * NULL; the snapshot's replay is not traced. */
	FILE *trace_out;
	uint32_t region;		/* VRS_PLAY_ONE_REGION: its owner object id */
};

/* One failed (or surprising) event. */
struct vrs_fail {
	size_t event;			/* index in sc->evs */
	unsigned line;
	uint8_t kind;			/* enum vrs_ev_kind */
	bool expected;			/* marked expect=fail */
	bool surprise;			/* expected to fail but succeeded */
	uint32_t alloc;			/* allocation id or VRS_NONE */
	size_t size;			/* bytes asked (alloc, region) */
	size_t largest_free;		/* interim: largest free block then; lifetime: bytes
					 * left; creation: largest free virtual run in bytes */
	size_t phys_free;		/* creation: physical pages free then (else 0) */
	int phase;			/* region phase at the time (enum vr_region_phase),
					 * -1 for a creation */
};

struct vrs_refpoint {
	unsigned line;
	uint32_t refs;
};

/* What one region (by owner object id) did over the whole play. */
struct vrs_region_rec {
	bool is_region;			/* the object owns a region */
	unsigned instances;		/* creations attempted */
	unsigned created;		/* creations that succeeded */
	size_t requested;		/* bytes asked at create (as played) */
	size_t pages;			/* pages of the region */
	size_t lifetime_used;		/* max lifetime bytes bumped (padding incl.) */
	size_t lifetime_size;		/* max lifetime part after set_interim */
	size_t interim_size;		/* max bytes given to the interim heap */
	size_t interim_peak;		/* max interim bytes used (heap headers incl.) */
	size_t largest_free_at_peak;	/* interim largest free block at that peak */
	unsigned peak_line;		/* line of the interim peak */
	size_t allocs, frees;		/* successful calls */
	size_t unexpected;		/* failures not marked expect=fail */
	size_t create_unexpected;	/* of which creations of the region */
	size_t expected;		/* failures marked expect=fail */
	size_t surprises;		/* expect=fail events that succeeded */
	size_t invalid;			/* set_interim that left the region INVALID */
	struct vrs_fail fails[VRS_MAX_FAILS];
	unsigned nfails;
	uint32_t refs_max;
	struct vrs_refpoint refhist[VRS_MAX_REFHIST];
	unsigned nrefhist;
	bool refhist_truncated;
	size_t outstanding_at_release;	/* live allocations when the last put released it */
};

/* A run of the virtual window in the snapshot at peak. */
struct vrs_snap_run {
	size_t first;			/* page index in the window */
	size_t pages;
	uint32_t owner;			/* region owner object id, VRS_NONE if unknown */
	int phase;			/* enum vr_region_phase; -1: not a region */
	size_t lifetime_size, lifetime_used;
	size_t interim_size, interim_used, interim_largest;
};

struct vrs_snapshot {
	size_t event;			/* index of the event after which it was taken */
	unsigned line;
	size_t vused, pmapped;
	size_t bytes_used;		/* lifetime + interim bytes used in all regions */
	struct vrs_snap_run *runs;
	size_t nruns;
};

/* A region or page run holding virtual pages from one event to another
 * (RECORD): who holds the pages at each moment. */
struct vrs_span {
	uint32_t owner;			/* object id */
	size_t from, to;		/* events [from, to): created after `from`,
					 * released after `to`; to = events if never */
	size_t vpages;			/* virtual pages taken (guard pages included) */
	size_t ppages;			/* physical pages mapped */
};

struct vrs_sample {
	uint32_t vused;			/* virtual pages taken (guard pages included) */
	uint32_t pmapped;		/* physical pages mapped */
};

/* The work of a play, counted (tests bound it per event: issue 10.6). */
struct vrs_work {
	size_t region_stats;		/* vr_region_get_stats calls */
	size_t region_stats_units;	/* their cost: lifetime granules (+1 each) */
	size_t region_validates;	/* vr_region_validate walks */
	size_t region_validate_units;	/* their cost: granules + live blocks */
	size_t pool_stats;		/* vr_vpage_get_stats calls */
	size_t pool_validates;		/* vr_vpage_validate walks */
	size_t pool_validate_units;	/* their cost: window pages */
	size_t snapshot_runs;		/* runs of the window looked at for snapshots */
	size_t snapshots;		/* snapshots taken (1 per RECORD play with a peak) */
};

struct vrs_result {
	size_t events;			/* events played */
	struct vrs_region_rec *reg;	/* sc->nobjs entries (is_region marks regions) */
	size_t unexpected, expected, surprises;
	size_t skipped;			/* events skipped because an owner failed before */

	/* pool (VRS_PLAY_RECORD) */
	size_t vpeak, ppeak;
	unsigned vpeak_line, ppeak_line;
	size_t frag_free_at_peak, frag_largest_at_peak;	/* free pages, largest free run */
	size_t min_largest_run;		/* smallest "largest free run" seen */
	unsigned min_largest_line;
	double worst_frag;		/* max 1 - largest/free seen (free > 0) */
	unsigned worst_frag_line;
	size_t worst_frag_free, worst_frag_largest;
	struct vrs_sample *samples;	/* one per event (RECORD) */
	struct vrs_snapshot snap;	/* at the virtual peak (RECORD) */
	struct vrs_span *spans;		/* every creation that succeeded, in order (RECORD) */
	size_t nspans;

	/* library misbehaviour: validate failures, bad return values, patterns */
	char liberr[VRS_MAX_LIBERR][160];
	unsigned nliberr, liberr_total;

	/* a trace (VRS_PLAY_CHECK_REC): where the replay differs from the
	 * recording (the first ones, "line N: ..."), and the first such event */
	char diverge[VRS_MAX_DIVERGE][200];
	unsigned ndiverge, diverge_total;
	size_t diverge_event;

	/* leak check at the end */
	bool leak_ok;
	size_t leak_vpages, leak_ppages, leak_allocs, leak_regions;
	char leaks[VRS_MAX_LEAKS][160];
	unsigned nleaks, leaks_total;

	int setup_error;		/* negative errno if the port/pool could not be made */
	struct vrs_work work;		/* what it cost (the snapshot's play included) */
};

/*
 * Play sc with opts. Returns 0 when the scenario was played (whatever its
 * outcome: see r), or a negative errno when the port or pool could not be
 * set up (r->setup_error, nothing played). Free r with vrs_result_free.
 */
int vrs_play(const struct vrs_scenario *sc, const struct vrs_play_opts *opts,
	     struct vrs_result *r);

void vrs_result_free(struct vrs_result *r);

/* True iff the play went as written: no unexpected failure, no surprise, no
 * library error, no divergence from a trace, no leak. */
bool vrs_result_clean(const struct vrs_result *r);

#endif /* VRSIM_PLAY_H */
