/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/size.c - replay-based sizing (see size.h): binary search over
 * page counts for each region, then the neighbours are replayed to confirm
 * that the answer plays clean, one page less fails and one page more passes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"

/* What one replay says about region `key`. */
enum { T_SMALL = 0, T_CLEAN = 1, T_BIG = 2 };

/* Unexpected failures of the region that are not creations: too small. */
static size_t small_fails(const struct vrs_region_rec *q)
{
	return q->unexpected - q->create_unexpected;
}

static int outcome(const struct vrs_region_rec *q)
{
	return !q->unexpected ? T_CLEAN : small_fails(q) ? T_SMALL : T_BIG;
}

/* Replay with `key` at `pages`. Returns T_* or a negative errno; *first gets
 * the first unexpected failure of the kind that decided (when not NULL). */
static int try_sizes(const struct vrs_scenario *sc, size_t *ov, uint32_t key, size_t pages,
		     struct vrs_fail *first)
{
	struct vrs_play_opts o = { .flags = VRS_PLAY_ONE_REGION, .size_override = ov, .region = key };
	struct vrs_result r;
	const struct vrs_region_rec *q;
	int rc;

	ov[key] = pages * sc->plat.page;
	rc = vrs_play(sc, &o, &r);
	if (rc) {
		vrs_result_free(&r);
		return rc;
	}
	q = &r.reg[key];
	rc = outcome(q);
	if (rc != T_CLEAN && first) {
		unsigned i;

		memset(first, 0, sizeof(*first));
		for (i = 0; i < q->nfails; i++) {
			const struct vrs_fail *f = &q->fails[i];
			bool create = vrs_ev_creates(f->kind);

			if (!f->expected && !f->surprise && create == (rc == T_BIG)) {
				*first = *f;
				break;
			}
		}
	}
	vrs_result_free(&r);
	return rc;
}

int vrs_size_try(const struct vrs_scenario *sc, uint32_t key, size_t pages,
		 struct vrs_fail *first)
{
	size_t *ov = calloc(sc->nobjs ? sc->nobjs : 1, sizeof(*ov));
	int rc;

	if (!ov)
		return -ENOMEM;
	rc = try_sizes(sc, ov, key, pages, first);
	free(ov);
	return rc < 0 ? rc : rc == T_CLEAN;
}

size_t vrs_size_max_pages(const struct vrs_scenario *sc)
{
	size_t v = sc->plat.virt - sc->plat.guard;	/* the parser keeps guard < virt */

	return v < sc->plat.phys ? v : sc->plat.phys;
}

/* One replay of the search, counted. */
static int step(const struct vrs_scenario *sc, size_t *ov, uint32_t key, size_t pages,
		struct vrs_fail *first, struct vrs_size_rec *s)
{
	s->plays++;
	return try_sizes(sc, ov, key, pages, first);
}

/*
 * From the size as written (w, its outcome at_w), double while too small.
 * Returns 1 with *lo too small (0 counts as too small) and *hi big enough,
 * 0 when even max_pages is too small (s says so), or a negative errno.
 */
static int grow(const struct vrs_scenario *sc, size_t *ov, uint32_t key, size_t w, int at_w,
		struct vrs_size_rec *s, size_t *lo, size_t *hi)
{
	const size_t maxp = s->max_pages;
	int rc;

	*lo = 0;
	*hi = w;
	if (at_w != T_SMALL)
		return 1;
	for (;;) {
		*lo = *hi;
		if (*hi == maxp) {
			/* too small even at the largest region the platform holds */
			s->status = VRS_SIZE_NONE;
			s->blocking_pages = maxp;
			rc = step(sc, ov, key, maxp, &s->blocking_fail, s);
			if (rc < 0)
				return rc;
			s->has_blocking_fail = rc != T_CLEAN;
			return 0;
		}
		*hi = *hi > maxp / 2 ? maxp : *hi * 2;
		rc = step(sc, ov, key, *hi, NULL, s);
		if (rc < 0)
			return rc;
		if (rc != T_SMALL)
			return 1;
	}
}

