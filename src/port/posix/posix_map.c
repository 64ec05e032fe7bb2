/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * posix_map.c - map / unmap / protect of the posix port.
 *
 * Every call runs under the port mutex and follows one pattern: check the
 * range and its state (-EINVAL, nothing changed), do the syscalls window by
 * window, and on the first failure undo what was done so far (Q1). The
 * records (rec[]) and the physical bitmap are changed only once the kernel
 * agrees, except in map(), which writes tentative records that its rollback
 * clears.
 */
#include <errno.h>
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
	if (!st->inject)
		return false;
	return --st->inject == 0;
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

/*
 * Length of the run starting at window page idx (at most n pages) whose
 * records are mapped, physically consecutive and (if same_perms) of equal
 * permissions.
 */
static size_t run_len(const struct vr_posix *st, size_t idx, size_t n, bool same_perms)
{
	uint32_t r0 = st->rec[idx];
	size_t k = 1;

	while (k < n) {
		uint32_t r = st->rec[idx + k];

		if (rec_phys(r) != rec_phys(r0) + k || (same_perms && rec_perms(r) != rec_perms(r0)))
			break;
		k++;
	}
	return k;
}

/* Map records [idx, +n) into one window, run by run, as the records say. */
static int remap_from_records(struct vr_posix *st, unsigned char *base,
			      size_t idx, size_t n, bool inject)
{
	size_t i = 0;

	while (i < n) {
		size_t k = run_len(st, idx + i, n - i, true);
		int rc = map_pages(st, base, idx + i, k, rec_phys(st->rec[idx + i]),
				   rec_perms(st->rec[idx + i]), inject);

		if (rc)
			return rc;
		i += k;
	}
	return 0;
}

/* Apply the recorded permissions of [idx, +n) in one window (rollback only). */
static int reprotect_from_records(struct vr_posix *st, unsigned char *base,
				  size_t idx, size_t n)
{
	size_t i = 0;
	int ret = 0;

	while (i < n) {
		unsigned perms = rec_perms(st->rec[idx + i]);
		size_t k = 1;
		int rc;

		while (k < n - i && rec_perms(st->rec[idx + i + k]) == perms)
			k++;
		rc = protect_pages(st, base, idx + i, k, perms, false);
		if (rc && !ret)
			ret = rc;
		i += k;
	}
	return ret;
}

/* Forget records [idx, +n) and return their physical pages. */
static void release_records(struct vr_posix *st, size_t idx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		VR_ASSERT(st->rec[idx + i] & REC_MAPPED);
		vr_bitmap_clear(&st->used, rec_phys(st->rec[idx + i]), 1);
		st->rec[idx + i] = 0;
	}
	st->phys_free += n;
}

/*
 * Check a request: vaddr page-aligned inside the cached window, npages >= 1
 * and inside it, perms valid (when check_perms), every page mapped (want_mapped)
 * or unmapped. Returns the first page index via *idx, or a negative errno.
 */
