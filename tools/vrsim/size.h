/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/size.h - replay-based sizing.
 *
 * For each region (a pipeline with size= or a dp module, by name), vrsim
 * replays the WHOLE scenario with that region's size changed and every other
 * region as written, and finds the smallest number of pages with which the
 * region has no unexpected failure (no allocation, set_interim or creation
 * that the scenario does not mark expect=fail). A failed allocation or
 * complete means "too small"; a failed creation of the region means "too
 * large for the pool" (so a region that cannot be created as written is
 * sized too). The search runs from 1 page to the largest region the
 * platform can hold. The answer is confirmed by replaying it and one page
 * less (which must fail) and one page more (which must pass: if an
 * allocation fails there, the region is reported as not monotonic).
 * docs/vrsim.md explains why replay, not a formula.
 */
#ifndef VRSIM_SIZE_H
#define VRSIM_SIZE_H

#include "play.h"

enum vrs_size_status {
	VRS_SIZE_NOT_SIZED = 0,	/* not a region, or every creation expects to fail */
	VRS_SIZE_OK,		/* pages found and confirmed */
	VRS_SIZE_NONMONOTONIC,	/* found, but a larger size fails somewhere */
	VRS_SIZE_NONE,		/* no size plays clean (blocking_fail says why) */
};

struct vrs_size_rec {
	enum vrs_size_status status;
	size_t pages;			/* recommended pages (OK, NONMONOTONIC) */
	size_t bytes;			/* pages * page size */
	size_t written_pages;		/* pages as written */
	size_t max_pages;		/* the search's upper bound: the largest region
					 * the platform can hold, min(virt - guard, phys) */
	bool below_fails;		/* one page less fails (false only when pages == 1) */
	bool has_below_fail;
	struct vrs_fail below_fail;	/* first unexpected failure at one page less */
	bool above_passes;		/* one page more plays clean too */
	bool has_above_fail;
	struct vrs_fail above_fail;	/* its first failure when it does not */
	size_t nonmono_pages;		/* a larger size that fails (NONMONOTONIC) */
	/* NONE: the failure that stops every size. Either the region is too
	 * small even at max_pages (an allocation or complete fails there), or
	 * the smallest size that is not too small cannot be created (the
	 * creation failure at blocking_pages; below_fail then has the failure
	 * one page less, too small). */
	bool has_blocking_fail;
	struct vrs_fail blocking_fail;
	size_t blocking_pages;
	/* The answer holds with every other region at its recommended size: with
	 * the others as played, the pool had no room for this one (NONE). */
	bool others_recommended;
	unsigned plays;			/* replays spent on this region */
};

struct vrs_sizing {
	struct vrs_size_rec *reg;	/* sc->nobjs entries */
	unsigned plays;			/* replays in total */
	/* one more replay with every region at its recommended size */
	bool all_done;
	bool all_clean;
	size_t all_vpeak, all_ppeak;
	size_t all_unexpected;
};

/*
 * Size every region of sc. `as_written` is the result of playing sc as
 * written (it saves one replay per region). Returns 0, or a negative errno
 * when a replay could not be set up. Free with vrs_sizing_free.
 */
int vrs_size(const struct vrs_scenario *sc, const struct vrs_result *as_written,
	     struct vrs_sizing *out);

/* The same when as_written was played with size overrides `base` (sc->nobjs
 * entries, 0 = as written; vrsim --region): every replay keeps them for the
 * regions it does not size. vrs_size() is vrs_size_with(..., NULL, ...). */
int vrs_size_with(const struct vrs_scenario *sc, const struct vrs_result *as_written,
		  const size_t *base, struct vrs_sizing *out);

void vrs_sizing_free(struct vrs_sizing *s);

/* The largest region the platform can hold, in pages: min(virt - guard, phys).
 * The sizer searches from 1 page up to it. */
size_t vrs_size_max_pages(const struct vrs_scenario *sc);

/*
 * One replay with region `key` at `pages` pages (others as written).
 * Returns 1 if the region had no unexpected failure, 0 if it had (the first
 * one copied to *first when not NULL), or a negative errno.
 */
int vrs_size_try(const struct vrs_scenario *sc, uint32_t key, size_t pages,
		 struct vrs_fail *first);

#endif /* VRSIM_SIZE_H */
