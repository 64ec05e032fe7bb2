/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_region_posix.c - vr_region on the posix port (host only): real page
 * tables and a real second alias.
 *   - coherent allocations come back through the uncached alias, the cached
 *     lines are invalidated (counted by the port), free takes either alias;
 *   - writes to sealed lifetime pages fault (both aliases), reads do not;
 *   - writes past the end of a guarded region fault; writes to a released
 *     region fault;
 *   - a new region never sees bytes of a released one, even on the same
 *     physical pages.
 * Faults run in a forked child (tests/common/posix_child.h).
 */
#include "vr_test.h"

#include <errno.h>
#include <string.h>

#include "posix_child.h"
#include "vregion/port_posix.h"
#include "vregion/vregion.h"

#define PAGE 4096u

static struct vr_port port;
static struct vr_vpage_pool pool;

static int setup_guard(size_t guard)
{
	struct vr_posix_port_config c;
	struct vr_vpage_config pc;

	memset(&c, 0, sizeof(c));
	c.page_size = PAGE;
	c.phys_pages = 32;
	c.window_pages = 64;
	c.cache_line = 64;
	c.log_level = VR_POSIX_LOG_OFF;
	if (vr_posix_port_create(&port, &c))
		return -1;
	memset(&pc, 0, sizeof(pc));
	pc.guard_pages = guard;
	return vr_vpage_pool_init(&pool, &port, &pc) ? -1 : 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_guard(0);
}

static int setup_pool_guard(void **state)
{
	(void)state;
	return setup_guard(1);
}

static int teardown(void **state)
{
	(void)state;
	if (vr_vpage_pool_deinit(&pool))
		return -1;
	return vr_posix_port_destroy(&port) ? -1 : 0;
}

static struct vr_region *mk(size_t size, unsigned flags)
{
	struct vr_region_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = size;
	cfg.flags = flags;
	return vr_region_create(&pool, &cfg);
}

static uint8_t *base_of(struct vr_region *vr)
{
	uintptr_t b = 0;

	assert_int_equal(vr_region_mem_info(vr, NULL, &b), 0);
	return (uint8_t *)b;
}

static struct vr_posix_port_stats pstats(void)
{
	struct vr_posix_port_stats s;

	assert_int_equal(vr_posix_port_get_stats(&port, &s), 0);
	return s;
}

static void test_coherent_aliases(void **state)
{
	struct vr_region *vr = mk(4 * PAGE, 0);
	struct vr_region_stats st;
	struct vr_posix_port_stats s0, s1;
	uint8_t *base = base_of(vr), *c1, *c2, *c3, *c1_cached;

	(void)state;
	/* lifetime coherent */
	s0 = pstats();
	c1 = vr_region_alloc_coherent(vr, 100);
	assert_non_null(c1);
	s1 = pstats();
	assert_true(port.is_uncached(port.ctx, c1));
	c1_cached = port.to_cached(port.ctx, c1);
	assert_ptr_equal(c1_cached, base);
	assert_int_equal(s1.cache_invalidate_calls, s0.cache_invalidate_calls + 1);
	assert_int_equal(s1.cache_invalidate_bytes, s0.cache_invalidate_bytes + 128);
	memset(c1, 0x77, 100);				/* through the uncached alias */
	assert_int_equal(c1_cached[0], 0x77);		/* seen through the cached one */
	assert_int_equal(c1_cached[99], 0x77);
	assert_true(vr_region_contains(vr, c1));
	assert_true(vr_region_contains(vr, c1_cached));
	c2 = vr_region_alloc_coherent_align(vr, 1, 256);
	assert_int_equal((uintptr_t)port.to_cached(port.ctx, c2) % 256, 0);
	assert_ptr_equal(port.to_cached(port.ctx, c2), base + 256);
	/* free takes either alias */
	assert_int_equal(vr_region_free(vr, c1), 0);
	assert_int_equal(vr_region_free(vr, c1_cached), -EINVAL);	/* double, other alias */
	assert_int_equal(vr_region_free(vr, port.to_cached(port.ctx, c2)), 0);
	assert_int_equal(vr_region_free(vr, (uint8_t *)c2 + 1), -EINVAL);
	st = (struct vr_region_stats){ 0 };
	assert_int_equal(vr_region_get_stats(vr, &st), 0);
	assert_int_equal(st.lifetime_frees, 2);
	assert_int_equal(st.errors, 2);

	/* interim coherent */
	assert_int_equal(vr_region_set_interim(vr), 0);
	c3 = vr_region_alloc_coherent(vr, 1000);
	assert_non_null(c3);
	assert_true(port.is_uncached(port.ctx, c3));
	assert_int_equal((uintptr_t)c3 % 64, 0);
	memset(c3, 0x42, 1000);
	assert_int_equal(vr_region_get_stats(vr, &st), 0);
	assert_int_equal(st.interim_live, 1);
	assert_int_equal(vr_region_free(vr, c3), 0);		/* uncached alias */
	assert_int_equal(vr_region_get_stats(vr, &st), 0);
	assert_int_equal(st.interim_live, 0);
	c3 = vr_region_alloc_coherent(vr, 64);
	assert_int_equal(vr_region_free(vr, port.to_cached(port.ctx, c3)), 0);	/* cached */
	assert_int_equal(vr_region_validate(vr), 0);
	assert_null(vr_region_put(vr));
}

