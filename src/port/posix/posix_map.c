/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * posix_map.c - map / unmap / protect of the posix port.
 *
 * Every call runs under the port mutex and follows one pattern: check the
 * range and its state (-EINVAL, nothing changed), plan the new records and
 * check what they cost in kernel mappings (posix_vma.c), do the syscalls
 * window by window, and on the first failure undo what was done so far
 * (Q1). Records and physical bitmaps are final only once the kernel agreed.
 *
 * Kernel states of a window page (posix_internal.h): reserved, mapped,
 * parked (PROT_NONE view of a physical page it does not own) and held
 * (accessible, at the mapping limit). An unmap parks its pages (one
 * mprotect per window): they fault as unmapped pages do, and a later map of
 * the same pages, while nobody took their physical pages, is one mprotect
 * again, with no page-table rebuild and no page fault on the pages' next
 * touch. When the port uses more than half its mapping budget, unmaps
 * reserve instead (fewer mappings), and at the budget they hold.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "posix_internal.h"

#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif

static int prot_of(unsigned perms)
{
	int prot = PROT_NONE;

	if (perms & VR_PERM_R)
		prot |= PROT_READ;
	if (perms & VR_PERM_W)
		prot |= PROT_WRITE;
	if (perms & VR_PERM_X)
		prot |= PROT_EXEC;
	return prot;
}

/* Consume one step of the injection countdown: true iff this call must fail. */
static bool injected(struct vr_posix *st)
{
	if (!st->inject || --st->inject)
		return false;
	st->injected = true;
	return true;
}

int vri_posix_reserve(unsigned char *p, size_t bytes)
{
	void *r = mmap(p, bytes, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);

	return r == MAP_FAILED ? -errno : 0;
}

/* Re-reserve window pages [idx, +n) of one window; may be injected. */
static int reserve_pages(struct vr_posix *st, unsigned char *base, size_t idx,
			 size_t n, bool inject)
{
	cnt_add(&st->n_syscalls, 1);
	if (inject && injected(st))
		return -ENOMEM;
	return vri_posix_reserve(base + idx * st->ps, n * st->ps);
}

/* Map window pages [idx, +n) onto physical pages [phys, +n); may be injected. */
static int map_pages(struct vr_posix *st, unsigned char *base, size_t idx,
		     size_t n, size_t phys, unsigned perms, bool inject)
{
	void *r;

	cnt_add(&st->n_syscalls, 1);
	if (inject && injected(st))
		return -ENOMEM;
	r = mmap(base + idx * st->ps, n * st->ps, prot_of(perms), MAP_SHARED | MAP_FIXED,
		 st->fd, (off_t)phys * (off_t)st->ps);
	return r == MAP_FAILED ? -errno : 0;
}

static int protect_pages(struct vr_posix *st, unsigned char *base, size_t idx,
			 size_t n, unsigned perms, bool inject)
{
	cnt_add(&st->n_syscalls, 1);
	if (inject && injected(st))
		return -ENOMEM;
	return mprotect(base + idx * st->ps, n * st->ps, prot_of(perms)) ? -errno : 0;
}

/* Map the in-kernel records recs[0..n) of window pages [idx, +n) into one
 * window, one mmap per physically contiguous run of one permission. */
static int remap_recs(struct vr_posix *st, unsigned char *base, size_t idx, size_t n,
		      const uint32_t *recs)
{
	for (size_t i = 0, k; i < n; i += k) {
		uint32_t r0 = recs[i];
		int rc;

		VR_ASSERT(rec_in_kernel(r0));
		for (k = 1; i + k < n && rec_phys(recs[i + k]) == rec_phys(r0) + k &&
			    rec_perms(recs[i + k]) == rec_perms(r0); k++)
			;
		rc = map_pages(st, base, idx + i, k, rec_phys(r0), rec_perms(r0), false);
		if (rc)
			return rc;
	}
	return 0;
}

/* Apply the permissions of recs[0..n) to window pages [idx, +n) of one
 * window (rollback only: never injected). */
