/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/config.h - every build-time knob of vregion, in one place.
 *
 * Each knob has an #ifndef default, so a build overrides it with -D on the
 * command line or in a header of its own named by VREGION_USER_CONFIG
 * (-DVREGION_USER_CONFIG='"my_vregion_config.h"'), which is included first.
 * Build the library and everything that includes its headers with the same
 * values: the knobs marked (ABI) change struct layouts or inline code.
 *
 *   knob                    default   what
 *   ----------------------  --------  ------------------------------------------
 *   VREGION_USER_CONFIG     (unset)   header included before the defaults below
 *   VR_DEBUG                0         1: internal assertions (VR_ASSERT) on
 *   VR_ASSERT(cond)         trap      what a failed assertion does (VR_DEBUG=1)
 *   VR_LIKELY / VR_UNLIKELY builtin   branch hints (__builtin_expect on gcc/clang)
 *   VR_NO_BUILTINS          0 (gcc,   1: portable bit scans instead of compiler
 *                           clang)    builtins (the tests run both)
 *   VR_CONFIG_LOG_LEVEL     3 (DBG)   log calls above this level are compiled
 *                                     out; -1: no log call, no string in the image
 *   VR_CONFIG_LOG_STRINGS   1         0: log calls pass "" for function and
 *                                     message (the strings leave ROM)
 *   VR_CONFIG_TRACE         1         0: the trace hook (vregion/trace.h) is
 *                                     compiled out, no NULL test left (ABI)
 *   VR_CONFIG_TRACK         0         sanitizer annotations of region memory:
 *                                     0 none, 1 AddressSanitizer poisoning,
 *                                     2 Valgrind memcheck client requests
 *   VR_CONFIG_LOCKFREE      1 where   1: a shared region's lifetime allocation
 *                           the CPU   is one compare-and-swap, no lock (gcc/
 *                           has CAS   clang __atomic builtins, lock-free on
 *                                     pointers and bools); 0: under the lock
 *   VR_BITMAP_WORD_BITS     64 / 32   bitmap word: 64 where size_t is 64-bit,
 *                                     32 where it is 32-bit (ABI)
 *   VR_HEAP_SL_BITS         2         interim heap: 2^S classes per power of
 *                                     two, see vregion/heap.h (ABI)
 *   VR_REGION_NO_INLINE     (unset)   vr_region_alloc() is a plain call, not
 *                                     the inline fast path of vregion/vregion.h
 *   VR_SOF_PAGE_SIZE        4096      SOF compat default pool: page size
 *   VR_SOF_CACHE_LINE       64        ... cache line (= region min alignment)
 *   VR_SOF_VIRT_PAGES       512       ... posix build: virtual window pages
 *   VR_SOF_PHYS_PAGES       384       ... posix build: physical pages
 *   VR_SOF_FLAT_PAGES       256       ... flat build: pages of the static buffer
 *   VR_SOF_FLAT_META_BYTES  65536     ... flat build: static metadata buffer
 *                                     (its sizing: sof_compat.h, METADATA)
 *   VR_SOF_FLAT_LOG         (unset)   ... flat build: the log hook's function
 *   VR_SOF_FLAT_HEAP_BYTES  65536     ... flat build: static platform heap
 *   VR_SOF_DEFAULT_POOL     1         0: no default port, buffers or heap in
 *                                     the SOF glue (firmware calls vr_sof_init)
 *   VR_SOF_GUARD_PAGES      0         ... default pool's guard pages per run
 *   VR_SOF_REGION_FLAGS     0         ... vr_region flags of every vregion_create
 *                                     (VR_REGION_SEAL | VR_REGION_GUARD)
 *   VR_SOF_VPAGE_STATS      1         ... vpage_get_stats / vpage_for_each_alloc
 *                                     (SOF #11041) are compiled
 *   VR_SOF_SYSCALLS         0         ... 1: SOF's header declares vregion_*
 *                                     as __syscall (SOF #11108): the layer
 *                                     defines z_impl_vregion_* instead
 *   VR_ZEPHYR_PAGE_SIZE     4096      Zephyr port: CONFIG_MM_DRV_PAGE_SIZE, else
 *                                     CONFIG_MMU_PAGE_SIZE if set
 *   VR_ZEPHYR_CACHE_LINE    64        ... CONFIG_DCACHE_LINE_SIZE if set and > 0
 *   (zephyr/vregion_zephyr_config.h sets these from Kconfig in the module.)
 *   (vregion/sof_compat.h says what the SOF defaults mean.)
 *
 * Checking tiers:
 *   - always on: cheap checks on every free and on every public entry point
 *     that return an error (they survive NDEBUG and VR_DEBUG=0);
 *   - VR_DEBUG=1: VR_ASSERT() on internal pre- and postconditions;
 *   - *_validate(): full O(n) walks, called by the tests after every operation.
 *
 * The core includes only this header, <stddef.h>, <stdint.h>, <stdbool.h>,
 * <string.h>, <errno.h> and <stdatomic.h>. It never calls malloc or stdio.
 */
#ifndef VREGION_CONFIG_H
#define VREGION_CONFIG_H

#ifdef VREGION_USER_CONFIG
#include VREGION_USER_CONFIG
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

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

#ifndef VR_NO_BUILTINS
#if defined(__GNUC__) || defined(__clang__)
#define VR_NO_BUILTINS 0
#else
#define VR_NO_BUILTINS 1
#endif
#endif

#ifndef VR_CONFIG_LOG_LEVEL
#define VR_CONFIG_LOG_LEVEL 3
#endif
#ifndef VR_CONFIG_LOG_STRINGS
#define VR_CONFIG_LOG_STRINGS 1
#endif

#ifndef VR_CONFIG_TRACE
#define VR_CONFIG_TRACE 1
#endif

#ifndef VR_CONFIG_TRACK
#define VR_CONFIG_TRACK 0
#endif

#ifndef VR_CONFIG_LOCKFREE
#if (defined(__GNUC__) || defined(__clang__)) && defined(__GCC_ATOMIC_POINTER_LOCK_FREE) && \
	__GCC_ATOMIC_POINTER_LOCK_FREE == 2 && __GCC_ATOMIC_BOOL_LOCK_FREE == 2
#define VR_CONFIG_LOCKFREE 1
#else
#define VR_CONFIG_LOCKFREE 0
#endif
#endif

#ifndef VR_BITMAP_WORD_BITS
#if SIZE_MAX > 0xffffffffu
#define VR_BITMAP_WORD_BITS 64
#else
#define VR_BITMAP_WORD_BITS 32
#endif
#endif

#ifndef VR_HEAP_SL_BITS
#define VR_HEAP_SL_BITS 2
#endif

#ifndef VR_SOF_PAGE_SIZE
#define VR_SOF_PAGE_SIZE 4096u
#endif
#ifndef VR_SOF_CACHE_LINE
#define VR_SOF_CACHE_LINE 64u
#endif
#ifndef VR_SOF_VIRT_PAGES
#define VR_SOF_VIRT_PAGES 512u
#endif
#ifndef VR_SOF_PHYS_PAGES
#define VR_SOF_PHYS_PAGES 384u
#endif
#ifndef VR_SOF_FLAT_PAGES
#define VR_SOF_FLAT_PAGES 256u
#endif
#ifndef VR_SOF_FLAT_META_BYTES
#define VR_SOF_FLAT_META_BYTES (64u * 1024u)
#endif
/* VR_SOF_FLAT_LOG: no default (unset: the flat default pool is silent). */
#ifndef VR_SOF_FLAT_HEAP_BYTES
#define VR_SOF_FLAT_HEAP_BYTES (64u * 1024u)
#endif
#ifndef VR_SOF_DEFAULT_POOL
#define VR_SOF_DEFAULT_POOL 1
#endif
#ifndef VR_SOF_GUARD_PAGES
#define VR_SOF_GUARD_PAGES 0u
#endif
#ifndef VR_SOF_REGION_FLAGS
#define VR_SOF_REGION_FLAGS 0u
#endif
#ifndef VR_SOF_VPAGE_STATS
#define VR_SOF_VPAGE_STATS 1
#endif
#ifndef VR_SOF_SYSCALLS
#define VR_SOF_SYSCALLS 0
#endif

/* The Zephyr port's geometry: Kconfig where the build has it (a board
 * without d-cache-line-size in its device tree has no CONFIG_DCACHE_LINE_SIZE,
 * e.g. native_sim, qemu_x86), else a fallback. */
#ifndef VR_ZEPHYR_PAGE_SIZE
#if defined(CONFIG_MM_DRV_PAGE_SIZE)
#define VR_ZEPHYR_PAGE_SIZE CONFIG_MM_DRV_PAGE_SIZE
#elif defined(CONFIG_MMU_PAGE_SIZE)
#define VR_ZEPHYR_PAGE_SIZE CONFIG_MMU_PAGE_SIZE
#else
#define VR_ZEPHYR_PAGE_SIZE 4096
#endif
#endif
#ifndef VR_ZEPHYR_CACHE_LINE
#if defined(CONFIG_DCACHE_LINE_SIZE) && CONFIG_DCACHE_LINE_SIZE > 0
#define VR_ZEPHYR_CACHE_LINE CONFIG_DCACHE_LINE_SIZE
#else
#define VR_ZEPHYR_CACHE_LINE 64
#endif
#endif

#endif /* VREGION_CONFIG_H */
