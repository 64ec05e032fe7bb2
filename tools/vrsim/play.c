/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/play.c - play a checked scenario on the real library: a posix
 * port (memfd physical pages, real mappings, guard pages), one vpage pool,
 * one vr_region per pipeline with size= and per dp module.
 *
 * The check (check.c) guarantees the scenario is consistent; what can still
 * happen here is what the library says: a region or an allocation that does
 * not fit, a set_interim that finds too little space. Those are failures,
 * expected when the event is marked expect=fail. Events whose owner failed to
 * come into being are skipped (and counted), never a second failure.
 *
 * Anything the library does that breaks its contract (a validate() that
 * fails, a misaligned or out-of-region pointer, a fill pattern overwritten,
 * a refcount that disagrees with ours, a free that is refused) is a library
 * error: recorded, and the play ends unclean.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/port_posix.h"
#include "vregion/vregion.h"

#include "play.h"

struct rt_region {
	struct vr_region *vr;
	uint32_t key;			/* owner object id */
	uint32_t refs;
	bool live;
};

struct rt_obj {
	bool alive;
	uint32_t reg;			/* rt_region index used, VRS_NONE if none */
	uint32_t head;			/* first live allocation (alloc id) */
};

struct rt_alloc {
	void *p;
	size_t size;
	uint32_t reg;
	uint32_t prev, next;		/* in the owner's list */
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
	bool pool_ok;
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
	char note[200];			/* verbose: outcome of the current event */
	char libmsg[1024];		/* verbose: library messages of the current event */
};

static struct pctx *g_cur;	/* for the port's log hook (vrsim is single-threaded) */

static void lib_log(void *ctx, enum vr_log_level level, const char *func, const char *msg,
		    uintptr_t a, uintptr_t b)
{
	static const char *const lv[] = { "ERR", "WRN", "INF", "DBG" };
	struct pctx *c = g_cur;
	size_t n;

	(void)ctx;
	if (!c || !c->verbose || level > VR_LOG_WRN)
		return;
	/* kept until the event's own line is printed (log_event) */
	n = strlen(c->libmsg);
	snprintf(c->libmsg + n, sizeof(c->libmsg) - n,
		 "        library %s %s: %s (a=%#lx, b=%#lx)\n",
		 (unsigned)level < 4 ? lv[level] : "?", func, msg, (unsigned long)a,
		 (unsigned long)b);
}

static void liberr(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void liberr(struct pctx *c, const char *fmt, ...)
{
	struct vrs_result *r = c->r;
	char buf[160];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "line %u: ", c->line);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (c->verbose)
		fprintf(c->log, "        LIBRARY ERROR: %s\n", buf);
	r->liberr_total++;
	if (r->nliberr < VRS_MAX_LIBERR)
		memcpy(r->liberr[r->nliberr++], buf, sizeof(buf));
}