static int reprotect_recs(struct vr_posix *st, unsigned char *base, size_t idx, size_t n,
			  const uint32_t *recs)
{
	int ret = 0;

	for (size_t i = 0, k; i < n; i += k) {
		unsigned perms = rec_perms(recs[i]);
		int rc;

		for (k = 1; i + k < n && rec_perms(recs[i + k]) == perms; k++)
			;
		rc = protect_pages(st, base, idx + i, k, perms, false);
		if (rc && !ret)
			ret = rc;
	}
	return ret;
}

/*
 * Check a request: vaddr page-aligned inside the cached window, npages >= 1
 * and inside it, perms valid (when check_perms), every page mapped (want_mapped)
 * or unmapped (kept pages count as unmapped). Returns the first page index
 * via *idx, or -EINVAL (logged).
 */
static int check_range(struct vr_posix *st, const char *func, void *vaddr,
		       size_t npages, unsigned perms, bool check_perms, bool want_mapped,
		       size_t *idx)
{
	uintptr_t a = (uintptr_t)vaddr, base = (uintptr_t)st->cbase;
	size_t i;

	if (a < base || (a - base) % st->ps || (a - base) / st->ps >= st->W ||
	    npages == 0 || npages > st->W - (a - base) / st->ps) {
		VR_LOGF(&st->lp, VR_LOG_ERR, func, "range outside the window (addr, pages)", a, npages);
		return -EINVAL;
	}
	if (check_perms && (perms & ~VR_PERM_MASK)) {
		VR_LOGF(&st->lp, VR_LOG_ERR, func, "invalid permissions (addr, perms)", a, perms);
		return -EINVAL;
	}
	*idx = (a - base) / st->ps;
	for (i = 0; i < npages; i++) {
		if (!!(st->rec[*idx + i] & REC_MAPPED) != want_mapped) {
			VR_LOGF(&st->lp, VR_LOG_ERR, func,
				want_mapped ? "page not mapped (addr, pages)" :
				"page already mapped (addr, pages)", a + i * st->ps, npages);
			return -EINVAL;
		}
	}
	return 0;
}

/* Scratch records for a call: on the stack for short ranges (the common
 * case: no malloc per call), from malloc for long ones. */
#define SCRATCH_WORDS 80

static uint32_t *scratch_get(uint32_t *small, size_t words)
{
	return words <= SCRATCH_WORDS ? small : malloc(words * sizeof(uint32_t));
}

static void scratch_put(uint32_t *p, const uint32_t *small)
{
	if (p != small)
		free(p);
}

/* ---- physical pages ---- */

/* Take physical page q for a mapped or held window page (stealing it from a
 * parked page that could take it back). */
static void phys_own(struct vr_posix *st, size_t q)
{
	VR_ASSERT(q < st->P && !vr_bitmap_test(&st->used, q) && st->phys_free > 0);
	vr_bitmap_set(&st->used, q, 1);
	vr_bitmap_set(&st->taken, q, 1);
	vr_bitmap_clear(&st->bound, q, 1);
	st->phys_free--;
}

/* Give q up: free, and no parked page can take it back. */
static void phys_release(struct vr_posix *st, size_t q)
{
	VR_ASSERT(vr_bitmap_test(&st->used, q) && !vr_bitmap_test(&st->bound, q));
	vr_bitmap_clear(&st->used, q, 1);
	vr_bitmap_clear(&st->taken, q, 1);
	st->phys_free++;
}

/* Give q up, but window page i (parked) may take it back while it is free. */
static void phys_park(struct vr_posix *st, size_t q, size_t i)
{
	VR_ASSERT(vr_bitmap_test(&st->used, q) && i < st->W);
	vr_bitmap_clear(&st->used, q, 1);
	vr_bitmap_set(&st->bound, q, 1);
	st->rev[q] = (uint32_t)i;
	st->phys_free++;
}

/* Parked window page i can take its physical page back. */
static bool revivable(const struct vr_posix *st, size_t i)
{
	uint32_t r = st->rec[i];

	return rec_parked(r) && vr_bitmap_test(&st->bound, rec_phys(r)) && st->rev[rec_phys(r)] == i;
}

/* Forget whatever binding parked page i still has (it leaves the kernel). */
static void phys_unbind(struct vr_posix *st, size_t i)
{
	if (revivable(st, i)) {
		vr_bitmap_clear(&st->bound, rec_phys(st->rec[i]), 1);
		vr_bitmap_clear(&st->taken, rec_phys(st->rec[i]), 1);
	}
}

