/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/report_common.c - helpers shared by the three reports (text,
 * JSON, SVG): a failure in words, the metadata of regions and of the pool.
 */
#include <string.h>

#include "vregion/vpage.h"
#include "vregion/vregion.h"

#include "report.h"

void vrs_fail_describe(const struct vrs_scenario *sc, const struct vrs_fail *f, char *buf,
		       size_t n)
{
	const struct vrs_event *e = &sc->evs[f->event];

	switch (f->kind) {
	case VRS_EV_ALLOC:
		if (f->phase == VR_REGION_INVALID)
			snprintf(buf, n, "line %u: alloc %s %zu B%s: the region is invalid (its "
				 "complete failed)", f->line, sc->allocs[e->alloc].name, f->size,
				 (e->flags & VRS_F_COHERENT) ? " coherent" : "");
		else
			snprintf(buf, n, "line %u: alloc %s %zu B%s: %s phase, %s %zu B", f->line,
				 sc->allocs[e->alloc].name, f->size,
				 (e->flags & VRS_F_COHERENT) ? " coherent" : "",
				 vrs_phase_name(f->phase),
				 f->phase == VR_REGION_INTERIM ? "largest free block" : "bytes left", f->largest_free);
		break;
	case VRS_EV_SET_INTERIM:
		snprintf(buf, n, "line %u: complete %s: %zu B above the lifetime data, too "
			 "little for an interim heap%s (region invalid)", f->line,
			 sc->objs[e->obj].name, f->largest_free,
			 sc->objs[e->obj].seal ? " starting on the next page (seal)" : "");
		break;
	default: {
		/* why the pool said no: the run of virtual pages (with its guard)
		 * or the physical pages to map it */
		const size_t page = sc->plat.page, g = sc->plat.guard;
		size_t need = vrs_pages(f->size, page), run = f->largest_free / page;

		if (need > sc->plat.virt - g || need > sc->plat.phys)
			snprintf(buf, n, "line %u: create %s: %zu pages, more than the platform can "
				 "map (window %zu pages with %zu guard, %zu physical pages)", f->line,
				 sc->objs[e->obj].name, need, sc->plat.virt, g, sc->plat.phys);
		else if (need + g > run)
			snprintf(buf, n, "line %u: create %s: no run of %zu free virtual pages (%zu + "
				 "%zu guard); the largest free run is %zu pages", f->line,
				 sc->objs[e->obj].name, need + g, need, g, run);
		else if (need > f->phys_free)
			snprintf(buf, n, "line %u: create %s: %zu physical pages needed, %zu free (a "
				 "run of %zu virtual pages was free)", f->line, sc->objs[e->obj].name,
				 need, f->phys_free, run);
		else
			snprintf(buf, n, "line %u: create %s (%zu pages): refused by the library "
				 "(metadata or mapping; see -v)", f->line, sc->objs[e->obj].name, need);
		break;
	}
	}
	if (f->surprise)
		snprintf(buf, n, "line %u: %s %s: expected to fail, but succeeded", f->line,
			 vrs_ev_name(f->kind), f->kind == VRS_EV_ALLOC ? sc->allocs[e->alloc].name
								  : sc->objs[e->obj].name);
}


/* Why the pool refused a creation, shortly. */
static void create_why(const struct vrs_scenario *sc, const struct vrs_fail *f, char *buf,
		       size_t n)
{
	const size_t page = sc->plat.page, g = sc->plat.guard;
	size_t need = vrs_pages(f->size, page), run = f->largest_free / page;

	if (need > sc->plat.virt - g || need > sc->plat.phys)
		snprintf(buf, n, "more than the platform maps");
	else if (need + g > run)
		snprintf(buf, n, "no run of %zu free pages (largest %zu)", need + g, run);
	else if (need > f->phys_free)
		snprintf(buf, n, "%zu physical page%s free", f->phys_free, vrs_s(f->phys_free));
	else
		snprintf(buf, n, "refused by the library");
}

void vrs_fail_short(const struct vrs_scenario *sc, const struct vrs_fail *f, char *buf, size_t n)
{
	const struct vrs_event *e = &sc->evs[f->event];
	const char *name = f->kind == VRS_EV_ALLOC ? sc->allocs[e->alloc].name : sc->objs[e->obj].name;
	char why[96];

	if (f->surprise) {
		snprintf(buf, n, "%s at line %u: expected to fail, succeeded", name, f->line);
	} else if (f->kind == VRS_EV_ALLOC) {
		if (f->phase == VR_REGION_INTERIM)
			snprintf(why, sizeof(why), "largest free block %zu B", f->largest_free);
		else if (f->phase == VR_REGION_LIFETIME)
			snprintf(why, sizeof(why), "%zu B left in the lifetime part", f->largest_free);
		else
			snprintf(why, sizeof(why), "the region is invalid");
		snprintf(buf, n, "%s %zu B at line %u: %s", name, f->size, f->line, why);
	} else if (f->kind == VRS_EV_SET_INTERIM) {
		snprintf(buf, n, "complete %s at line %u: %zu B left, too little for a heap", name,
			 f->line, f->largest_free);
	} else {
		create_why(sc, f, why, sizeof(why));
		snprintf(buf, n, "%s (%zu page%s) at line %u: %s", name,
			 vrs_pages(f->size, sc->plat.page), vrs_s(vrs_pages(f->size, sc->plat.page)),
			 f->line, why);
	}
}

size_t vrs_region_meta(const struct vrs_scenario *sc, uint32_t k, size_t bytes)
{
	const struct vrs_object *o = &sc->objs[k];
	/* as play.c creates it: a bare region's align=, else the platform's */
	size_t align = o->kind == VRS_OBJ_REGION && o->min_align ? o->min_align : sc->plat.align;

	if (o->kind == VRS_OBJ_PAGES)
		return 0;
	return vr_region_meta_bytes(bytes, align, sc->plat.page);
}

size_t vrs_pool_meta(const struct vrs_scenario *sc)
{
	return vr_vpage_meta_bytes_for(sc->plat.virt);
}

size_t vrs_recommended_meta(const struct vrs_report *rp, uint32_t k)
{
	const struct vrs_size_rec *s = rp->sz ? &rp->sz->reg[k] : NULL;

	if (!s || (s->status != VRS_SIZE_OK && s->status != VRS_SIZE_NONMONOTONIC))
		return 0;
	return vrs_region_meta(rp->sc, k, s->bytes);
}
