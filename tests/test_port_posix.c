/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_port_posix.c - the posix port alone: real mappings, real faults.
 *
 * Faults are checked in forked children (tests/common/posix_child.h); the
 * parent asserts how they died. The port is created fresh in each test.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vr_test.h"
#include "posix_child.h"
#include "vregion/port_posix.h"
/* private state, for the validate() corruption test only */
#include "../src/port/posix/posix_internal.h"

static struct vr_port port;
static size_t PS;	/* system page size */

/* ---- helpers ---- */

static void make_port(size_t phys, size_t window)
{
	struct vr_posix_port_config cfg = { 0 };

	cfg.phys_pages = phys;
	cfg.window_pages = window;
	cfg.log_level = VR_POSIX_LOG_OFF;	/* these tests provoke errors on purpose */
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	assert_int_equal(vr_port_check(&port), 0);
}

static void drop_port(void)
{
	assert_int_equal(vr_posix_port_validate(&port), 0);
	assert_int_equal(vr_posix_port_destroy(&port), 0);
}

static unsigned char *vp(size_t idx)
{
	return (unsigned char *)(port.window_base + idx * port.page_size);
}

static unsigned char *up(size_t idx)
{
	return port.to_uncached(port.ctx, vp(idx));
}

static void fill(unsigned char *p, size_t n, unsigned char v)
{
	memset(p, v, n);
}

/* True iff every byte of [p, p + n) is v. */
static bool all_eq(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void check_valid(void)
{
	assert_int_equal(vr_posix_port_validate(&port), 0);
}

static struct vr_posix_port_stats stats(void)
{
	struct vr_posix_port_stats s;

	assert_int_equal(vr_posix_port_get_stats(&port, &s), 0);
	return s;
}

/* xorshift64*: deterministic, seed printed by the tests that use it */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}
static size_t rnd_below(size_t n)
{
	return (size_t)(rnd() % n);
}

/* ---- create / destroy ---- */

static void test_create_bad_config(void **state)
{
	/* page_size is in units of 1/2 system page (0 = default) */
	static const struct {
		size_t half_pages, phys, window, cache_line;
		int log_level;
	} bad[] = {
		{ 0, 0, 8, 0, 0 },		/* phys_pages 0 */
		{ 0, 8, 0, 0, 0 },		/* window_pages 0 */
		{ 1, 8, 8, 0, 0 },		/* below the system page size */
		{ 3, 8, 8, 0, 0 },		/* not a multiple of it */
		{ 6, 8, 8, 0, 0 },		/* a multiple, not a power of two */
		{ 0, 8, 8, 48, 0 },		/* cache line not a power of two */
		{ 0, 8, 8, 0, 4 },		/* log level above DBG */
		{ 0, 8, 8, 0, -2 },		/* below OFF */
		{ 0, VR_POSIX_MAX_PHYS_PAGES + 1, 8, 0, 0 },
		{ 0, 8, SIZE_MAX / 2, 0, 0 },	/* window cannot fit the address space */
		/* its size fits a size_t, its reservation no address space: refused
		 * before per-page metadata for it is allocated (was -ENOMEM, or an
		 * abort in an allocator that does not return NULL) */
		{ 0, 8, SIZE_MAX / 4096 / 4, 0, 0 },
		{ 0, 8, SIZE_MAX / 4096 / 64, 0, 0 },
	};
	struct vr_posix_port_config cfg = { 0 };

	(void)state;
	assert_int_equal(vr_posix_port_create(NULL, &cfg), -EINVAL);
	memset(&port, 0xff, sizeof(port));
	assert_int_equal(vr_posix_port_create(&port, NULL), -EINVAL);
	assert_null(port.ctx);	/* zeroed on error */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.page_size = bad[i].half_pages * (PS / 2);
		cfg.phys_pages = bad[i].phys;
		cfg.window_pages = bad[i].window;
		cfg.cache_line = bad[i].cache_line;
		cfg.log_level = bad[i].log_level;
		if (vr_posix_port_create(&port, &cfg) != -EINVAL)
			fail_msg("bad config %zu accepted", i);
		assert_false(vr_posix_port_is(&port));
	}
	/* the boundary's good side: max log level, OFF, cache line 1 */
	cfg = (struct vr_posix_port_config){ .phys_pages = 1, .window_pages = 1, .cache_line = 1,
					     .log_level = VR_LOG_DBG };
	cfg.log_level = VR_POSIX_LOG_OFF;
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	assert_int_equal(port.cache_line, 1);
	drop_port();
}

static void test_create_defaults(void **state)
{
	struct vr_port other = { 0 };

	(void)state;
	make_port(4, 16);	/* window larger than physical memory */
	assert_true(vr_posix_port_is(&port));
	assert_int_equal(port.page_size, PS);
	assert_int_equal(port.cache_line, 64);
	assert_int_equal(port.window_pages, 16);
	assert_int_equal(port.phys_pages, 4);
	assert_int_equal(port.window_base % PS, 0);
	assert_int_equal(vr_posix_port_phys_free(&port), 4);
	assert_true(port.protect && port.to_uncached && port.cache_invalidate && port.log);
	/* a port that is not a posix port is refused by every query */
	other = port;
	other.map = NULL;
	assert_false(vr_posix_port_is(&other));
	assert_int_equal(vr_posix_port_phys_free(&other), 0);
	assert_int_equal(vr_posix_port_destroy(&other), -EINVAL);
	assert_int_equal(vr_posix_port_validate(&other), -EINVAL);
	assert_int_equal(vr_posix_port_get_stats(&port, NULL), -EINVAL);
	assert_int_equal(vr_posix_port_inject_failure(NULL, 1), -EINVAL);
	assert_int_equal(vr_posix_port_trim(NULL), -EINVAL);
	assert_int_equal(vr_posix_port_phys_page(NULL, vp(0)), SIZE_MAX);
	drop_port();
	assert_null(port.ctx);
	assert_int_equal(vr_posix_port_destroy(&port), -EINVAL);
	assert_int_equal(vr_posix_port_destroy(NULL), -EINVAL);
	assert_int_equal(vr_posix_port_phys_free(&port), 0);
}

static void test_large_page_size(void **state)
{
	struct vr_posix_port_config cfg = { 0 };

	(void)state;
	cfg.page_size = 4 * PS;
	cfg.phys_pages = 3;
	cfg.window_pages = 5;
	cfg.log_level = VR_POSIX_LOG_OFF;
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	assert_int_equal(port.page_size, 4 * PS);
	assert_int_equal(port.window_base % (4 * PS), 0);
	assert_int_equal(port.map(port.ctx, vp(4), 1, VR_PERM_RW), 0);
	fill(vp(4), 4 * PS, 0x3c);
	assert_true(all_eq(up(4), 4 * PS, 0x3c));
	assert_int_equal(port.unmap(port.ctx, vp(4), 1), 0);
	/* the last system page of the big page faults too */
	assert_true(vr_child_read_faults(vp(4) + 3 * PS));
	assert_int_equal(port.map(port.ctx, vp(0), 3, VR_PERM_RW), 0);
	assert_true(all_eq(vp(0), 3 * 4 * PS, 0));
	assert_int_equal(port.unmap(port.ctx, vp(0), 3), 0);
	drop_port();
}

static void test_destroy_busy(void **state)
{
	struct vr_port_lock *l;
	void *m;

	(void)state;
	make_port(4, 8);
	assert_int_equal(port.map(port.ctx, vp(2), 2, VR_PERM_RW), 0);
	assert_int_equal(vr_posix_port_destroy(&port), -EBUSY);
	assert_null(port.ctx);
	make_port(4, 8);
	l = port.lock_create(port.ctx);
	assert_non_null(l);
	assert_int_equal(vr_posix_port_destroy(&port), -EBUSY);
	make_port(4, 8);
	m = port.meta_alloc(port.ctx, 40);
	assert_non_null(m);
	assert_int_equal(vr_posix_port_destroy(&port), -EBUSY);
	free(m);	/* the port leaves unfreed metadata to its owner */
}