/* ---- map ---- */

/* Take n free physical pages [p, +n)... or gather them: pages nobody can
 * take back first (taken clear), then any free one (stealing). Writes the
 * records of window pages [idx, +n). */
static void gather_pages(struct vr_posix *st, size_t idx, size_t n, unsigned perms)
{
	size_t got = 0;

	for (int pass = 0; pass < 2 && got < n; pass++) {
		const struct vr_bitmap *bm = pass ? &st->used : &st->taken;

		for (size_t p = 0; got < n;) {
			size_t s = vr_bitmap_next_clear(bm, p), e, k;

			if (s >= st->P)
				break;
			e = vr_bitmap_next_set(bm, s);
			k = e - s < n - got ? e - s : n - got;
			for (size_t j = 0; j < k; j++) {
				st->rec[idx + got + j] = rec_make(s + j, perms);
				phys_own(st, s + j);
			}
			got += k;
			p = s + k;
		}
	}
	VR_ASSERT(got == n);
}

/*
 * Physical pages for fresh window pages [idx, +n): the run that continues
 * a neighbour's kernel mapping (the kernel merges them: no new mapping), else
 * one contiguous run nobody can take back, else one contiguous free run,
 * else gathered (gather_pages). Writes the records and owns the pages.
 */
static void pick_pages(struct vr_posix *st, size_t idx, size_t n, unsigned perms)
{
	size_t p = vri_posix_neighbour_phys(st, idx, n, perms);

	if (p == SIZE_MAX)
		p = vr_bitmap_find_clear_run(&st->taken, 0, n);
	if (p == SIZE_MAX)
		p = vr_bitmap_find_clear_run(&st->used, 0, n);
	if (p == SIZE_MAX) {
		gather_pages(st, idx, n, perms);
		return;
	}
	for (size_t j = 0; j < n; j++) {
		st->rec[idx + j] = rec_make(p + j, perms);
		phys_own(st, p + j);
	}
}

/* Zero the physical pages behind records [idx, +n) that may hold old data;
 * they may all be written from now on. */
static void zero_pages(struct vr_posix *st, size_t idx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t ph = rec_phys(st->rec[idx + i]);

		if (vr_bitmap_test(&st->dirty, ph)) {
			memset(st->direct + ph * st->ps, 0, st->ps);
			cnt_add(&st->n_zeroed, 1);
		}
		vr_bitmap_set(&st->dirty, ph, 1);
	}
}

enum { C_HELD, C_REVIVE, C_FRESH };

/* A map's plan: the old records of [idx, +n) and what each page becomes. */
struct map_plan {
	size_t idx, n, held, revive, parked;
	uint32_t *old;
	unsigned char *cls;	/* C_* per page */
	uint32_t small[SCRATCH_WORDS];
};

/* Write the new records (mprotect-able pages first, so a fresh pick never
 * steals a page this map takes back) and zero what needs it. */
static void map_plan(struct vr_posix *st, struct map_plan *m, unsigned perms)
{
	for (size_t i = 0; i < m->n; i++) {
		uint32_t r = m->old[i];

		if (m->cls[i] == C_HELD || m->cls[i] == C_REVIVE) {
			if (m->cls[i] == C_REVIVE)
				phys_own(st, rec_phys(r));
			st->rec[m->idx + i] = rec_make(rec_phys(r), perms);
		}
	}
	for (size_t i = 0, k; i < m->n; i += k) {
		for (k = 1; m->cls[i] == C_FRESH && i + k < m->n && m->cls[i + k] == C_FRESH; k++)
			;
		if (m->cls[i] == C_FRESH)
			pick_pages(st, m->idx + i, k, perms);
	}
	zero_pages(st, m->idx, m->n);
}

/* Undo map_plan (the kernel is as before). A binding a fresh pick stole is
 * not given back: that parked page will be mapped afresh (nothing anyone
 * can observe). */