/* The smallest size that cannot be created while one page less is too small. */
static int no_room(const struct vrs_scenario *sc, size_t *ov, uint32_t key, size_t hi,
		   struct vrs_size_rec *s)
{
	int rc;

	s->status = VRS_SIZE_NONE;
	s->blocking_pages = hi;
	s->has_blocking_fail = true;
	if (hi > 1) {
		rc = step(sc, ov, key, hi - 1, &s->below_fail, s);
		if (rc < 0)
			return rc;
		s->has_below_fail = rc != T_CLEAN;
		s->below_fails = rc != T_CLEAN;
	}
	return 0;
}

/* The answer hi confirmed by its neighbours: hi - 1 fails, hi + 1 plays clean. */
static int confirm(const struct vrs_scenario *sc, size_t *ov, uint32_t key, size_t hi,
		   struct vrs_size_rec *s)
{
	int rc;

	if (hi > 1) {
		rc = step(sc, ov, key, hi - 1, &s->below_fail, s);
		if (rc < 0)
			return rc;
		s->below_fails = rc != T_CLEAN;
		s->has_below_fail = rc != T_CLEAN;
		if (rc == T_CLEAN) {
			s->status = VRS_SIZE_NONMONOTONIC;
			s->nonmono_pages = hi - 1;
		}
	}
	if (hi >= s->max_pages) {
		s->above_passes = true;
		return 0;
	}
	rc = step(sc, ov, key, hi + 1, &s->above_fail, s);
	if (rc < 0)
		return rc;
	s->above_passes = rc == T_CLEAN;
	s->has_above_fail = rc != T_CLEAN;
	/* an allocation failing with more room is not monotonic; a creation
	 * failing is the pool's limit, reported but not a contradiction */
	if (rc == T_SMALL) {
		s->status = VRS_SIZE_NONMONOTONIC;
		s->nonmono_pages = hi + 1;
	}
	return 0;
}

/*
 * Size one region (`aw`: the play as written with the same other sizes as
 * `ov`, to save a replay; NULL if there is none). "Big enough" (no
 * allocation or complete fails: clean, or only the creation fails) is
 * assumed monotonic in the page count; the smallest big-enough size is found
 * by doubling from the size as written, then bisection, and confirmed with
 * its neighbours. Returns 0 or a negative errno.
 */
static int size_one(const struct vrs_scenario *sc, const struct vrs_result *aw, size_t *ov,
		    uint32_t key, struct vrs_size_rec *s)
{
	size_t lo, hi, w = vrs_pages(sc->objs[key].size, sc->plat.page);
	int rc, at_w;

	s->written_pages = w;
	s->max_pages = vrs_size_max_pages(sc);
	w = w > s->max_pages ? s->max_pages : w ? w : 1;
	/* the size as written: from the play as written when that is what it was */
	if (aw && vrs_pages(aw->reg[key].requested, sc->plat.page) == w)
		at_w = outcome(&aw->reg[key]);
	else if ((at_w = step(sc, ov, key, w, NULL, s)) < 0)
		return at_w;
	rc = grow(sc, ov, key, w, at_w, s, &lo, &hi);
	if (rc <= 0)
		return rc;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if ((rc = step(sc, ov, key, mid, NULL, s)) < 0)
			return rc;
		if (rc != T_SMALL)
			hi = mid;
		else
			lo = mid;
	}
	/* hi plays clean: or it cannot be created, and no size fits */
	if ((rc = step(sc, ov, key, hi, &s->blocking_fail, s)) < 0)
		return rc;
	if (rc == T_BIG)
		return no_room(sc, ov, key, hi, s);
	memset(&s->blocking_fail, 0, sizeof(s->blocking_fail));
	s->pages = hi;
	s->bytes = hi * sc->plat.page;
	s->status = rc == T_CLEAN ? VRS_SIZE_OK : VRS_SIZE_NONMONOTONIC;
	if (rc != T_CLEAN)
		s->nonmono_pages = hi;
	rc = confirm(sc, ov, key, hi, s);
	/* the size as written must not be too small if it is at least the answer */
	if (!rc && s->status == VRS_SIZE_OK && w >= hi && at_w == T_SMALL) {
		s->status = VRS_SIZE_NONMONOTONIC;
		s->nonmono_pages = w;
	}
	return rc;
}