static int check_range(struct vr_posix *st, const char *func, void *vaddr,
		       size_t npages, unsigned perms, bool check_perms, bool want_mapped,
		       size_t *idx)
{
	uintptr_t a = (uintptr_t)vaddr, base = (uintptr_t)st->cbase;
	size_t i;

	if (a < base || (a - base) % st->ps || (a - base) / st->ps >= st->W ||
	    npages == 0 || npages > st->W - (a - base) / st->ps) {
		VR_LOGF(&st->lp, VR_LOG_ERR, func, "range outside the window", a, npages);
		return -EINVAL;
	}
	if (check_perms && (perms & ~VR_PERM_MASK)) {
		VR_LOGF(&st->lp, VR_LOG_ERR, func, "invalid permissions", a, perms);
		return -EINVAL;
	}
	*idx = (a - base) / st->ps;
	for (i = 0; i < npages; i++) {
		if (!!(st->rec[*idx + i] & REC_MAPPED) != want_mapped) {
			VR_LOGF(&st->lp, VR_LOG_ERR, func,
				     want_mapped ? "page not mapped" : "page already mapped",
				     a + i * st->ps, npages);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Choose n free physical pages for window pages [idx, +n): one contiguous
 * run if there is one (first fit), else free runs lowest first. Writes
 * tentative records with `perms` and marks the pages used.
 */
static void pick_pages(struct vr_posix *st, size_t idx, size_t n, unsigned perms)
{
	size_t got = 0, p = vr_bitmap_find_clear_run(&st->used, 0, n);

	if (p != SIZE_MAX) {
		for (got = 0; got < n; got++)
			st->rec[idx + got] = rec_make(p + got, perms);
		vr_bitmap_set(&st->used, p, n);
	} else {
		p = 0;
		while (got < n) {
			size_t s = vr_bitmap_next_clear(&st->used, p);
			size_t e = vr_bitmap_next_set(&st->used, s);
			size_t k = e - s < n - got ? e - s : n - got;

			VR_ASSERT(s < st->P && k > 0);
			for (size_t j = 0; j < k; j++)
				st->rec[idx + got + j] = rec_make(s + j, perms);
			vr_bitmap_set(&st->used, s, k);
			got += k;
			p = s + k;
		}
	}
	st->phys_free -= n;
}

/* Zero the physical pages behind records [idx, +n) that may hold old data. */
static void zero_pages(struct vr_posix *st, size_t idx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t ph = rec_phys(st->rec[idx + i]);

		if (vr_bitmap_test(&st->dirty, ph)) {
			memset(st->direct + ph * st->ps, 0, st->ps);
			cnt_add(&st->n_zeroed, 1);
		} else {
			vr_bitmap_set(&st->dirty, ph, 1);
		}
	}
}

/*
 * Undo a map() of [idx, +n) that failed part-way: re-reserve the whole range
 * in both windows (this also fills any hole a failed MAP_FIXED left), then
 * forget the records. If re-reserving fails the records stay (see the Q1
 * caveat in port_posix.h).
 */
static void map_rollback(struct vr_posix *st, size_t idx, size_t n)
{
	int rc = reserve_pages(st, st->cbase, idx, n, false);
	int ru = reserve_pages(st, st->ubase, idx, n, false);

	if (rc || ru) {
		VR_LOGF(&st->lp, VR_LOG_ERR, "vri_posix_map",
			     "rollback failed: pages stay mapped and leak",
			     (uintptr_t)(st->cbase + idx * st->ps), n);
		return;
	}
	release_records(st, idx, n);
}

int vri_posix_map(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	struct vr_posix *st = ctx;
	size_t idx, i;
	int rc;

	pthread_mutex_lock(&st->mu);
	rc = check_range(st, "vri_posix_map", vaddr, npages, perms, true, false, &idx);
	if (rc)
		goto out;
	if (st->phys_free < npages) {
		VR_LOG(&st->lp, VR_LOG_WRN, "out of physical pages",
			     npages, st->phys_free);
		rc = -ENOMEM;
		goto out;
	}
	pick_pages(st, idx, npages, perms);
	zero_pages(st, idx, npages);
	for (i = 0; i < npages && !rc;) {
		size_t k = run_len(st, idx + i, npages - i, false);
		size_t ph = rec_phys(st->rec[idx + i]);

		rc = map_pages(st, st->cbase, idx + i, k, ph, perms, true);
		if (!rc)
			rc = map_pages(st, st->ubase, idx + i, k, ph, perms, true);
		if (!rc)
			cnt_add(&st->n_runs, 1);
		i += k;
	}
	if (rc) {
		VR_LOG(&st->lp, VR_LOG_ERR, "mmap failed", (uintptr_t)vaddr,
			     (uintptr_t)-rc);
		map_rollback(st, idx, npages);
		goto out;
	}
	st->mapped += npages;
	VR_LOG(&st->lp, VR_LOG_DBG, "mapped", (uintptr_t)vaddr, npages);
out:
	cnt_add(rc ? &st->n_failed : &st->n_map, 1);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int vri_posix_unmap(void *ctx, void *vaddr, size_t npages)
{
	struct vr_posix *st = ctx;
	size_t idx;
	int rc;

	pthread_mutex_lock(&st->mu);
	rc = check_range(st, "vri_posix_unmap", vaddr, npages, 0, false, true, &idx);
	if (rc)
		goto out;
	rc = reserve_pages(st, st->cbase, idx, npages, true);
	if (rc) {
		/* a failed MAP_FIXED may have removed part of the old mapping */
		if (remap_from_records(st, st->cbase, idx, npages, false))
			goto stuck;
		goto failed;
	}
	rc = reserve_pages(st, st->ubase, idx, npages, true);
	if (rc) {
		if (remap_from_records(st, st->cbase, idx, npages, false) ||
		    remap_from_records(st, st->ubase, idx, npages, false))
			goto stuck;
		goto failed;
	}
	release_records(st, idx, npages);
	st->mapped -= npages;
	VR_LOG(&st->lp, VR_LOG_DBG, "unmapped", (uintptr_t)vaddr, npages);
	goto out;
stuck:
	VR_LOG(&st->lp, VR_LOG_ERR,
		     "rollback failed: range partly unmapped", (uintptr_t)vaddr, npages);
failed:
	VR_LOG(&st->lp, VR_LOG_ERR, "mmap failed", (uintptr_t)vaddr,
		     (uintptr_t)-rc);
out:
	cnt_add(rc ? &st->n_failed : &st->n_unmap, 1);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int vri_posix_protect(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	struct vr_posix *st = ctx;
	size_t idx, i;
	int rc;

	pthread_mutex_lock(&st->mu);
	rc = check_range(st, "vri_posix_protect", vaddr, npages, perms, true, true, &idx);
	if (rc)
		goto out;
	rc = protect_pages(st, st->cbase, idx, npages, perms, true);
	if (!rc)
		rc = protect_pages(st, st->ubase, idx, npages, perms, true);
	/* mprotect may change part of a range before failing: restore both */
	if (rc && (reprotect_from_records(st, st->cbase, idx, npages) |
		   reprotect_from_records(st, st->ubase, idx, npages)))
		VR_LOG(&st->lp, VR_LOG_ERR,
			     "rollback failed: permissions differ", (uintptr_t)vaddr, npages);
	if (rc) {
		VR_LOG(&st->lp, VR_LOG_ERR, "mprotect failed",
			     (uintptr_t)vaddr, (uintptr_t)-rc);
		goto out;
	}
	for (i = 0; i < npages; i++)
		st->rec[idx + i] = rec_make(rec_phys(st->rec[idx + i]), perms);
out:
	cnt_add(rc ? &st->n_failed : &st->n_protect, 1);
	pthread_mutex_unlock(&st->mu);
	return rc;
}
