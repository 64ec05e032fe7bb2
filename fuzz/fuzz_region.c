/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_region.c - libFuzzer harness for regions (vregion/vregion.h) over a
 * vpage pool on the flat port (vregion/port_flat.h), from input bytes.
 *
 * Header (4 bytes):
 *   [0] page size 64 << (b % 7)                  (64 .. 4096)
 *   [1] cache line: 0 if (b & 7) == 0, else 4 << (b & 7)   (8 .. 512)
 *   [2] window pages 4 + b, at most WIN_BYTES / page
 *   [3] bits 0-1: pool guard pages (0, 0, 1, 2); 4: lock callbacks;
 *       8: fault injection ops allowed; 16: small metadata buffer;
 *       32: log hook
 * then operations, one opcode byte each plus arguments (see the switch).
 *
 * The port seen by the core is the flat port wrapped: map/unmap keep ASan's
 * poisoning equal to the mapping (an unmapped page, e.g. a guard page, is
 * poisoned, so a stray access faults as it would under an MMU), and
 * map/protect/meta_alloc/lock_create can be made to fail once (fault
 * injection). Locks are fake: they check create/lock/unlock/destroy pairing.
 *
 * The model: regions (references, phase, bump pointer, lifetime end, counters)
 * and their allocations (fill tag, lifetime or interim). The lifetime bump is
 * modelled exactly from the layout rules in vregion.h (alignment, rounding,
 * failure iff it does not fit), and set_interim's heap base and its -ENOSPC
 * boundary too. After every operation: vr_vpage_validate,
 * vr_region_validate of every live region, every statistic against
 * the model (pool pages, mapped pages, metadata blocks, region counters),
 * recorded page permissions (sealing), no lock held, the first bytes of every
 * allocation, and the canaries around the window and the metadata buffer.
 * Lifetime memory is checked to be zero when handed out (regions are zeroed
 * and the bump never reuses). The flat port's own validate runs after an
 * injected fault and at the end. Bad frees must fail with the documented errno
 * and change nothing but `errors`. Calls on a released region must be
 * refused while its metadata has not been reused. At the end every reference
 * is put, and the pool, the port and the locks must be back to empty
 * (vr_vpage_pool_deinit and vr_flat_port_deinit succeed: no leak).
 */
#include <errno.h>

#include "vregion/vregion.h"
#include "vregion/port_flat.h"
#include "stress.h"
#include "fuzz_common.h"
#include "region_model.h"
#include "util.h"	/* vr_is_pow2 */

#define WIN_BYTES	(128u * 1024u)
#define META_BYTES	(96u * 1024u)
#define GUARD		256
#define NREG		8
#define NALLOC		96
#define NSTALE		16
#define NFOREIGN	4
#define NDEAD		4
#define NLOCK		32
#define MAX_OPS		512	/* operations per input: bounds the time per input */
#define QUICK		16	/* bytes of each allocation checked after every op */

/* ---- fake locks ---- */

struct vr_port_lock {
	int state;		/* 0 unused, 1 created, 2 held */
};

static struct vr_port_lock locks[NLOCK];
static bool fail_lock_create;

static struct vr_port_lock *lk_create(void *ctx)
{
	int i;

	(void)ctx;
	if (fail_lock_create) {
		fail_lock_create = false;
		return NULL;
	}
	for (i = 0; i < NLOCK; i++) {
		if (locks[i].state == 0) {
			locks[i].state = 1;
			return &locks[i];
		}
	}
	return NULL;
}

static void lk_destroy(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	FZ_CHECK(l >= locks && l < locks + NLOCK && l->state == 1,
		 "lock_destroy of a lock that is not created and unlocked (%d)", l->state);
	l->state = 0;
}

static void lk_lock(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	FZ_CHECK(l >= locks && l < locks + NLOCK && l->state == 1,
		 "lock of a lock that is held or not created (%d): recursion?", l->state);
	l->state = 2;
}

static void lk_unlock(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	FZ_CHECK(l >= locks && l < locks + NLOCK && l->state == 2,
		 "unlock of a lock that is not held (%d)", l->state);
	l->state = 1;
}

static size_t locks_in(int state)
{
	size_t i, n = 0;

	for (i = 0; i < NLOCK; i++)
		n += locks[i].state == state;
	return n;
}

static void log_hook(void *ctx, enum vr_log_level level, const char *func, const char *msg,
		     uintptr_t a, uintptr_t b)
{
	(void)ctx;
	FZ_CHECK(func != NULL && msg != NULL && (unsigned)level <= VR_LOG_DBG,
		 "log hook called with NULL func/msg or a bad level");
	FZ_TRACE("    log %d %s: %s (%#lx, %#lx)\n", (int)level, func, msg,
		 (unsigned long)a, (unsigned long)b);
}

/* ---- the wrapped port ---- */

static _Alignas(4096) uint8_t win_arena[GUARD * 16 + WIN_BYTES + 4096 + GUARD * 16];
static _Alignas(16) uint8_t meta_arena[GUARD + META_BYTES + GUARD];
#define WIN_LO   win_arena
#define WIN_HI   (win_arena + sizeof(win_arena))
#define META_LO  meta_arena
#define META_HI  (meta_arena + sizeof(meta_arena))

static struct vr_flat_port fp;
static const struct vr_port *flat;	/* the flat port's own callbacks */
static struct vr_port wport;		/* what the core sees */
static struct vr_vpage_pool pool;

static struct {
	bool map, protect, meta;	/* fail the next call once */
	size_t meta_allocs;		/* successful meta_alloc calls */
	size_t meta_live;		/* live meta blocks from the core */
	bool port_touched;		/* a callback ran since the last check */
	bool port_check;		/* run vr_flat_port_validate after this op */
} inj;

static int w_map(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	int rc;

	inj.port_touched = true;
	if (inj.map) {
		inj.map = false;
		inj.port_check = true;
		return -ENOMEM;
	}
	FZ_UNPOISON(vaddr, npages * wport.page_size);
	rc = flat->map(ctx, vaddr, npages, perms);
	if (rc)
		FZ_POISON(vaddr, npages * wport.page_size);
	return rc;
}

static int w_unmap(void *ctx, void *vaddr, size_t npages)
{
	int rc = flat->unmap(ctx, vaddr, npages);

	inj.port_touched = true;
	if (rc == 0)
		FZ_POISON(vaddr, npages * wport.page_size);
	return rc;
}

static int w_protect(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	inj.port_touched = true;
	if (inj.protect) {
		inj.protect = false;
		inj.port_check = true;
		return -EIO;
	}
	return flat->protect(ctx, vaddr, npages, perms);
}

