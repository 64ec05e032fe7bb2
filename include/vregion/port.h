/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/port.h - the platform under vregion: one struct of page-granular
 * callbacks plus a context pointer (littlefs style).
 *
 * A port owns two things the core never touches directly:
 *   - the VIRTUAL WINDOW: `window_pages` pages starting at `window_base`
 *     (the cached alias). The core (vpage) decides which virtual pages are
 *     used; the port only maps, unmaps and protects what it is told to.
 *   - the PHYSICAL PAGES: `phys_pages` pages. The port picks which physical
 *     pages back a mapping; they need not be contiguous. Physical pages may
 *     be fewer than virtual pages (the window can be over-committed).
 *
 * Two ports ship with the library:
 *   - posix (vregion/port_posix.h): memfd = physical pages, mmap = page tables;
 *     stray accesses really fault, the uncached alias is a second real mapping.
 *   - flat  (vregion/port_flat.h): no MMU; a caller's buffer is window and
 *     memory at once, identity alias, permissions recorded but not enforced.
 * docs/porting.md explains how to write one for Zephyr or bare metal.
 *
 * SHARED PRECONDITIONS (stated once; every callback may rely on them):
 *   P1. `vaddr` is page-aligned and [vaddr, vaddr + npages * page_size) lies
 *       inside the window; npages >= 1.
 *   P2. The core serialises calls that touch the same pages; calls for
 *       disjoint page ranges may come from different threads at the same time
 *       only if the port says it is thread-safe (both shipped ports are).
 *   P3. map() is only called on pages that are currently unmapped; unmap() and
 *       protect() only on pages that are currently mapped (by one earlier
 *       map() each; a range may span several earlier maps).
 *   P4. Callbacks are never called from the port's own callbacks.
 *   P5. Every callback except lock/unlock and the alias/cache helpers may
 *       sleep; none of them is for interrupt context.
 *
 * SHARED POSTCONDITIONS:
 *   Q1. A callback that returns a negative errno has changed nothing the core
 *       can observe: a failed map() leaves every page of the range unmapped
 *       and every physical page it took returned; a failed unmap() or
 *       protect() leaves the range as it was (a port that cannot guarantee
 *       this must say so in its own header).
 *   Q2. map() hands out ZEROED pages: no data of a previous user is visible.
 */
#ifndef VREGION_PORT_H
#define VREGION_PORT_H

#include "vregion/config.h"
#include "vregion/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Page permissions (bit set). 0 is "no access" and is valid for protect(). */
enum vr_perm {
	VR_PERM_NONE = 0,
	VR_PERM_R = 1u << 0,
	VR_PERM_W = 1u << 1,
	VR_PERM_X = 1u << 2,
	VR_PERM_RW = VR_PERM_R | VR_PERM_W,
	VR_PERM_RX = VR_PERM_R | VR_PERM_X,
	VR_PERM_RWX = VR_PERM_R | VR_PERM_W | VR_PERM_X,
};
#define VR_PERM_MASK 7u

/* Log levels for the log hook (smaller is more severe). */
enum vr_log_level {
	VR_LOG_ERR = 0,	/* an operation failed because of the caller or the platform */
	VR_LOG_WRN = 1,	/* an operation failed in an expected way (out of memory) */
	VR_LOG_INF = 2,	/* state changes (create, destroy, phase change) */
	VR_LOG_DBG = 3,	/* every operation */
};

/* A port lock. Its layout is the port's business; the core only holds pointers. */
struct vr_port_lock;

struct vr_port {
	/* Opaque pointer passed as the first argument of every callback. */
	void *ctx;

	/* Page size in bytes: a power of two, >= 64. */
	size_t page_size;
	/* First byte of the virtual window (cached alias); page-aligned, not 0. */
	uintptr_t window_base;
	/* Pages in the virtual window; >= 1. */
	size_t window_pages;
	/* Physical pages the port can map; >= 1 (may be < window_pages). */
	size_t phys_pages;
	/* Data cache line in bytes: a power of two, 0 means "no cache" (1 is used). */
	size_t cache_line;