/* ---- argument and state checks: boundary pairs ---- */

static void test_map_bounds(void **state)
{
	const size_t W = 8;
	unsigned char *end;

	(void)state;
	make_port(16, W);
	end = vp(W);
	/* min - 1 fails, min works */
	assert_int_equal(port.map(port.ctx, vp(0) - PS, 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(port.map(port.ctx, vp(0), 1, VR_PERM_RW), 0);
	/* max works, max + 1 fails */
	assert_int_equal(port.map(port.ctx, vp(W - 1), 1, VR_PERM_RW), 0);
	assert_int_equal(port.map(port.ctx, end, 1, VR_PERM_RW), -EINVAL);
	/* a range that crosses the end, by one page */
	assert_int_equal(port.map(port.ctx, vp(W - 3), 3, VR_PERM_RW), -EINVAL);
	assert_int_equal(port.map(port.ctx, vp(W - 3), 2, VR_PERM_RW), 0);
	/* npages 0, SIZE_MAX, unaligned, uncached alias, perms out of range */
	assert_int_equal(port.map(port.ctx, vp(2), 0, VR_PERM_RW), -EINVAL);
	assert_int_equal(port.map(port.ctx, vp(2), SIZE_MAX, VR_PERM_RW), -EINVAL);
	assert_int_equal(port.map(port.ctx, vp(2) + 64, 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(port.map(port.ctx, up(2), 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(port.map(port.ctx, NULL, 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(port.map(port.ctx, vp(2), 1, 8), -EINVAL);
	assert_int_equal(port.map(port.ctx, vp(2), 1, VR_PERM_RWX), 0);
	check_valid();
	assert_int_equal(vr_posix_port_phys_free(&port), 16 - 5);
	/* the same pairs for unmap and protect */
	assert_int_equal(port.unmap(port.ctx, vp(0) - PS, 1), -EINVAL);
	assert_int_equal(port.unmap(port.ctx, end, 1), -EINVAL);
	assert_int_equal(port.unmap(port.ctx, vp(W - 1), 2), -EINVAL);
	assert_int_equal(port.unmap(port.ctx, vp(0), 0), -EINVAL);
	assert_int_equal(port.unmap(port.ctx, vp(0) + 1, 1), -EINVAL);
	assert_int_equal(port.protect(port.ctx, end, 1, VR_PERM_R), -EINVAL);
	assert_int_equal(port.protect(port.ctx, vp(W - 1), 2, VR_PERM_R), -EINVAL);
	assert_int_equal(port.protect(port.ctx, vp(0), 1, 9), -EINVAL);
	assert_int_equal(port.protect(port.ctx, vp(W - 1), 1, VR_PERM_R), 0);
	assert_int_equal(port.protect(port.ctx, vp(0), 1, VR_PERM_NONE), 0);
	assert_int_equal(port.unmap(port.ctx, vp(0), 1), 0);
	assert_int_equal(port.unmap(port.ctx, vp(W - 1), 1), 0);
	assert_int_equal(port.unmap(port.ctx, vp(W - 3), 2), 0);
	assert_int_equal(port.unmap(port.ctx, vp(2), 1), 0);
	assert_int_equal(vr_posix_port_phys_free(&port), 16);
	assert_int_equal(stats().failed_calls, 17);
	drop_port();
}

static void test_state_checks(void **state)
{
	(void)state;
	make_port(16, 16);
	assert_int_equal(port.map(port.ctx, vp(4), 2, VR_PERM_RW), 0);
	fill(vp(4), 2 * PS, 0x11);
	/* map over a mapped page (whole, partial at either end) changes nothing */
	assert_int_equal(port.map(port.ctx, vp(4), 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(port.map(port.ctx, vp(3), 2, VR_PERM_RW), -EINVAL);
	assert_int_equal(port.map(port.ctx, vp(5), 2, VR_PERM_RW), -EINVAL);
	assert_int_equal(vr_posix_port_phys_free(&port), 14);
	assert_true(all_eq(vp(4), 2 * PS, 0x11));
	assert_true(vr_child_read_faults(vp(3)));
	assert_true(vr_child_read_faults(vp(6)));
	/* unmap / protect of a partly unmapped range changes nothing */
	assert_int_equal(port.unmap(port.ctx, vp(3), 2), -EINVAL);
	assert_int_equal(port.unmap(port.ctx, vp(5), 2), -EINVAL);
	assert_int_equal(port.protect(port.ctx, vp(5), 2, VR_PERM_R), -EINVAL);
	assert_int_equal(port.unmap(port.ctx, vp(8), 1), -EINVAL);
	assert_true(all_eq(vp(4), 2 * PS, 0x11));
	fill(vp(5), PS, 0x22);	/* still writable: protect did not apply */
	check_valid();
	/* a range spanning two earlier maps unmaps in one call (P3) */
	assert_int_equal(port.map(port.ctx, vp(6), 3, VR_PERM_RW), 0);
	assert_int_equal(port.unmap(port.ctx, vp(4), 5), 0);
	assert_int_equal(vr_posix_port_phys_free(&port), 16);
	drop_port();
}

/* ---- out of physical pages: -ENOMEM, no trace ---- */

static void test_enomem(void **state)
{
	(void)state;
	make_port(8, 32);
	assert_int_equal(port.map(port.ctx, vp(0), 5, VR_PERM_RW), 0);
	/* max + 1 fails and leaves nothing */
	assert_int_equal(port.map(port.ctx, vp(10), 4, VR_PERM_RW), -ENOMEM);
	assert_int_equal(vr_posix_port_phys_free(&port), 3);
	for (size_t i = 10; i < 14; i++) {
		assert_int_equal(vr_posix_port_phys_page(&port, vp(i)), SIZE_MAX);
		assert_true(vr_child_read_faults(vp(i)));
		assert_true(vr_child_read_faults(up(i)));
	}
	check_valid();
	/* max works */
	assert_int_equal(port.map(port.ctx, vp(10), 3, VR_PERM_RW), 0);
	assert_int_equal(vr_posix_port_phys_free(&port), 0);
	assert_int_equal(port.map(port.ctx, vp(20), 1, VR_PERM_RW), -ENOMEM);
	assert_true(vr_child_read_faults(vp(20)));
	check_valid();
	assert_int_equal(port.unmap(port.ctx, vp(0), 5), 0);
	assert_int_equal(port.unmap(port.ctx, vp(10), 3), 0);
	assert_int_equal(vr_posix_port_phys_free(&port), 8);
	assert_int_equal(stats().failed_calls, 2);
	drop_port();
}

/* ---- Q2: zeroed pages on reuse ---- */

static void test_zero_on_reuse(void **state)
{
	(void)state;
	make_port(8, 32);
	assert_int_equal(port.map(port.ctx, vp(0), 8, VR_PERM_RW), 0);
	assert_true(all_eq(vp(0), 8 * PS, 0));
	assert_int_equal(stats().pages_zeroed, 0);	/* fresh memfd pages read 0 already */
	fill(vp(0), 8 * PS, 0xa5);
	assert_int_equal(port.unmap(port.ctx, vp(0), 8), 0);
	/* the same physical pages elsewhere, in two pieces */
	assert_int_equal(port.map(port.ctx, vp(20), 3, VR_PERM_RW), 0);
	assert_int_equal(port.map(port.ctx, vp(9), 5, VR_PERM_RW), 0);
	assert_true(all_eq(vp(20), 3 * PS, 0));
	assert_true(all_eq(vp(9), 5 * PS, 0));
	assert_true(all_eq(up(9), 5 * PS, 0));
	assert_int_equal(stats().pages_zeroed, 8);
	fill(vp(20), 3 * PS, 0x5a);
	assert_int_equal(port.unmap(port.ctx, vp(20), 3), 0);
	/* read-only mapping of reused pages: still zero */
	assert_int_equal(port.map(port.ctx, vp(30), 2, VR_PERM_R), 0);
	assert_true(all_eq(vp(30), 2 * PS, 0));
	assert_int_equal(port.unmap(port.ctx, vp(30), 2), 0);
	assert_int_equal(port.unmap(port.ctx, vp(9), 5), 0);
	drop_port();
}

/* ---- aliases ---- */

static void test_alias(void **state)
{
	const size_t W = 16;
	uintptr_t off;
	int outside;

	(void)state;
	make_port(8, W);
	off = (uintptr_t)up(0) - (uintptr_t)vp(0);
	assert_true(off >= W * PS);	/* the aliases do not overlap */
	for (size_t i = 0; i < W; i++) {
		assert_int_equal((uintptr_t)up(i) - (uintptr_t)vp(i), off);
		assert_false(port.is_uncached(port.ctx, vp(i)));
		assert_true(port.is_uncached(port.ctx, up(i)));
		assert_ptr_equal(port.to_cached(port.ctx, up(i)), vp(i));
		assert_ptr_equal(port.to_cached(port.ctx, vp(i)), vp(i));
		assert_ptr_equal(port.to_uncached(port.ctx, up(i)), up(i));
	}
	/* first and last byte of each window; one byte outside stays unchanged */
	assert_true(port.is_uncached(port.ctx, up(W - 1) + PS - 1));
	assert_false(port.is_uncached(port.ctx, up(W - 1) + PS));
	assert_false(port.is_uncached(port.ctx, up(0) - 1));
	assert_ptr_equal(port.to_uncached(port.ctx, vp(W - 1) + PS - 1), up(W - 1) + PS - 1);
	assert_ptr_equal(port.to_uncached(port.ctx, vp(W)), vp(W));
	assert_ptr_equal(port.to_uncached(port.ctx, vp(0) - 1), vp(0) - 1);
	assert_ptr_equal(port.to_cached(port.ctx, up(W)), up(W));
	assert_ptr_equal(port.to_uncached(port.ctx, &outside), &outside);
	assert_false(port.is_uncached(port.ctx, &outside));

	/* coherence: write one alias, read the other, both ways */
	assert_int_equal(port.map(port.ctx, vp(3), 4, VR_PERM_RW), 0);
	for (size_t i = 0; i < 4 * PS; i++)
		vp(3)[i] = (unsigned char)(i * 7);
	for (size_t i = 0; i < 4 * PS; i++)
		assert_int_equal(up(3)[i], (unsigned char)(i * 7));
	fill(up(5), PS, 0xc3);
	assert_true(all_eq(vp(5), PS, 0xc3));
	/* guards: between and around the windows */
	assert_true(vr_child_read_faults(vp(0) - 1));
	assert_true(vr_child_read_faults(vp(W)));
	assert_true(vr_child_read_faults(up(0) - 1));
	assert_true(vr_child_read_faults(up(W)));
	/* unmap removes both aliases */
	assert_int_equal(port.unmap(port.ctx, vp(3), 4), 0);
	assert_true(vr_child_read_faults(up(3)));
	assert_true(vr_child_read_faults(up(6) + PS - 1));
	drop_port();
}

/* ---- physically scattered mappings ---- */

/* A physically contiguous run is mapped with one mmap per window. */
static void test_contiguous_one_call(void **state)
{
	struct vr_posix_port_stats a, b;

	(void)state;
	make_port(16, 64);
	a = stats();
	assert_int_equal(port.map(port.ctx, vp(5), 8, VR_PERM_RW), 0);	/* phys 0-7 */
	b = stats();
	assert_int_equal(b.runs_mapped - a.runs_mapped, 1);
	assert_int_equal(b.syscalls - a.syscalls, 2);			/* cached + uncached */
	assert_int_equal(vr_posix_port_phys_page(&port, vp(12)), 7);
	/* phys 8-13 taken, then phys 0-1 and 4-7 freed (parked: their pages
	 * may take them back), 14-15 free too: 6 pages have no contiguous free
	 * run, so they are gathered, first the pages nobody may take back
	 * (14-15), then the lowest parked ones: 3 runs, 6 calls */
	assert_int_equal(port.map(port.ctx, vp(20), 6, VR_PERM_RW), 0);	/* phys 8-13 */
	assert_int_equal(port.unmap(port.ctx, vp(5), 2), 0);
	assert_int_equal(port.unmap(port.ctx, vp(9), 4), 0);
	a = stats();
	assert_int_equal(port.map(port.ctx, vp(30), 6, VR_PERM_RW), 0);
	b = stats();
	assert_int_equal(b.runs_mapped - a.runs_mapped, 3);
	assert_int_equal(b.syscalls - a.syscalls, 6);
	assert_int_equal(vr_posix_port_phys_page(&port, vp(30)), 14);
	assert_int_equal(vr_posix_port_phys_page(&port, vp(31)), 15);
	assert_int_equal(vr_posix_port_phys_page(&port, vp(32)), 0);
	assert_int_equal(vr_posix_port_phys_page(&port, vp(33)), 1);
	assert_int_equal(vr_posix_port_phys_page(&port, vp(34)), 4);
	assert_int_equal(vr_posix_port_phys_page(&port, vp(35)), 5);
	check_valid();
	assert_int_equal(port.unmap(port.ctx, vp(30), 6), 0);
	assert_int_equal(port.unmap(port.ctx, vp(20), 6), 0);
	assert_int_equal(port.unmap(port.ctx, vp(7), 2), 0);
	drop_port();
}

static void test_scattered(void **state)
{
	size_t prev, breaks = 0, runs0;

	(void)state;
	make_port(16, 64);
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(port.map(port.ctx, vp(i), 1, VR_PERM_RW), 0);
	for (size_t i = 0; i < 16; i += 2)
		assert_int_equal(port.unmap(port.ctx, vp(i), 1), 0);
	for (size_t i = 1; i < 16; i += 2)
		fill(vp(i), PS, (unsigned char)(0x80 + i));
	/* 8 free pages, no two adjacent: the run must use scattered pages */
	runs0 = stats().runs_mapped;
	assert_int_equal(port.map(port.ctx, vp(32), 8, VR_PERM_RW), 0);
	assert_int_equal(stats().runs_mapped - runs0, 8);
	prev = vr_posix_port_phys_page(&port, vp(32));
	for (size_t i = 1; i < 8; i++) {
		size_t ph = vr_posix_port_phys_page(&port, vp(32 + i));

		assert_true(ph < 16);
		breaks += ph != prev + 1;
		prev = ph;
	}
	assert_int_equal(breaks, 7);
	check_valid();	/* also proves no physical page is shared */
	for (size_t i = 0; i < 8; i++)
		assert_true(all_eq(vp(32 + i), PS, 0));
	for (size_t i = 0; i < 8; i++)
		fill(vp(32 + i), PS, (unsigned char)(0x10 + i));
	fill(up(39), PS / 2, 0x77);	/* through the other alias too */
	for (size_t i = 0; i < 7; i++) {
		assert_true(all_eq(vp(32 + i), PS, (unsigned char)(0x10 + i)));
		assert_true(all_eq(up(32 + i), PS, (unsigned char)(0x10 + i)));
	}
	assert_true(all_eq(vp(39), PS / 2, 0x77));
	assert_true(all_eq(vp(39) + PS / 2, PS / 2, 0x17));
	for (size_t i = 1; i < 16; i += 2)
		assert_true(all_eq(vp(i), PS, (unsigned char)(0x80 + i)));
	/* unmap the scattered run in one call */
	assert_int_equal(port.unmap(port.ctx, vp(32), 8), 0);
	assert_true(vr_child_read_faults(vp(35)));
	for (size_t i = 1; i < 16; i += 2)
		assert_int_equal(port.unmap(port.ctx, vp(i), 1), 0);
	assert_int_equal(vr_posix_port_phys_free(&port), 16);
	drop_port();
}

/* ---- faults in children ---- */

static void test_faults(void **state)
{
	(void)state;
	make_port(8, 16);
	/* never mapped: every page of the window faults, both aliases */
	assert_true(vr_child_read_faults(vp(0)));
	assert_true(vr_child_write_faults(vp(15) + PS - 1));
	assert_true(vr_child_read_faults(up(7)));
	/* mapped: reads and writes work in the child, and the write is visible */
	assert_int_equal(port.map(port.ctx, vp(7), 2, VR_PERM_RW), 0);
	assert_int_equal(vr_child_signal(vr_child_read_byte, vp(7)), 0);
	assert_int_equal(vr_child_signal(vr_child_write_byte, vp(8) + PS - 1), 0);
	assert_int_equal(up(8)[PS - 1], 0x5a);	/* MAP_SHARED: one physical page */
	/* its neighbours still fault */
	assert_true(vr_child_read_faults(vp(6) + PS - 1));
	assert_true(vr_child_read_faults(vp(9)));
	/* after unmap */
	assert_int_equal(port.unmap(port.ctx, vp(7), 2), 0);
	assert_true(vr_child_read_faults(vp(7)));
	assert_true(vr_child_write_faults(vp(8)));
	assert_true(vr_child_read_faults(up(8)));
	drop_port();
}

static void test_protect(void **state)
{
	(void)state;
	make_port(8, 16);
	assert_int_equal(port.map(port.ctx, vp(2), 3, VR_PERM_RW), 0);
	fill(vp(2), 3 * PS, 0x42);
	/* read-only: reads work, writes fault in both aliases and do not land */
	assert_int_equal(port.protect(port.ctx, vp(3), 1, VR_PERM_R), 0);
	assert_int_equal(vr_child_signal(vr_child_read_byte, vp(3)), 0);
	assert_true(vr_child_write_faults(vp(3) + 5));
	assert_true(vr_child_write_faults(up(3) + 6));
	assert_int_equal(vp(3)[5], 0x42);
	assert_int_equal(vp(3)[6], 0x42);
	/* the neighbours are still writable */
	assert_int_equal(vr_child_signal(vr_child_write_byte, vp(2) + PS - 1), 0);
	assert_int_equal(vr_child_signal(vr_child_write_byte, vp(4)), 0);
	/* no access: reads fault too */
	assert_int_equal(port.protect(port.ctx, vp(3), 1, VR_PERM_NONE), 0);
	assert_true(vr_child_read_faults(vp(3)));
	assert_true(vr_child_read_faults(up(3)));
	/* back to read-write: the contents survived */
	assert_int_equal(port.protect(port.ctx, vp(2), 3, VR_PERM_RW), 0);
	assert_true(all_eq(vp(3), PS, 0x42));
	fill(vp(3), PS, 0x43);
	/* a read-only map at map time */
	assert_int_equal(port.map(port.ctx, vp(10), 1, VR_PERM_R), 0);
	assert_true(vr_child_write_faults(vp(10)));
	assert_int_equal(vr_child_signal(vr_child_read_byte, vp(10)), 0);
	assert_int_equal(port.unmap(port.ctx, vp(10), 1), 0);
	assert_int_equal(port.unmap(port.ctx, vp(2), 3), 0);
	assert_int_equal(stats().protect_calls, 3);
	drop_port();
}

/* ---- Q1 under injected syscall failures ---- */

/* Map every other page to fragment physical memory; returns the count mapped. */
static size_t fragment(size_t P)
{
	for (size_t i = 0; i < P; i++)
		assert_int_equal(port.map(port.ctx, vp(i), 1, VR_PERM_RW), 0);
	for (size_t i = 0; i < P; i += 2)
		assert_int_equal(port.unmap(port.ctx, vp(i), 1), 0);
	return P / 2;
}

static void test_inject_map(void **state)
{
	const size_t P = 8, at = 20, n = 4;
	unsigned nth;
	int rc = -1;

	(void)state;
	make_port(P, 32);
	fragment(P);
	for (nth = 1; nth < 50 && rc; nth++) {
		size_t zeroed = stats().pages_zeroed;

		assert_int_equal(vr_posix_port_inject_failure(&port, nth), 0);
		rc = port.map(port.ctx, vp(at), n, VR_PERM_RW);
		if (!rc)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(vr_posix_port_phys_free(&port), P / 2);
		check_valid();
		for (size_t i = 0; i < n; i++)
			assert_int_equal(vr_posix_port_phys_page(&port, vp(at + i)), SIZE_MAX);
		assert_true(vr_child_read_faults(vp(at)));
		assert_true(vr_child_read_faults(vp(at + n - 1)));
		assert_true(vr_child_read_faults(up(at + n - 1)));
		assert_true(stats().pages_zeroed >= zeroed);
	}
	/* 4 scattered runs x 2 windows = 8 syscalls: failures 1..8, success at 9 */
	assert_int_equal(rc, 0);
	assert_int_equal(nth, 2 * n + 1);
	assert_int_equal(vr_posix_port_inject_failure(&port, 0), 0);
	assert_true(all_eq(vp(at), n * PS, 0));
	assert_true(all_eq(up(at), n * PS, 0));
	fill(vp(at), n * PS, 0x99);
	assert_int_equal(port.unmap(port.ctx, vp(at), n), 0);
	for (size_t i = 1; i < P; i += 2)
		assert_int_equal(port.unmap(port.ctx, vp(i), 1), 0);
	drop_port();
}

static void test_inject_unmap_protect(void **state)
{
	const size_t P = 8, at = 20, n = 4;

	(void)state;
	make_port(P, 32);
	fragment(P);
	assert_int_equal(port.map(port.ctx, vp(at), n, VR_PERM_RW), 0);
	fill(vp(at), n * PS, 0x6b);
	for (unsigned nth = 1; nth <= 2; nth++) {
		assert_int_equal(vr_posix_port_inject_failure(&port, nth), 0);
		assert_int_equal(port.unmap(port.ctx, vp(at), n), -ENOMEM);
		/* still mapped, same pages, same contents, both aliases */
		assert_int_equal(vr_posix_port_phys_free(&port), 0);
		check_valid();
		assert_true(all_eq(vp(at), n * PS, 0x6b));
		assert_true(all_eq(up(at), n * PS, 0x6b));
		fill(up(at + 1), PS, 0x6b);	/* and writable */
	}
	for (unsigned nth = 1; nth <= 2; nth++) {
		assert_int_equal(vr_posix_port_inject_failure(&port, nth), 0);
		assert_int_equal(port.protect(port.ctx, vp(at), n, VR_PERM_R), -ENOMEM);
		/* permissions unchanged in both aliases */
		assert_int_equal(vr_child_signal(vr_child_write_byte, vp(at + n - 1)), 0);
		assert_int_equal(vr_child_signal(vr_child_write_byte, up(at)), 0);
	}
	assert_int_equal(vr_posix_port_inject_failure(&port, 0), 0);
	assert_int_equal(port.protect(port.ctx, vp(at), n, VR_PERM_R), 0);
	assert_true(vr_child_write_faults(up(at)));
	assert_int_equal(port.unmap(port.ctx, vp(at), n), 0);
	assert_true(vr_child_read_faults(vp(at)));
	for (size_t i = 1; i < P; i += 2)
		assert_int_equal(port.unmap(port.ctx, vp(i), 1), 0);
	assert_int_equal(vr_posix_port_phys_free(&port), P);
	drop_port();
}

/* ---- random operations against a model ---- */

struct mpage {
	bool mapped;
	unsigned perms;
	unsigned char fill;
};

static void test_random_model(void **state)
{
	enum { P = 48, W = 96, OPS = 3000 };
	static struct mpage m[W];
	size_t nmapped = 0;

	(void)state;
	memset(m, 0, sizeof(m));
	rng_state = UINT64_C(0x9e3779b97f4a7c15);
	print_message("random model seed 0x%llx\n", (unsigned long long)rng_state);
	make_port(P, W);
	for (int op = 0; op < OPS; op++) {
		size_t at = rnd_below(W), n = 1 + rnd_below(8), k, nm = 0;
		int rc, kind = (int)rnd_below(3);

		if (n > W - at)
			n = W - at;
		for (k = 0; k < n; k++)
			nm += m[at + k].mapped;
		if (kind == 0) {		/* map */
			unsigned perms = rnd_below(4) ? VR_PERM_RW : VR_PERM_R;
			unsigned char v = (unsigned char)(1 + rnd_below(255));

			rc = port.map(port.ctx, vp(at), n, perms);
			if (nm) {
				assert_int_equal(rc, -EINVAL);
			} else if (P - nmapped < n) {
				assert_int_equal(rc, -ENOMEM);
			} else {
				assert_int_equal(rc, 0);
				for (k = 0; k < n; k++) {
					assert_true(all_eq(vp(at + k), PS, 0));
					m[at + k] = (struct mpage){ true, perms, 0 };
					if (perms & VR_PERM_W) {
						fill(rnd_below(2) ? vp(at + k) : up(at + k), PS, v);
						m[at + k].fill = v;
					}
				}
				nmapped += n;
			}
		} else if (kind == 1) {		/* unmap, after checking contents */
			if (nm == n)
				for (k = 0; k < n; k++)
					assert_true(all_eq(up(at + k), PS, m[at + k].fill));
			rc = port.unmap(port.ctx, vp(at), n);
			if (nm != n) {
				assert_int_equal(rc, -EINVAL);
			} else {
				assert_int_equal(rc, 0);
				for (k = 0; k < n; k++)
					m[at + k].mapped = false;
				nmapped -= n;
			}
		} else {			/* protect */
			unsigned perms = rnd_below(2) ? VR_PERM_RW : VR_PERM_R;

			rc = port.protect(port.ctx, vp(at), n, perms);
			if (nm != n) {
				assert_int_equal(rc, -EINVAL);
			} else {
				assert_int_equal(rc, 0);
				for (k = 0; k < n; k++)
					m[at + k].perms = perms;
			}
		}
		check_valid();
		assert_int_equal(vr_posix_port_phys_free(&port), P - nmapped);
	}
	/* final: contents of every mapped page, then unmap all */
	for (size_t i = 0; i < W; i++) {
		if (!m[i].mapped)
			continue;
		assert_true(all_eq(vp(i), PS, m[i].fill));
		assert_int_equal(port.unmap(port.ctx, vp(i), 1), 0);
	}
	assert_int_equal(vr_posix_port_phys_free(&port), P);
	drop_port();
}

/* ---- threads (P2): disjoint ranges in parallel, shared physical pages ---- */

enum { T_THREADS = 4, T_SLICE = 16, T_OPS = 400 };

struct tworker {
	size_t first;
	uint64_t seed;
	size_t enomem;
	int bad;
};

static void *tworker_main(void *arg)
{
	struct tworker *w = arg;
	uint64_t s = w->seed;

	for (int op = 0; op < T_OPS && !w->bad; op++) {
		size_t n, at;
		unsigned char v;
		int rc;

		s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
		n = 1 + (size_t)((s >> 8) % 6);
		at = w->first + (size_t)((s >> 20) % (T_SLICE - n + 1));
		v = (unsigned char)(1 + (s >> 40) % 255);
		rc = port.map(port.ctx, vp(at), n, VR_PERM_RW);
		if (rc == -ENOMEM) {
			w->enomem++;
			continue;
		}
		if (rc) {
			w->bad = rc;
			break;
		}
		if (!all_eq(vp(at), n * PS, 0))
			w->bad = -1;
		fill(vp(at), n * PS, v);
		sched_yield();
		if (!all_eq(up(at), n * PS, v))
			w->bad = -2;
		if (port.unmap(port.ctx, vp(at), n))
			w->bad = -3;
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t th[T_THREADS];
	struct tworker w[T_THREADS];
	size_t enomem = 0;

	(void)state;
	/* fewer physical pages than the threads want at once: -ENOMEM races too */
	make_port(12, T_THREADS * T_SLICE);
	for (int i = 0; i < T_THREADS; i++) {
		w[i] = (struct tworker){ (size_t)i * T_SLICE, UINT64_C(0x1234567) * (uint64_t)(i + 1), 0, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, tworker_main, &w[i]), 0);
	}
	for (int i = 0; i < T_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
		enomem += w[i].enomem;
	}
	print_message("threads: %zu maps refused with -ENOMEM\n", enomem);
	assert_int_equal(stats().failed_calls, enomem);
	assert_int_equal(stats().mapped_pages, 0);
	assert_int_equal(vr_posix_port_phys_free(&port), 12);
	drop_port();
}

/* ---- services: cache counters, locks, metadata, log ---- */

static void test_cache_counters(void **state)
{
	struct vr_posix_port_stats s;

	(void)state;
	make_port(2, 2);
	port.cache_flush(port.ctx, vp(0), 128);
	port.cache_invalidate(port.ctx, vp(0), 64);
	port.cache_invalidate(port.ctx, vp(1), 256);
	s = stats();
	assert_int_equal(s.cache_flush_calls, 1);
	assert_int_equal(s.cache_flush_bytes, 128);
	assert_int_equal(s.cache_invalidate_calls, 2);
	assert_int_equal(s.cache_invalidate_bytes, 320);
	drop_port();
}

static void test_locks_meta(void **state)
{
	struct vr_port_lock *a, *b;
	unsigned char *m1, *m2;

	(void)state;
	make_port(2, 2);
	a = port.lock_create(port.ctx);
	b = port.lock_create(port.ctx);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(stats().locks_live, 2);
	port.lock(port.ctx, a);
	port.lock(port.ctx, b);	/* distinct locks nest */
	port.unlock(port.ctx, b);
	port.unlock(port.ctx, a);
	/* destroying a held lock is refused (logged), the lock stays usable */
	port.lock(port.ctx, a);
	port.lock_destroy(port.ctx, a);
	assert_int_equal(stats().locks_live, 2);
	port.unlock(port.ctx, a);
	port.lock_destroy(port.ctx, a);
	port.lock_destroy(port.ctx, b);
	assert_int_equal(stats().locks_live, 0);

	assert_null(port.meta_alloc(port.ctx, 0));
	m1 = port.meta_alloc(port.ctx, 1);
	m2 = port.meta_alloc(port.ctx, 1000);
	assert_non_null(m1);
	assert_non_null(m2);
	assert_int_equal((uintptr_t)m1 % 16, 0);
	assert_int_equal((uintptr_t)m2 % 16, 0);
	assert_true(all_eq(m2, 1000, 0));
	assert_int_equal(stats().meta_blocks_live, 2);
	assert_int_equal(stats().meta_bytes_live, 1001);
	port.meta_free(port.ctx, m1, 1);
	port.meta_free(port.ctx, m2, 1000);
	port.meta_free(port.ctx, NULL, 0);
	assert_int_equal(stats().meta_blocks_live, 0);
	assert_int_equal(stats().meta_bytes_live, 0);
	drop_port();
}

/*
 * Requests no host could satisfy are refused before libc sees them: a
 * meta_alloc of SIZE_MAX or of more than the physical memory returns NULL,
 * and a window the address space takes but whose per-page records exceed
 * the memory is -ENOMEM (or -EINVAL where the address space is the smaller
 * limit). Both reached posix_memalign / calloc, which abort a program built
 * with ASan (allocation-size-too-big, allocator out of memory) instead of
 * returning NULL.
 */
static void test_huge_requests(void **state)
{
	size_t ram = (size_t)sysconf(_SC_PHYS_PAGES) * PS;
	struct vr_posix_port_config cfg = { .phys_pages = 1, .log_level = VR_POSIX_LOG_OFF };
	size_t wrn;
	int rc;

	(void)state;
	make_port(2, 2);
	wrn = stats().log_lines[VR_LOG_WRN];
	assert_null(port.meta_alloc(port.ctx, SIZE_MAX));
	assert_null(port.meta_alloc(port.ctx, SIZE_MAX / 2));
	assert_null(port.meta_alloc(port.ctx, ram));
	assert_int_equal(stats().log_lines[VR_LOG_WRN], wrn + 3);
	assert_int_equal(stats().meta_blocks_live, 0);
	drop_port();
	cfg.window_pages = ram / sizeof(uint32_t) + 1;
	rc = vr_posix_port_create(&port, &cfg);
	if (rc != -ENOMEM && rc != -EINVAL)
		fail_msg("window of %zu pages: %d", cfg.window_pages, rc);
	assert_false(vr_posix_port_is(&port));
}

/* A child that relocks a non-recursive lock must die (abort), not deadlock. */
static void relock_child(void *arg)
{
	struct vr_port_lock *l = arg;

	port.lock(port.ctx, l);
	port.lock(port.ctx, l);
	_exit(0);
}

/* The same for a short lock. */
static void spin_relock_child(void *arg)
{
	struct vr_port_lock *l = arg;

	(void)port.spin_lock(port.ctx, l);
	(void)port.spin_lock(port.ctx, l);
	_exit(0);
}

/* Releasing a short lock nobody holds. */
static void spin_unheld_child(void *arg)
{
	port.spin_unlock(port.ctx, arg, 0);
	_exit(0);
}

/* Error-checking locks exist in VR_DEBUG builds only (release builds use
 * normal mutexes, whose relock is undefined: not tested). */
static void test_relock_aborts(void **state)
{
	struct vr_port_lock *l, *s;

	(void)state;
	make_port(2, 2);
	l = port.lock_create(port.ctx);
	s = port.spin_create(port.ctx);
	assert_non_null(l);
	assert_non_null(s);
#if VR_DEBUG
	assert_int_equal(vr_child_signal(relock_child, l), SIGABRT);
	assert_int_equal(vr_child_signal(spin_relock_child, s), SIGABRT);
	assert_int_equal(vr_child_signal(spin_unheld_child, s), SIGABRT);
#else
	(void)relock_child;
	(void)spin_relock_child;
	(void)spin_unheld_child;
#endif
	port.lock_destroy(port.ctx, l);
	port.spin_destroy(port.ctx, s);
	assert_int_equal(stats().locks_live, 0);
	drop_port();
}

/* Short locks: exclusion between threads, kinds kept apart, leak count. */
struct spin_arg {
	struct vr_port_lock *l;
	volatile unsigned long *counter;
};

static void *spin_worker(void *p)
{
	struct spin_arg *a = p;

	for (int i = 0; i < 20000; i++) {
		uintptr_t key = port.spin_lock(port.ctx, a->l);
		unsigned long v = *a->counter;

		*a->counter = v + 1;	/* lost updates would show without exclusion */
		port.spin_unlock(port.ctx, a->l, key);
	}
	return NULL;
}

static void test_spin_locks(void **state)
{
	volatile unsigned long counter = 0;
	struct spin_arg a;
	pthread_t t[4];
	struct vr_port_lock *m;

	(void)state;
	make_port(2, 2);
	a.l = port.spin_create(port.ctx);
	a.counter = &counter;
	assert_non_null(a.l);
	assert_int_equal(stats().locks_live, 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, spin_worker, &a), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(counter, 4 * 20000);
	/* a held short lock and a lock of the other kind are not destroyed */
	m = port.lock_create(port.ctx);
	(void)port.spin_lock(port.ctx, a.l);
	port.spin_destroy(port.ctx, a.l);
	port.lock_destroy(port.ctx, a.l);
	port.spin_destroy(port.ctx, m);
	assert_int_equal(stats().locks_live, 2);
	port.spin_unlock(port.ctx, a.l, 0);
	port.spin_destroy(port.ctx, a.l);
	port.lock_destroy(port.ctx, m);
	assert_int_equal(stats().locks_live, 0);
	/* a leaked one is freed by destroy (and reported as busy) */
	assert_non_null(port.spin_create(port.ctx));
	assert_int_equal(vr_posix_port_destroy(&port), -EBUSY);
}

static const char *log_msg = "message";
static uintptr_t log_a = 0x1f, log_b;

/* Run port.log with stderr redirected to a file; returns what was written. */
static size_t capture_log(enum vr_log_level lv, char *buf, size_t cap)
{
	FILE *f = tmpfile();
	int saved;
	size_t got;

	assert_non_null(f);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), 2) >= 0);
	port.log(port.ctx, lv, "fn", log_msg, log_a, log_b);
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	rewind(f);
	got = fread(buf, 1, cap - 1, f);
	buf[got] = '\0';
	fclose(f);
	return got;
}

/* The config's log hook: what it got last, and how often. */
static unsigned hook_calls;
static const char *hook_fn;
static uintptr_t hook_a;
static void *hook_ctx;

static void log_hook(void *ctx, enum vr_log_level lv, const char *fn, const char *msg,
		     uintptr_t a, uintptr_t b)
{
	(void)lv; (void)msg; (void)b;
	hook_ctx = ctx;
	hook_calls++;
	hook_fn = fn;
	hook_a = a;
}

/* With a log hook, messages that pass the threshold go to it, not stderr:
 * the core's (through port.log) and the port's own. */
static void test_log_hook(void **state)
{
	struct vr_posix_port_config cfg = { 0 };
	char buf[64], *env = getenv("VREGION_LOG");
	int token;

	(void)state;
	if (env)
		return;		/* the environment would override the threshold */
	cfg.phys_pages = 2;
	cfg.window_pages = 4;
	cfg.log_level = VR_LOG_WRN;
	cfg.log = log_hook;
	cfg.log_ctx = &token;
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	hook_calls = 0;
	assert_int_equal(capture_log(VR_LOG_ERR, buf, sizeof(buf)), 0);	/* nothing on stderr */
	assert_int_equal(hook_calls, 1);
	assert_ptr_equal(hook_ctx, &token);
	assert_string_equal(hook_fn, "fn");
	assert_int_equal(hook_a, 0x1f);
	assert_int_equal(capture_log(VR_LOG_INF, buf, sizeof(buf)), 0);
	assert_int_equal(hook_calls, 1);				/* filtered */
	/* the port's own message: an out-of-window map */
	assert_int_equal(port.map(port.ctx, vp(4), 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(hook_calls, 2);
	assert_string_equal(hook_fn, "vri_posix_map");
	assert_int_equal(stats().log_lines[VR_LOG_ERR], 2);
	drop_port();
}

static void test_log(void **state)
{
	struct vr_posix_port_config cfg = { 0 };
	char *env = getenv("VREGION_LOG");
	char saved[16] = "";
	char buf[256];

	(void)state;
	if (env)
		snprintf(saved, sizeof(saved), "%s", env);
	unsetenv("VREGION_LOG");
	cfg.phys_pages = 1;
	cfg.window_pages = 1;
	/* default threshold: errors only */
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	capture_log(VR_LOG_ERR, buf, sizeof(buf));
	/* a message that does not name its values: both in hex */
	assert_string_equal(buf, "vregion: ERR fn: message: a=0x1f b=0x0\n");
	/* one that names them (port.h): key=value, addresses in hex */
	log_msg = "bad alignment (min_align, cache line)";
	log_a = 65536;
	log_b = 64;
	capture_log(VR_LOG_ERR, buf, sizeof(buf));
	assert_string_equal(buf, "vregion: ERR fn: bad alignment: min_align=65536 cache_line=64\n");
	log_msg = "ok (addr, pages)";
	log_a = 0x7f0000001000;
	log_b = 3;
	capture_log(VR_LOG_ERR, buf, sizeof(buf));
	assert_string_equal(buf, "vregion: ERR fn: ok: addr=0x7f0000001000 pages=3\n");
	log_msg = "port map failed (errno)";
	log_a = ENOMEM;
	capture_log(VR_LOG_ERR, buf, sizeof(buf));
	assert_string_equal(buf, "vregion: ERR fn: port map failed: errno=12\n");
	log_msg = "pool released";
	log_a = log_b = 0;
	capture_log(VR_LOG_ERR, buf, sizeof(buf));
	assert_string_equal(buf, "vregion: ERR fn: pool released\n");
	log_msg = "message";
	log_a = 0x1f;
	assert_int_equal(capture_log(VR_LOG_WRN, buf, sizeof(buf)), 0);
	assert_int_equal(capture_log(VR_LOG_DBG, buf, sizeof(buf)), 0);
	assert_int_equal(stats().log_lines[VR_LOG_WRN], 1);	/* counted though filtered */
	drop_port();
	/* the environment overrides the config, both ways */
	setenv("VREGION_LOG", "3", 1);
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	capture_log(VR_LOG_DBG, buf, sizeof(buf));
	assert_string_equal(buf, "vregion: DBG fn: message: a=0x1f b=0x0\n");
	drop_port();
	setenv("VREGION_LOG", "-1", 1);
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	assert_int_equal(capture_log(VR_LOG_ERR, buf, sizeof(buf)), 0);
	drop_port();
	setenv("VREGION_LOG", "9", 1);	/* invalid: ignored */
	cfg.log_level = VR_LOG_WRN;
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	assert_true(capture_log(VR_LOG_WRN, buf, sizeof(buf)) > 0);
	assert_int_equal(capture_log(VR_LOG_INF, buf, sizeof(buf)), 0);
	drop_port();
	if (env)
		setenv("VREGION_LOG", saved, 1);
	else
		unsetenv("VREGION_LOG");
}

/* ---- parking, and the kernel's mapping limit ---- */

/* Unmap parks (PROT_NONE, still bound); a map of the same pages takes them
 * back with one mprotect per window, zeroed; a parked page whose physical
 * page went to someone else is mapped afresh. */
static void test_park_revive(void **state)
{
	struct vr_posix_port_stats a, b;
	size_t ph;

	(void)state;
	make_port(4, 16);
	assert_int_equal(port.map(port.ctx, vp(3), 2, VR_PERM_RW), 0);
	ph = vr_posix_port_phys_page(&port, vp(3));
	fill(vp(3), 2 * PS, 0x3c);
	assert_int_equal(port.unmap(port.ctx, vp(3), 2), 0);
	b = stats();
	assert_int_equal(b.parked_pages, 2);
	assert_int_equal(b.phys_free, 4);		/* the core sees them back */
	assert_int_equal(b.mapped_pages, 0);
	assert_int_equal(vr_posix_port_phys_page(&port, vp(3)), SIZE_MAX);
	assert_true(vr_child_read_faults(vp(3)));	/* parked pages fault */
	assert_true(vr_child_write_faults(up(4) + 1));
	check_valid();
	a = stats();
	assert_int_equal(port.map(port.ctx, vp(3), 2, VR_PERM_R), 0);
	b = stats();
	assert_int_equal(b.syscalls - a.syscalls, 2);		/* one mprotect per window */
	assert_int_equal(b.revived_pages - a.revived_pages, 2);
	assert_int_equal(b.pages_zeroed - a.pages_zeroed, 2);
	assert_int_equal(vr_posix_port_phys_page(&port, vp(3)), ph);
	assert_true(all_eq(vp(3), 2 * PS, 0));
	assert_true(all_eq(up(3), 2 * PS, 0));
	assert_true(vr_child_write_faults(vp(3)));		/* the new permissions */
	assert_int_equal(port.unmap(port.ctx, vp(3), 2), 0);
	/* all four physical pages elsewhere: the parked pages lose theirs */
	assert_int_equal(port.map(port.ctx, vp(8), 4, VR_PERM_RW), 0);
	assert_int_equal(port.unmap(port.ctx, vp(8), 4), 0);
	a = stats();
	assert_int_equal(port.map(port.ctx, vp(3), 2, VR_PERM_RW), 0);
	b = stats();
	assert_int_equal(b.revived_pages - a.revived_pages, 0);
	assert_int_equal(b.runs_mapped - a.runs_mapped, 1);	/* mmap afresh */
	assert_true(all_eq(vp(3), 2 * PS, 0));
	fill(vp(3), 2 * PS, 0x11);
	check_valid();						/* no page shared */
	assert_int_equal(port.unmap(port.ctx, vp(3), 2), 0);
	drop_port();
}

/* Kernel mappings (lines of /proc/self/maps) that meet [lo, hi). */
static size_t kernel_maps_in(uintptr_t lo, uintptr_t hi)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long a, b;
	size_t n = 0;
	char line[512];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a < hi && b > lo)
			n++;
	fclose(f);
	return n;
}

/* The port's count of its kernel mappings, checked against the kernel. */
static void check_mappings(void)
{
	struct vr_posix *st = port.ctx;
	uintptr_t r = (uintptr_t)st->resv, d = (uintptr_t)st->direct;

	assert_int_equal(kernel_maps_in(r, r + st->resv_bytes) + kernel_maps_in(d, d + st->P * st->ps),
			 stats().mappings);
}

/* Random maps, unmaps and protects: the count is exact after each. */
static void test_mappings_exact(void **state)
{
	enum { P = 24, W = 48, OPS = 400 };
	static bool mapped[W];

	(void)state;
	memset(mapped, 0, sizeof(mapped));
	rng_state = UINT64_C(0x2545f4914f6cdd1d);
	make_port(P, W);
	check_mappings();
	for (int op = 0; op < OPS; op++) {
		size_t at = rnd_below(W), n = 1 + rnd_below(4), k;
		bool all_m = true, none_m = true;

		if (n > W - at)
			n = W - at;
		for (k = 0; k < n; k++) {
			all_m &= mapped[at + k];
			none_m &= !mapped[at + k];
		}
		if (none_m && port.map(port.ctx, vp(at), n, 1 + (unsigned)rnd_below(3)) == 0)
			for (k = 0; k < n; k++)
				mapped[at + k] = true;
		if (all_m && rnd_below(2)) {
			assert_int_equal(port.unmap(port.ctx, vp(at), n), 0);
			for (k = 0; k < n; k++)
				mapped[at + k] = false;
		} else if (all_m) {
			assert_int_equal(port.protect(port.ctx, vp(at), n, (unsigned)rnd_below(4)), 0);
		}
		check_mappings();
		check_valid();
	}
	for (size_t i = 0; i < W; i++)
		if (mapped[i])
			assert_int_equal(port.unmap(port.ctx, vp(i), 1), 0);
	drop_port();
}

/* The limit's messages, caught by the log hook. */
static char limit_msg[160];
static void limit_hook(void *ctx, enum vr_log_level lv, const char *fn, const char *msg,
		       uintptr_t a, uintptr_t b)
{
	(void)ctx; (void)lv; (void)fn; (void)a; (void)b;
	if (msg && strstr(msg, "max_map_count"))
		snprintf(limit_msg, sizeof(limit_msg), "%s", msg);
}

/*
 * vm.max_map_count simulated small (max_mappings): one-page runs mapped
 * side by side, every other one unmapped, then the rest: every unmap
 * succeeds, the port never uses more mappings than allowed (counted by the
 * kernel), and a map that would cross the limit is refused with -ENOMEM and
 * a message naming it. At the end every page is back.
 */
static void test_mapping_limit(void **state)
{
	enum { LIMIT = 40, RUNS = 300 };
	struct vr_posix_port_config cfg = { 0 };
	struct vr_posix_port_stats s;

	(void)state;
	cfg.phys_pages = 2 * RUNS;
	cfg.window_pages = 4 * RUNS;
	cfg.log_level = VR_LOG_WRN;
	cfg.log = limit_hook;
	cfg.max_mappings = LIMIT;
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	for (size_t i = 0; i < RUNS; i++)
		assert_int_equal(port.map(port.ctx, vp(i), 1, VR_PERM_RW), 0);
	assert_true(stats().mappings <= 6);	/* neighbours merged */
	for (size_t i = 0; i < RUNS; i += 2) {
		assert_int_equal(port.unmap(port.ctx, vp(i), 1), 0);
		assert_true(stats().mappings <= LIMIT);
	}
	check_mappings();
	check_valid();
	s = stats();
	assert_true(s.held_pages > 0);		/* the limit was reached */
	assert_true(s.mappings <= LIMIT && s.mappings + 4 > LIMIT);
	assert_int_equal(s.mapping_limit, LIMIT);
	assert_true(vr_child_read_faults(vp(0)));	/* the first frees really unmapped */
	/* a map far from everything needs new mappings: refused, named */
	limit_msg[0] = '\0';
	assert_int_equal(port.map(port.ctx, vp(3 * RUNS), 1, VR_PERM_RW), -ENOMEM);
	assert_non_null(strstr(limit_msg, "vm.max_map_count"));
	assert_int_equal(stats().mapped_pages, RUNS / 2);
	/* a held page maps back in place, at no cost */
	assert_int_equal(port.map(port.ctx, vp(RUNS - 2), 1, VR_PERM_RW), 0);
	assert_true(all_eq(vp(RUNS - 2), PS, 0));
	assert_int_equal(port.unmap(port.ctx, vp(RUNS - 2), 1), 0);
	for (size_t i = 1; i < RUNS; i += 2) {
		assert_int_equal(port.unmap(port.ctx, vp(i), 1), 0);
		assert_true(stats().mappings <= LIMIT);
	}
	check_mappings();
	check_valid();
	s = stats();
	assert_int_equal(s.mapped_pages + s.held_pages, 0);
	assert_int_equal(s.phys_free, 2 * RUNS);
	drop_port();
}

/* punch_min_pages: unmapped runs that long are punched (zero without a
 * memset), shorter ones are zeroed by memset at their next map. */
static void test_punch_on_unmap(void **state)
{
	struct vr_posix_port_config cfg = { 0 };
	struct vr_posix_port_stats a, b;

	(void)state;
	cfg.phys_pages = 4;
	cfg.window_pages = 16;
	cfg.log_level = VR_POSIX_LOG_OFF;
	cfg.punch_min_pages = 2;
	assert_int_equal(vr_posix_port_create(&port, &cfg), 0);
	assert_int_equal(port.map(port.ctx, vp(0), 3, VR_PERM_RW), 0);
	assert_int_equal(port.map(port.ctx, vp(5), 1, VR_PERM_RW), 0);
	fill(vp(0), 3 * PS, 0x77);
	fill(vp(5), PS, 0x78);
	a = stats();
	assert_int_equal(port.unmap(port.ctx, vp(0), 3), 0);
	assert_int_equal(port.unmap(port.ctx, vp(5), 1), 0);
	b = stats();
	assert_int_equal(b.pages_punched - a.pages_punched, 3);	/* the 1-page run is not */
	assert_int_equal(port.map(port.ctx, vp(8), 4, VR_PERM_RW), 0);	/* all four, elsewhere */
	assert_int_equal(stats().pages_zeroed - b.pages_zeroed, 1);
	assert_true(all_eq(vp(8), 4 * PS, 0));
	assert_int_equal(port.unmap(port.ctx, vp(8), 4), 0);
	drop_port();
}

/* ---- trim: punched pages read zero without a memset ---- */

static void test_trim(void **state)
{
	(void)state;
	make_port(8, 16);
	assert_int_equal(port.map(port.ctx, vp(0), 8, VR_PERM_RW), 0);
	fill(vp(0), 8 * PS, 0xee);
	assert_int_equal(vr_posix_port_trim(&port), 0);	/* nothing free */
	assert_int_equal(port.unmap(port.ctx, vp(2), 3), 0);
	assert_int_equal(vr_posix_port_trim(&port), 3);
	assert_int_equal(vr_posix_port_trim(&port), 0);	/* already released */
	assert_int_equal(port.map(port.ctx, vp(10), 3, VR_PERM_RW), 0);
	assert_true(all_eq(vp(10), 3 * PS, 0));
	assert_int_equal(stats().pages_zeroed, 0);
	assert_true(all_eq(vp(0), 2 * PS, 0xee));
	assert_true(all_eq(vp(5), 3 * PS, 0xee));
	assert_int_equal(port.unmap(port.ctx, vp(0), 2), 0);
	assert_int_equal(port.unmap(port.ctx, vp(5), 3), 0);
	assert_int_equal(port.unmap(port.ctx, vp(10), 3), 0);
	drop_port();
}

/* validate() finds each kind of corruption of the port's records. */
static void test_validate_detects(void **state)
{
	struct vr_posix *st;
	uint32_t r0, r1, r2;
	size_t pf, mapped;
	vr_bitmap_word_t u0;

	(void)state;
	make_port(8, 16);
	st = port.ctx;
	assert_int_equal(port.map(port.ctx, vp(2), 3, VR_PERM_RW), 0);	/* phys 0-2 */
	check_valid();
	r0 = st->rec[0];
	r1 = st->rec[2];
	r2 = st->rec[3];
	u0 = st->used.words[0];
	pf = st->phys_free;
	mapped = st->mapped;
#define CORRUPT(stmt) do { \
		stmt; \
		assert_int_equal(vr_posix_port_validate(&port), -EFAULT); \
		st->rec[0] = r0; st->rec[2] = r1; st->rec[3] = r2; \
		st->used.words[0] = u0; st->phys_free = pf; st->mapped = mapped; \
		check_valid(); \
	} while (0)
	CORRUPT(st->rec[0] = 5);				/* garbage, unmapped */
	CORRUPT(st->rec[3] = rec_make(1000, VR_PERM_RW));	/* phys out of range */
	CORRUPT(st->rec[3] = r1);				/* phys page shared */
	CORRUPT(st->used.words[0] &= ~(vr_bitmap_word_t)1);		/* mapped page's phys free */
	CORRUPT(st->used.words[0] |= (vr_bitmap_word_t)1 << 6);		/* used, backs nothing */
	CORRUPT(st->phys_free++);
	CORRUPT(st->mapped--);
	CORRUPT(st->rec[0] = rec_make(6, VR_PERM_R));		/* mapped, counters not */
#undef CORRUPT
	assert_int_equal(port.unmap(port.ctx, vp(2), 3), 0);
	drop_port();
	assert_int_equal(vr_posix_port_validate(&port), -EINVAL);	/* destroyed */
	assert_int_equal(vr_posix_port_validate(NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_bad_config),
		cmocka_unit_test(test_create_defaults),
		cmocka_unit_test(test_large_page_size),
		cmocka_unit_test(test_destroy_busy),
		cmocka_unit_test(test_map_bounds),
		cmocka_unit_test(test_state_checks),
		cmocka_unit_test(test_enomem),
		cmocka_unit_test(test_zero_on_reuse),
		cmocka_unit_test(test_alias),
		cmocka_unit_test(test_contiguous_one_call),
		cmocka_unit_test(test_scattered),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_protect),
		cmocka_unit_test(test_inject_map),
		cmocka_unit_test(test_inject_unmap_protect),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_cache_counters),
		cmocka_unit_test(test_locks_meta),
		cmocka_unit_test(test_huge_requests),
		cmocka_unit_test(test_relock_aborts),
		cmocka_unit_test(test_spin_locks),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_log_hook),
		cmocka_unit_test(test_park_revive),
		cmocka_unit_test(test_mappings_exact),
		cmocka_unit_test(test_mapping_limit),
		cmocka_unit_test(test_punch_on_unmap),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_validate_detects),
	};

	PS = (size_t)sysconf(_SC_PAGESIZE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