static void *w_meta_alloc(void *ctx, size_t bytes)
{
	void *p;

	inj.port_touched = true;
	if (inj.meta) {
		inj.meta = false;
		inj.port_check = true;
		return NULL;
	}
	p = flat->meta_alloc(ctx, bytes);
	if (p) {
		inj.meta_allocs++;
		inj.meta_live++;
		FZ_CHECK(((uintptr_t)p & 15u) == 0, "meta block not 16-aligned");
	}
	return p;
}

static void w_meta_free(void *ctx, void *p, size_t bytes)
{
	inj.port_touched = true;
	inj.meta_live--;
	flat->meta_free(ctx, p, bytes);
}

/* ---- the model ---- */

struct reg {
	struct vr_region *vr;	/* NULL: slot empty */
	size_t refs;
	enum vr_region_phase phase;
	unsigned flags;
	uintptr_t base, end, bump, lifetime_end;
	size_t pages, vpages;	/* mapped pages; pool pages taken (guards too) */
	bool own_guard;
	size_t min_align, line;
	size_t lt_allocs, lt_frees, failures, errors;
	size_t interim_live;
	uint32_t heap_gen;	/* bumped by interim allocs and resets */
	bool sealed;
};

struct alloc {
	uint8_t *p;		/* NULL: slot empty */
	size_t size;
	uint32_t tag;
	int r;			/* region slot */
	bool interim;
	bool aligned;		/* interim block aligned above 8: the heap pads it */
};

struct stale {
	uint8_t *p;
	int r;
	struct vr_region *vr;	/* to notice that the region slot was reused */
	bool interim, dropped, aligned;
	uint32_t gen;		/* heap_gen when it stopped being live */
};

struct dead {
	struct vr_region *vr;
	size_t meta_allocs;	/* inj.meta_allocs when it was released */
};

struct foreign {
	uint8_t *p;
	size_t pages;
};

static struct {
	size_t page, line, wpages, guard;
	uint8_t *win;
	size_t meta_base;	/* meta blocks of the port/pool themselves */
	bool inject, small_meta;
	struct reg r[NREG];
	struct alloc a[NALLOC];
	struct stale s[NSTALE];
	size_t ns;
	struct dead d[NDEAD];
	size_t nd;
	struct foreign f[NFOREIGN];
	uint32_t tagseq;
	unsigned ops;
	size_t pool_failures_seen;
} M;

static uint8_t foreign_mem[256];
static uint8_t zero_page[4096];

/* ---- helpers ---- */

static bool reg_live(const void *arg, int i)
{
	(void)arg;
	return M.r[i].vr != NULL;
}

static int reg_pick(uint8_t b)
{
	return fz_slot_find(NREG, b, reg_live, NULL);
}

struct alloc_want {
	int r;		/* region slot, -1 any */
	int interim;	/* 1 interim, 0 lifetime, -1 any */
};

static bool alloc_match(const void *arg, int i)
{
	const struct alloc_want *w = arg;

	return M.a[i].p && (w->r < 0 || M.a[i].r == w->r) &&
	       (w->interim < 0 || M.a[i].interim == (w->interim != 0));
}

static int alloc_pick(uint8_t b, int r, int interim)
{
	struct alloc_want w = { r, interim };

	return fz_slot_find(NALLOC, b, alloc_match, &w);
}

static bool alloc_unused(const void *arg, int i)
{
	(void)arg;
	return M.a[i].p == NULL;
}

static int alloc_empty(void)
{
	return fz_slot_find(NALLOC, 0, alloc_unused, NULL);
}

static bool alloc_at(const void *arg, int i)
{
	return M.a[i].p == arg;
}

static bool is_live_alloc(const uint8_t *p)
{
	return p && fz_slot_find(NALLOC, 0, alloc_at, p) >= 0;
}