	/*
	 * map: back [vaddr, +npages) with any npages free physical pages, ZERO
	 * them (Q2), and map them with `perms` in both aliases (where the port has
	 * two). Returns 0, -ENOMEM when fewer than npages physical pages are free,
	 * or another negative errno from the platform; on error Q1 holds.
	 * Required.
	 */
	int (*map)(void *ctx, void *vaddr, size_t npages, unsigned perms);

	/*
	 * unmap: remove the mapping of [vaddr, +npages) in every alias and return
	 * the physical pages. Accesses afterwards fault where the platform has an
	 * MMU. Returns 0 or a negative errno (Q1). Required.
	 */
	int (*unmap)(void *ctx, void *vaddr, size_t npages);

	/*
	 * protect: change the permissions of mapped pages [vaddr, +npages) in every
	 * alias. Returns 0 or a negative errno (Q1). Optional: NULL means
	 * permissions cannot be changed, and the core returns -ENOTSUP to callers
	 * that ask for it.
	 */
	int (*protect)(void *ctx, void *vaddr, size_t npages, unsigned perms);

	/*
	 * Alias translation, O(1), never fails, callable from any context.
	 * to_uncached: pointer inside the window (cached alias) -> the same byte
	 * seen through the uncached alias. to_cached: either alias -> cached alias.
	 * is_uncached: true iff p lies in the uncached alias of the window.
	 * Optional: NULL means identity (one alias) for all three.
	 */
	void *(*to_uncached)(void *ctx, void *p);
	void *(*to_cached)(void *ctx, void *p);
	bool (*is_uncached)(void *ctx, const void *p);

	/*
	 * Cache maintenance on [p, p + bytes) of the cached alias. flush writes
	 * dirty lines back; invalidate drops lines without writing them back.
	 * Optional: NULL means the platform is coherent (no-op).
	 */
	void (*cache_flush)(void *ctx, void *p, size_t bytes);
	void (*cache_invalidate)(void *ctx, void *p, size_t bytes);

	/*
	 * Locks. lock_create returns a new unlocked, non-recursive lock or NULL
	 * (out of memory); lock_destroy frees an unlocked lock. lock/unlock must
	 * not fail. Optional as a group: all four NULL means the core takes no
	 * locks (single-threaded use).
	 */
	struct vr_port_lock *(*lock_create)(void *ctx);
	void (*lock_destroy)(void *ctx, struct vr_port_lock *lock);
	void (*lock)(void *ctx, struct vr_port_lock *lock);
	void (*unlock)(void *ctx, struct vr_port_lock *lock);

	/*
	 * Short locks, for critical sections of a bounded few hundred
	 * instructions that never sleep and call no port callback but the
	 * trace hook, if one is set (a region's lifetime bump and interim heap
	 * operations; see vregion/trace.h): a spinlock, or an
	 * interrupt lock on one core (k_spin_lock on Zephyr). spin_create
	 * returns a new unlocked, non-recursive short lock or NULL (out of
	 * memory); spin_destroy frees an unlocked one; spin_lock takes it and
	 * returns a key (the saved interrupt state, or 0) that spin_unlock gets
	 * back; neither may fail. Short and ordinary locks are distinct objects
	 * (never pass one to the other's calls). Optional as a group: all four
	 * NULL means the core uses lock/unlock for these sections too. A port
	 * with short locks also has the four lock callbacks.
	 */
	struct vr_port_lock *(*spin_create)(void *ctx);
	void (*spin_destroy)(void *ctx, struct vr_port_lock *lock);
	uintptr_t (*spin_lock)(void *ctx, struct vr_port_lock *lock);
	void (*spin_unlock)(void *ctx, struct vr_port_lock *lock, uintptr_t key);

