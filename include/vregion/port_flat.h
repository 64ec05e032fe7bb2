/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/port_flat.h - the flat port: no MMU, no libc allocation.
 *
 * For bare metal, cross builds, emulated targets and unit tests. A caller's
 * page-aligned buffer is the virtual window AND the memory behind it:
 *   - identity mapping: virtual page i is physical page i, phys_pages ==
 *     window_pages; one alias (to_uncached/to_cached/is_uncached are NULL,
 *     which port.h defines as identity); the platform is coherent (no cache
 *     callbacks);
 *   - map() zeroes the pages (memset) and records "mapped" and the
 *     permissions; unmap() records "unmapped"; protect() records new
 *     permissions. NOTHING IS ENFORCED: there is no MMU, a stray write lands
 *     in the buffer. The recorded state is queryable (vr_flat_port_perms) so
 *     tests can check what the layers above asked for;
 *   - metadata (meta_alloc/meta_free) is served from a second caller buffer,
 *     by a first-fit allocator over 16-byte granules tracked by two bitmaps
 *     (used, start): no header in the served memory, O(G / 64) per call for
 *     G granules, and meta_free verifies the pointer AND the size (start of a
 *     live block of exactly that many granules) and ignores (logs ERR) a
 *     mismatch instead of corrupting the allocator;
 *   - locks: none by default (single-threaded use). A caller that shares the
 *     port between threads supplies the four lock callbacks (an IRQ lock on
 *     bare metal, a pthread mutex in tests); the port passes them to the core
 *     and also uses one such lock itself around the metadata allocator.
 *
 * Contract: everything in vregion/port.h (P1-P5, Q1-Q2) holds, and more:
 *   map/unmap/protect CHECK their preconditions instead of trusting them: a
 *   range that is empty, unaligned, outside the window, or in the wrong state
 *   (map over a mapped page, unmap/protect of an unmapped one), or bad perms,
 *   returns -EINVAL and changes nothing (logged at ERR). They never fail
 *   otherwise (a flat port has no other error), so Q1 holds exactly.
 *
 * Thread-safety (P2): map/unmap/protect touch only the state bytes of their
 * own pages, so calls on disjoint ranges may run concurrently; meta_alloc /
 * meta_free take the caller's lock when there is one. Queries below are
 * unlocked snapshots (exact when nobody maps concurrently).
 *
 * Metadata memory (vr_flat_port_meta_bytes gives the total):
 *   15 bytes of alignment slack
 *   + window_pages bytes (one state byte per page), rounded up to 16
 *   + for G granules: 16 * G bytes + 2 bits per granule (in 64-bit words).
 *
 * Usage:
 *   static _Alignas(4096) uint8_t mem[64 * 4096];
 *   static _Alignas(16) uint8_t meta[4096];
 *   static struct vr_flat_port fp;
 *   struct vr_flat_config cfg = { .window = mem, .window_bytes = sizeof(mem),
 *                                 .meta = meta, .meta_bytes = sizeof(meta) };
 *   vr_flat_port_init(&fp, &cfg);
 *   vr_vpage_pool_init(&pool, vr_flat_port_get(&fp), NULL);
 */
#ifndef VREGION_PORT_FLAT_H
#define VREGION_PORT_FLAT_H

#include "vregion/port.h"
#include "vregion/bitmap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Granule of the metadata allocator, bytes (also its alignment). */
#define VR_FLAT_META_GRANULE 16u

/* Configuration. A zeroed struct plus window and meta is a valid config. */
struct vr_flat_config {
	/* The window and its memory: page-aligned, not NULL. */
	void *window;
	/* Bytes of the window: >= page_size; a partial last page is ignored
	 * (window_pages = window_bytes / page_size). */
	size_t window_bytes;
	/* Page size in bytes: a power of two >= 64. 0 means 4096. */
	size_t page_size;
	/* Data cache line in bytes reported to the core (alignment of coherent
	 * allocations): 0 or a power of two; 0 means "no cache". */
	size_t cache_line;

	/* Metadata buffer (any alignment; it is aligned up to 16 inside), not
	 * NULL; meta_bytes must at least hold the page state bytes (see the
	 * formula above); what is left serves meta_alloc. */
	void *meta;
	size_t meta_bytes;

