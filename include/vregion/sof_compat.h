/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/sof_compat.h - the default pool behind SOF's API (sof/lib/vpage.h,
 * sof/lib/vregion.h, rtos/alloc.h), and the explicit entry point for firmware
 * that wants its own.
 *
 * SOF's API has no pool argument, so the compat layer keeps ONE default
 * instance (the only global of the library). It is set up either
 *   - explicitly: vr_sof_init(&cfg) before the first SOF call, with your port
 *     (e.g. a Zephyr port) and options; or
 *   - automatically, on the first vpage_*()/vregion_create()/sof_heap call,
 *     with the defaults below.
 *
 * DEFAULTS (each a macro a build may override with -D):
 *   VR_SOF_PAGE_SIZE   4096  page size (CONFIG_MM_DRV_PAGE_SIZE on ACE)
 *   VR_SOF_CACHE_LINE    64  cache line (CONFIG_DCACHE_LINE_SIZE on ACE); it
 *                            is also every region's minimum alignment
 *   posix build (VREGION_PORT_POSIX, src/compat/sof_default_posix.c):
 *   VR_SOF_VIRT_PAGES   512  virtual window (2 MiB)
 *   VR_SOF_PHYS_PAGES   384  physical pages (1.5 MiB): upstream's vpage region
 *                            is ~250-400 pages on PTL/NVL (SYSTEM.md 2), with
 *                            a larger virtual window as upstream intended
 *     (if the host's page size is not a divisor of 4096, the host page is used)
 *     platform heap = libc (malloc / posix_memalign / free), with a set of
 *     its live blocks so that foreign and double frees are refused; a
 *     request or alignment above 1 GiB fails (NULL) before libc sees it.
 *   flat build (no MMU, src/compat/sof_default_flat.c):
 *   VR_SOF_FLAT_PAGES   256  pages of a static buffer (1 MiB; window ==
 *                            physical on a flat port)
 *   VR_SOF_FLAT_META_BYTES  64 KiB static metadata buffer (METADATA below)
 *   VR_SOF_FLAT_HEAP_BYTES  64 KiB static buffer for the platform heap (a
 *                            vr_heap), used by sof_ctx_* without a region
 *   VR_SOF_FLAT_LOG     (unset)  name of a function with the signature of
 *                            vr_port's log hook (vregion/port.h), e.g. a UART
 *                            printer: the flat default's port and glue log
 *                            through it, with ctx NULL; unset, they are silent
 *     The flat default takes no locks: bare metal, one thread (supply a port
 *     with locks through vr_sof_init for anything else).
 *   No guard pages, no sealing (as upstream); vr_sof_init can ask for both.
 *   VR_SOF_DEFAULT_POOL   1  0 compiles the default port, its buffers and the
 *                            default platform heap out of the glue file (flat:
 *                            1.125 MiB of .bss with the sizes above, i.e.
 *                            VR_SOF_FLAT_PAGES * VR_SOF_PAGE_SIZE +
 *                            VR_SOF_FLAT_META_BYTES + VR_SOF_FLAT_HEAP_BYTES;
 *                            posix: the default posix port). Set it for the
 *                            whole library build (e.g. CMAKE_C_FLAGS=
 *                            -DVR_SOF_DEFAULT_POOL=0) when firmware supplies
 *                            its port. Then vr_sof_init(&cfg) with cfg.port
 *                            is REQUIRED before the first SOF call: without
 *                            it every SOF call fails cleanly (NULL / no-op /
 *                            vr_sof_init -EINVAL) and nothing can be logged,
 *                            since the log hook is the port's and there is
 *                            none. Without heap hooks the platform heap
 *                            (sof_ctx_* without a region, sof_heap_alloc)
 *                            returns NULL, logged through the port.
 *
 * METADATA (flat build). The flat port serves meta_alloc from
 * VR_SOF_FLAT_META_BYTES in whole 16-byte granules (VR_FLAT_META_GRANULE,
 * round16 below), after its own state: one byte per page and two bits per
 * granule (vregion/port_flat.h). What is asked of it:
 *   round16(vr_vpage_meta_bytes_for(VR_SOF_FLAT_PAGES))      the pool, at set-up
 *   + per live region of `size` bytes (each vregion_create):
 *     round16(vr_region_meta_bytes(size, VR_SOF_CACHE_LINE, VR_SOF_PAGE_SIZE))
 *                          (the region's block: control, heap, start map;
 *                          with vr_sof_config.min_align, that alignment)
 *     + 16                                                   its list node
 * so a buffer for the pool and N regions of `size` is
 *   vr_flat_port_meta_bytes(VR_SOF_FLAT_PAGES, <that sum>) bytes (the 15 bytes
 * of alignment slack in it are spare: the buffer is 16-aligned). Set-up of
 * the default port (vr_sof_init without a port, or the first SOF call)
 * computes it with those queries: it fails with -ENOMEM, logged at ERR, when
 * the buffer cannot even hold the pool's block, and else logs at INF how
 * many regions of SOF's default DP size (28 KiB) the rest holds with nothing
 * else live (a = regions, b = bytes each). The defaults hold more of them than the 256 pages do
 * (36); tests/test_sof_flat_meta.c checks both the figure, against what
 * vregion_create really makes, and this claim.
 *
 * GLUE. The default pool's platform code is one file, chosen by the build:
 * src/compat/sof_default_posix.c (VREGION_PORT_POSIX) or
 * src/compat/sof_default_flat.c (otherwise). A firmware may replace it by its
 * own file (drop it from the build, compile yours with the library's include
 * paths); it must define, with C linkage:
 *   void vr_sof_glue_lock(void);      serialise vr_sof_init / vr_sof_deinit
 *   void vr_sof_glue_unlock(void);    and the automatic set-up (no-op on one
 *                                     thread; a mutex otherwise; not recursive
 *                                     is fine: never nested)
 * and, unless the build sets VR_SOF_DEFAULT_POOL=0:
 *   int vr_sof_glue_port_create(const struct vr_port **port);
 *       make the default port, store it in *port; 0 or a negative errno
 *       with nothing left allocated; called with the glue lock held, at most
 *       once between two vr_sof_glue_port_destroy();
 *   void vr_sof_glue_port_destroy(void);   undo it (lock held)
 *   const struct sys_mm_drv_region *vr_sof_glue_region(void);
 *       the memory-management driver region behind the default port, for
 *       vpage_get_region; NULL where there is no driver (posix, flat);
 *   void *vr_sof_glue_heap_alloc(size_t bytes, size_t align);
 *       default platform heap: bytes > 0, align 0 or a power of two; NULL
 *       when out of memory; thread-safe where the glue is;
 *   int vr_sof_glue_heap_free(void *ptr);
 *       0, or -EINVAL for a pointer it does not own (nothing done);
 *   bool vr_sof_glue_heap_owns(const void *ptr);   exact: live blocks only.
 * (src/compat/sof_default.h has the same list; docs/porting.md shows an
 * example.)
 *
 * Thread-safety: vr_sof_init/vr_sof_deinit and the automatic initialisation
 * are serialised by one lock (posix: a pthread mutex; flat: none).
 */
#ifndef VREGION_SOF_COMPAT_H
#define VREGION_SOF_COMPAT_H

#include "vregion/vregion.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The VR_SOF_* defaults themselves are in vregion/config.h. */

struct k_heap;	/* Zephyr's heap type: opaque, passed through to the platform heap */
struct vregion;

/* Options of the default pool. A zeroed struct means "the defaults above". */
struct vr_sof_config {
	/* The port (must outlive the pool). NULL: this build's default port. */
	const struct vr_port *port;
	/* Unmapped guard pages after every vpage run and region (0 = none). */
	size_t guard_pages;
	/* Minimum alignment of region allocations (0 = the port's cache line,
	 * as upstream). */
	size_t min_align;
	/* vr_region flags for every vregion_create: VR_REGION_SEAL and/or
	 * VR_REGION_GUARD (VR_REGION_NOLOCK is refused: SOF shares regions
	 * between threads). 0 = as upstream. */
	unsigned region_flags;
	/*
	 * The platform heap behind sof_ctx_* for a context without a region
	 * (upstream: sof_heap_alloc(ctx->heap, ...)). heap is the context's
	 * k_heap pointer (may be NULL: "pick the default"). Both NULL: this
	 * build's default heap (posix: libc; flat: a static vr_heap), which
	 * ignores `heap` and `flags`. Both or neither.
	 */
	void *(*heap_alloc)(void *heap_ctx, struct k_heap *heap, uint32_t flags, size_t bytes,
			    size_t align);
	void (*heap_free)(void *heap_ctx, struct k_heap *heap, void *ptr);
	/*
	 * Optional, with the hooks: true iff ptr is a live block of the
	 * platform heap. With it, vr_sof_heap_free refuses foreign pointers and
	 * sof_ctx_free hands a heap block given with a region context back to
	 * the heap (upstream bug 4.13, see sof_ctx_free); without it, the hooks
	 * get every pointer and such a block is refused by the region (as
	 * upstream). The default heaps always know their blocks.
	 */
	bool (*heap_owns)(void *heap_ctx, struct k_heap *heap, const void *ptr);
	void *heap_ctx;
};

/*
 * Set up the default pool explicitly. Returns 0; -EBUSY iff it is already
 * set up (explicitly or by a first SOF call: call vr_sof_init earlier, or
 * vr_sof_deinit first); -EINVAL iff cfg has unknown region flags or NOLOCK,
 * VR_REGION_SEAL with a port without protect, cfg or cfg->port NULL in a
 * build with VR_SOF_DEFAULT_POOL=0, a min_align that is not 0 or a power of
 * two from 8 to the page size, heap hooks not both set or both NULL,
 * heap_owns without them, or the port (or guard_pages) is refused; -ENOMEM (or
 * the default port's errno) iff the pool could not be made. cfg NULL means
 * all defaults. On error nothing is set up (a later call may retry).
 */
int vr_sof_init(const struct vr_sof_config *cfg);

/*
 * Tear the default pool down (tests; firmware shutdown). Returns 0 (also when
 * nothing was set up), or -EBUSY iff something is still live: pages
 * allocated or reserved, a region not yet released, a platform-heap block
 * (sof_heap_alloc, sof_ctx_* without a region) not yet freed, or an orphaned
 * run whose unmap still fails (nothing is changed). The heap blocks are
 * counted exactly with the default heaps and with hooks that have
 * heap_owns; hooks without it get every pointer, so a foreign pointer or a
 * double free passed to sof_heap_free counts as a free (the count never
 * goes below 0) and may hide a block still live. Afterwards the next SOF
 * call initialises the defaults again.
 */
int vr_sof_deinit(void);

/* The default pool, initialising the defaults if needed; NULL iff that
 * failed (always, before vr_sof_init, with VR_SOF_DEFAULT_POOL=0). For
 * vr_vpage_* calls (stats, validate, map inside reservations). */
struct vr_vpage_pool *vr_sof_pool(void);

/* SOF's handle -> the vr_region it is (no check; NULL stays NULL). The
 * native API works on it (stats, validate, interim reset), except the
 * release: drop a handle's last reference with vregion_put() or
 * vr_sof_put_report(), which also take it off the list of live regions
 * (vregion_for_each, the syscall verifiers); vr_region_put() on it would
 * leave a dangling entry there (undefined behaviour). */
static inline struct vr_region *vr_sof_region(struct vregion *vr)
{
	return (struct vr_region *)(void *)vr;
}

/* vregion_put() that also reports, as vr_region_put_report(), the
 * allocations still live when this put released the region (*outstanding,
 * if not NULL; 0 otherwise). Returns vr, or NULL when released. */
struct vregion *vr_sof_put_report(struct vregion *vr, size_t *outstanding);

/* The platform heap (hooks or the build's default): used by sof_ctx_* and
 * sof_heap_alloc/free in rtos/alloc.h. NULL iff bytes is 0, align is not 0 or
 * a power of two, or the heap is out of memory. */
void *vr_sof_heap_alloc(struct k_heap *heap, uint32_t flags, size_t bytes, size_t align);

/* Free a platform-heap block. NULL is a no-op. A pointer the heap does not
 * own (foreign, interior, double free) is logged and ignored when the heap
 * can tell (the default heaps; hooks with heap_owns), else passed on. */
void vr_sof_heap_free(struct k_heap *heap, void *ptr);

/* sof_ctx_free for a context with a region: ptr inside the region goes to
 * vregion_free; a live platform-heap block (known as above) goes back to
 * the heap, with a warning (upstream leaked it: 4.13); anything else goes
 * to vregion_free, which logs and refuses it (as upstream). */
void vr_sof_ctx_free(struct k_heap *heap, struct vregion *vreg, void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_SOF_COMPAT_H */