/* Free takes either alias in every phase, for every kind of block; a double
 * free through the other alias and the other alias of another region's block
 * are refused. */
static void test_free_either_alias_every_phase(void **state)
{
	struct vr_region *vr, *other;
	struct vr_region_stats st;
	uint8_t *l1, *l2, *c1, *i1, *i2, *o;

	(void)state;
	vr = mk(4 * PAGE, 0);
	other = mk(PAGE, 0);
	o = vr_region_alloc(other, 10);
	/* LIFETIME */
	l1 = vr_region_alloc(vr, 10);
	l2 = vr_region_alloc(vr, 10);
	assert_non_null(vr_region_alloc(vr, 10));	/* never freed */
	c1 = vr_region_alloc_coherent(vr, 10);			/* uncached */
	assert_int_equal(vr_region_free(vr, port.to_uncached(port.ctx, l1)), 0);
	assert_int_equal(vr_region_free(vr, l1), -EINVAL);
	assert_int_equal(vr_region_free(vr, port.to_cached(port.ctx, c1)), 0);
	assert_int_equal(vr_region_free(vr, c1), -EINVAL);
	assert_int_equal(vr_region_free(vr, port.to_uncached(port.ctx, o)), -EINVAL);
	assert_false(vr_region_contains(vr, port.to_uncached(port.ctx, o)));
	assert_true(vr_region_contains(other, port.to_uncached(port.ctx, o)));
	/* INTERIM: lifetime blocks and interim blocks, both aliases */
	assert_int_equal(vr_region_set_interim(vr), 0);
	i1 = vr_region_alloc(vr, 100);
	i2 = vr_region_alloc_coherent(vr, 100);
	assert_true(port.is_uncached(port.ctx, i2));
	assert_int_equal(vr_region_free(vr, port.to_uncached(port.ctx, l2)), 0);
	assert_int_equal(vr_region_free(vr, l2), -EINVAL);
	assert_int_equal(vr_region_free(vr, port.to_uncached(port.ctx, i1)), 0);
	assert_int_equal(vr_region_free(vr, i1), -EINVAL);
	assert_int_equal(vr_region_free(vr, port.to_cached(port.ctx, i2)), 0);
	assert_int_equal(vr_region_free(vr, i2), -EINVAL);
	assert_int_equal(vr_region_free(vr, port.to_uncached(port.ctx, o)), -EINVAL);
	assert_int_equal(vr_region_get_stats(vr, &st), 0);
	assert_int_equal(st.lifetime_frees, 3);
	assert_int_equal(st.interim_live, 0);
	assert_int_equal(st.errors, 7);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_null(vr_region_put(vr));

	/* INVALID */
	vr = mk(PAGE, 0);
	l1 = vr_region_alloc(vr, PAGE - 64);
	l2 = vr_region_alloc_coherent(vr, 64);
	assert_int_equal(vr_region_set_interim(vr), -ENOSPC);
	assert_int_equal(vr_region_free(vr, port.to_uncached(port.ctx, l1)), 0);
	assert_int_equal(vr_region_free(vr, port.to_cached(port.ctx, l2)), 0);
	assert_int_equal(vr_region_free(vr, l2), -EINVAL);
	assert_int_equal(vr_region_free(vr, port.to_uncached(port.ctx, o)), -EINVAL);
	assert_int_equal(vr_region_get_stats(vr, &st), 0);
	assert_int_equal(st.lifetime_frees, 2);
	assert_int_equal(st.errors, 2);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_null(vr_region_put(vr));
	assert_int_equal(vr_region_free(other, port.to_uncached(port.ctx, o)), 0);
	assert_null(vr_region_put(other));
}

