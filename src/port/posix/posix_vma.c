/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * posix_vma.c - what the posix port's mappings cost the kernel, and the
 * choices that keep the cost down (see port_posix.h, "The vm.max_map_count
 * limit"):
 *   - the count: a window is one sequence of kernel mappings (VMAs). Two
 *     neighbouring pages share one iff both are reserved (PROT_NONE), or both
 *     are in the kernel (mapped or held) with the same permissions and
 *     consecutive physical pages (the kernel merges such mmaps). Counting the
 *     boundaries gives the port's mappings exactly: 1 for the reservation,
 *     + 2 per boundary (both windows), + 1 for the direct map;
 *   - the budget: vm.max_map_count, read once per process, less a reserve
 *     for the rest of the process, shared by every posix port (and the
 *     config's max_mappings per port, to simulate a small limit);
 *   - placement: a map takes the physical pages that continue its
 *     neighbour's mapping when they are free, so the kernel merges them;
 *   - kept (parked, held) pages, swept back to reserved when the port uses
 *     more than half its budget;
 *   - zeroing by hole (optional, punch_min_pages): pages leaving an owner are
 *     punched out of the memfd (FALLOC_FL_PUNCH_HOLE), so the next map reads
 *     zeros without a memset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posix_internal.h"

/* ---- the count ---- */

bool vri_posix_joins(const struct vr_posix *st, size_t i)
{
	uint32_t a = st->rec[i], b = st->rec[i + 1];

	VR_ASSERT(i + 1 < st->W);
	if (!rec_in_kernel(a) || !rec_in_kernel(b))
		return !rec_in_kernel(a) && !rec_in_kernel(b);
	return rec_perms(a) == rec_perms(b) && rec_phys(b) == rec_phys(a) + 1;
}

size_t vri_posix_bounds(const struct vr_posix *st, size_t idx, size_t n)
{
	size_t from = idx ? idx - 1 : 0, to = idx + n < st->W ? idx + n : st->W - 1, b = 0;

	VR_ASSERT(n >= 1 && idx + n <= st->W);
	for (size_t i = from; i < to; i++)
		b += !vri_posix_joins(st, i);
	if (idx == 0)
		b += rec_in_kernel(st->rec[0]);		/* the guard page before */
	if (idx + n == st->W)
		b += rec_in_kernel(st->rec[st->W - 1]);	/* the guard page after */
	return b;
}

/* Exchange records [idx, +n) with recs[0..n). */
static void swap_recs(struct vr_posix *st, size_t idx, size_t n, uint32_t *recs)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t t = st->rec[idx + i];

		st->rec[idx + i] = recs[i];
		recs[i] = t;
	}
}

size_t vri_posix_bounds_as(struct vr_posix *st, size_t idx, size_t n, uint32_t *recs)
{
	size_t b;

	swap_recs(st, idx, n, recs);
	b = vri_posix_bounds(st, idx, n);
	swap_recs(st, idx, n, recs);
	return b;
}

/* ---- the budget ---- */

static atomic_size_t g_vmas;		/* mappings of every posix port in the process */
static size_t g_budget;			/* what they may use together */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* Lines of a /proc file (mappings of the process), 0 if unreadable. */
static size_t count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* vm.max_map_count (65530 if unreadable), less a reserve for the rest of
 * the process: an eighth of the limit, plus what it maps already. */
static void budget_init(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	unsigned long limit = 65530;
	size_t reserve;

	if (f) {
		if (fscanf(f, "%lu", &limit) != 1)
			limit = 65530;
		fclose(f);
	}
	reserve = (size_t)limit / 8 + count_lines("/proc/self/maps");
	g_budget = (size_t)limit > reserve ? (size_t)limit - reserve : 0;
}

size_t vri_posix_vmas(const struct vr_posix *st)
{
	return 2 + 2 * st->bounds;
}