	/*
	 * Metadata memory for the core's own bookkeeping (pool bitmaps, region
	 * control blocks): memory the region's users cannot write. meta_alloc
	 * returns `bytes` bytes aligned to at least 16, or NULL. meta_free gets
	 * the same size back. Required.
	 */
	void *(*meta_alloc)(void *ctx, size_t bytes);
	void (*meta_free)(void *ctx, void *p, size_t bytes);

	/*
	 * Log hook: `func` names the public function, `msg` is a constant string,
	 * `a` and `b` are two values the message refers to (sizes, addresses,
	 * errnos as positive uintptr_t). When the message refers to values, it
	 * ends with a parenthesised list that names them, in order:
	 * "bad alignment (min_align, cache_line)" names a, then b; a message
	 * without a list uses neither. A hook can print "min_align=64
	 * cache_line=32" from it (the posix port does). Optional: NULL means
	 * silent.
	 */
	void (*log)(void *ctx, enum vr_log_level level, const char *func,
		    const char *msg, uintptr_t a, uintptr_t b);

	/*
	 * Trace hook: one event per public operation (vregion/trace.h), called
	 * with the pool's or region's lock held; must not call into vregion.
	 * Optional: NULL means no tracing (one NULL test per operation).
	 */
	vr_trace_fn trace;
};

/*
 * Logging from the core. Every message of the core goes through VR_LOG /
 * VR_LOGF, so a firmware build can shrink it at compile time:
 *   VR_CONFIG_LOG_LEVEL    messages of a level above this are compiled out
 *                          (default VR_LOG_DBG = all; -1 = none: no call, no
 *                          string is left in the image);
 *   VR_CONFIG_LOG_STRINGS  0 passes "" instead of the function name and the
 *                          message (the hook still gets level, a and b), which
 *                          drops the strings from ROM; default 1.
 * (Both knobs and their defaults: vregion/config.h.)
 * VR_LOG names the calling function; VR_LOGF takes the name explicitly (for
 * helpers that log on behalf of a public entry point).
 */

static inline void vr_port_log(const struct vr_port *port, enum vr_log_level level,
			       const char *func, const char *msg, uintptr_t a, uintptr_t b)
{
	if (port && port->log)
		port->log(port->ctx, level, func, msg, a, b);
}

#if VR_CONFIG_LOG_STRINGS
#define VR_LOG_STR_(s) (s)
#else
#define VR_LOG_STR_(s) ((void)(s), "")
#endif

/* A function, not an inline comparison: with small enums (arm-none-eabi) a
 * direct `level <= -1` is "always false" under -Wtype-limits (-Werror). */
static inline bool vr_log_enabled(int level)
{
	return level <= VR_CONFIG_LOG_LEVEL;
}

#define VR_LOGF(port, level, func, msg, a, b)                                          \
	do {                                                                           \
		if (vr_log_enabled((int)(level)))                                      \
			vr_port_log((port), (level), VR_LOG_STR_(func), VR_LOG_STR_(msg), \
				    (uintptr_t)(a), (uintptr_t)(b));                   \
	} while (0)
#define VR_LOG(port, level, msg, a, b) VR_LOGF(port, level, __func__, msg, a, b)

/*
 * vr_port_check: validate a port description before use: required callbacks
 * present, page_size a power of two >= 64, window_base page-aligned and the
 * window's end (window_base + window_pages * page_size) representable in a
 * uintptr_t (a window whose last page is the top page of the address space
 * is refused, so no layer's end computation wraps), counts non-zero,
 * cache_line 0 or a power of two, lock callbacks all set or all NULL, and
 * the same for the short-lock callbacks (which also need the lock
 * callbacks). This is the one
 * place the "all four or none" rules are checked (the ports rely on it).
 * Returns 0 or -EINVAL. O(1).
 */
int vr_port_check(const struct vr_port *port);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_PORT_H */
