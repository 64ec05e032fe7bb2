/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_port_flat.c - the flat port: config checks, map/unmap/protect state
 * and their precondition checks, recorded permissions, zeroing, the metadata
 * allocator against a model (first fit, exact size checks on free), sizing.
 */
#include "vr_test.h"

#include <errno.h>

#include "vregion/port_flat.h"

#define PS 256u
#define NPAGES 16u

static _Alignas(PS) uint8_t mem[NPAGES * PS + 2 * PS];
#define WIN (mem + PS)	/* the window; a page on each side stays outside */
static _Alignas(16) uint8_t meta[4096 + 16];
static struct vr_flat_port fp;

static struct vr_flat_config base_cfg(void)
{
	struct vr_flat_config c = {
		.window = WIN, .window_bytes = NPAGES * PS, .page_size = PS,
		.meta = meta, .meta_bytes = 4096,
	};
	return c;
}

static unsigned nlog;
static void count_log(void *ctx, enum vr_log_level lvl, const char *fn, const char *msg,
		      uintptr_t a, uintptr_t b)
{
	(void)lvl; (void)fn; (void)msg; (void)a; (void)b;
	assert_ptr_equal(ctx, &nlog);
	nlog++;
}

static struct vr_port_lock *dummy_create(void *c) { (void)c; return NULL; }
static void dummy_destroy(void *c, struct vr_port_lock *l) { (void)c; (void)l; }
static void dummy_lock(void *c, struct vr_port_lock *l) { (void)c; (void)l; }
static uintptr_t dummy_spin(void *c, struct vr_port_lock *l) { (void)c; (void)l; return 7; }
static void dummy_spin_unlock(void *c, struct vr_port_lock *l, uintptr_t k)
{
	(void)c; (void)l; (void)k;
}

/* Counting lock callbacks: the flat port forwards exactly what it was given. */
static struct vr_port_lock *spun;
static unsigned nspin_calls;
static uintptr_t last_key;
static struct vr_port_lock *cnt_create(void *c) { (void)c; nspin_calls++; return spun; }
static void cnt_destroy(void *c, struct vr_port_lock *l) { (void)c; (void)l; nspin_calls++; }
static uintptr_t cnt_spin(void *c, struct vr_port_lock *l) { (void)c; (void)l; nspin_calls++; return 42; }
static void cnt_spin_unlock(void *c, struct vr_port_lock *l, uintptr_t k)
{
	(void)c; (void)l; nspin_calls++; last_key = k;
}
static struct vr_port_lock *ok_create(void *c) { (void)c; return spun; }

static void test_init_bad_config(void **state)
{
	struct vr_flat_config c;

	(void)state;
	c = base_cfg();
	assert_int_equal(vr_flat_port_init(NULL, &c), -EINVAL);
	assert_int_equal(vr_flat_port_init(&fp, NULL), -EINVAL);
	c.window = NULL;
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c = base_cfg(); c.meta = NULL;
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c = base_cfg(); c.window = WIN + 64;			/* not page-aligned */
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c = base_cfg(); c.page_size = 96;			/* not a power of two */
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c = base_cfg(); c.page_size = 32;			/* below 64 */
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c = base_cfg(); c.window_bytes = PS - 1;		/* less than one page */
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c = base_cfg(); c.cache_line = 48;
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c = base_cfg(); c.lock = dummy_lock;			/* one of four */
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c = base_cfg(); c.spin_lock = dummy_spin;		/* one short-lock callback */
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c = base_cfg();						/* short locks without locks */
	c.spin_create = dummy_create; c.spin_destroy = dummy_destroy;
	c.spin_lock = dummy_spin; c.spin_unlock = dummy_spin_unlock;
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	/* a window whose end is not representable (last page at the top of the
	 * address space): vr_port_check refuses it, so init must too (the
	 * window's memory is never touched by init) */
	c = base_cfg(); c.window = (void *)(UINTPTR_MAX - PS + 1); c.window_bytes = PS;
	assert_int_equal(vr_flat_port_init(&fp, &c), -EINVAL);
	c.window = (void *)(UINTPTR_MAX - 2 * PS + 1);	/* max works: ends 1 page below */
	assert_int_equal(vr_flat_port_init(&fp, &c), 0);
	assert_int_equal(vr_port_check(vr_flat_port_get(&fp)), 0);
	assert_int_equal(vr_flat_port_deinit(&fp), 0);
	c = base_cfg(); c.meta_bytes = NPAGES - 1;		/* no room for state */
	assert_int_equal(vr_flat_port_init(&fp, &c), -ENOMEM);
	c = base_cfg();						/* lock_create fails */
	c.lock_create = dummy_create; c.lock_destroy = dummy_destroy;
	c.lock = dummy_lock; c.unlock = dummy_lock;
	assert_int_equal(vr_flat_port_init(&fp, &c), -ENOMEM);
	assert_null(vr_flat_port_get(&fp));
	assert_int_equal(vr_flat_port_deinit(&fp), -EINVAL);
	assert_int_equal(vr_flat_port_perms(&fp, WIN), -EINVAL);

	/* minimal valid: one page, meta exactly the state bytes (no granules) */
	c = base_cfg(); c.window_bytes = PS + PS - 1; c.meta_bytes = 16;
	assert_int_equal(vr_flat_port_init(&fp, &c), 0);
	assert_int_equal(vr_flat_port_get(&fp)->window_pages, 1);
	assert_int_equal(vr_port_check(vr_flat_port_get(&fp)), 0);
	assert_null(vr_flat_port_get(&fp)->meta_alloc(fp.port.ctx, 1));
	assert_int_equal(vr_flat_port_deinit(&fp), 0);
	/* page_size 0 means 4096 */
	c = base_cfg(); c.page_size = 0; c.window = NULL;
	{
		static _Alignas(4096) uint8_t big[4096];

		c.window = big; c.window_bytes = sizeof(big);
		assert_int_equal(vr_flat_port_init(&fp, &c), 0);
		assert_int_equal(vr_flat_port_get(&fp)->page_size, 4096);
		assert_int_equal(vr_flat_port_deinit(&fp), 0);
	}
}

