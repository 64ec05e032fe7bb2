/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stress.h - the shared stress rig for allocators: tests, the fuzzer and the
 * benchmarks use it (heap, vregion and others).
 *
 * Portable C11, no malloc, no stdio: every array is the caller's, so it also
 * runs on emulated Cortex-M / Xtensa targets.
 *
 *   - vr_rng: xorshift32, deterministic from a seed (never 0 internally);
 *   - vr_fill / vr_fill_check: a pattern derived from a tag and the offset,
 *     written after alloc and checked before free (catches overlaps and
 *     metadata written over user data);
 *   - a model of live blocks (caller's array of struct vr_stress_block);
 *   - vr_stress_run: random alloc/free sequences through callbacks, with an
 *     optional check (validate) after every operation;
 *   - vr_stress_plan: a precomputed steady-state "free slot i, then alloc s"
 *     sequence for benchmarks (so the timed loop does nothing else).
 */
#ifndef VR_STRESS_H
#define VR_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vr_rng {
	uint32_t s;
};

void vr_rng_seed(struct vr_rng *r, uint32_t seed);
uint32_t vr_rng_next(struct vr_rng *r);
/* Uniform in [lo, hi] (hi >= lo; slight modulo bias is fine here). */
size_t vr_rng_range(struct vr_rng *r, size_t lo, size_t hi);

/* Fill [p, p + n) with the pattern of `tag`; check it: returns the offset of
 * the first wrong byte, or n if all are right. */
void vr_fill(void *p, size_t n, uint32_t tag);
size_t vr_fill_check(const void *p, size_t n, uint32_t tag);

/* One live block of the model. */
struct vr_stress_block {
	void *p;		/* NULL = slot empty */
	size_t size;		/* bytes requested */
	size_t align;		/* alignment requested (0 = default) */
	uint32_t tag;		/* fill pattern tag */
};

/* The allocator under test. alloc gets align 0 for "default". free returns
 * 0 or a negative errno. check (may be NULL) is called after every operation
 * when cfg->check_every is set and returns 0 when consistent. */
struct vr_stress_ops {
	void *(*alloc)(void *ctx, size_t size, size_t align);
	int (*free)(void *ctx, void *p);
	int (*check)(void *ctx);
	void *ctx;
};

struct vr_stress_cfg {
	uint32_t seed;
	size_t min_size, max_size;	/* request sizes, uniform */
	size_t align;			/* 0 = default; else every request uses it */
	bool random_align;		/* pick from 0, 16, 32, 64 (overrides align) */
	unsigned free_pct;		/* 0..100: chance an operation is a free */
	size_t ops;			/* operations to run (0 = until stop) */
	bool stop_at_fail;		/* stop at the first failed alloc */
	bool fill;			/* fill after alloc, check before free */
	bool check_every;		/* ops->check after every operation */
	bool free_all_at_end;		/* free what is live at the end */
};

struct vr_stress_result {
	size_t allocs, frees, failures;
	size_t live, live_bytes;	/* at the end (or at the stop) */
	size_t max_live, max_live_bytes;
	size_t fail_live_bytes;		/* requested bytes live at the first failure */
	size_t first_fail_op;		/* operation index of the first failure, or SIZE_MAX */
	size_t pattern_errors;		/* fill mismatches (overlap, metadata over data) */
	size_t misaligned;		/* results not aligned as requested */
	size_t free_errors;		/* free returned non-zero */
	size_t check_errors;		/* check returned non-zero */
	size_t full;			/* allocs skipped because every slot was live */
};

/* Run a random sequence. slots[nslots] is the model (cleared first). Returns
 * 0 when no error was seen (pattern, alignment, free or check errors), else
 * -1; *res (may be NULL) gets the figures. */
int vr_stress_run(const struct vr_stress_ops *ops, const struct vr_stress_cfg *cfg,
		  struct vr_stress_block *slots, size_t nslots, struct vr_stress_result *res);

/* Free every live block of the model (checking patterns if `fill`);
 * returns the number of errors. */
size_t vr_stress_free_all(const struct vr_stress_ops *ops, struct vr_stress_block *slots,
			  size_t nslots, bool fill);

/* Steady-state plan: for step i, free slot idx[i] then allocate size[i]
 * into it. Slots are uniform in [0, nslots), sizes uniform in [lo, hi]. */
void vr_stress_plan(uint32_t seed, size_t nslots, size_t lo, size_t hi, size_t steps,
		    uint32_t *idx, uint32_t *size);

#endif /* VR_STRESS_H */