static void test_sealed_lifetime_faults(void **state)
{
	struct vr_region *vr = mk(4 * PAGE, VR_REGION_SEAL);
	uint8_t *obj, *obj2, *tmp;
	struct vr_region_stats st;

	(void)state;
	obj = vr_region_alloc(vr, 100);
	obj2 = vr_region_alloc(vr, PAGE);		/* lifetime spans 2 pages */
	obj2[PAGE - 1] = 0x11;
	obj2 = vr_region_alloc_coherent(vr, 64);	/* uncached alias */
	assert_false(vr_child_write_faults(obj));	/* not sealed yet (writes 0x5a) */
	assert_int_equal(obj[0], 0x5a);			/* shared pages: the child's write landed */
	memset(obj, 0x5c, 100);
	assert_int_equal(vr_region_set_interim(vr), 0);
	assert_int_equal(vr_region_get_stats(vr, &st), 0);
	assert_true(st.sealed);
	assert_int_equal(st.lifetime_size, 2 * PAGE);
	tmp = vr_region_alloc(vr, 100);
	assert_non_null(tmp);

	assert_true(vr_child_write_faults(obj));
	assert_true(vr_child_write_faults(obj + PAGE + 10));
	assert_true(vr_child_write_faults(obj2));	/* through the uncached alias */
	assert_true(vr_child_write_faults(port.to_uncached(port.ctx, obj)));
	assert_false(vr_child_read_faults(obj));
	assert_false(vr_child_write_faults(tmp));	/* the interim heap stays RW */
	assert_int_equal(obj[0], 0x5c);		/* the faulting write did not land */
	assert_int_equal(obj[99], 0x5c);
	/* lifetime frees are still counted (metadata is outside the region) */
	assert_int_equal(vr_region_free(vr, obj), 0);
	assert_int_equal(vr_region_free(vr, tmp), 0);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_null(vr_region_put(vr));
}

static void test_guard_faults(void **state)
{
	struct vr_region *vr = mk(2 * PAGE, VR_REGION_GUARD);
	struct vr_region *next;
	uint8_t *base = base_of(vr);

	(void)state;
	/* another region right behind would make an overrun silent without the guard */
	next = mk(PAGE, 0);
	assert_ptr_equal(base_of(next), base + 3 * PAGE);
	vr_test_expose(base + 2 * PAGE - 1, 1);		/* not allocated: poisoned */
	assert_false(vr_child_write_faults(base + 2 * PAGE - 1));
	assert_true(vr_child_write_faults(base + 2 * PAGE));
	assert_true(vr_child_read_faults(base + 2 * PAGE));
	assert_null(vr_region_put(next));
	assert_null(vr_region_put(vr));
	/* released: the pages are unmapped */
	assert_true(vr_child_write_faults(base));

	/* without the guard the next region is adjacent (documents why GUARD exists) */
	vr = mk(2 * PAGE, 0);
	next = mk(PAGE, 0);
	assert_ptr_equal(base_of(next), base_of(vr) + 2 * PAGE);
	vr_test_expose(base_of(vr) + 2 * PAGE, 1);
	assert_false(vr_child_write_faults(base_of(vr) + 2 * PAGE));
	assert_null(vr_region_put(next));
	assert_null(vr_region_put(vr));
}

