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

static int try_sizes(const struct vrs_scenario *sc, size_t *ov, uint32_t key, size_t pages,
		     struct vrs_fail *first)
{
	struct vrs_play_opts o = { 0, ov, NULL };
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
	rc = q->unexpected == 0;
	if (!rc && first) {
		unsigned i;

		memset(first, 0, sizeof(*first));
		for (i = 0; i < q->nfails; i++) {
			if (!q->fails[i].expected && !q->fails[i].surprise) {
				*first = q->fails[i];
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
	return rc;
}

/* Size one region. Returns 0 or a negative errno. */
static int size_one(const struct vrs_scenario *sc, const struct vrs_result *aw, size_t *ov,
		    uint32_t key, struct vrs_size_rec *s)
{
	const size_t page = sc->plat.page, maxp = sc->plat.virt;
	size_t lo = 0, hi, w;
	int rc;

	w = (sc->objs[key].size + page - 1) / page;
	s->written_pages = w;
	if (w > maxp)
		w = maxp;
	if (!w)
		w = 1;
	/* find a size that passes: as written, else double up to the window */
	hi = w;
	if (aw->reg[key].unexpected) {
		for (;;) {
			rc = try_sizes(sc, ov, key, hi, NULL);
			s->plays++;
			if (rc < 0)
				return rc;
			if (rc)
				break;
			lo = hi;
			if (hi == maxp) {
				s->status = VRS_SIZE_NONE;
				return 0;
			}
			hi = hi * 2 > maxp ? maxp : hi * 2;
		}
	}
	/* invariant: lo fails (0 counts as failing), hi passes */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		rc = try_sizes(sc, ov, key, mid, NULL);
		s->plays++;
		if (rc < 0)
			return rc;
		if (rc)
			hi = mid;
		else
			lo = mid;
	}
	s->pages = hi;
	s->bytes = hi * page;
	s->status = VRS_SIZE_OK;
	/* confirm: hi passes, hi - 1 fails, hi + 1 passes */
	rc = try_sizes(sc, ov, key, hi, NULL);
	s->plays++;
	if (rc < 0)
		return rc;
	if (!rc) {
		s->status = VRS_SIZE_NONMONOTONIC;	/* not reproducible */
		s->nonmono_pages = hi;
	}
	if (hi > 1) {
		rc = try_sizes(sc, ov, key, hi - 1, &s->below_fail);
		s->plays++;
		if (rc < 0)
			return rc;
		s->below_fails = rc == 0;
		s->has_below_fail = rc == 0;
		if (rc) {
			s->status = VRS_SIZE_NONMONOTONIC;
			s->nonmono_pages = hi - 1;
		}
	}
	if (hi < maxp) {
		rc = try_sizes(sc, ov, key, hi + 1, NULL);
		s->plays++;
		if (rc < 0)
			return rc;
		s->above_passes = rc == 1;
		if (!rc) {
			s->status = VRS_SIZE_NONMONOTONIC;
			s->nonmono_pages = hi + 1;
		}
	} else {
		s->above_passes = true;
	}
	/* the size as written must pass if it is at least the answer */
	if (s->status == VRS_SIZE_OK && w >= hi && aw->reg[key].unexpected) {
		s->status = VRS_SIZE_NONMONOTONIC;
		s->nonmono_pages = w;
	}
	return 0;
}

int vrs_size(const struct vrs_scenario *sc, const struct vrs_result *aw, struct vrs_sizing *out)
{
	size_t *ov;
	uint32_t k;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->reg = calloc(sc->nobjs ? sc->nobjs : 1, sizeof(*out->reg));
	ov = calloc(sc->nobjs ? sc->nobjs : 1, sizeof(*ov));
	if (!out->reg || !ov) {
		free(ov);
		return -ENOMEM;
	}
	for (k = 0; k < sc->nobjs && !rc; k++) {
		if (!aw->reg[k].is_region || !aw->reg[k].created)
			continue;
		rc = size_one(sc, aw, ov, k, &out->reg[k]);
		ov[k] = 0;
		out->plays += out->reg[k].plays;
	}
	if (!rc) {
		/* every region at its recommended size together */
		struct vrs_play_opts o = { VRS_PLAY_RECORD, ov, NULL };
		struct vrs_result r;
		bool any = false;

		for (k = 0; k < sc->nobjs; k++) {
			if (out->reg[k].status == VRS_SIZE_OK ||
			    out->reg[k].status == VRS_SIZE_NONMONOTONIC) {
				ov[k] = out->reg[k].bytes;
				any = true;
			}
		}
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
	free(ov);
	return rc;
}

void vrs_sizing_free(struct vrs_sizing *s)
{
	if (!s)
		return;
	free(s->reg);
	memset(s, 0, sizeof(*s));
}