static void leak(struct vrs_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void leak(struct vrs_result *r, const char *fmt, ...)
{
	va_list ap;

	r->leaks_total++;
	if (r->nleaks >= VRS_MAX_LEAKS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->leaks[r->nleaks++], sizeof(r->leaks[0]), fmt, ap);
	va_end(ap);
}

static const char *oname(struct pctx *c, uint32_t id)
{
	return c->sc->objs[id].name;
}

static struct vrs_region_rec *rec(struct pctx *c, uint32_t key)
{
	return &c->r->reg[key];
}

static void refpoint(struct pctx *c, uint32_t reg)
{
	struct vrs_region_rec *q = rec(c, c->rg[reg].key);
	uint32_t refs = c->rg[reg].refs;

	if (refs > q->refs_max)
		q->refs_max = refs;
	if (q->nrefhist < VRS_MAX_REFHIST) {
		q->refhist[q->nrefhist].line = c->line;
		q->refhist[q->nrefhist].refs = refs;
		q->nrefhist++;
	} else {
		q->refhist_truncated = true;
	}
}

/* Sample a region's statistics into its record. */
static void observe(struct pctx *c, uint32_t reg)
{
	struct vr_region_stats st;
	struct vrs_region_rec *q;
	size_t lt;

	if (reg == VRS_NONE || !c->rg[reg].live)
		return;
	if (vr_region_get_stats(c->rg[reg].vr, &st)) {
		liberr(c, "vr_region_get_stats failed on a live region");
		return;
	}
	q = rec(c, c->rg[reg].key);
	if (st.refcount != c->rg[reg].refs)
		liberr(c, "region %s: refcount %zu, expected %u", oname(c, c->rg[reg].key),
		       st.refcount, c->rg[reg].refs);
	lt = st.lifetime_used;
	if (st.phase != VR_REGION_LIFETIME && lt > st.lifetime_size)
		lt = st.lifetime_size;
	if (lt > q->lifetime_used)
		q->lifetime_used = lt;
	if (st.phase == VR_REGION_INTERIM) {
		if (st.lifetime_size > q->lifetime_size)
			q->lifetime_size = st.lifetime_size;
		if (st.interim_size > q->interim_size)
			q->interim_size = st.interim_size;
		if (!q->peak_line || st.interim_used > q->interim_peak) {
			q->interim_peak = st.interim_used;
			q->largest_free_at_peak = st.interim_largest_free;
			q->peak_line = c->line;
		}
	}
	if (c->validate) {
		int rc = vr_region_validate(c->rg[reg].vr);

		if (rc)
			liberr(c, "vr_region_validate(%s) = %d", oname(c, c->rg[reg].key), rc);
	}
}

/* Count a failure of region `key`; returns its record (NULL if not kept). */
static struct vrs_fail *failure(struct pctx *c, uint32_t key, const struct vrs_event *e,
				bool surprise, size_t largest, int phase)
{
	struct vrs_region_rec *q = rec(c, key);
	bool expected = (e->flags & VRS_F_EXPECT_FAIL) != 0;
	struct vrs_fail *f;

	if (surprise) {
		q->surprises++;
		c->r->surprises++;
	} else if (expected) {
		q->expected++;
		c->r->expected++;
	} else {
		q->unexpected++;
		c->r->unexpected++;
	}
	if (q->nfails >= VRS_MAX_FAILS)
		return NULL;
	f = &q->fails[q->nfails++];
	f->event = c->ev;
	f->line = c->line;
	f->kind = e->kind;
	f->expected = expected && !surprise;
	f->surprise = surprise;
	f->alloc = e->alloc;
	f->size = e->size;
	f->largest_free = largest;
	f->phys_free = 0;
	f->phase = phase;
	return f;
}

static uint32_t new_region(struct pctx *c, uint32_t key, const struct vrs_event *e)
{
	const struct vrs_scenario *sc = c->sc;
	struct vrs_region_rec *q = rec(c, key);
	struct vr_region_config cfg;
	struct vr_region *vr;
	struct vrs_fail *f;
	size_t size = e->size;

	if (c->o->size_override && c->o->size_override[key])
		size = c->o->size_override[key];
	q->is_region = true;
	q->instances++;
	q->requested = size;
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = size;
	cfg.min_align = sc->plat.align;
	cfg.flags = (e->flags & VRS_F_SEAL) ? VR_REGION_SEAL : 0;
	cfg.name = oname(c, key);
	vr = vr_region_create(&c->pool, &cfg);
	if (!vr) {
		struct vr_vpage_stats ps;

		if (vr_vpage_get_stats(&c->pool, &ps))
			memset(&ps, 0, sizeof(ps));
		f = failure(c, key, e, false, ps.largest_free_run * sc->plat.page, -1);
		if (f) {
			f->size = size;		/* as played (--region, sizing) */
			f->phys_free = ps.ppages_free;
		}
		if (!(e->flags & VRS_F_EXPECT_FAIL))
			q->create_unexpected++;
		snprintf(c->note, sizeof(c->note),
			 "FAILED: no room for %zu pages + %zu guard (largest free run %zu pages, %zu "
			 "physical pages free)%s", vrs_pages(size, sc->plat.page), sc->plat.guard,
			 ps.largest_free_run, ps.ppages_free,
			 (e->flags & VRS_F_EXPECT_FAIL) ? " [expected]" : "");
		return VRS_NONE;
	}
	if (e->flags & VRS_F_EXPECT_FAIL) {
		f = failure(c, key, e, true, 0, -1);
		if (f)
			f->size = size;
		snprintf(c->note, sizeof(c->note), "ok, but expected to fail: released again");
		vr_region_put(vr);
		return VRS_NONE;
	}
	if (c->nrg == c->caprg) {
		size_t cap = c->caprg ? c->caprg * 2 : 16;
		struct rt_region *n = realloc(c->rg, cap * sizeof(*n));

		if (!n) {
			liberr(c, "out of memory");
			vr_region_put(vr);
			return VRS_NONE;
		}
		c->rg = n;
		c->caprg = cap;
	}
	c->rg[c->nrg].vr = vr;
	c->rg[c->nrg].key = key;
	c->rg[c->nrg].refs = 1;
	c->rg[c->nrg].live = true;
	q->created++;
	{
		struct vr_region_stats st;

		if (!vr_region_get_stats(vr, &st))
			q->pages = st.pages;
		snprintf(c->note, sizeof(c->note), "ok: region of %zu pages", q->pages);
	}
	c->nrg++;
	refpoint(c, (uint32_t)(c->nrg - 1));
	observe(c, (uint32_t)(c->nrg - 1));
	return (uint32_t)(c->nrg - 1);
}

static void get_ref(struct pctx *c, uint32_t reg)
{
	if (reg == VRS_NONE || !c->rg[reg].live)
		return;
	if (vr_region_get(c->rg[reg].vr) != c->rg[reg].vr) {
		liberr(c, "vr_region_get(%s) failed on a live region", oname(c, c->rg[reg].key));
		return;
	}
	c->rg[reg].refs++;
	refpoint(c, reg);
	observe(c, reg);
	snprintf(c->note, sizeof(c->note), "region %s: %u references", oname(c, c->rg[reg].key),
		 c->rg[reg].refs);
}

static void put_ref(struct pctx *c, uint32_t reg)
{
	struct rt_region *g;
	struct vr_region *ret;
	size_t outstanding = 0;

	if (reg == VRS_NONE || !c->rg[reg].live)
		return;
	g = &c->rg[reg];
	if (g->refs == 1) {
		struct vr_region_stats st;

		if (!vr_region_get_stats(g->vr, &st))
			outstanding = st.interim_live;
	}
	ret = vr_region_put(g->vr);
	g->refs--;
	refpoint(c, reg);
	if (g->refs) {
		if (ret != g->vr)
			liberr(c, "vr_region_put(%s) released the region with %u references left",
			       oname(c, g->key), g->refs);
		observe(c, reg);
		snprintf(c->note, sizeof(c->note), "region %s: %u reference%s left",
			 oname(c, g->key), g->refs, g->refs == 1 ? "" : "s");
		return;
	}
	if (ret)
		liberr(c, "vr_region_put(%s) did not release the last reference", oname(c, g->key));
	g->live = false;
	rec(c, g->key)->outstanding_at_release += outstanding;
	snprintf(c->note, sizeof(c->note), "region %s released", oname(c, g->key));
}

static void fill_check(struct pctx *c, uint32_t id)
{
	struct rt_alloc *a = &c->al[id];
	const uint8_t *p = a->p;
	size_t i;

	if (!c->validate)
		return;
	for (i = 0; i < a->size; i++) {
		if (p[i] != a->fill) {
			liberr(c, "%s: byte %zu overwritten (0x%02x, expected 0x%02x): overlapping "
				  "allocations?", c->sc->allocs[id].name, i, p[i], a->fill);
			return;
		}
	}
}

static void unlink_alloc(struct pctx *c, uint32_t id)
{
	struct rt_alloc *a = &c->al[id];
	uint32_t owner = c->sc->allocs[id].owner;

	if (a->prev != VRS_NONE)
		c->al[a->prev].next = a->next;
	else
		c->ob[owner].head = a->next;
	if (a->next != VRS_NONE)
		c->al[a->next].prev = a->prev;
	a->live = false;
}

static void free_alloc(struct pctx *c, uint32_t id)
{
	struct rt_alloc *a = &c->al[id];
	struct rt_region *g = &c->rg[a->reg];
	int rc;

	fill_check(c, id);
	rc = vr_region_free(g->vr, a->p);
	if (rc)
		liberr(c, "vr_region_free(%s, %s) = %d", oname(c, g->key), c->sc->allocs[id].name, rc);
	else
		rec(c, g->key)->frees++;
	unlink_alloc(c, id);
}

/* Free every live allocation of an object, newest first. */
static void free_owned(struct pctx *c, uint32_t obj)
{
	unsigned n = 0;

	while (c->ob[obj].head != VRS_NONE) {
		uint32_t reg = c->al[c->ob[obj].head].reg;

		free_alloc(c, c->ob[obj].head);
		observe(c, reg);
		n++;
	}
	if (n && c->verbose) {
		size_t l = strlen(c->libmsg);

		snprintf(c->libmsg + l, sizeof(c->libmsg) - l, "        freed %u allocation%s of %s\n",
			 n, n == 1 ? "" : "s", oname(c, obj));
	}
}

/* Offset of p (either alias) from the region's base. */
static size_t offset(struct pctx *c, struct vr_region *vr, void *p)
{
	uintptr_t base = 0;

	if (c->port.to_cached)
		p = c->port.to_cached(c->port.ctx, p);
	vr_region_mem_info(vr, NULL, &base);
	return (size_t)((uintptr_t)p - base);
}

static void do_alloc(struct pctx *c, const struct vrs_event *e)
{
	const struct vrs_scenario *sc = c->sc;
	uint32_t reg = c->ob[e->obj].reg;
	struct vr_region_stats st;
	struct rt_alloc *a;
	struct rt_region *g;
	size_t align, eff;
	void *p;
	int phase;

	if (reg == VRS_NONE || !c->rg[reg].live) {
		c->r->skipped++;
		snprintf(c->note, sizeof(c->note), "skipped: %s has no region (failed before)",
			 oname(c, e->obj));
		return;
	}
	g = &c->rg[reg];
	phase = (int)vr_region_phase(g->vr);
	align = e->align;
	if (e->flags & VRS_F_COHERENT)
		p = align ? vr_region_alloc_coherent_align(g->vr, e->size, align)
			  : vr_region_alloc_coherent(g->vr, e->size);
	else
		p = align ? vr_region_alloc_align(g->vr, e->size, align)
			  : vr_region_alloc(g->vr, e->size);
	if (vr_region_get_stats(g->vr, &st))
		memset(&st, 0, sizeof(st));
	if (!p) {
		size_t room = phase == VR_REGION_INTERIM ? st.interim_largest_free
			    : phase == VR_REGION_LIFETIME ? st.lifetime_size - st.lifetime_used : 0;

		failure(c, g->key, e, false, room, phase);
		if (phase != VR_REGION_INTERIM && phase != VR_REGION_LIFETIME)
			snprintf(c->note, sizeof(c->note), "FAILED: the region is invalid (its complete "
				 "failed)%s", (e->flags & VRS_F_EXPECT_FAIL) ? " [expected]" : "");
		else
			snprintf(c->note, sizeof(c->note), "FAILED in the %s phase (%s %zu B)%s",
				 phase == VR_REGION_INTERIM ? "interim" : "lifetime",
				 phase == VR_REGION_INTERIM ? "largest free block" : "bytes left", room,
				 (e->flags & VRS_F_EXPECT_FAIL) ? " [expected]" : "");
		observe(c, reg);
		return;
	}
	eff = align > sc->plat.align ? align : sc->plat.align;
	if ((e->flags & VRS_F_COHERENT) && eff < sc->plat.line)
		eff = sc->plat.line;
	if ((uintptr_t)p % eff)
		liberr(c, "%s = %p is not %zu-aligned", sc->allocs[e->alloc].name, p, eff);
	if (!vr_region_contains(g->vr, p) ||
	    !vr_region_contains(g->vr, (const char *)p + e->size - 1))
		liberr(c, "%s = %p is not inside region %s", sc->allocs[e->alloc].name, p,
		       oname(c, g->key));
	if (e->flags & VRS_F_EXPECT_FAIL) {
		failure(c, g->key, e, true, 0, phase);
		if (vr_region_free(g->vr, p))
			liberr(c, "vr_region_free of a fresh allocation failed");
		snprintf(c->note, sizeof(c->note), "ok, but expected to fail: freed again");
		observe(c, reg);
		return;
	}
	rec(c, g->key)->allocs++;
	a = &c->al[e->alloc];
	a->p = p;
	a->size = e->size;
	a->reg = reg;
	a->live = true;
	a->interim = phase == VR_REGION_INTERIM;
	a->fill = (uint8_t)((e->alloc * 37u + c->ev) | 1u);
	if (c->validate)
		memset(p, a->fill, e->size);
	a->prev = VRS_NONE;
	a->next = c->ob[e->obj].head;
	if (a->next != VRS_NONE)
		c->al[a->next].prev = e->alloc;
	c->ob[e->obj].head = e->alloc;
	if (c->verbose) {
		if (phase == VR_REGION_INTERIM)
			snprintf(c->note, sizeof(c->note),
				 "ok at +0x%zx, interim (used %zu of %zu B, largest free %zu B)",
				 offset(c, g->vr, p), st.interim_used, st.interim_size,
				 st.interim_largest_free);
		else
			snprintf(c->note, sizeof(c->note), "ok at +0x%zx, lifetime (used %zu of %zu B)",
				 offset(c, g->vr, p), st.lifetime_used, st.lifetime_size);
	}
	observe(c, reg);
}

static void do_set_interim(struct pctx *c, const struct vrs_event *e)
{
	uint32_t reg = c->ob[e->obj].reg;
	struct vr_region_stats st;
	int rc;

	if (reg == VRS_NONE || !c->rg[reg].live) {
		c->r->skipped++;
		snprintf(c->note, sizeof(c->note), "skipped: no region (failed before)");
		return;
	}
	observe(c, reg);
	rc = vr_region_set_interim(c->rg[reg].vr);
	if (vr_region_get_stats(c->rg[reg].vr, &st))
		memset(&st, 0, sizeof(st));
	if (rc) {
		if (rc == -ENOSPC)
			rec(c, e->obj)->invalid++;
		else if (rc != -ENOSPC)
			liberr(c, "vr_region_set_interim(%s) = %d", oname(c, e->obj), rc);
		failure(c, e->obj, e, false, st.size - st.lifetime_used, VR_REGION_LIFETIME);
		snprintf(c->note, sizeof(c->note),
			 "FAILED (%d): too little space above %zu B of lifetime data; region now "
			 "invalid%s", rc, st.lifetime_used,
			 (e->flags & VRS_F_EXPECT_FAIL) ? " [expected]" : "");
	} else if (e->flags & VRS_F_EXPECT_FAIL) {
		failure(c, e->obj, e, true, 0, VR_REGION_LIFETIME);
		snprintf(c->note, sizeof(c->note), "ok, but expected to fail");
	} else {
		snprintf(c->note, sizeof(c->note), "ok: lifetime %zu B, interim heap %zu B",
			 st.lifetime_size, st.interim_size);
	}
	observe(c, reg);
}

static void do_interim_reset(struct pctx *c, const struct vrs_event *e)
{
	uint32_t reg = c->ob[e->obj].reg, i;
	unsigned n = 0;
	int rc;

	if (reg == VRS_NONE || !c->rg[reg].live || vr_region_phase(c->rg[reg].vr) !=
	    VR_REGION_INTERIM) {
		c->r->skipped++;
		snprintf(c->note, sizeof(c->note), "skipped: region not in the interim phase");
		return;
	}
	observe(c, reg);
	for (i = 0; i < c->sc->nallocs; i++) {
		if (c->al[i].live && c->al[i].reg == reg && c->al[i].interim) {
			fill_check(c, i);
			unlink_alloc(c, i);
			n++;
		}
	}
	rc = vr_region_interim_reset(c->rg[reg].vr);
	if (rc)
		liberr(c, "vr_region_interim_reset(%s) = %d", oname(c, e->obj), rc);
	snprintf(c->note, sizeof(c->note), "dropped %u interim allocation%s", n, n == 1 ? "" : "s");
	observe(c, reg);
}

static void snapshot_run(struct pctx *c, size_t first, size_t pages, uint32_t owner,
			 struct vr_region *vr)
{
	struct vrs_snapshot *s = &c->r->snap;
	struct vrs_snap_run *run;
	struct vr_region_stats st;

	run = realloc(s->runs, (s->nruns + 1) * sizeof(*run));
	if (!run)
		return;
	s->runs = run;
	run = &s->runs[s->nruns++];
	memset(run, 0, sizeof(*run));
	run->first = first;
	run->pages = pages;
	run->owner = owner;
	run->phase = -1;
	if (vr && !vr_region_get_stats(vr, &st)) {
		run->phase = (int)st.phase;
		run->lifetime_size = st.lifetime_size;
		run->lifetime_used = st.lifetime_used < st.lifetime_size ? st.lifetime_used
									 : st.lifetime_size;
		run->interim_size = st.interim_size;
		run->interim_used = st.interim_used;
		run->interim_largest = st.interim_largest_free;
	}
}

static int snap_cb(void *arg, void *start, size_t npages, enum vr_vpage_kind kind)
{
	struct pctx *c = arg;
	size_t first = ((uintptr_t)start - c->port.window_base) / c->port.page_size, i;

	(void)kind;
	for (i = 0; i < c->nrg; i++) {
		uintptr_t base;

		if (!c->rg[i].live || vr_region_mem_info(c->rg[i].vr, NULL, &base))
			continue;
		if (base == (uintptr_t)start) {
			snapshot_run(c, first, npages, c->rg[i].key, c->rg[i].vr);
			return 0;
		}
	}
	snapshot_run(c, first, npages, VRS_NONE, NULL);
	return 0;
}

/* Bytes used in every live region (lifetime bumped + interim used). */
static size_t bytes_in_use(struct pctx *c)
{
	size_t i, sum = 0;

	for (i = 0; i < c->nrg; i++) {
		struct vr_region_stats st;

		if (!c->rg[i].live || vr_region_get_stats(c->rg[i].vr, &st))
			continue;
		sum += (st.lifetime_used < st.lifetime_size ? st.lifetime_used : st.lifetime_size) +
		       st.interim_used;
	}
	return sum;
}

/* Pool statistics after an event: peaks, fragmentation, timeline. */
static void pool_sample(struct pctx *c)
{
	struct vrs_result *r = c->r;
	struct vr_vpage_stats ps;
	size_t vused, pm;

	if (vr_vpage_get_stats(&c->pool, &ps)) {
		liberr(c, "vr_vpage_get_stats failed");
		return;
	}
	vused = ps.vpages_total - ps.vpages_free;
	pm = ps.ppages_total - ps.ppages_free;
	r->samples[c->ev].vused = (uint32_t)vused;
	r->samples[c->ev].pmapped = (uint32_t)pm;
	/* the snapshot: at the virtual peak, the moment with the most bytes in use */
	if (vused > r->vpeak || (vused == r->vpeak && bytes_in_use(c) > r->snap.bytes_used)) {
		if (vused > r->vpeak)
			r->vpeak_line = c->line;
		r->vpeak = vused;
		r->frag_free_at_peak = ps.vpages_free;
		r->frag_largest_at_peak = ps.largest_free_run;
		free(r->snap.runs);
		memset(&r->snap, 0, sizeof(r->snap));
		r->snap.event = c->ev;
		r->snap.line = c->line;
		r->snap.vused = vused;
		r->snap.pmapped = pm;
		r->snap.bytes_used = bytes_in_use(c);
		vr_vpage_for_each(&c->pool, snap_cb, c);
	}
	if (pm > r->ppeak) {
		r->ppeak = pm;
		r->ppeak_line = c->line;
	}
	if (ps.largest_free_run < r->min_largest_run) {
		r->min_largest_run = ps.largest_free_run;
		r->min_largest_line = c->line;
	}
	if (ps.vpages_free) {
		double f = 1.0 - (double)ps.largest_free_run / (double)ps.vpages_free;

		if (f > r->worst_frag + 1e-12) {
			r->worst_frag = f;
			r->worst_frag_line = c->line;
			r->worst_frag_free = ps.vpages_free;
			r->worst_frag_largest = ps.largest_free_run;
		}
	}
}

static void log_event(struct pctx *c, const struct vrs_event *e)
{
	const struct vrs_scenario *sc = c->sc;
	char what[256];

	switch (e->kind) {
	case VRS_EV_ALLOC:
		snprintf(what, sizeof(what), "alloc %s %zu%s%s", sc->allocs[e->alloc].name, e->size,
			 (e->flags & VRS_F_COHERENT) ? " coherent" : "",
			 (e->flags & VRS_F_EXPECT_FAIL) ? " expect=fail" : "");
		if (e->align) {
			size_t n = strlen(what);

			snprintf(what + n, sizeof(what) - n, " align=%zu", e->align);
		}
		break;
	case VRS_EV_FREE:
		snprintf(what, sizeof(what), "free %s", sc->allocs[e->alloc].name);
		break;
	case VRS_EV_BIND:
		snprintf(what, sizeof(what), "bind %s %s as %s%s", oname(c, e->a), oname(c, e->b),
			 oname(c, e->obj), (e->flags & VRS_F_HEAP) ? " heap" : "");
		break;
	case VRS_EV_PIPELINE:
	case VRS_EV_MODULE:
		snprintf(what, sizeof(what), "%s %s%s", vrs_ev_name(e->kind), oname(c, e->obj),
			 e->kind == VRS_EV_MODULE ? (sc->objs[e->obj].kind == VRS_OBJ_DP ? " dp" : " ll")
						  : "");
		if (e->size) {
			size_t n = strlen(what), sz = e->size;

			if (c->o->size_override && c->o->size_override[e->obj])
				sz = c->o->size_override[e->obj];
			snprintf(what + n, sizeof(what) - n, " size=%zu", sz);
		}
		break;
	default:
		snprintf(what, sizeof(what), "%s %s%s", vrs_ev_name(e->kind), oname(c, e->obj),
			 (e->flags & VRS_F_INTERIM_RESET) ? " interim-reset" : "");
		break;
	}
	fprintf(c->log, "%5u  %-52s %s\n", e->line, what, c->note);
	fputs(c->libmsg, c->log);
	c->libmsg[0] = 0;
}

static void play_event(struct pctx *c, const struct vrs_event *e)
{
	const struct vrs_scenario *sc = c->sc;
	struct rt_obj *o = &c->ob[e->obj];

	c->note[0] = 0;
	switch (e->kind) {
	case VRS_EV_PIPELINE:
		o->alive = !(e->flags & VRS_F_EXPECT_FAIL);
		o->head = VRS_NONE;
		o->reg = e->size ? new_region(c, e->obj, e) : VRS_NONE;
		if (!e->size)
			snprintf(c->note, sizeof(c->note), "ok (no region)");
		break;
	case VRS_EV_MODULE:
		o->alive = !(e->flags & VRS_F_EXPECT_FAIL);
		o->head = VRS_NONE;
		if (sc->objs[e->obj].kind == VRS_OBJ_DP) {
			o->reg = new_region(c, e->obj, e);
		} else {
			o->reg = c->ob[e->a].reg;
			if (o->reg == VRS_NONE || !c->rg[o->reg].live)
				snprintf(c->note, sizeof(c->note), "ok (pipeline has no region)");
			get_ref(c, o->reg);
		}
		break;
	case VRS_EV_ALLOC:
		do_alloc(c, e);
		break;
	case VRS_EV_FREE:
		if (!c->al[e->alloc].live) {
			c->r->skipped++;
			snprintf(c->note, sizeof(c->note), "skipped: the allocation had failed");
			break;
		}
		{
			uint32_t reg = c->al[e->alloc].reg;
			bool interim = c->al[e->alloc].interim;

			free_alloc(c, e->alloc);
			snprintf(c->note, sizeof(c->note), interim ? "ok" :
				 "ok (lifetime: counted, the space is not reused)");
			observe(c, reg);
		}
		break;
	case VRS_EV_SET_INTERIM:
		do_set_interim(c, e);
		break;
	case VRS_EV_INTERIM_RESET:
		do_interim_reset(c, e);
		break;
	case VRS_EV_COMPLETE:
		snprintf(c->note, sizeof(c->note), "the lifetime phase ends");
		break;
	case VRS_EV_START:
		snprintf(c->note, sizeof(c->note), "running");
		break;
	case VRS_EV_STOP:
		snprintf(c->note, sizeof(c->note), "paused");
		break;
	case VRS_EV_RESET:
		snprintf(c->note, sizeof(c->note), "reset");
		break;
	case VRS_EV_BIND:
		o->alive = true;
		o->head = VRS_NONE;
		o->reg = e->region_owner == VRS_NONE ? VRS_NONE : c->ob[e->region_owner].reg;
		if (e->flags & VRS_F_HEAP)
			snprintf(c->note, sizeof(c->note), "ok (system heap: no region)");
		else if (o->reg == VRS_NONE || !c->rg[o->reg].live)
			snprintf(c->note, sizeof(c->note), "ok (no region to reference)");
		get_ref(c, o->reg);
		break;
	case VRS_EV_UNBIND:
	case VRS_EV_DESTROY:
		free_owned(c, e->obj);
		snprintf(c->note, sizeof(c->note), "ok");
		put_ref(c, o->reg);
		o->alive = false;
		o->reg = VRS_NONE;
		break;
	}
	if (c->verbose)
		log_event(c, e);
}

/* After the last event: what is still there is a leak; then tear down. */
static void finish(struct pctx *c)
{
	const struct vrs_scenario *sc = c->sc;
	struct vrs_result *r = c->r;
	struct vr_vpage_stats ps;
	uint32_t i;
	int rc;

	for (i = 0; i < sc->nobjs; i++) {
		if (!c->ob[i].alive)
			continue;
		leak(r, "%s '%s' still exists at the end (never %s)", vrs_kind_name(sc->objs[i].kind),
		     sc->objs[i].name, sc->objs[i].kind == VRS_OBJ_BUFFER ? "unbound" : "destroyed");
	}
	for (i = 0; i < c->nrg; i++) {
		if (c->rg[i].live) {
			r->leak_regions++;
			leak(r, "region %s still holds %u reference%s", oname(c, c->rg[i].key),
			     c->rg[i].refs, c->rg[i].refs == 1 ? "" : "s");
		}
	}
	if (!vr_vpage_get_stats(&c->pool, &ps)) {
		r->leak_vpages = ps.vpages_total - ps.vpages_free;
		r->leak_ppages = ps.ppages_total - ps.ppages_free;
		r->leak_allocs = ps.live_allocs;
		if (r->leak_vpages || r->leak_ppages)
			leak(r, "%zu virtual and %zu physical pages not back in the pool",
			     r->leak_vpages, r->leak_ppages);
	}
	/* tear down what the scenario left, so the process ends clean */
	for (i = 0; i < sc->nallocs; i++)
		c->al[i].live = false;
	for (i = 0; i < c->nrg; i++) {
		while (c->rg[i].live && c->rg[i].refs) {
			c->rg[i].refs--;
			if (!vr_region_put(c->rg[i].vr))
				c->rg[i].live = false;
		}
	}
	if (!vr_vpage_get_stats(&c->pool, &ps) &&
	    (ps.vpages_free != ps.vpages_total || ps.ppages_free != ps.ppages_total))
		liberr(c, "after releasing every region, %zu virtual / %zu physical pages are "
			  "still taken", ps.vpages_total - ps.vpages_free,
		       ps.ppages_total - ps.ppages_free);
	if (c->validate && (rc = vr_posix_port_validate(&c->port)))
		liberr(c, "vr_posix_port_validate = %d", rc);
	rc = vr_vpage_pool_deinit(&c->pool);
	if (rc)
		liberr(c, "vr_vpage_pool_deinit = %d", rc);
	c->pool_ok = false;
	r->leak_ok = r->leaks_total == 0;
}

int vrs_play(const struct vrs_scenario *sc, const struct vrs_play_opts *opts,
	     struct vrs_result *r)
{
	static const struct vrs_play_opts defaults = { 0, NULL, NULL };
	struct vr_posix_port_config pc;
	struct vr_vpage_config vc;
	struct pctx c;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.sc = sc;
	c.o = opts ? opts : &defaults;
	c.r = r;
	c.log = c.o->log ? c.o->log : stderr;
	c.verbose = (c.o->flags & VRS_PLAY_VERBOSE) != 0;
	c.validate = (c.o->flags & VRS_PLAY_VALIDATE) != 0;
	c.record = (c.o->flags & VRS_PLAY_RECORD) != 0;
	r->min_largest_run = SIZE_MAX;

	r->reg = calloc(sc->nobjs ? sc->nobjs : 1, sizeof(*r->reg));
	c.ob = calloc(sc->nobjs ? sc->nobjs : 1, sizeof(*c.ob));
	c.al = calloc(sc->nallocs ? sc->nallocs : 1, sizeof(*c.al));
	if (c.record)
		r->samples = calloc(sc->nevs ? sc->nevs : 1, sizeof(*r->samples));
	if (!r->reg || !c.ob || !c.al || (c.record && !r->samples)) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < sc->nobjs; i++) {
		c.ob[i].reg = VRS_NONE;
		c.ob[i].head = VRS_NONE;
		r->reg[i].is_region = sc->objs[i].owns_region;
	}

	memset(&pc, 0, sizeof(pc));
	pc.page_size = sc->plat.page;
	pc.phys_pages = sc->plat.phys;
	pc.window_pages = sc->plat.virt;
	pc.cache_line = sc->plat.line;
	pc.log_level = VR_POSIX_LOG_OFF;
	rc = vr_posix_port_create(&c.port, &pc);
	if (rc)
		goto out;
	c.port.log = lib_log;
	memset(&vc, 0, sizeof(vc));
	vc.guard_pages = sc->plat.guard;
	rc = vr_vpage_pool_init(&c.pool, &c.port, &vc);
	if (rc) {
		vr_posix_port_destroy(&c.port);
		goto out;
	}
	c.pool_ok = true;
	g_cur = &c;
	/* until a page is taken, "at the peak" is the empty window */
	r->frag_free_at_peak = r->frag_largest_at_peak = sc->plat.virt;

	for (c.ev = 0; c.ev < sc->nevs; c.ev++) {
		const struct vrs_event *e = &sc->evs[c.ev];

		c.line = e->line;
		play_event(&c, e);
		if (c.validate && (rc = vr_vpage_validate(&c.pool)))
			liberr(&c, "vr_vpage_validate = %d", rc);
		if (c.record)
			pool_sample(&c);
	}
	r->events = sc->nevs;
	finish(&c);
	g_cur = NULL;
	rc = vr_posix_port_destroy(&c.port);
	if (rc)
		liberr(&c, "vr_posix_port_destroy = %d (pages, locks or metadata left)", rc);
	rc = 0;
	if (r->min_largest_run == SIZE_MAX)
		r->min_largest_run = 0;
out:
	r->setup_error = rc;
	free(c.ob);
	free(c.al);
	free(c.rg);
	return rc;
}

void vrs_result_free(struct vrs_result *r)
{
	if (!r)
		return;
	free(r->reg);
	free(r->samples);
	free(r->snap.runs);
	memset(r, 0, sizeof(*r));
}

bool vrs_result_clean(const struct vrs_result *r)
{
	return !r->setup_error && !r->unexpected && !r->surprises && !r->liberr_total &&
	       r->leak_ok;
}