/* vr_port_check, rule by rule, with boundary pairs. */
static int fk_map(void *c, void *v, size_t n, unsigned p) { (void)c; (void)v; (void)n; (void)p; return 0; }
static int fk_unmap(void *c, void *v, size_t n) { (void)c; (void)v; (void)n; return 0; }
static void *fk_meta_alloc(void *c, size_t n) { (void)c; (void)n; return NULL; }
static void fk_meta_free(void *c, void *p, size_t n) { (void)c; (void)p; (void)n; }

static void test_port_check(void **state)
{
	const struct vr_port ok = {
		.page_size = 64, .window_base = 0x10040, .window_pages = 4, .phys_pages = 1,
		.map = fk_map, .unmap = fk_unmap, .meta_alloc = fk_meta_alloc,
		.meta_free = fk_meta_free,
	};
	struct vr_port p;
	uintptr_t top;

	(void)state;
	assert_int_equal(vr_port_check(NULL), -EINVAL);
	assert_int_equal(vr_port_check(&ok), 0);
	p = ok; p.map = NULL;		assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.unmap = NULL;		assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.meta_alloc = NULL;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.meta_free = NULL;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.page_size = 0;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.page_size = 32;	assert_int_equal(vr_port_check(&p), -EINVAL);	/* min-1 (pow2) */
	p = ok; p.page_size = 96;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.page_size = 128;	assert_int_equal(vr_port_check(&p), -EINVAL);	/* base unaligned */
	p = ok; p.window_base = 0;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.window_base += 32;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.window_pages = 0;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.phys_pages = 0;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.cache_line = 48;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.cache_line = 1;	assert_int_equal(vr_port_check(&p), 0);
	p = ok; p.cache_line = 64;	assert_int_equal(vr_port_check(&p), 0);
	/* the window's end must be representable: max works, max + 1 fails */
	top = (UINTPTR_MAX & ~(uintptr_t)63) - 4 * 64;	/* 4 pages, end at 2^N - 64 */
	p = ok; p.window_base = top;	assert_int_equal(vr_port_check(&p), 0);
	p.window_base += 64;		assert_int_equal(vr_port_check(&p), -EINVAL);
	p = ok; p.window_pages = SIZE_MAX;	assert_int_equal(vr_port_check(&p), -EINVAL);
	/* locks: all four or none */
	p = ok;
	p.lock_create = dummy_create;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p.lock_destroy = dummy_destroy;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p.lock = dummy_lock;		assert_int_equal(vr_port_check(&p), -EINVAL);
	p.unlock = dummy_lock;		assert_int_equal(vr_port_check(&p), 0);
	/* short locks: all four or none, and only with the locks */
	p.spin_create = dummy_create;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p.spin_destroy = dummy_destroy;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p.spin_lock = dummy_spin;	assert_int_equal(vr_port_check(&p), -EINVAL);
	p.spin_unlock = dummy_spin_unlock; assert_int_equal(vr_port_check(&p), 0);
	p.lock_create = NULL;		assert_int_equal(vr_port_check(&p), -EINVAL);
	p.lock_destroy = NULL; p.lock = NULL; p.unlock = NULL;
	assert_int_equal(vr_port_check(&p), -EINVAL);		/* short locks alone */
	p.spin_create = NULL; p.spin_destroy = NULL; p.spin_lock = NULL; p.spin_unlock = NULL;
	assert_int_equal(vr_port_check(&p), 0);
}