	/* Optional locks, all four or none (none: single-threaded use).
	 * lock_create returns a new unlocked non-recursive lock or NULL. */
	void *lock_ctx;
	struct vr_port_lock *(*lock_create)(void *lock_ctx);
	void (*lock_destroy)(void *lock_ctx, struct vr_port_lock *lock);
	void (*lock)(void *lock_ctx, struct vr_port_lock *lock);
	void (*unlock)(void *lock_ctx, struct vr_port_lock *lock);
	/* Optional short locks (an interrupt lock on bare metal), all four or
	 * none, only with the locks above; forwarded to the core as the
	 * spin_* callbacks of vregion/port.h (which says what they are for),
	 * with lock_ctx. */
	struct vr_port_lock *(*spin_create)(void *lock_ctx);
	void (*spin_destroy)(void *lock_ctx, struct vr_port_lock *lock);
	uintptr_t (*spin_lock)(void *lock_ctx, struct vr_port_lock *lock);
	void (*spin_unlock)(void *lock_ctx, struct vr_port_lock *lock, uintptr_t key);

	/* Optional log hook (NULL: silent), forwarded to the core as is. */
	void *log_ctx;
	void (*log)(void *log_ctx, enum vr_log_level level, const char *func,
		    const char *msg, uintptr_t a, uintptr_t b);
};

/* The port's state. Caller storage; every field is private. */
struct vr_flat_port {
	struct vr_port port;		/* what vr_flat_port_get() returns */
	struct vr_flat_config cfg;	/* copy of the caller's configuration */
	uint8_t *state;			/* per window page: VR_FLAT_MAPPED | perms */
	struct vr_bitmap meta_used;	/* per granule: allocated */
	struct vr_bitmap meta_start;	/* per granule: first of a live block */
	uint8_t *granules;		/* 16-aligned, meta_granules * 16 bytes */
	size_t meta_granules;
	size_t meta_live;		/* live meta_alloc blocks */
	unsigned page_shift;		/* log2(page_size): no division on cores without one */
	struct vr_port_lock *meta_lock;	/* NULL without lock callbacks */
	uint32_t magic;
};

/*
 * Initialise `fp` from `cfg` (copied; the buffers must outlive the port).
 * Returns 0, -EINVAL iff fp or cfg is NULL, window/meta NULL, window not
 * page-aligned, page_size/cache_line not as documented, window smaller than
 * one page or its end (window + window_pages * page_size) not representable
 * in a uintptr_t (a window ending exactly at the top of the address space is
 * refused too, as vr_port_check), lock or short-lock callbacks
 * neither all set nor all NULL, or short locks without locks (vr_port_check); -ENOMEM iff meta_bytes cannot hold the page state bytes or
 * lock_create fails. On error fp is left unusable and nothing is allocated.
 * O(window_pages + meta_bytes / 1024).
 */
int vr_flat_port_init(struct vr_flat_port *fp, const struct vr_flat_config *cfg);

/*
 * Tear down. Returns 0, -EINVAL iff fp is not an initialised flat port,
 * -EBUSY iff pages are still mapped or metadata blocks are still allocated
 * (nothing is changed). O(window_pages).
 */
int vr_flat_port_deinit(struct vr_flat_port *fp);

/* The vr_port to hand to the core, or NULL iff fp is not initialised. */
const struct vr_port *vr_flat_port_get(const struct vr_flat_port *fp);

/*
 * Recorded permissions of the page containing addr: VR_PERM_* (0..7) when
 * mapped, -ENOENT when the page is unmapped, -EINVAL when fp is not
 * initialised or addr is outside the window. O(1).
 */
int vr_flat_port_perms(const struct vr_flat_port *fp, const void *addr);

/* Pages currently mapped (0 when fp is invalid). O(window_pages). */
size_t vr_flat_port_mapped_pages(const struct vr_flat_port *fp);

/* Metadata: bytes in live blocks (granule-rounded), live blocks, and the
 * capacity in bytes. 0 when fp is invalid. O(G / 64) for used, O(1) else. */
size_t vr_flat_port_meta_used(const struct vr_flat_port *fp);
size_t vr_flat_port_meta_live(const struct vr_flat_port *fp);
size_t vr_flat_port_meta_capacity(const struct vr_flat_port *fp);

/*
 * Size of a metadata buffer for a window of window_pages pages that can serve
 * live blocks totalling serve_bytes, each block counted rounded up to 16
 * (first fit can fragment: add slack for alloc/free patterns). O(1).
 * Returns SIZE_MAX on overflow.
 */
size_t vr_flat_port_meta_bytes(size_t window_pages, size_t serve_bytes);

/*
 * Consistency check: the port's own fields agree with the configuration
 * (geometry, metadata buffer layout, bitmap sizes; checked first, so a
 * corrupted size is reported, not followed), page state bytes hold only
 * valid bits, the metadata
 * bitmaps agree (every start is used; tail bits clear; live count matches).
 * Returns 0, -EINVAL (fp invalid) or -EFAULT (logged). O(W + G).
 */
int vr_flat_port_validate(const struct vr_flat_port *fp);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_PORT_FLAT_H */
