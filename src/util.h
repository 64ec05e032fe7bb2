/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util.h - small helpers shared by the core's files: bit scans (with a
 * portable fallback, VR_NO_BUILTINS), powers of two, alignment, and the
 * attribute macros for hot and cold paths. Private: not installed.
 */
#ifndef VREGION_UTIL_H
#define VREGION_UTIL_H

#include "vregion/config.h"

/* Hot helpers forced inline in speed builds; -Os builds keep one copy. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define VR_INLINE_HOT inline __attribute__((always_inline))
#else
#define VR_INLINE_HOT inline
#endif
#if defined(__GNUC__) || defined(__clang__)
#define VR_COLD __attribute__((noinline, cold))
#define VR_NOINLINE __attribute__((noinline))
#else
#define VR_COLD
#define VR_NOINLINE
#endif

/* Bit scans: undefined for 0 (callers check). */
static inline unsigned vr_ctz64_soft(uint64_t x)
{
	unsigned n = 0;

	if (!(x & 0xffffffffu)) { n += 32; x >>= 32; }
	if (!(x & 0xffffu)) { n += 16; x >>= 16; }
	if (!(x & 0xffu)) { n += 8; x >>= 8; }
	if (!(x & 0xfu)) { n += 4; x >>= 4; }
	if (!(x & 0x3u)) { n += 2; x >>= 2; }
	if (!(x & 0x1u)) { n += 1; }
	return n;
}

static inline unsigned vr_clz64_soft(uint64_t x)
{
	unsigned n = 0;

	if (!(x >> 32)) { n += 32; x <<= 32; }
	if (!(x >> 48)) { n += 16; x <<= 16; }
	if (!(x >> 56)) { n += 8; x <<= 8; }
	if (!(x >> 60)) { n += 4; x <<= 4; }
	if (!(x >> 62)) { n += 2; x <<= 2; }
	if (!(x >> 63)) { n += 1; }
	return n;
}

#if VR_NO_BUILTINS
static inline unsigned vr_ctz64(uint64_t x) { return vr_ctz64_soft(x); }
static inline unsigned vr_clz64(uint64_t x) { return vr_clz64_soft(x); }
static inline unsigned vr_ctz32(uint32_t x) { return vr_ctz64_soft(x); }
static inline unsigned vr_clz32(uint32_t x) { return vr_clz64_soft(x) - 32u; }
#else
static inline unsigned vr_ctz64(uint64_t x) { return (unsigned)__builtin_ctzll(x); }
static inline unsigned vr_clz64(uint64_t x) { return (unsigned)__builtin_clzll(x); }
static inline unsigned vr_ctz32(uint32_t x) { return (unsigned)__builtin_ctz(x); }
static inline unsigned vr_clz32(uint32_t x) { return (unsigned)__builtin_clz(x); }
#endif

/* The same for one word of bitmap.h's and heap.h's bitmaps
 * (VR_BITMAP_WORD_BITS wide); x != 0. */
#if VR_BITMAP_WORD_BITS == 64
static VR_INLINE_HOT unsigned vr_ctzw(uint64_t x) { return vr_ctz64(x); }
static VR_INLINE_HOT unsigned vr_clzw(uint64_t x) { return vr_clz64(x); }
#else
static VR_INLINE_HOT unsigned vr_ctzw(uint32_t x) { return vr_ctz32(x); }
static VR_INLINE_HOT unsigned vr_clzw(uint32_t x) { return vr_clz32(x); }
#endif

/* Powers of two and alignment (a is a power of two). */
static inline bool vr_is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }
static inline uintptr_t vr_align_up(uintptr_t x, size_t a) { return (x + (a - 1)) & ~(uintptr_t)(a - 1); }
static inline uintptr_t vr_align_down(uintptr_t x, size_t a) { return x & ~(uintptr_t)(a - 1); }
static inline size_t vr_round_up(size_t x, size_t a) { return (x + (a - 1)) & ~(a - 1); }

/* log2 of a power of two, by shifting (no 64-bit helpers on 32-bit cores,
 * no divider needed). */
static inline unsigned vr_log2_pow2(size_t x)
{
	unsigned s = 0;

	while (((size_t)1 << s) < x)
		s++;
	return s;
}

#endif /* VREGION_UTIL_H */