static void map_unplan(struct vr_posix *st, const struct map_plan *m)
{
	for (size_t i = 0; i < m->n; i++) {
		size_t q = rec_phys(st->rec[m->idx + i]);

		if (m->cls[i] == C_REVIVE)
			phys_park(st, q, m->idx + i);
		else if (m->cls[i] == C_FRESH)
			phys_release(st, q);
		st->rec[m->idx + i] = m->old[i];
	}
}

/*
 * One window's syscalls: kept pages (held, parked) take the permissions
 * with one mprotect per stretch (none if they have them already), fresh
 * pages one mmap per physically contiguous run.
 */
static int map_window(struct vr_posix *st, unsigned char *base, const struct map_plan *m,
		      unsigned perms)
{
	for (size_t i = 0, k; i < m->n; i += k) {
		bool fresh = m->cls[i] == C_FRESH, same = rec_perms(m->old[i]) == perms;
		size_t q = rec_phys(st->rec[m->idx + i]);
		int rc;

		for (k = 1; i + k < m->n && (m->cls[i + k] == C_FRESH) == fresh; k++) {
			if (fresh && rec_phys(st->rec[m->idx + i + k]) != q + k)
				break;
			same &= rec_perms(m->old[i + k]) == perms;
		}
		if (fresh)
			rc = map_pages(st, base, m->idx + i, k, q, perms, true);
		else
			rc = same ? 0 : protect_pages(st, base, m->idx + i, k, perms, true);
		if (rc)
			return rc;
		if (fresh && base == st->cbase)
			cnt_add(&st->n_runs, 1);
	}
	return 0;
}

/* Put the kernel back as the old records say, in both windows. */
static bool map_rollback(struct vr_posix *st, const struct map_plan *m)
{
	bool ok = true;

	for (int w = 0; w < 2; w++) {
		unsigned char *base = w ? st->ubase : st->cbase;

		for (size_t i = 0, k; i < m->n; i += k) {
			uint32_t o = m->old[i];

			for (k = 1; i + k < m->n && m->cls[i + k] == m->cls[i] &&
				    !rec_in_kernel(m->old[i + k]) == !rec_in_kernel(o); k++)
				;
			if (m->cls[i] != C_FRESH)
				ok &= reprotect_recs(st, base, m->idx + i, k, m->old + i) == 0;
			else if (rec_in_kernel(o))	/* a parked page that lost its page */
				ok &= remap_recs(st, base, m->idx + i, k, m->old + i) == 0;
			else
				ok &= reserve_pages(st, base, m->idx + i, k, false) == 0;
		}
	}
	return ok;
}

/* Classify [idx, +n) into *m; -ENOMEM (logged) if physical pages lack. */
static int map_classify(struct vr_posix *st, struct map_plan *m)
{
	size_t need = 0;

	m->old = scratch_get(m->small, m->n + (m->n + 3) / 4);
	if (!m->old)
		return -ENOMEM;
	m->cls = (unsigned char *)(m->old + m->n);
	memcpy(m->old, st->rec + m->idx, m->n * sizeof(uint32_t));
	for (size_t i = 0; i < m->n; i++) {
		uint32_t r = m->old[i];

		m->cls[i] = rec_held(r) ? C_HELD : revivable(st, m->idx + i) ? C_REVIVE : C_FRESH;
		m->held += m->cls[i] == C_HELD;
		m->revive += m->cls[i] == C_REVIVE;
		m->parked += rec_parked(r);
		need += m->cls[i] != C_HELD;
	}
	if (need > st->phys_free) {
		VR_LOG(&st->lp, VR_LOG_WRN, "out of physical pages (pages, free)", need, st->phys_free);
		scratch_put(m->old, m->small);
		return -ENOMEM;
	}
	return 0;
}