static bool sized(const struct vrs_size_rec *s)
{
	return s->status == VRS_SIZE_OK || s->status == VRS_SIZE_NONMONOTONIC;
}

static bool blocked_by_pool(const struct vrs_size_rec *s)
{
	return s->status == VRS_SIZE_NONE && s->has_blocking_fail &&
	       vrs_ev_creates(s->blocking_fail.kind);
}

int vrs_size_with(const struct vrs_scenario *sc, const struct vrs_result *aw, const size_t *base,
		  struct vrs_sizing *out)
{
	const size_t n = sc->nobjs ? sc->nobjs : 1;
	size_t *ov, *rov = NULL;
	uint32_t k;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->reg = calloc(n, sizeof(*out->reg));
	ov = calloc(n, sizeof(*ov));
	if (!out->reg || !ov) {
		free(ov);
		return -ENOMEM;
	}
	if (base)
		memcpy(ov, base, sc->nobjs * sizeof(*ov));
	/* pass 1: each region with the others as played (written, or --region) */
	for (k = 0; k < sc->nobjs && !rc; k++) {
		/* sized: created at least once, or failed to be created when the
		 * scenario did not expect it (a smaller size may fit) */
		if (!aw->reg[k].is_region || sc->objs[k].kind == VRS_OBJ_PAGES ||
		    (!aw->reg[k].created && !aw->reg[k].create_unexpected))
			continue;
		rc = size_one(sc, aw, ov, k, &out->reg[k]);
		ov[k] = base ? base[k] : 0;
		out->plays += out->reg[k].plays;
	}
	/* every region at its recommended size (the others as played) */
	rov = rc ? NULL : malloc(n * sizeof(*rov));
	if (!rc && !rov)
		rc = -ENOMEM;
	if (!rc) {
		memcpy(rov, ov, n * sizeof(*rov));
		for (k = 0; k < sc->nobjs; k++)
			if (sized(&out->reg[k]))
				rov[k] = out->reg[k].bytes;
	}
	/* pass 2: a region the pool had no room for, with the others as played,
	 * may fit once the others are at their recommended sizes */
	for (k = 0; k < sc->nobjs && !rc; k++) {
		struct vrs_size_rec t;

		if (!blocked_by_pool(&out->reg[k]))
			continue;
		memset(&t, 0, sizeof(t));
		rov[k] = 0;
		rc = size_one(sc, NULL, rov, k, &t);
		out->plays += t.plays;
		if (!rc && sized(&t)) {
			t.plays += out->reg[k].plays;
			t.written_pages = out->reg[k].written_pages;
			t.others_recommended = true;
			out->reg[k] = t;
			rov[k] = t.bytes;
		} else {
			out->reg[k].plays += t.plays;
			rov[k] = ov[k];
		}
	}
	if (!rc) {
		/* every region at its recommended size together */
		struct vrs_play_opts o = { .flags = VRS_PLAY_RECORD, .size_override = rov };
		struct vrs_result r;
		bool any = false;

		for (k = 0; k < sc->nobjs; k++)
			any |= sized(&out->reg[k]);
		if (any) {
			rc = vrs_play(sc, &o, &r);
			out->plays++;
			if (!rc) {
				out->all_done = true;
				out->all_unexpected = r.unexpected;
				out->all_clean = r.unexpected == 0 && r.liberr_total == 0;
				out->all_vpeak = r.vpeak;
				out->all_ppeak = r.ppeak;
			}
			vrs_result_free(&r);
		}
	}
	free(rov);
	free(ov);
	return rc;
}

int vrs_size(const struct vrs_scenario *sc, const struct vrs_result *aw, struct vrs_sizing *out)
{
	return vrs_size_with(sc, aw, NULL, out);
}

void vrs_sizing_free(struct vrs_sizing *s)
{
	if (!s)
		return;
	free(s->reg);
	memset(s, 0, sizeof(*s));
}