static void test_guard_from_pool_faults(void **state)
{
	struct vr_region *vr = mk(PAGE, VR_REGION_GUARD);
	uint8_t *base = base_of(vr);

	(void)state;
	vr_test_expose(base + PAGE - 1, 1);
	assert_false(vr_child_write_faults(base + PAGE - 1));
	assert_true(vr_child_write_faults(base + PAGE));
	assert_int_equal(vr_region_validate(vr), 0);
	assert_null(vr_region_put(vr));
}

/* A new region never sees the bytes of a released one: same virtual AND
 * physical pages, zeroed by the port (upstream 4.6). */
static void test_data_isolation(void **state)
{
	struct vr_region *vr = mk(4 * PAGE, 0);
	uint8_t *base = base_of(vr), *b2;
	size_t phys[4], i;

	(void)state;
	for (i = 0; i < 4; i++)
		phys[i] = vr_posix_port_phys_page(&port, base + i * PAGE);
	vr_test_expose(base, 4 * PAGE);
	memset(base, 0xd7, 4 * PAGE);
	assert_int_equal(vr_region_set_interim(vr), 0);
	memset(vr_region_alloc(vr, 3000), 0xd8, 3000);
	assert_null(vr_region_put(vr));

	vr = mk(4 * PAGE, 0);
	b2 = base_of(vr);
	for (i = 0; i < 4; i++)
		assert_int_equal(vr_posix_port_phys_page(&port, b2 + i * PAGE), phys[i]);
	vr_test_expose(b2, 4 * PAGE);
	for (i = 0; i < 4 * PAGE; i++)
		if (b2[i])
			fail_msg("stale byte at %u", (unsigned)i);
	assert_null(vr_region_put(vr));
}

/* A sealed region's pages come back read-write and zeroed for the next
 * region (the seal does not outlive the region; no stale byte). */
static void test_sealed_pages_reused(void **state)
{
	struct vr_region *vr = mk(3 * PAGE, VR_REGION_SEAL | VR_REGION_GUARD);
	uint8_t *base = base_of(vr), *b2;
	size_t i;

	(void)state;
	memset(vr_region_alloc(vr, PAGE + 100), 0xab, PAGE + 100);
	assert_int_equal(vr_region_set_interim(vr), 0);
	assert_true(vr_child_write_faults(base));
	memset(vr_region_alloc(vr, 100), 0xcd, 100);
	assert_null(vr_region_put(vr));

	vr = mk(3 * PAGE, 0);
	b2 = base_of(vr);
	assert_ptr_equal(b2, base);
	vr_test_expose(b2, 3 * PAGE);
	for (i = 0; i < 3 * PAGE; i++)
		if (b2[i])
			fail_msg("stale byte at %u", (unsigned)i);
	/* writable in both aliases (the child's write of 0x5a lands) */
	assert_false(vr_child_write_faults(b2));
	assert_false(vr_child_write_faults(b2 + PAGE + 10));
	vr_test_expose(port.to_uncached(port.ctx, b2 + 2 * PAGE), 1);
	assert_false(vr_child_write_faults(port.to_uncached(port.ctx, b2 + 2 * PAGE)));
	assert_int_equal(b2[PAGE + 10], 0x5a);
	assert_int_equal(b2[2 * PAGE], 0x5a);
	memset(b2, 1, 3 * PAGE);
	assert_null(vr_region_put(vr));
}

/* An interim part larger than the heap's limit (VR_HEAP_MAX_GRANULES
 * granules of min_align: 16 MiB at min_align 8): set_interim succeeds, warns
 * with the bytes the heap cannot use, and everything above the limit is
 * refused by free; allocations stay below it. */
static unsigned big_wrn;
static uintptr_t big_wrn_b;
static void big_log(void *ctx, enum vr_log_level lvl, const char *fn, const char *msg,
		    uintptr_t a, uintptr_t b)
{
	(void)ctx; (void)fn; (void)msg; (void)a;
	if (lvl == VR_LOG_WRN) {
		big_wrn++;
		big_wrn_b = b;
	}
}

