/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/bitmap.h - a fixed-size bit array with word-at-a-time run search.
 *
 * Used by vpage (virtual pages) and by ports (physical pages). Storage is
 * caller-owned: VR_BITMAP_BYTES(nbits) bytes = VR_BITMAP_WORDS(nbits) words
 * of vr_bitmap_word_t, aligned for that type. A word is VR_BITMAP_WORD_BITS
 * bits: 64 where size_t is 64-bit, 32 where it is 32-bit (Cortex-M, Xtensa:
 * no 64-bit shifts, no libgcc 64-bit bit-scan helpers); a build may set it.
 * Storage is the same either way: 8 bytes per 64 bits (a 32-bit build keeps
 * an even number of words). Bit i lives in word i / WB at bit i % WB. Bits at
 * or above nbits are kept clear by every function here and ignored by every
 * search.
 *
 * Complexity (worst case, independent of the bit pattern unless stated;
 * WB = VR_BITMAP_WORD_BITS):
 *   find_clear_run        O(nbits / WB) words, each O(1 + log2(min(n, WB)))
 *                         (a carried run across words, shift-and inside one);
 *   set / clear / all_set / all_clear / count on [start, start + n)
 *                         O(n / WB + 1);
 *   next_set / next_clear (and their bounded _in forms)
 *                         O((result - from) / WB + 1), prev_set likewise;
 *   longest_clear_run     O(nbits / WB + number of clear runs);
 *   tail_clear            O(1).
 * Not thread-safe: the owner locks.
 *
 * Preconditions (ranges inside the bitmap, i < nbits) are VR_ASSERTed in debug
 * builds; release builds clamp a violating call to a harmless result (no-op,
 * false, 0, SIZE_MAX or nbits) and never touch memory outside `words`.
 * Storage: 8 bytes per 64 bits, no header beyond struct vr_bitmap.
 */
#ifndef VREGION_BITMAP_H
#define VREGION_BITMAP_H

#include "vregion/config.h"

/* VR_BITMAP_WORD_BITS: vregion/config.h */
#if VR_BITMAP_WORD_BITS == 64
typedef uint64_t vr_bitmap_word_t;
#elif VR_BITMAP_WORD_BITS == 32
typedef uint32_t vr_bitmap_word_t;
#else
#error "VR_BITMAP_WORD_BITS must be 32 or 64"
#endif

/* Storage for nbits bits: bytes, and words of vr_bitmap_word_t. */
#define VR_BITMAP_BYTES(nbits) ((((nbits) + 63u) / 64u) * 8u)
#define VR_BITMAP_WORDS(nbits) ((((nbits) + 63u) / 64u) * (64u / VR_BITMAP_WORD_BITS))

#ifdef __cplusplus
extern "C" {
#endif

struct vr_bitmap {
	vr_bitmap_word_t *words;	/* VR_BITMAP_WORDS(nbits) words, caller-owned */
	size_t nbits;
};

/* Bind storage and clear all bits. words must hold VR_BITMAP_WORDS(nbits). */
void vr_bitmap_init(struct vr_bitmap *bm, vr_bitmap_word_t *words, size_t nbits);

/* Value of bit i; i < nbits (VR_ASSERTed; a release build returns false for
 * i >= nbits and reads nothing outside `words`). O(1). */
bool vr_bitmap_test(const struct vr_bitmap *bm, size_t i);

/* Set / clear bits [start, start + n). start + n <= nbits (VR_ASSERTed; a
 * release build does nothing for a range outside the bitmap); n may be 0. */
void vr_bitmap_set(struct vr_bitmap *bm, size_t start, size_t n);
void vr_bitmap_clear(struct vr_bitmap *bm, size_t start, size_t n);

/* True iff every bit in [start, start + n) is set / clear (true for n == 0);
 * false for a range outside the bitmap (VR_ASSERTed in debug builds). */
bool vr_bitmap_all_set(const struct vr_bitmap *bm, size_t start, size_t n);
bool vr_bitmap_all_clear(const struct vr_bitmap *bm, size_t start, size_t n);

/*
 * First-fit: the lowest index i >= from such that bits [i, i + n) are all
 * clear and i + n <= nbits. Returns i, or SIZE_MAX when there is none or
 * n == 0 or n > nbits.
 */
size_t vr_bitmap_find_clear_run(const struct vr_bitmap *bm, size_t from, size_t n);

/* Number of set bits in [start, start + n); 0 for a range outside the bitmap
 * (VR_ASSERTed in debug builds). */
size_t vr_bitmap_count(const struct vr_bitmap *bm, size_t start, size_t n);

/* Length of the longest run of clear bits. O(nbits / 64 + runs). */
size_t vr_bitmap_longest_clear_run(const struct vr_bitmap *bm);

/* Index of the first set bit >= from, or nbits if none. */
size_t vr_bitmap_next_set(const struct vr_bitmap *bm, size_t from);
/* Index of the first clear bit >= from, or nbits if none. */
size_t vr_bitmap_next_clear(const struct vr_bitmap *bm, size_t from);
/* The same inside [from, end): the first set / clear bit there, or end if
 * none (end above nbits counts as nbits; from >= end gives end). They read
 * no word past the result's, so a search bounded to a run costs
 * O((result - from) / WB + 1) however large the bitmap is. */
size_t vr_bitmap_next_set_in(const struct vr_bitmap *bm, size_t from, size_t end);
size_t vr_bitmap_next_clear_in(const struct vr_bitmap *bm, size_t from, size_t end);
/* Index of the last set bit <= from (from >= nbits means nbits - 1), or
 * SIZE_MAX if none. O((from - result) / 64 + 1). */
size_t vr_bitmap_prev_set(const struct vr_bitmap *bm, size_t from);

/* True iff every bit at or above nbits in the storage is clear (the
 * invariant every function keeps; for validate() walks). O(1). */
bool vr_bitmap_tail_clear(const struct vr_bitmap *bm);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_BITMAP_H */