static void stale_add(const struct alloc *a, bool dropped)
{
	struct stale *s;

	if (M.ns == NSTALE) {
		memmove(&M.s[0], &M.s[1], sizeof(M.s[0]) * (NSTALE - 1));
		M.ns--;
	}
	s = &M.s[M.ns++];
	s->p = a->p;
	s->r = a->r;
	s->vr = M.r[a->r].vr;
	s->interim = a->interim;
	s->aligned = a->aligned;
	s->dropped = dropped;
	s->gen = M.r[a->r].heap_gen;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n) {
		size_t k = n < sizeof(zero_page) ? n : sizeof(zero_page);

		if (memcmp(p, zero_page, k) != 0)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

static void check_alloc(int i, bool full)
{
	struct alloc *a = &M.a[i];
	size_t n = full || a->size < QUICK ? a->size : QUICK;
	size_t off = vr_fill_check(a->p, n, a->tag);

	FZ_CHECK(off == n, "fill pattern of allocation %d (%p, %zu bytes, %s, region %d) broken "
		 "at offset %zu (op %u)", i, (void *)a->p, a->size,
		 a->interim ? "interim" : "lifetime", a->r, off, M.ops);
}

static size_t pool_pages_taken(void)
{
	size_t i, n = 0;

	for (i = 0; i < NREG; i++) {
		if (M.r[i].vr)
			n += M.r[i].vpages;
	}
	for (i = 0; i < NFOREIGN; i++) {
		if (M.f[i].p)
			n += M.f[i].pages + M.guard;
	}
	return n;
}

static size_t pages_mapped(void)
{
	size_t i, n = 0;

	for (i = 0; i < NREG; i++) {
		if (M.r[i].vr)
			n += M.r[i].pages;
	}
	for (i = 0; i < NFOREIGN; i++) {
		if (M.f[i].p)
			n += M.f[i].pages;
	}
	return n;
}

/* ---- the checks after every operation ---- */

static void check_region(int i)
{
	struct reg *R = &M.r[i];
	struct vr_region_stats st;
	size_t outstanding;
	int rc;

	rc = vr_region_validate(R->vr);
	FZ_CHECK(rc == 0, "vr_region_validate(region %d) = %d (op %u)", i, rc, M.ops);
	FZ_CHECK(vr_region_get_stats(R->vr, &st) == 0, "get_stats");
	FZ_CHECK(st.phase == R->phase, "region %d: phase %d, model %d", i, st.phase, R->phase);
	FZ_CHECK(st.refcount == R->refs, "region %d: refcount %zu, model %zu", i,
		 st.refcount, R->refs);
	FZ_CHECK(st.base == R->base && st.size == R->end - R->base &&
		 st.pages == R->pages && st.size == st.pages * M.page,
		 "region %d: base/size/pages %#lx %zu %zu, model %#lx %zu %zu", i,
		 (unsigned long)st.base, st.size, st.pages, (unsigned long)R->base,
		 (size_t)(R->end - R->base), R->pages);
	FZ_CHECK(st.min_align == R->min_align, "region %d: min_align %zu, model %zu", i,
		 st.min_align, R->min_align);
	FZ_CHECK(st.lifetime_used == R->bump - R->base, "region %d: lifetime_used %zu, model %zu",
		 i, st.lifetime_used, (size_t)(R->bump - R->base));
	FZ_CHECK(st.lifetime_size == R->lifetime_end - R->base,
		 "region %d: lifetime_size %zu, model %zu", i, st.lifetime_size,
		 (size_t)(R->lifetime_end - R->base));
	FZ_CHECK(st.lifetime_allocs == R->lt_allocs && st.lifetime_frees == R->lt_frees,
		 "region %d: lifetime allocs/frees %zu/%zu, model %zu/%zu", i,
		 st.lifetime_allocs, st.lifetime_frees, R->lt_allocs, R->lt_frees);
	FZ_CHECK(st.failures == R->failures, "region %d: failures %zu, model %zu", i,
		 st.failures, R->failures);
	FZ_CHECK(st.errors == R->errors, "region %d: errors %zu, model %zu", i,
		 st.errors, R->errors);
	FZ_CHECK(st.interim_live == R->interim_live, "region %d: interim_live %zu, model %zu",
		 i, st.interim_live, R->interim_live);
	outstanding = R->lt_allocs - R->lt_frees + R->interim_live;
	FZ_CHECK(st.outstanding == outstanding, "region %d: outstanding %zu, model %zu", i,
		 st.outstanding, outstanding);
	FZ_CHECK(st.sealed == R->sealed, "region %d: sealed %d, model %d", i, st.sealed,
		 R->sealed);
	if (R->phase == VR_REGION_INTERIM) {
		FZ_CHECK(st.interim_size == R->end - R->lifetime_end,
			 "region %d: interim_size %zu, model %zu", i, st.interim_size,
			 (size_t)(R->end - R->lifetime_end));
		FZ_CHECK(st.interim_peak >= st.interim_used &&
			 st.interim_used <= st.interim_size &&
			 st.interim_largest_free < st.interim_size,
			 "region %d: interim used %zu peak %zu largest %zu size %zu", i,
			 st.interim_used, st.interim_peak, st.interim_largest_free,
			 st.interim_size);
	} else {
		FZ_CHECK(st.interim_size == 0 && st.interim_used == 0 && st.interim_live == 0,
			 "region %d: interim figures outside INTERIM", i);
	}
}

static void check_all(void)
{
	struct vr_vpage_stats ps;
	size_t i, taken, mapped;
	int rc;

	FZ_CHECK(fz_canary_ok(WIN_LO, M.win, M.wpages * M.page, WIN_HI),
		 "a byte outside the window was written (op %u)", M.ops);
	FZ_CHECK(fz_canary_ok(META_LO, META_LO + GUARD, META_BYTES, META_HI),
		 "a byte outside the metadata buffer was written (op %u)", M.ops);
	rc = vr_vpage_validate(&pool);
	FZ_CHECK(rc == 0, "vr_vpage_validate = %d (op %u)", rc, M.ops);
	/* The port's mapped-page count when the op reached the port. Its own
	 * O(window + metadata granules) validate bit by bit is the slowest walk
	 * and the port is not what this harness is about (it has its own
	 * tests): after an injected fault and at the end of the input. */
	if (inj.port_touched) {
		FZ_CHECK(vr_flat_port_mapped_pages(&fp) == pages_mapped(),
			 "port: %zu pages mapped, model %zu", vr_flat_port_mapped_pages(&fp),
			 pages_mapped());
		inj.port_touched = false;
	}
	if (inj.port_check) {
		rc = vr_flat_port_validate(&fp);
		FZ_CHECK(rc == 0, "vr_flat_port_validate = %d (op %u)", rc, M.ops);
		inj.port_check = false;
	}
	FZ_CHECK(locks_in(2) == 0, "a lock is still held after op %u", M.ops);

	FZ_CHECK(vr_vpage_get_stats(&pool, &ps) == 0, "vpage stats");
	taken = pool_pages_taken();
	mapped = pages_mapped();
	FZ_CHECK(ps.vpages_total == M.wpages && ps.vpages_free == M.wpages - taken,
		 "pool: %zu of %zu pages free, model %zu", ps.vpages_free, ps.vpages_total,
		 M.wpages - taken);
	FZ_CHECK(ps.ppages_free == ps.ppages_total - mapped,
		 "pool: %zu physical pages free of %zu, model %zu mapped", ps.ppages_free,
		 ps.ppages_total, mapped);
	FZ_CHECK(ps.largest_free_run <= ps.vpages_free, "largest free run > free pages");
	{
		size_t nreg = 0, nown = 0, nf = 0;

		for (i = 0; i < NREG; i++) {
			nreg += M.r[i].vr != NULL;
			nown += M.r[i].vr && M.r[i].own_guard;
		}
		for (i = 0; i < NFOREIGN; i++)
			nf += M.f[i].p != NULL;
		FZ_CHECK(ps.live_allocs == nreg - nown + nf && ps.live_reserved == nown,
			 "pool: %zu allocs %zu reservations, model %zu %zu", ps.live_allocs,
			 ps.live_reserved, nreg - nown + nf, nown);
		FZ_CHECK(inj.meta_live == nreg + M.meta_base &&
			 vr_flat_port_meta_live(&fp) == nreg + M.meta_base,
			 "metadata blocks: core %zu port %zu, model %zu", inj.meta_live,
			 vr_flat_port_meta_live(&fp), nreg + M.meta_base);
	}
	for (i = 0; i < NREG; i++) {
		if (M.r[i].vr)
			check_region((int)i);
	}
	for (i = 0; i < NALLOC; i++) {
		if (M.a[i].p)
			check_alloc((int)i, false);
	}
}

/* ---- operations ---- */

static size_t region_size_arg(struct fz_in *in)
{
	return fz_size(in, M.wpages * M.page);
}

static void op_create(struct fz_in *in)
{
	uint8_t ab = fz_u8(in), fb = fz_u8(in);
	size_t size = region_size_arg(in);
	struct vr_region_config cfg = { 0 };
	struct vr_vpage_stats before;
	struct vr_region *vr;
	size_t eff_align, pages = 0;
	bool bad, armed;
	int i;

	for (i = 0; i < NREG && M.r[i].vr; i++)
		;
	if (i == NREG)
		return;
	cfg.size = size;
	cfg.min_align = ab < 200 ? (ab % 4u == 0 ? 0 : (size_t)1 << (ab % 14u)) : ab;
	cfg.flags = fb < 240 ? fb & VR_REGION_FLAGS_MASK : fb;
	cfg.name = "fuzz";
	eff_align = cfg.min_align ? cfg.min_align : (M.line > 16 ? M.line : 16);
	if (size != 0 && size <= SIZE_MAX - (M.page - 1))
		pages = (size + M.page - 1) / M.page;
	/* Certain failures (vregion.h): bad size, unknown flags, min_align
	 * not a power of two in [8, page], cache line larger than a page. */
	bad = pages == 0 || pages > M.wpages || (cfg.flags & ~VR_REGION_FLAGS_MASK) ||
	      !vr_is_pow2(eff_align) || eff_align < 8 || eff_align > M.page || M.line > M.page;
	armed = inj.map || inj.meta || fail_lock_create;
	vr_vpage_get_stats(&pool, &before);
	vr = vr_region_create(&pool, &cfg);
	FZ_TRACE("  create(size %zu, min_align %zu, flags %#x) = %p\n", size, cfg.min_align,
		 cfg.flags, (void *)vr);
	if (!vr) {
		struct vr_vpage_stats after;

		/* Nothing left allocated, the pool as before (check_all verifies
		 * the counts against the model, which did not change). */
		vr_vpage_get_stats(&pool, &after);
		FZ_CHECK(after.vpages_free == before.vpages_free, "failed create took pages");
		/* With valid arguments, room in the pool, the large metadata
		 * buffer and no fault armed, create must succeed. */
		FZ_CHECK(bad || M.small_meta || armed ||
			 before.largest_free_run < pages + M.guard +
			 ((cfg.flags & VR_REGION_GUARD) && M.guard == 0 ? 1u : 0u),
			 "create(%zu bytes, min_align %zu, flags %#x) failed with %zu free pages "
			 "in a run", size, cfg.min_align, cfg.flags, before.largest_free_run);
		return;
	}
	FZ_CHECK(!bad, "create succeeded with invalid arguments (size %zu, min_align %zu, "
		 "flags %#x, line %zu, page %zu)", size, cfg.min_align, cfg.flags, M.line, M.page);
	{
		struct reg *R = &M.r[i];
		size_t sz;
		uintptr_t base;

		memset(R, 0, sizeof(*R));
		R->vr = vr;
		R->refs = 1;
		R->phase = VR_REGION_LIFETIME;
		R->flags = cfg.flags;
		R->pages = pages;
		R->own_guard = (cfg.flags & VR_REGION_GUARD) && M.guard == 0;
		R->vpages = pages + (R->own_guard ? 1u : 0u) + M.guard;
		R->min_align = eff_align;
		R->line = M.line ? M.line : 1;
		FZ_CHECK(vr_region_mem_info(vr, &sz, &base) == 0, "mem_info");
		FZ_CHECK(sz == pages * M.page && (base & (M.page - 1)) == 0 &&
			 base >= (uintptr_t)M.win && base + sz <= (uintptr_t)(M.win + M.wpages * M.page),
			 "region [%#lx, +%zu) not page-aligned inside the window", (unsigned long)base, sz);
		R->base = R->bump = base;
		R->end = R->lifetime_end = base + sz;
		FZ_CHECK(all_zero((uint8_t *)base, sz), "a new region's memory is not zeroed");
		for (int k = 0; k < NREG; k++) {
			if (k != i && M.r[k].vr)
				FZ_CHECK(R->end <= M.r[k].base || M.r[k].end <= R->base,
					 "regions %d and %d overlap", i, k);
		}
		if (R->own_guard)
			FZ_CHECK(vr_flat_port_perms(&fp, (void *)R->end) == -ENOENT,
				 "VR_REGION_GUARD: the page after the region is mapped");
	}
}

static void release_model(int r)
{
	struct reg *R = &M.r[r];
	size_t i;

	for (i = 0; i < NALLOC; i++) {
		if (M.a[i].p && M.a[i].r == r)
			M.a[i].p = NULL;
	}
	for (i = 0; i < M.ns; i++) {
		if (M.s[i].r == r)
			M.s[i].p = NULL;	/* its region is gone */
	}
	if (M.nd == NDEAD) {
		memmove(&M.d[0], &M.d[1], sizeof(M.d[0]) * (NDEAD - 1));
		M.nd--;
	}
	M.d[M.nd].vr = R->vr;
	M.d[M.nd].meta_allocs = inj.meta_allocs;
	M.nd++;
	R->vr = NULL;
}

static void op_put(int r)
{
	struct reg *R = &M.r[r];
	struct vr_region *ret;
	size_t outstanding = 12345, want = R->lt_allocs - R->lt_frees + R->interim_live;

	ret = vr_region_put_report(R->vr, &outstanding);
	FZ_TRACE("  put(region %d, refs %zu) = %p, outstanding %zu\n", r, R->refs, (void *)ret,
		 outstanding);
	if (--R->refs) {
		FZ_CHECK(ret == R->vr && outstanding == 0, "put with references left returned "
			 "%p (outstanding %zu)", (void *)ret, outstanding);
		return;
	}
	FZ_CHECK(ret == NULL, "last put returned %p", (void *)ret);
	FZ_CHECK(outstanding == want, "last put: outstanding %zu, model %zu", outstanding, want);
	release_model(r);
}

/* An interim block p of req bytes at effective alignment eff: inside the
 * heap, aligned, overlapping nothing live. */
static void check_interim_block(const struct reg *R, const uint8_t *p, size_t req, size_t eff)
{
	int i;

	FZ_CHECK((uintptr_t)p >= R->lifetime_end && (uintptr_t)p <= R->end &&
		 req <= (size_t)(R->end - (uintptr_t)p),
		 "interim block %p (+%zu) outside the heap [%#lx, %#lx)", (const void *)p, req,
		 (unsigned long)R->lifetime_end, (unsigned long)R->end);
	FZ_CHECK(((uintptr_t)p & (eff - 1)) == 0, "interim block %p not aligned to %zu",
		 (const void *)p, eff);
	for (i = 0; i < NALLOC; i++) {
		const struct alloc *o = &M.a[i];

		if (o->p && o->p < p + req && p < o->p + o->size)
			FZ_CHECK(0, "interim block %p (+%zu) overlaps allocation %d (%p +%zu)",
				 (const void *)p, req, i, (void *)o->p, o->size);
	}
}

static void op_alloc(struct fz_in *in)
{
	uint8_t r8 = fz_u8(in), kind = fz_u8(in);
	int r = reg_pick(r8), slot = alloc_empty();
	size_t size = fz_size(in, 512), align = 0, eff, req = size;
	struct vr_lt_model lt;
	struct reg *R;
	struct vr_region_stats st;
	uint8_t *p;
	bool coherent = false, ok;
	const char *what;

	if (kind % 6u >= 3u)
		align = fz_align(in);	/* all arguments are read before any return */
	if (r < 0 || slot < 0)
		return;
	R = &M.r[r];
	vr_region_get_stats(R->vr, &st);
	switch (kind % 6u) {
	case 0: what = "alloc(inline)"; p = vr_region_alloc(R->vr, size); break;
	case 1: what = "alloc"; p = (vr_region_alloc)(R->vr, size); break;
	case 2: what = "alloc_coherent"; coherent = true;
		p = vr_region_alloc_coherent(R->vr, size); break;
	case 3: what = "alloc_align"; p = vr_region_alloc_align(R->vr, size, align); break;
	case 4: what = "alloc_coherent_align"; coherent = true;
		p = vr_region_alloc_coherent_align(R->vr, size, align); break;
	default: what = "alloc_align(0)"; align = 0;
		p = vr_region_alloc_align(R->vr, size, 0); break;
	}
	FZ_TRACE("  %s(region %d, %zu, align %zu) = %p\n", what, r, size, align, (void *)p);
	/* the request as vregion.h normalises it (tests/common/region_model.h) */
	lt.bump = R->bump;
	lt.end = R->lifetime_end;
	lt.min_align = R->min_align;
	lt.line = R->line;
	eff = align;
	ok = vr_model_request(&lt, &size, &eff, coherent);
	if (!ok)
		eff = R->min_align;

	if (R->phase == VR_REGION_LIFETIME) {
		uintptr_t nb = 0, want = 0;

		if (ok && !vr_model_place(&lt, size, eff, &want, &nb))
			want = 0;
		FZ_CHECK((uintptr_t)p == want, "%s(%zu, align %zu) in LIFETIME = %p, model %#lx "
			 "(bump %#lx, end %#lx)", what, req, align, (void *)p, (unsigned long)want,
			 (unsigned long)R->bump, (unsigned long)R->lifetime_end);
		if (p) {
			FZ_CHECK(all_zero(p, req), "lifetime memory handed out is not zero");
			R->bump = nb;
			R->lt_allocs++;
		}
	} else if (R->phase == VR_REGION_INVALID) {
		FZ_CHECK(p == NULL, "%s succeeded in an INVALID region", what);
	} else if (p) {
		FZ_CHECK(ok, "%s(%zu, align %zu) succeeded", what, req, align);
		check_interim_block(R, p, req, eff);
		R->interim_live++;
		R->heap_gen++;
	} else if (ok && eff == R->min_align) {
		/* interim_largest_free: the largest alloc at min_align that
		 * succeeds now (vregion.h). */
		FZ_CHECK(size > st.interim_largest_free, "%s(%zu) failed with interim_largest_free "
			 "%zu (min_align %zu)", what, size, st.interim_largest_free, R->min_align);
	}
	if (!p) {
		R->failures++;
		return;
	}
	FZ_CHECK(vr_region_contains(R->vr, p) && vr_region_contains(R->vr, p + req - 1),
		 "contains() false for a new allocation");
	M.a[slot].p = p;
	M.a[slot].size = req;
	M.a[slot].r = r;
	M.a[slot].interim = R->phase == VR_REGION_INTERIM;
	M.a[slot].aligned = eff > 8;
	M.a[slot].tag = ++M.tagseq * 0x01000193u + (uint32_t)req;
	vr_fill(p, req, M.a[slot].tag);
}

static void op_free(int i)
{
	struct alloc *a = &M.a[i];
	struct reg *R = &M.r[a->r];
	int rc;

	check_alloc(i, true);
	rc = vr_region_free(R->vr, a->p);
	FZ_TRACE("  free(region %d, %s %p) = %d\n", a->r, a->interim ? "interim" : "lifetime",
		 (void *)a->p, rc);
	FZ_CHECK(rc == 0, "free of a live %s allocation %p (%zu bytes) = %d",
		 a->interim ? "interim" : "lifetime", (void *)a->p, a->size, rc);
	if (a->interim)
		R->interim_live--;
	else
		R->lt_frees++;
	stale_add(a, false);
	a->p = NULL;
}

enum want {
	W_EINVAL,	/* exactly -EINVAL */
	W_NEG,		/* -EINVAL or -EFAULT */
	W_PROB,		/* fails, or (heap's 9-bit header check) is accepted */
};

/* Free p in region r: not a live allocation start of r. */
static bool bad_free(int r, void *p, enum want want, const char *what)
{
	struct reg *R = &M.r[r];
	int rc = vr_region_free(R->vr, p);

	FZ_TRACE("  free(region %d, %s %p) = %d\n", r, what, p, rc);
	if (rc == 0 && want == W_PROB) {
		/* The heap accepted a pointer it could not tell from a block:
		 * the documented 2^-9 case. The model cannot follow; drop the
		 * region's interim allocations from the checks. */
		FZ_TRACE("  -> accepted (probabilistic header check); region %d heap untrusted\n", r);
		return false;
	}
	if (want == W_EINVAL)
		FZ_CHECK(rc == -EINVAL, "free(%s %p) in region %d = %d, want -EINVAL", what, p, r, rc);
	else
		FZ_CHECK(rc == -EINVAL || rc == -EFAULT, "free(%s %p) in region %d = %d", what, p,
			 r, rc);
	R->errors++;
	return true;
}

static void untrust_heap(int r);

static void op_bad_free(struct fz_in *in)
{
	uint8_t kind = fz_u8(in), arg = fz_u8(in);
	uint16_t k16 = fz_u16(in);
	int r = reg_pick(arg), i;
	struct reg *R;

	if (r < 0)
		return;
	R = &M.r[r];
	switch (kind % 8u) {
	case 0:	/* interior of a lifetime allocation: never a start (start map) */
		i = alloc_pick(arg, r, 0);
		if (i >= 0 && M.a[i].size > 1)
			bad_free(r, M.a[i].p + 1 + k16 % (M.a[i].size - 1), W_EINVAL,
				 "lifetime interior");
		break;
	case 1:	/* interior of an interim allocation */
		i = alloc_pick(arg, r, 1);
		if (i >= 0 && M.a[i].size > 1) {
			size_t off = 1 + k16 % (M.a[i].size - 1);
			uint8_t *p = M.a[i].p + off;

			if ((uintptr_t)p & (R->min_align - 1))
				bad_free(r, p, W_EINVAL, "interim interior (misaligned)");
			else if (!bad_free(r, p, W_PROB, "interim interior (aligned)"))
				untrust_heap(r);
		}
		break;
	case 2:	/* foreign: static memory, another region's allocation, pool pages */
		bad_free(r, foreign_mem + arg % 64u, W_EINVAL, "foreign static");
		i = alloc_pick(arg, -1, -1);
		if (i >= 0 && M.a[i].r != r)
			bad_free(r, M.a[i].p, W_EINVAL, "another region's allocation");
		for (i = 0; i < NFOREIGN; i++) {
			if (M.f[i].p) {
				bad_free(r, M.f[i].p, W_EINVAL, "pool pages outside the region");
				break;
			}
		}
		bad_free(r, (void *)(R->end + k16 % 64u), W_EINVAL, "just past the region");
		if (R->base > (uintptr_t)M.win)
			bad_free(r, (void *)(R->base - 1 - k16 % 64u), W_EINVAL,
				 "just before the region");
		break;
	case 3:
		bad_free(r, NULL, W_EINVAL, "NULL");
		break;
	case 4:	/* lifetime padding, or above the bump pointer */
		if (R->bump < R->lifetime_end)
			bad_free(r, (void *)(R->bump + k16 % (R->lifetime_end - R->bump)),
				 W_EINVAL, "above the bump pointer");
		break;
	default: /* double free, free after interim_reset */
		if (M.ns == 0)
			break;
		{
			struct stale *s = &M.s[(arg + k16) % M.ns];

			if (!s->p || s->vr != M.r[s->r].vr || is_live_alloc(s->p))
				break;
			r = s->r;
			R = &M.r[r];
			if (!s->interim)
				bad_free(r, s->p, W_EINVAL, "lifetime double free");
			else if (R->phase != VR_REGION_INTERIM)
				bad_free(r, s->p, W_EINVAL, "interim block of a region no longer INTERIM");
			else if (s->gen == R->heap_gen)	/* -EFAULT possible: see fuzz_heap.c */
				bad_free(r, s->p, s->dropped || s->aligned ? W_NEG : W_EINVAL,
					 s->dropped ? "dropped by interim_reset" : "interim double free");
			else if (!bad_free(r, s->p, W_PROB, s->dropped ? "dropped (old)" : "double (old)"))
				untrust_heap(r);
		}
		break;
	}
}

/* After the heap accepted a bad pointer the region's heap state is unknown:
 * reset it (the documented way back to a clean heap). */
static void untrust_heap(int r)
{
	struct reg *R = &M.r[r];
	int i;

	FZ_CHECK(vr_region_interim_reset(R->vr) == 0, "interim_reset after an accepted bad free");
	for (i = 0; i < NALLOC; i++) {
		if (M.a[i].p && M.a[i].r == r && M.a[i].interim)
			M.a[i].p = NULL;
	}
	R->interim_live = 0;
	R->heap_gen++;
	{
		struct vr_region_stats st;

		vr_region_get_stats(R->vr, &st);
		R->errors = st.errors;	/* the accepted free was not an error */
	}
}

static void op_set_interim(int r)
{
	struct reg *R = &M.r[r];
	size_t step, isz;
	uintptr_t ib;
	bool seal_fail = inj.protect;	/* consumed only if protect is called */
	int rc, want;

	rc = vr_region_set_interim(R->vr);
	FZ_TRACE("  set_interim(region %d, phase %d) = %d\n", r, R->phase, rc);
	if (R->phase == VR_REGION_INTERIM) {
		FZ_CHECK(rc == 0, "set_interim when INTERIM = %d", rc);
		return;
	}
	step = (R->flags & VR_REGION_SEAL) ? M.page :
	       (R->line > R->min_align ? R->line : R->min_align);
	ib = (R->bump + step - 1) & ~(uintptr_t)(step - 1);
	isz = (size_t)(R->end - ib);
	/* INVALID iff a fresh heap there (granule min_align, vregion.h) could
	 * not grant one min_align block. */
	if (vr_heap_fresh_max_granule((void *)ib, isz, R->min_align, R->min_align) < R->min_align) {
		FZ_CHECK(rc == -ENOSPC, "set_interim with %zu bytes left = %d, want -ENOSPC", isz, rc);
		R->phase = VR_REGION_INVALID;
		return;
	}
	want = (R->flags & VR_REGION_SEAL) && ib > R->base && seal_fail ? -EIO : 0;
	FZ_CHECK(rc == want, "set_interim(%zu bytes for the heap) = %d, want %d", isz, rc, want);
	if (rc)
		return;		/* stays LIFETIME, nothing changed */
	R->phase = VR_REGION_INTERIM;
	R->lifetime_end = ib;
	R->sealed = (R->flags & VR_REGION_SEAL) && ib > R->base;
	R->heap_gen++;
	/* Recorded permissions: sealed lifetime pages read-only, the rest RW. */
	if (R->sealed)
		FZ_CHECK(vr_flat_port_perms(&fp, (void *)R->base) == VR_PERM_R &&
			 vr_flat_port_perms(&fp, (void *)(ib - 1)) == VR_PERM_R,
			 "sealed lifetime pages are not read-only");
	{
		struct vr_region_stats st;

		vr_region_get_stats(R->vr, &st);
		FZ_CHECK(st.interim_largest_free >= R->min_align,
			 "INTERIM with interim_largest_free %zu < min_align %zu",
			 st.interim_largest_free, R->min_align);
	}
	FZ_CHECK(vr_flat_port_perms(&fp, (void *)(R->end - 1)) == VR_PERM_RW &&
		 (ib == R->end || vr_flat_port_perms(&fp, (void *)ib) == VR_PERM_RW),
		 "interim heap pages are not read-write");
}

static void op_interim_reset(int r)
{
	struct reg *R = &M.r[r];
	int rc = vr_region_interim_reset(R->vr), i;

	FZ_TRACE("  interim_reset(region %d) = %d\n", r, rc);
	if (R->phase != VR_REGION_INTERIM) {
		FZ_CHECK(rc == -EINVAL, "interim_reset outside INTERIM = %d", rc);
		R->errors++;
		return;
	}
	FZ_CHECK(rc == 0, "interim_reset = %d", rc);
	R->heap_gen++;		/* first: the dropped blocks get the new gen */
	for (i = 0; i < NALLOC; i++) {
		if (M.a[i].p && M.a[i].r == r && M.a[i].interim) {
			stale_add(&M.a[i], true);
			M.a[i].p = NULL;
		}
	}
	R->interim_live = 0;
}

/* Every call on a NULL or released region is refused and changes nothing. */
static void op_dead_calls(uint8_t arg)
{
	struct vr_region *vr = NULL;
	struct vr_region_stats st;
	struct vr_region_config cfg = { .size = 64 };
	size_t sz = 7;
	uintptr_t start = 9;

	if (arg % 2u && M.nd) {
		struct dead *d = &M.d[arg / 2u % M.nd];

		if (d->meta_allocs != inj.meta_allocs)
			return;	/* its metadata may be a new region now */
		vr = d->vr;
	}
	FZ_TRACE("  calls on %s region %p\n", vr ? "a released" : "a NULL", (void *)vr);
	FZ_CHECK(vr_region_get(vr) == NULL, "get(dead)");
	FZ_CHECK(vr_region_put(vr) == NULL, "put(dead)");
	FZ_CHECK(vr_region_put_report(vr, &sz) == NULL && sz == 0, "put_report(dead)");
	FZ_CHECK(vr_region_set_interim(vr) == -EINVAL, "set_interim(dead)");
	FZ_CHECK(vr_region_interim_reset(vr) == -EINVAL, "interim_reset(dead)");
	FZ_CHECK(vr_region_alloc(vr, 8) == NULL, "alloc(dead), inline");
	FZ_CHECK((vr_region_alloc)(vr, 8) == NULL, "alloc(dead)");
	FZ_CHECK(vr_region_alloc_align(vr, 8, 64) == NULL, "alloc_align(dead)");
	FZ_CHECK(vr_region_alloc_coherent(vr, 8) == NULL, "alloc_coherent(dead)");
	FZ_CHECK(vr_region_alloc_coherent_align(vr, 8, 64) == NULL, "alloc_coherent_align(dead)");
	FZ_CHECK(vr_region_free(vr, foreign_mem) == -EINVAL, "free(dead)");
	FZ_CHECK(!vr_region_contains(vr, foreign_mem), "contains(dead)");
	FZ_CHECK(vr_region_get_stats(vr, &st) == -EINVAL, "get_stats(dead)");
	FZ_CHECK(vr_region_mem_info(vr, &sz, &start) == -EINVAL && sz == 0 && start == 9,
		 "mem_info(dead) = or wrote its outputs");
	FZ_CHECK(vr_region_phase(vr) == VR_REGION_INVALID, "phase(dead)");
	FZ_CHECK(vr_region_pool(vr) == NULL, "pool(dead)");
	FZ_CHECK(vr_region_validate(vr) == -EINVAL, "validate(dead)");
	FZ_CHECK(vr_region_info(vr) == -EINVAL, "info(dead)");
	if (!vr) {
		FZ_CHECK(vr_region_create(NULL, &cfg) == NULL, "create(NULL pool)");
		FZ_CHECK(vr_region_create(&pool, NULL) == NULL, "create(NULL cfg)");
	}
}

static void op_queries(int r, uint8_t arg)
{
	struct reg *R = &M.r[r];
	struct vr_region_stats st;
	size_t sz = 0;
	uintptr_t start = 0;
	int i;

	FZ_CHECK(vr_region_get_stats(R->vr, NULL) == -EINVAL, "get_stats(NULL out)");
	FZ_CHECK(vr_region_get_stats(R->vr, &st) == 0, "get_stats");
	FZ_CHECK(vr_region_mem_info(R->vr, &sz, NULL) == 0 && sz == R->end - R->base,
		 "mem_info size");
	FZ_CHECK(vr_region_mem_info(R->vr, NULL, &start) == 0 && start == R->base,
		 "mem_info start");
	FZ_CHECK(vr_region_mem_info(R->vr, NULL, NULL) == 0, "mem_info(NULL, NULL)");
	FZ_CHECK(vr_region_phase(R->vr) == R->phase, "phase()");
	FZ_CHECK(vr_region_pool(R->vr) == &pool, "pool()");
	FZ_CHECK(vr_region_info(R->vr) == 0, "info()");
	FZ_CHECK(vr_region_contains(R->vr, (void *)R->base) &&
		 vr_region_contains(R->vr, (void *)(R->end - 1)) &&
		 !vr_region_contains(R->vr, (void *)R->end) &&
		 !vr_region_contains(R->vr, (void *)(R->base - 1)) &&
		 !vr_region_contains(R->vr, NULL) &&
		 !vr_region_contains(R->vr, foreign_mem), "contains() at the borders");
	i = alloc_pick(arg, -1, -1);
	if (i >= 0)
		FZ_CHECK(vr_region_contains(R->vr, M.a[i].p) == (M.a[i].r == r),
			 "contains(allocation of region %d) in region %d", M.a[i].r, r);
}

static void op_foreign(uint8_t arg, uint8_t n)
{
	int i = arg % NFOREIGN;
	struct foreign *f = &M.f[i];

	if (f->p) {
		int rc = vr_vpage_free(&pool, f->p);

		FZ_TRACE("  vpage_free(%p) = %d\n", (void *)f->p, rc);
		FZ_CHECK(rc == 0, "vpage_free of a live run = %d", rc);
		f->p = NULL;
		return;
	}
	f->pages = 1u + n % 4u;
	f->p = vr_vpage_alloc(&pool, f->pages);
	FZ_TRACE("  vpage_alloc(%zu) = %p\n", f->pages, (void *)f->p);
	if (f->p)
		FZ_CHECK(all_zero(f->p, f->pages * M.page), "vpage_alloc: pages not zeroed");
}

/* ---- setup and teardown ---- */

static void setup(struct fz_in *in)
{
	uint8_t b0 = fz_u8(in), b1 = fz_u8(in), b2 = fz_u8(in), b3 = fz_u8(in);
	struct vr_flat_config cfg = { 0 };
	struct vr_vpage_config pc = { 0 };
	size_t meta_bytes;
	int rc;

	memset(&M, 0, sizeof(M));
	memset(&inj, 0, sizeof(inj));
	memset(locks, 0, sizeof(locks));
	fail_lock_create = false;
	fz_canary_release(WIN_LO, WIN_HI);
	fz_canary_release(META_LO, META_HI);

	M.page = (size_t)64 << (b0 % 7u);
	M.line = (b1 & 7u) ? (size_t)4 << (b1 & 7u) : 0;
	M.wpages = 4u + b2;
	if (M.wpages > WIN_BYTES / M.page)
		M.wpages = WIN_BYTES / M.page;
	M.guard = (b3 & 3u) == 2 ? 1 : (b3 & 3u) == 3 ? 2 : 0;
	M.inject = (b3 & 8u) != 0;
	M.small_meta = (b3 & 16u) != 0;
	M.win = (uint8_t *)(((uintptr_t)win_arena + GUARD * 16 + M.page - 1) & ~(uintptr_t)(M.page - 1));
	/* Metadata: the pool's, and per region its control block, heap control
	 * and start map (one byte per min_align granule: at most window / 8 for
	 * all regions together). Twice that, so first fit never runs out, or
	 * (small mode) room for about one region. */
	meta_bytes = (b3 & 16u) ?
		vr_flat_port_meta_bytes(M.wpages, vr_vpage_meta_bytes_for(M.wpages) + 4096u) :
		vr_flat_port_meta_bytes(M.wpages, 2u * (vr_vpage_meta_bytes_for(M.wpages) +
			NREG * (1024u + vr_heap_control_bytes()) + M.wpages * M.page / 8u));
	if (meta_bytes > META_BYTES)
		meta_bytes = META_BYTES;

	cfg.window = M.win;
	cfg.window_bytes = M.wpages * M.page;
	cfg.page_size = M.page;
	cfg.cache_line = M.line;
	cfg.meta = META_LO + GUARD;
	cfg.meta_bytes = meta_bytes;
	if (b3 & 4u) {
		cfg.lock_create = lk_create;
		cfg.lock_destroy = lk_destroy;
		cfg.lock = lk_lock;
		cfg.unlock = lk_unlock;
	}
	if (b3 & 32u)
		cfg.log = log_hook;
	rc = vr_flat_port_init(&fp, &cfg);
	FZ_CHECK(rc == 0, "flat port init = %d (page %zu, %zu pages)", rc, M.page, M.wpages);
	flat = vr_flat_port_get(&fp);
	wport = *flat;
	wport.map = w_map;
	wport.unmap = w_unmap;
	if (flat->protect)
		wport.protect = w_protect;
	wport.meta_alloc = w_meta_alloc;
	wport.meta_free = w_meta_free;

	fz_canary_arm(WIN_LO, M.win, M.wpages * M.page, WIN_HI);
	FZ_POISON(M.win, M.wpages * M.page);	/* nothing is mapped yet */
	fz_canary_arm(META_LO, META_LO + GUARD, META_BYTES, META_HI);

	pc.guard_pages = M.guard;
	rc = vr_vpage_pool_init(&pool, &wport, &pc);
	if (M.guard >= M.wpages) {
		FZ_CHECK(rc == -EINVAL, "pool init with guard %zu >= %zu pages = %d", M.guard,
			 M.wpages, rc);
		pc.guard_pages = M.guard = 0;
		rc = vr_vpage_pool_init(&pool, &wport, &pc);
	}
	FZ_CHECK(rc == 0, "pool init = %d", rc);
	M.meta_base = inj.meta_live;
	inj.port_touched = true;
	inj.port_check = true;
	FZ_TRACE("pool: page %zu, line %zu, %zu pages, guard %zu, locks %d, meta %zu\n", M.page,
		 M.line, M.wpages, M.guard, (b3 & 4u) != 0, meta_bytes);
	check_all();
}

static void teardown(void)
{
	struct vr_vpage_stats ps;
	int i, rc;

	for (i = 0; i < NREG; i++) {
		while (M.r[i].vr)
			op_put(i);
	}
	for (i = 0; i < NFOREIGN; i++) {
		if (M.f[i].p)
			op_foreign((uint8_t)i, 0);
	}
	inj.port_check = true;
	check_all();
	vr_vpage_get_stats(&pool, &ps);
	FZ_CHECK(ps.vpages_free == ps.vpages_total && ps.ppages_free == ps.ppages_total &&
		 ps.live_allocs == 0 && ps.live_reserved == 0,
		 "pool not empty after every region was put: %zu/%zu pages free",
		 ps.vpages_free, ps.vpages_total);
	rc = vr_vpage_pool_deinit(&pool);
	FZ_CHECK(rc == 0, "pool deinit = %d", rc);
	FZ_CHECK(inj.meta_live == 0, "metadata blocks leaked: %zu", inj.meta_live);
	rc = vr_flat_port_deinit(&fp);
	FZ_CHECK(rc == 0, "flat port deinit = %d (pages mapped or metadata leaked)", rc);
	FZ_CHECK(locks_in(1) == 0 && locks_in(2) == 0, "locks leaked: %zu", locks_in(1));
	fz_canary_release(WIN_LO, WIN_HI);
	fz_canary_release(META_LO, META_HI);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init_trace();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	int r, i;

	/* A short input reads as zeros: every input is a valid program. */
	setup(&in);
	while (fz_more(&in) && M.ops < MAX_OPS) {
		uint8_t op = fz_u8(&in);

		M.ops++;
		FZ_TRACE("op %u: %u\n", M.ops, op % 16u);
		switch (op % 16u) {
		case 0: case 1:
			op_create(&in);
			break;
		case 2:
			r = reg_pick(fz_u8(&in));
			if (r >= 0 && M.r[r].refs < 8) {
				FZ_CHECK(vr_region_get(M.r[r].vr) == M.r[r].vr, "get");
				M.r[r].refs++;
			}
			break;
		case 3:
			r = reg_pick(fz_u8(&in));
			if (r >= 0)
				op_put(r);
			break;
		case 4: case 5: case 6:
			op_alloc(&in);
			break;
		case 7: case 8:
			i = alloc_pick(fz_u8(&in), -1, -1);
			if (i >= 0)
				op_free(i);
			break;
		case 9:
			op_bad_free(&in);
			break;
		case 10:
			r = reg_pick(fz_u8(&in));
			if (r >= 0)
				op_set_interim(r);
			break;
		case 11:
			r = reg_pick(fz_u8(&in));
			if (r >= 0)
				op_interim_reset(r);
			break;
		case 12:
			{
				uint8_t a = fz_u8(&in);

				r = reg_pick(a);
				if (r >= 0 && a % 4u)
					op_queries(r, a);
				else
					op_dead_calls(a / 4u);
			}
			break;
		case 13:
			{
				uint8_t a = fz_u8(&in);

				op_foreign(a, fz_u8(&in));
			}
			break;
		case 14:	/* fault injection: the next call of one kind fails */
			{
				uint8_t a = fz_u8(&in);

				if (!M.inject)
					break;
				switch (a % 4u) {
				case 0: inj.map = true; break;
				case 1: inj.protect = true; break;
				case 2: inj.meta = true; break;
				default: fail_lock_create = true; break;
				}
				FZ_TRACE("  inject %d\n", a % 4u);
			}
			break;
		default:	/* full pattern check of everything */
			for (i = 0; i < NALLOC; i++) {
				if (M.a[i].p)
					check_alloc(i, true);
			}
			break;
		}
		check_all();
	}
	/* An armed fault must not hit the teardown's checks. */
	inj.map = inj.protect = inj.meta = false;
	fail_lock_create = false;
	teardown();
	return 0;
}
