/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/config.h - build-time configuration of the vregion core.
 *
 * Every macro here has an #ifndef default, so a build can override any of
 * them on the command line or in a header named by VREGION_USER_CONFIG
 * (for example -DVREGION_USER_CONFIG='"my_vregion_config.h"').
 *
 * The core includes only this header, <stddef.h>, <stdint.h>, <stdbool.h>,
 * <string.h> and <errno.h>. It never calls malloc or stdio.
 *
 * Checking tiers (see docs/design.md):
 *   - always on: cheap checks on every free and on every public entry point
 *     that return an error (they survive NDEBUG);
 *   - VR_DEBUG=1: VR_ASSERT() on internal pre/postconditions in helpers;
 *   - *_validate(): full O(n) walks, called by tests after every operation.
 */
#ifndef VREGION_CONFIG_H
#define VREGION_CONFIG_H

#ifdef VREGION_USER_CONFIG
#include VREGION_USER_CONFIG
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* VR_DEBUG: 1 enables internal assertions (debug builds, tests). */
#ifndef VR_DEBUG
#define VR_DEBUG 0
#endif

/*
 * VR_ASSERT(cond): internal invariant. With VR_DEBUG=0 it compiles to
 * nothing (cond is not evaluated). With VR_DEBUG=1 a false condition traps
 * (__builtin_trap on gcc/clang), so a debugger stops on the exact line.
 * Override to route to your firmware's panic handler.
 */
#ifndef VR_ASSERT
#if VR_DEBUG
#if defined(__GNUC__) || defined(__clang__)
#define VR_ASSERT(cond) do { if (!(cond)) __builtin_trap(); } while (0)
#else
#define VR_ASSERT(cond) do { if (!(cond)) { *(volatile int *)0 = 0; } } while (0)
#endif
#else
#define VR_ASSERT(cond) ((void)0)
#endif
#endif

#ifndef VR_LIKELY
#if defined(__GNUC__) || defined(__clang__)
#define VR_LIKELY(x)   __builtin_expect(!!(x), 1)
#define VR_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define VR_LIKELY(x)   (x)
#define VR_UNLIKELY(x) (x)
#endif
#endif

/*
 * Bit scans. vr_ctz64/vr_clz64 and the 32-bit forms are undefined for 0
 * (callers check). VR_NO_BUILTINS=1 selects the portable fallback, which the
 * tests also exercise.
 */
#ifndef VR_NO_BUILTINS
#if defined(__GNUC__) || defined(__clang__)
#define VR_NO_BUILTINS 0
#else
#define VR_NO_BUILTINS 1
#endif
#endif

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

/* Power-of-two helpers shared by every component. */
static inline bool vr_is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }
static inline uintptr_t vr_align_up(uintptr_t x, size_t a) { return (x + (a - 1)) & ~(uintptr_t)(a - 1); }
static inline uintptr_t vr_align_down(uintptr_t x, size_t a) { return x & ~(uintptr_t)(a - 1); }

#endif /* VREGION_CONFIG_H */