/* The caller's short locks reach the core as the port's spin_* callbacks. */
static void test_spin_forwarded(void **state)
{
	static struct vr_port_lock *const token = (struct vr_port_lock *)(uintptr_t)0x40;
	struct vr_flat_config c = base_cfg();
	const struct vr_port *p;
	struct vr_port_lock *l;

	(void)state;
	spun = token;
	c.lock_create = ok_create; c.lock_destroy = dummy_destroy;
	c.lock = dummy_lock; c.unlock = dummy_lock;
	c.spin_create = cnt_create; c.spin_destroy = cnt_destroy;
	c.spin_lock = cnt_spin; c.spin_unlock = cnt_spin_unlock;
	assert_int_equal(vr_flat_port_init(&fp, &c), 0);
	p = vr_flat_port_get(&fp);
	assert_int_equal(vr_port_check(p), 0);
	nspin_calls = 0;
	l = p->spin_create(p->ctx);
	assert_ptr_equal(l, token);
	assert_int_equal(p->spin_lock(p->ctx, l), 42);
	p->spin_unlock(p->ctx, l, 42);
	assert_int_equal(last_key, 42);
	p->spin_destroy(p->ctx, l);
	assert_int_equal(nspin_calls, 4);
	assert_int_equal(vr_flat_port_deinit(&fp), 0);
	/* without them the port has none */
	c = base_cfg();
	assert_int_equal(vr_flat_port_init(&fp, &c), 0);
	assert_null(vr_flat_port_get(&fp)->spin_lock);
	assert_int_equal(vr_flat_port_deinit(&fp), 0);
}