static int map_locked(struct vr_posix *st, size_t idx, size_t npages, unsigned perms)
{
	struct map_plan m;	/* not zeroed whole: its scratch need not be */
	size_t before = vri_posix_bounds(st, idx, npages), after;
	int rc;

	m.idx = idx;
	m.n = npages;
	m.held = m.revive = m.parked = 0;
	rc = map_classify(st, &m);

	if (rc)
		return rc;
	map_plan(st, &m, perms);
	after = vri_posix_bounds(st, idx, npages);
	rc = vri_posix_vmas_check(st, before, after, "vri_posix_map");
	if (!rc) {
		rc = map_window(st, st->cbase, &m, perms);
		if (!rc)
			rc = map_window(st, st->ubase, &m, perms);
		if (rc) {
			VR_LOG(&st->lp, VR_LOG_ERR, "mmap failed (addr, errno)",
			       (uintptr_t)(st->cbase + idx * st->ps), (uintptr_t)-rc);
			if (!map_rollback(st, &m))
				VR_LOG(&st->lp, VR_LOG_ERR,
				       "rollback failed: pages stay mapped and leak (addr, pages)",
				       (uintptr_t)(st->cbase + idx * st->ps), npages);
		}
	}
	if (rc) {
		map_unplan(st, &m);
	} else {
		vri_posix_vmas_set(st, before, after);
		vr_bitmap_clear(&st->keptmap, idx, npages);
		st->held -= m.held;
		st->parked -= m.parked;
		st->mapped += npages;
		cnt_add(&st->n_revived, m.revive + m.held);
	}
	scratch_put(m.old, m.small);
	return rc;
}