size_t vri_posix_vmas_limit(const struct vr_posix *st)
{
	size_t all = atomic_load_explicit(&g_vmas, memory_order_relaxed), mine = vri_posix_vmas(st);
	size_t lim = g_budget > all ? g_budget - all + mine : mine;

	return st->own_limit && st->own_limit < lim ? st->own_limit : lim;
}

bool vri_posix_vmas_fit(const struct vr_posix *st, size_t before, size_t after, bool half)
{
	size_t lim = vri_posix_vmas_limit(st);

	return after <= before || vri_posix_vmas(st) + 2 * (after - before) <= (half ? lim / 2 : lim);
}

int vri_posix_vmas_check(const struct vr_posix *st, size_t before, size_t after, const char *func)
{
	if (vri_posix_vmas_fit(st, before, after, false))
		return 0;
	VR_LOGF(&st->lp, VR_LOG_WRN, func,
		"refused: the kernel's mapping limit (vm.max_map_count) would be crossed "
		"(mappings, limit)", vri_posix_vmas(st) + 2 * (after - before), vri_posix_vmas_limit(st));
	return -ENOMEM;
}

void vri_posix_vmas_set(struct vr_posix *st, size_t before, size_t after)
{
	VR_ASSERT(st->bounds + after >= before);
	st->bounds = st->bounds + after - before;
	atomic_fetch_add_explicit(&g_vmas, 2 * after, memory_order_relaxed);
	atomic_fetch_sub_explicit(&g_vmas, 2 * before, memory_order_relaxed);
}

void vri_posix_vmas_add_port(struct vr_posix *st)
{
	pthread_once(&g_once, budget_init);
	atomic_fetch_add_explicit(&g_vmas, vri_posix_vmas(st), memory_order_relaxed);
}

void vri_posix_vmas_del_port(struct vr_posix *st)
{
	atomic_fetch_sub_explicit(&g_vmas, vri_posix_vmas(st), memory_order_relaxed);
}

/* ---- placement ---- */

size_t vri_posix_neighbour_phys(const struct vr_posix *st, size_t idx, size_t n, unsigned perms)
{
	if (idx > 0) {
		uint32_t r = st->rec[idx - 1];
		size_t q = rec_phys(r) + 1;

		if (rec_in_kernel(r) && rec_perms(r) == perms && q <= st->P - n && n <= st->P &&
		    vr_bitmap_all_clear(&st->taken, q, n))
			return q;
	}
	if (idx + n < st->W) {
		uint32_t r = st->rec[idx + n];
		size_t q = rec_phys(r);

		if (rec_in_kernel(r) && rec_perms(r) == perms && q >= n &&
		    vr_bitmap_all_clear(&st->taken, q - n, n))
			return q - n;
	}
	return SIZE_MAX;
}

/* ---- zeroing by hole ---- */

void vri_posix_zero_later(struct vr_posix *st, size_t q, size_t k)
{
	VR_ASSERT(k >= 1 && q + k <= st->P);
	if (k < st->punch_min)
		return;		/* stays dirty: memset at its next map */
	cnt_add(&st->n_syscalls, 1);
	if (fallocate(st->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)q * (off_t)st->ps, (off_t)k * (off_t)st->ps) == 0) {
		vr_bitmap_clear(&st->dirty, q, k);
		cnt_add(&st->n_punched, k);
	}
}

/* ---- kept pages ---- */

void vri_posix_sweep_kept(struct vr_posix *st)
{
	size_t lo, hi;

	if (!(st->held + st->parked) || vri_posix_vmas(st) <= vri_posix_vmas_limit(st) / 2)
		return;
	lo = vr_bitmap_next_set(&st->keptmap, st->kept_cursor);
	if (lo >= st->W)
		lo = vr_bitmap_next_set(&st->keptmap, 0);
	VR_ASSERT(lo < st->W);
	for (hi = lo + 1; hi < st->W && (st->rec[hi] & REC_KEPT) && vri_posix_joins(st, hi - 1); hi++)
		;
	st->kept_cursor = hi < st->W ? hi : 0;
	(void)vri_posix_release_kept(st, lo, hi);
}
