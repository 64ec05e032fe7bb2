/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_fixture.h - the fixture shared by the region suites that run on
 * every target: a flat port (64 pages of 4096, cache line 64) over static
 * buffers, a pool on it, a log hook that counts messages per level, and
 * helpers (fill patterns, stats). Included by one .c file per test binary.
 */
#ifndef VR_REGION_FIXTURE_H
#define VR_REGION_FIXTURE_H

#include "vr_test.h"

#include <errno.h>
#include <string.h>

#include "vregion/port_flat.h"
#include "vregion/vregion.h"

#define PAGE 4096u
#define WPAGES 64u
#define LINE 64u

static _Alignas(PAGE) uint8_t t_win[WPAGES * PAGE];
static _Alignas(16) uint8_t t_meta[96 * 1024];
static struct vr_flat_port t_fp;
static struct vr_vpage_pool t_pool;
static const struct vr_port *t_port;

/* log messages seen, per level, and the last one */
static unsigned t_logs[4];
static const char *t_last_msg;
static uintptr_t t_last_a, t_last_b;
static uintptr_t t_wrn_b;	/* b of the last warning */

/* Messages that break port.h's log convention: a message that refers to
 * values ends with a parenthesised list naming them ("(min_align,
 * cache_line)": names of letters, digits and '_', ", " between), which a
 * hook prints as name=value; a message without a list uses neither value. */
static unsigned t_bad_msgs;
static const char *t_bad_msg;

static inline bool t_msg_names_values(const char *msg)
{
	size_t n = strlen(msg), i, names = 1;

	if (n < 3 || msg[n - 1] != ')')
		return false;
	for (i = n - 1; i > 0 && msg[i - 1] != '('; i--) {
		char c = msg[i - 1];

		if (c == ',' && msg[i] == ' ')
			names++;
		else if (!(c == '_' || c == ' ' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
		else if (c == ' ' && msg[i - 2] != ',')
			return false;
	}
	return i > 1 && msg[i - 2] == ' ' && names <= 2;
}

static inline void t_log(void *ctx, enum vr_log_level lvl, const char *fn, const char *msg,
		  uintptr_t a, uintptr_t b)
{
	(void)ctx; (void)fn;
	if (msg && msg[0] && msg[strlen(msg) - 1] == ')' ? !t_msg_names_values(msg)
	    : msg && (a || b)) {
		t_bad_msgs++;
		t_bad_msg = msg;
	}
	if ((unsigned)lvl < 4)
		t_logs[lvl]++;
	t_last_msg = msg;
	t_last_a = a;
	t_last_b = b;
	if (lvl == VR_LOG_WRN)
		t_wrn_b = b;
}

static inline int t_setup_guard(size_t guard_pages)
{
	struct vr_flat_config c;
	struct vr_vpage_config pc;

	/* a failed test may have left a region (and its poisoning) behind */
	vr_test_expose(t_win, sizeof(t_win));
	memset(&c, 0, sizeof(c));
	c.window = t_win;
	c.window_bytes = sizeof(t_win);
	c.page_size = PAGE;
	c.cache_line = LINE;
	c.meta = t_meta;
	c.meta_bytes = sizeof(t_meta);
	c.log = t_log;
	if (vr_flat_port_init(&t_fp, &c))
		return -1;
	t_port = vr_flat_port_get(&t_fp);
	memset(&pc, 0, sizeof(pc));
	pc.guard_pages = guard_pages;
	if (vr_vpage_pool_init(&t_pool, t_port, &pc))
		return -1;
	memset(t_logs, 0, sizeof(t_logs));
	return 0;
}

static inline int t_setup(void **state)
{
	(void)state;
	return t_setup_guard(0);
}

/* Teardown fails the test if anything leaked: pages or metadata. */
static inline int t_teardown(void **state)
{
	(void)state;
	if (t_bad_msgs) {
		print_message("%u log message(s) without a list naming their values, e.g. \"%s\"\n",
			      t_bad_msgs, t_bad_msg);
		t_bad_msgs = 0;
		return -1;
	}
	if (vr_vpage_pool_deinit(&t_pool) != 0)
		return -1;
	if (vr_flat_port_deinit(&t_fp) != 0)
		return -1;
	return 0;
}

static inline struct vr_region *t_mk(size_t size, size_t min_align, unsigned flags)
{
	struct vr_region_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = size;
	cfg.min_align = min_align;
	cfg.flags = flags;
	cfg.name = "test";
	return vr_region_create(&t_pool, &cfg);
}

static inline struct vr_region_stats t_st(struct vr_region *vr)
{
	struct vr_region_stats st;

	assert_int_equal(vr_region_get_stats(vr, &st), 0);
	return st;
}

static inline uintptr_t t_base(struct vr_region *vr)
{
	uintptr_t b = 0;

	assert_int_equal(vr_region_mem_info(vr, NULL, &b), 0);
	return b;
}

static inline size_t t_off(struct vr_region *vr, const void *p)
{
	return (size_t)((uintptr_t)p - t_base(vr));
}

static inline void t_fill(void *p, size_t n, uint8_t pat)
{
	memset(p, pat, n);
}

/* Fails the test at the first byte that is not pat. */
static inline void t_check(const void *p, size_t n, uint8_t pat)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != pat)
			fail_msg("pattern broken at %p + %u: 0x%02x != 0x%02x", p, (unsigned)i,
				 b[i], pat);
}

static inline size_t t_pool_live(void)
{
	struct vr_vpage_stats ps;

	assert_int_equal(vr_vpage_get_stats(&t_pool, &ps), 0);
	return ps.live_allocs + ps.live_reserved;
}

/* a small deterministic PRNG (xorshift32), same sequence on every target */
static uint32_t t_rng = 1;
static inline uint32_t t_rand(void)
{
	t_rng ^= t_rng << 13;
	t_rng ^= t_rng >> 17;
	t_rng ^= t_rng << 5;
	return t_rng;
}

#endif /* VR_REGION_FIXTURE_H */