int vri_posix_map(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	struct vr_posix *st = ctx;
	size_t idx = 0;
	int rc;

	pthread_mutex_lock(&st->mu);
	st->injected = false;
	rc = check_range(st, "vri_posix_map", vaddr, npages, perms, true, false, &idx);
	if (!rc)
		rc = map_locked(st, idx, npages, perms);
	if (!rc)
		VR_LOG(&st->lp, VR_LOG_DBG, "mapped (addr, pages)", (uintptr_t)vaddr, npages);
	cnt_add(rc ? &st->n_failed : &st->n_map, 1);
	VR_ASSERT(st->mapped + st->held + st->phys_free == st->P);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

/* ---- unmap ---- */

/* The records of [idx, +n) as they would be parked. */
static void parked_recs(const struct vr_posix *st, size_t idx, size_t n, uint32_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = rec_kept(rec_phys(st->rec[idx + i]), 0);
}

/* Widen [*lo, *hi) over the kept pages of the same kernel mapping on each
 * side: reserving them with the range costs no more mappings. */
static void widen_over_kept(const struct vr_posix *st, size_t *lo, size_t *hi)
{
	while (*lo > 0 && (st->rec[*lo - 1] & REC_KEPT) && vri_posix_joins(st, *lo - 1))
		(*lo)--;
	while (*hi < st->W && (st->rec[*hi] & REC_KEPT) && vri_posix_joins(st, *hi - 1))
		(*hi)++;
}

/*
 * The kernel part of reserving [idx, +n) in both windows, with rollback.
 * Returns 0 or the error; *stuck tells that the rollback failed too (the
 * range is then partly unmapped: port_posix.h, the Q1 caveat).
 */
static int reserve_kernel(struct vr_posix *st, size_t idx, size_t n, bool inject, bool *stuck)
{
	int rc = reserve_pages(st, st->cbase, idx, n, inject);

	*stuck = false;
	if (rc) {
		/* a failed MAP_FIXED may have removed part of the old mapping */
		*stuck = remap_recs(st, st->cbase, idx, n, st->rec + idx) != 0;
	} else {
		rc = reserve_pages(st, st->ubase, idx, n, inject);
		if (rc)
			*stuck = remap_recs(st, st->cbase, idx, n, st->rec + idx) ||
				 remap_recs(st, st->ubase, idx, n, st->rec + idx);
	}
	if (*stuck)
		VR_LOG(&st->lp, VR_LOG_ERR, "rollback failed: range partly unmapped (addr, pages)",
		       (uintptr_t)(st->cbase + idx * st->ps), n);
	return rc;
}

/* The owned physical pages of [idx, +n) leave their owner: hand each
 * physically contiguous run to vri_posix_zero_later (punch or stay dirty). */
static void leaving(struct vr_posix *st, size_t idx, size_t n)
{
	if (st->punch_min == SIZE_MAX)
		return;
	for (size_t i = 0, k; i < n; i += k) {
		uint32_t r = st->rec[idx + i];

		for (k = 1; i + k < n && rec_owns(st->rec[idx + i + k]) == rec_owns(r) &&
			    rec_phys(st->rec[idx + i + k]) == rec_phys(r) + k; k++)
			;
		if (rec_owns(r))
			vri_posix_zero_later(st, rec_phys(r), k);
	}
}

/* Forget [idx, +n) after the kernel reserved it: owned pages go free, parked
 * ones lose their binding. */
static void released(struct vr_posix *st, size_t idx, size_t n)
{
	leaving(st, idx, n);
	for (size_t i = idx; i < idx + n; i++) {
		uint32_t r = st->rec[i];

		VR_ASSERT(rec_in_kernel(r));
		if (rec_owns(r)) {
			phys_release(st, rec_phys(r));
		} else {
			phys_unbind(st, i);
		}
		st->mapped -= !!(r & REC_MAPPED);
		st->held -= rec_held(r);
		st->parked -= rec_parked(r);
		st->rec[i] = 0;
	}
	vr_bitmap_clear(&st->keptmap, idx, n);
}

/* Reserve [lo, hi) for real if the budget allows: 0 done, 1 it does not fit
 * (nothing done), or the error of reserve_kernel. */
static int reserve_if_fits(struct vr_posix *st, size_t lo, size_t hi, bool inject, bool *stuck)
{
	size_t before = vri_posix_bounds(st, lo, hi - lo), after;
	uint32_t small[SCRATCH_WORDS], *zeros = scratch_get(small, hi - lo);
	int rc;

	*stuck = false;
	if (!zeros)
		return -ENOMEM;
	memset(zeros, 0, (hi - lo) * sizeof(uint32_t));
	after = vri_posix_bounds_as(st, lo, hi - lo, zeros);
	scratch_put(zeros, small);
	if (!vri_posix_vmas_fit(st, before, after, false))
		return 1;
	rc = reserve_kernel(st, lo, hi - lo, inject, stuck);
	if (!rc) {
		released(st, lo, hi - lo);
		vri_posix_vmas_set(st, before, after);
	}
	return rc;
}

/* Mapped pages [idx, +n) become kept, without a syscall: parked where the
 * kernel already forbids access, else held (at the mapping limit). */
static void keep(struct vr_posix *st, size_t idx, size_t n, bool parked)
{
	leaving(st, idx, n);
	for (size_t i = idx; i < idx + n; i++) {
		uint32_t r = st->rec[i];
		size_t q = rec_phys(r);

		VR_ASSERT(r & REC_MAPPED);
		if (parked || !rec_perms(r)) {
			st->rec[i] = rec_kept(q, 0);
			phys_park(st, q, i);
			st->parked++;
		} else {
			st->rec[i] = rec_kept(q, rec_perms(r));
			st->held++;
			cnt_add(&st->n_held, 1);
		}
	}
	vr_bitmap_set(&st->keptmap, idx, n);
	st->mapped -= n;
}

/* Park [idx, +n): PROT_NONE in both windows (rollback on failure). */
static int park(struct vr_posix *st, size_t idx, size_t n, size_t before, size_t after)
{
	int rc = protect_pages(st, st->cbase, idx, n, 0, true);

	if (!rc)
		rc = protect_pages(st, st->ubase, idx, n, 0, true);
	if (rc) {
		/* mprotect may change part of a range before failing: restore both */
		if (reprotect_recs(st, st->cbase, idx, n, st->rec + idx) |
		    reprotect_recs(st, st->ubase, idx, n, st->rec + idx))
			VR_LOG(&st->lp, VR_LOG_ERR, "rollback failed: permissions differ (addr, pages)",
			       (uintptr_t)(st->cbase + idx * st->ps), n);
		return rc;
	}
	keep(st, idx, n, true);
	vri_posix_vmas_set(st, before, after);
	cnt_add(&st->n_parked, n);
	return 0;
}

static int unmap_locked(struct vr_posix *st, size_t idx, size_t n)
{
	size_t before = vri_posix_bounds(st, idx, n), after_park, lo = idx, hi = idx + n;
	uint32_t small[SCRATCH_WORDS], *recs = scratch_get(small, n);
	bool stuck;
	int rc;

	if (!recs)
		return -ENOMEM;
	parked_recs(st, idx, n, recs);
	after_park = vri_posix_bounds_as(st, idx, n, recs);
	scratch_put(recs, small);
	if (vri_posix_vmas_fit(st, before, after_park, true))
		return park(st, idx, n, before, after_park);
	/* more than half the budget used: reserve (never costs more mappings
	 * than parking), else park, else hold */
	widen_over_kept(st, &lo, &hi);
	rc = reserve_if_fits(st, lo, hi, true, &stuck);
	if (rc == 1 && vri_posix_vmas_fit(st, before, after_park, false))
		return park(st, idx, n, before, after_park);
	if (rc <= 0 && (rc != -ENOMEM || st->injected || stuck))
		return rc;
	if (rc < 0)	/* the kernel's own limit, below our estimate */
		VR_LOG(&st->lp, VR_LOG_WRN, "mmap refused at vm.max_map_count, pages held (addr, pages)",
		       (uintptr_t)(st->cbase + idx * st->ps), n);
	keep(st, idx, n, false);
	return 0;
}

int vri_posix_unmap(void *ctx, void *vaddr, size_t npages)
{
	struct vr_posix *st = ctx;
	size_t idx = 0;
	int rc;

	pthread_mutex_lock(&st->mu);
	st->injected = false;
	rc = check_range(st, "vri_posix_unmap", vaddr, npages, 0, false, true, &idx);
	if (!rc)
		rc = unmap_locked(st, idx, npages);
	if (rc)
		VR_LOG(&st->lp, VR_LOG_ERR, "unmap failed (addr, errno)", (uintptr_t)vaddr,
		       (uintptr_t)-rc);
	else
		vri_posix_sweep_kept(st);
	cnt_add(rc ? &st->n_failed : &st->n_unmap, 1);
	VR_ASSERT(st->mapped + st->held + st->phys_free == st->P);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

bool vri_posix_release_kept(struct vr_posix *st, size_t lo, size_t hi)
{
	bool stuck;

	VR_ASSERT(lo < hi && vr_bitmap_all_set(&st->keptmap, lo, hi - lo));
	return reserve_if_fits(st, lo, hi, false, &stuck) == 0;
}

/* ---- protect ---- */

static int protect_locked(struct vr_posix *st, size_t idx, size_t n, unsigned perms)
{
	size_t before = vri_posix_bounds(st, idx, n), after;
	uint32_t small[SCRATCH_WORDS], *recs = scratch_get(small, n);
	int rc;

	if (!recs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		recs[i] = rec_make(rec_phys(st->rec[idx + i]), perms);
	after = vri_posix_bounds_as(st, idx, n, recs);
	rc = vri_posix_vmas_check(st, before, after, "vri_posix_protect");
	if (!rc) {
		rc = protect_pages(st, st->cbase, idx, n, perms, true);
		if (!rc)
			rc = protect_pages(st, st->ubase, idx, n, perms, true);
		/* mprotect may change part of a range before failing: restore both */
		if (rc && (reprotect_recs(st, st->cbase, idx, n, st->rec + idx) |
			   reprotect_recs(st, st->ubase, idx, n, st->rec + idx)))
			VR_LOG(&st->lp, VR_LOG_ERR, "rollback failed: permissions differ (addr, pages)",
			       (uintptr_t)(st->cbase + idx * st->ps), n);
	}
	if (!rc) {
		memcpy(st->rec + idx, recs, n * sizeof(uint32_t));
		vri_posix_vmas_set(st, before, after);
	}
	scratch_put(recs, small);
	return rc;
}

int vri_posix_protect(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	struct vr_posix *st = ctx;
	size_t idx = 0;
	int rc;

	pthread_mutex_lock(&st->mu);
	st->injected = false;
	rc = check_range(st, "vri_posix_protect", vaddr, npages, perms, true, true, &idx);
	if (!rc)
		rc = protect_locked(st, idx, npages, perms);
	if (rc)
		VR_LOG(&st->lp, VR_LOG_ERR, "protect failed (addr, errno)", (uintptr_t)vaddr,
		       (uintptr_t)-rc);
	cnt_add(rc ? &st->n_failed : &st->n_protect, 1);
	pthread_mutex_unlock(&st->mu);
	return rc;
}