static void test_interim_beyond_heap_limit(void **state)
{
	struct vr_posix_port_config c;
	struct vr_port big, wrapped;
	struct vr_vpage_pool bpool;
	struct vr_region_config cfg;
	struct vr_region_stats st;
	struct vr_region *vr;
	size_t pages = VR_HEAP_SPAN_MAX(8) / PAGE + 3;
	uintptr_t base = 0;
	uint8_t *p;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.page_size = PAGE;
	c.phys_pages = pages;
	c.window_pages = pages;
	c.log_level = VR_POSIX_LOG_OFF;
	assert_int_equal(vr_posix_port_create(&big, &c), 0);
	wrapped = big;
	wrapped.log = big_log;
	assert_int_equal(vr_vpage_pool_init(&bpool, &wrapped, NULL), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = pages * PAGE;
	cfg.min_align = 8;
	vr = vr_region_create(&bpool, &cfg);
	assert_non_null(vr);
	assert_int_equal(vr_region_mem_info(vr, NULL, &base), 0);
	assert_non_null(vr_region_alloc(vr, 100));
	big_wrn = 0;
	assert_int_equal(vr_region_set_interim(vr), 0);
	assert_int_equal(big_wrn, 1);
	assert_int_equal(big_wrn_b, pages * PAGE - 128 - (size_t)VR_HEAP_MAX_GRANULES * 8);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_int_equal(vr_region_get_stats(vr, &st), 0);
	assert_int_equal(st.interim_size, pages * PAGE - 128);
	assert_int_equal(st.interim_largest_free, (size_t)VR_HEAP_MAX_GRANULES * 8 - 4);
	p = vr_region_alloc(vr, st.interim_largest_free);
	assert_non_null(p);
	/* below the limit (plus the heap's header and alignment slack) */
	assert_true((uintptr_t)p + st.interim_largest_free <= base + 128 + VR_HEAP_SPAN_MAX(8));
	assert_int_equal(vr_region_free(vr, (void *)(base + pages * PAGE - 64)), -EINVAL);
	assert_int_equal(vr_region_free(vr, p), 0);
	assert_null(vr_region_put(vr));
	assert_int_equal(vr_vpage_pool_deinit(&bpool), 0);
	assert_int_equal(vr_posix_port_destroy(&big), 0);
}

/* Locked regions (the posix port has locks): every path, and validate. */
static void test_locked_region(void **state)
{
	struct vr_region *vr = mk(2 * PAGE, 0);
	struct vr_posix_port_stats s;
	void *a, *b;

	(void)state;
	s = pstats();
	assert_int_equal(s.locks_live, 3);	/* the pool's, the region's and its short lock */
	a = vr_region_alloc(vr, 10);
	b = (vr_region_alloc)(vr, 10);
	assert_int_equal((uintptr_t)b - (uintptr_t)a, 64);
	assert_ptr_equal(vr_region_get(vr), vr);
	assert_int_equal(vr_region_set_interim(vr), 0);
	assert_non_null(vr_region_alloc(vr, 10));
	assert_int_equal(vr_region_validate(vr), 0);
	assert_ptr_equal(vr_region_put(vr), vr);
	assert_null(vr_region_put(vr));
	s = pstats();
	assert_int_equal(s.locks_live, 1);
	assert_int_equal(s.meta_blocks_live, 1);	/* only the pool's */

	vr = mk(PAGE, VR_REGION_NOLOCK);
	s = pstats();
	assert_int_equal(s.locks_live, 1);		/* NOLOCK: none created */
	assert_null(vr_region_put(vr));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_coherent_aliases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_either_alias_every_phase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sealed_lifetime_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard_from_pool_faults, setup_pool_guard, teardown),
		cmocka_unit_test_setup_teardown(test_data_isolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sealed_pages_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interim_beyond_heap_limit, NULL, NULL),
		cmocka_unit_test_setup_teardown(test_locked_region, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