static void test_map_unmap_protect(void **state)
{
	struct vr_flat_config c = base_cfg();
	const struct vr_port *p;

	(void)state;
	nlog = 0;
	c.log = count_log; c.log_ctx = &nlog;
	assert_int_equal(vr_flat_port_init(&fp, &c), 0);
	p = vr_flat_port_get(&fp);
	assert_non_null(p);
	assert_int_equal(vr_port_check(p), 0);
	assert_int_equal(p->window_pages, NPAGES);
	assert_int_equal(p->phys_pages, NPAGES);
	assert_true(p->window_base == (uintptr_t)WIN);
	assert_null(p->to_uncached);	/* identity alias */
	assert_null(p->to_cached);
	assert_null(p->is_uncached);
	assert_null(p->cache_flush);	/* coherent: no-op */
	assert_null(p->cache_invalidate);
	assert_null(p->lock_create);

	memset(mem, 0xa5, sizeof(mem));
	for (unsigned i = 0; i < NPAGES; i++)
		assert_int_equal(vr_flat_port_perms(&fp, WIN + i * PS), -ENOENT);
	assert_int_equal(vr_flat_port_perms(&fp, WIN + NPAGES * PS), -EINVAL);
	assert_int_equal(vr_flat_port_perms(&fp, WIN - 1), -EINVAL);

	assert_int_equal(p->map(p->ctx, WIN + 2 * PS, 3, VR_PERM_RW), 0);
	assert_int_equal(vr_flat_port_mapped_pages(&fp), 3);
	for (unsigned i = 0; i < NPAGES; i++) {
		bool in = i >= 2 && i < 5;

		assert_int_equal(vr_flat_port_perms(&fp, WIN + i * PS + 7), in ? VR_PERM_RW : -ENOENT);
		for (unsigned b = 0; b < PS; b++)
			if (WIN[i * PS + b] != (in ? 0 : 0xa5))
				fail_msg("page %u byte %u not as expected", i, b);
	}
	assert_int_equal(nlog, 0);
	/* precondition violations: -EINVAL, nothing changed, logged */
	assert_int_equal(p->map(p->ctx, WIN + 4 * PS, 2, VR_PERM_RW), -EINVAL);	/* overlaps */
	assert_int_equal(p->map(p->ctx, WIN + 5 * PS + 1, 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(p->map(p->ctx, WIN + 5 * PS, 0, VR_PERM_RW), -EINVAL);
	assert_int_equal(p->map(p->ctx, WIN + 5 * PS, NPAGES, VR_PERM_RW), -EINVAL);
	assert_int_equal(p->map(p->ctx, WIN + 5 * PS, 1, 8), -EINVAL);
	assert_int_equal(p->map(p->ctx, WIN - PS, 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(p->unmap(p->ctx, WIN + 1 * PS, 2), -EINVAL);		/* page 1 unmapped */
	assert_int_equal(p->unmap(p->ctx, WIN + 4 * PS, 2), -EINVAL);
	assert_int_equal(p->protect(p->ctx, WIN + 4 * PS, 2, VR_PERM_R), -EINVAL);
	assert_int_equal(p->protect(p->ctx, WIN + 2 * PS, 1, 9), -EINVAL);
	assert_int_equal(nlog, 10);
	assert_int_equal(vr_flat_port_mapped_pages(&fp), 3);
	assert_int_equal(vr_flat_port_perms(&fp, WIN + 5 * PS), -ENOENT);
	assert_int_equal(vr_flat_port_validate(&fp), 0);

	assert_int_equal(p->protect(p->ctx, WIN + 3 * PS, 2, VR_PERM_NONE), 0);
	assert_int_equal(vr_flat_port_perms(&fp, WIN + 2 * PS), VR_PERM_RW);
	assert_int_equal(vr_flat_port_perms(&fp, WIN + 3 * PS), VR_PERM_NONE);
	assert_int_equal(vr_flat_port_perms(&fp, WIN + 4 * PS), VR_PERM_NONE);
	assert_int_equal(p->protect(p->ctx, WIN + 4 * PS, 1, VR_PERM_RX), 0);
	assert_int_equal(vr_flat_port_perms(&fp, WIN + 4 * PS), VR_PERM_RX);
	/* recorded, not enforced: no MMU, a write to a read-only page lands */
	WIN[4 * PS + 3] = 0x3c;
	assert_int_equal(WIN[4 * PS + 3], 0x3c);

	assert_int_equal(vr_flat_port_deinit(&fp), -EBUSY);	/* pages mapped */
	assert_int_equal(p->unmap(p->ctx, WIN + 2 * PS, 2), 0);
	assert_int_equal(vr_flat_port_mapped_pages(&fp), 1);
	assert_int_equal(p->unmap(p->ctx, WIN + 4 * PS, 1), 0);
	/* the last page of the window maps (no strict-end bug) */
	assert_int_equal(p->map(p->ctx, WIN + (NPAGES - 1) * PS, 1, VR_PERM_R), 0);
	assert_int_equal(p->unmap(p->ctx, WIN + (NPAGES - 1) * PS, 1), 0);
	assert_int_equal(p->map(p->ctx, WIN, NPAGES, VR_PERM_RWX), 0);
	assert_int_equal(vr_flat_port_mapped_pages(&fp), NPAGES);
	assert_int_equal(p->unmap(p->ctx, WIN, NPAGES), 0);
	assert_int_equal(vr_flat_port_validate(&fp), 0);
	assert_int_equal(vr_flat_port_deinit(&fp), 0);
	assert_int_equal(vr_flat_port_deinit(&fp), -EINVAL);
}

/* The metadata allocator against a model of granules, random ops. */
static void test_meta_model(void **state)
{
	enum { MAXB = 64 };
	struct vr_flat_config c = base_cfg();
	const struct vr_port *p;
	struct { uint8_t *ptr; size_t bytes; uint8_t fill; } live[MAXB];
	size_t nlive = 0, cap, ngran;
	uint64_t r = 12345;
	static uint8_t gmodel[4096 / 16];
	uint8_t *g0;

	(void)state;
	c.meta = meta + 3;		/* unaligned buffer: the port aligns it */
	assert_int_equal(vr_flat_port_init(&fp, &c), 0);
	p = vr_flat_port_get(&fp);
	cap = vr_flat_port_meta_capacity(&fp);
	assert_true(cap >= 4096 - 3 - 15 - NPAGES - 16 - 2 * 16 - 64);
	assert_true(cap <= 4096);
	assert_null(p->meta_alloc(p->ctx, 0));
	assert_null(p->meta_alloc(p->ctx, cap + 1));
	ngran = cap / 16;
	assert_true(ngran <= sizeof(gmodel));
	memset(gmodel, 0, sizeof(gmodel));
	g0 = p->meta_alloc(p->ctx, 1);		/* first fit: granule 0 */
	assert_non_null(g0);
	p->meta_free(p->ctx, g0, 1);
	for (int it = 0; it < 4000; it++) {
		r = r * 6364136223846793005u + 1442695040888963407u;
		if (nlive < MAXB && ((r >> 33) % 3 != 0 || nlive == 0)) {
			size_t bytes = 1 + (size_t)((r >> 40) % 300);
			uint8_t *q = p->meta_alloc(p->ctx, bytes);

			size_t n = (bytes + 15) / 16, want = SIZE_MAX, run = 0;

			for (size_t g = 0; g < ngran; g++) {	/* model first fit */
				run = gmodel[g] ? 0 : run + 1;
				if (run == n) {
					want = g + 1 - n;
					break;
				}
			}
			if (!q) {
				assert_int_equal(want, SIZE_MAX);
				continue;
			}
			assert_int_equal((size_t)(q - g0) / 16, want);
			memset(gmodel + want, 1, n);
			assert_true(((uintptr_t)q & 15u) == 0);
			assert_true(q >= meta && q + bytes <= meta + 3 + 4096);
			live[nlive].ptr = q;
			live[nlive].bytes = bytes;
			live[nlive].fill = (uint8_t)it;
			memset(q, (uint8_t)it, bytes);
			nlive++;
		} else {
			size_t k = (size_t)((r >> 20) % nlive);

			for (size_t b = 0; b < live[k].bytes; b++)
				if (live[k].ptr[b] != live[k].fill)
					fail_msg("meta block overwritten");
			/* wrong sizes and interior pointers are refused */
			if (live[k].bytes > 16) {
				p->meta_free(p->ctx, live[k].ptr, live[k].bytes - 16);
				p->meta_free(p->ctx, live[k].ptr + 16, live[k].bytes - 16);
			}
			p->meta_free(p->ctx, live[k].ptr, live[k].bytes + 16);
			assert_int_equal(vr_flat_port_meta_live(&fp), nlive);
			p->meta_free(p->ctx, live[k].ptr, live[k].bytes);
			memset(gmodel + (live[k].ptr - g0) / 16, 0, (live[k].bytes + 15) / 16);
			live[k] = live[--nlive];
		}
		assert_int_equal(vr_flat_port_meta_live(&fp), nlive);
		{
			size_t used = 0;

			for (size_t k = 0; k < nlive; k++)
				used += (live[k].bytes + 15) / 16 * 16;
			assert_int_equal(vr_flat_port_meta_used(&fp), used);
		}
		assert_int_equal(vr_flat_port_validate(&fp), 0);
	}
	assert_int_equal(vr_flat_port_deinit(&fp), nlive ? -EBUSY : 0);
	while (nlive) {
		p->meta_free(p->ctx, live[nlive - 1].ptr, live[nlive - 1].bytes);
		nlive--;
	}
	/* double free and foreign pointers are ignored */
	p->meta_free(p->ctx, meta + 3 + 1000, 16);
	p->meta_free(p->ctx, WIN, 16);
	p->meta_free(p->ctx, NULL, 16);
	assert_int_equal(vr_flat_port_meta_live(&fp), 0);
	assert_int_equal(vr_flat_port_validate(&fp), 0);
	/* first fit: after freeing everything the lowest granule is reused */
	{
		void *a = p->meta_alloc(p->ctx, cap);

		assert_non_null(a);
		assert_null(p->meta_alloc(p->ctx, 1));
		p->meta_free(p->ctx, a, cap);
	}
	assert_int_equal(vr_flat_port_deinit(&fp), 0);
}

/* vr_flat_port_validate finds each kind of corruption (and logs it). */
static void test_validate_detects(void **state)
{
	struct vr_flat_config c = base_cfg();
	static uint8_t keep_meta[sizeof(meta)];
	struct vr_flat_port keep;
	const struct vr_port *p;
	uint8_t *a, *b;

	(void)state;
	nlog = 0;
	c.log = count_log; c.log_ctx = &nlog;
	c.meta_bytes = NPAGES + 16 * 100;	/* a granule count that is not a multiple of 64 */
	assert_int_equal(vr_flat_port_init(&fp, &c), 0);
	p = vr_flat_port_get(&fp);
	assert_int_equal(p->map(p->ctx, WIN + PS, 2, VR_PERM_RX), 0);
	a = p->meta_alloc(p->ctx, 40);		/* granules 0-2 */
	b = p->meta_alloc(p->ctx, 16);		/* granule 3 */
	assert_non_null(a);
	assert_non_null(b);
	assert_true(fp.meta_granules % 64 != 0);
	assert_int_equal(vr_flat_port_validate(&fp), 0);
	assert_int_equal(nlog, 0);
	keep = fp;
	memcpy(keep_meta, meta, sizeof(meta));

#define CORRUPT(stmt) do { \
		stmt; \
		assert_int_equal(vr_flat_port_validate(&fp), -EFAULT); \
		fp = keep; \
		memcpy(meta, keep_meta, sizeof(meta)); \
		assert_int_equal(vr_flat_port_validate(&fp), 0); \
	} while (0)
	CORRUPT(fp.state[0] = VR_PERM_R);			/* perms on an unmapped page */
	CORRUPT(fp.state[1] |= 0x40);				/* unknown bit */
	CORRUPT(fp.meta_live++);
	CORRUPT(fp.meta_start.words[0] |= 2);			/* start inside a block */
	CORRUPT(fp.meta_used.words[0] |= 1u << 7);		/* orphan used granule */
	CORRUPT(fp.meta_start.words[0] |= 1u << 9);		/* start on a free granule */
	CORRUPT(fp.meta_used.words[fp.meta_granules / VR_BITMAP_WORD_BITS] |=	/* tail */
		(vr_bitmap_word_t)1 << (fp.meta_granules % VR_BITMAP_WORD_BITS));
	CORRUPT(fp.meta_start.nbits--);
	CORRUPT(fp.meta_used.nbits++);
	CORRUPT(fp.meta_granules--);
	CORRUPT(fp.port.phys_pages--);
	CORRUPT(fp.port.page_size *= 2);
	CORRUPT(fp.page_shift++);
	CORRUPT(fp.port.ctx = NULL);
#undef CORRUPT
	assert_true(nlog >= 14);

	p->meta_free(p->ctx, a, 40);
	p->meta_free(p->ctx, b, 16);
	assert_int_equal(p->unmap(p->ctx, WIN + PS, 2), 0);
	assert_int_equal(vr_flat_port_validate(&fp), 0);
	assert_int_equal(vr_flat_port_deinit(&fp), 0);
	assert_int_equal(vr_flat_port_validate(&fp), -EINVAL);
	assert_int_equal(vr_flat_port_validate(NULL), -EINVAL);
}

/* vr_flat_port_meta_bytes is sufficient (and not wildly more) for any size. */
static void test_meta_sizing(void **state)
{
	static _Alignas(16) uint8_t big[8192 + 64];

	(void)state;
	for (size_t serve = 0; serve <= 6000; serve += 1 + serve / 7) {
		for (size_t off = 0; off < 16; off += 5) {
			struct vr_flat_config c = base_cfg();
			size_t need = vr_flat_port_meta_bytes(NPAGES, serve);

			c.meta = big + off;
			c.meta_bytes = need;
			assert_true(need + off <= sizeof(big));
			assert_int_equal(vr_flat_port_init(&fp, &c), 0);
			assert_true(vr_flat_port_meta_capacity(&fp) >= (serve + 15) / 16 * 16);
			assert_true(vr_flat_port_meta_capacity(&fp) <= (serve + 15) / 16 * 16 + 64);
			if (serve) {
				void *q = fp.port.meta_alloc(fp.port.ctx, serve);

				assert_non_null(q);
				fp.port.meta_free(fp.port.ctx, q, serve);
			}
			assert_int_equal(vr_flat_port_deinit(&fp), 0);
		}
	}
	assert_int_equal(vr_flat_port_meta_bytes(SIZE_MAX, 0), SIZE_MAX);
	assert_int_equal(vr_flat_port_meta_bytes(0, SIZE_MAX), SIZE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bad_config),
		cmocka_unit_test(test_port_check),
		cmocka_unit_test(test_spin_forwarded),
		cmocka_unit_test(test_map_unmap_protect),
		cmocka_unit_test(test_meta_model),
		cmocka_unit_test(test_validate_detects),
		cmocka_unit_test(test_meta_sizing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
