/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/port_zephyr.h - the Zephyr port: a vr_port over Zephyr's
 * memory-management driver API (<zephyr/drivers/mm/system_mm.h>), its cache
 * API (<zephyr/cache.h>) and its kernel (k_mutex, k_aligned_alloc).
 * Built by the Zephyr module (zephyr/CMakeLists.txt, CONFIG_VREGION); see
 * docs/zephyr.md for the Kconfig options and the driver limits per SoC.
 *
 * What the port does that the driver does not (Intel ACE's TLB driver is the
 * model, ../shared/ZEPHYR.md section 1):
 *   - ROLLBACK: map() maps page by page with sys_mm_drv_map_page(va, 0, ...)
 *     (phys 0: the driver picks any free frame; cfg.linear_frames passes a
 *     fixed frame per page instead) and, on the first failure,
 *     unmaps the pages it mapped, in reverse. sys_mm_drv_map_region keeps
 *     going after an error and undoes nothing; it is never called.
 *   - BUDGET: the port maps at most `phys_pages` pages at once (an atomic
 *     counter, no lock: the pool's lock is the only lock of a page call) and
 *     returns -ENOMEM before the driver runs out of frames (Intel's driver
 *     asserts then under CONFIG_ASSERT). Pages mapped by others (LLEXT's own
 *     sys_mm_drv_map_* calls inside a vpage_reserve()) are not in the
 *     budget: choose phys_pages so that both fit in the frames there are.
 *   - ZEROING (port.h Q2): every new page is cleared through its cached
 *     alias, then flushed, so the uncached alias reads zero too and no dirty
 *     line of the zeros is left (the driver only invalidates: frames keep a
 *     previous user's data).
 *   - LIVE ENTRIES: a page that sys_mm_drv_page_phys_get() reports mapped is
 *     never mapped over (the driver would overwrite the entry and leak its
 *     frame): map() fails with -EFAULT and rolls back. unmap() skips pages
 *     that are not mapped (Intel's unmap frees whatever frame a stale entry
 *     names), which also makes a repeated unmap safe.
 *   - RANGE: every call checks that [vaddr, +npages) lies in the window,
 *     the window's last page included (sys_mm_drv_map_region_safe's
 *     `virt + size < end` refuses a run ending at the region end).
 *   - WINDOW: given in the config, or found by attribute through
 *     sys_mm_drv_query_memory_regions() (the region is copied before the
 *     list is freed: the list may be gone after _free()). Both query
 *     calls are weak references: a driver without them links, and a
 *     window by attribute is then -ENOENT.
 *
 * Callbacks (port.h): map, unmap; protect only with cfg.protect (the driver
 * must really enforce sys_mm_drv_update_page_flags; Zephyr 4.3's Intel ADSP
 * drivers change nothing there, so protect stays NULL and the core reports
 * -ENOTSUP to SEAL, which is honest); to_uncached / to_cached /
 * is_uncached with CONFIG_CACHE_MANAGEMENT and CONFIG_CACHE_DOUBLEMAP (else
 * NULL: one alias); cache_flush / cache_invalidate with
 * CONFIG_CACHE_MANAGEMENT and CONFIG_DCACHE (else NULL: coherent);
 * locks: a k_mutex in metadata memory; short locks (spin_*): a
 * k_spinlock in metadata memory, for a region's bounded sections (interim
 * heap calls run with interrupts masked, as upstream's k_heap); meta_alloc / meta_free: the config's
 * hooks or k_aligned_alloc(16, n) + zeroing / k_free; log: Zephyr logging
 * (module "vregion", CONFIG_VREGION_LOG_LEVEL); trace: with cfg.trace_log,
 * every event as one "vrtrace" log line (docs/zephyr.md, "Tracing").
 *
 * Preconditions (P1-P3) are CHECKED, not trusted: a range outside the
 * window, unaligned or empty returns -EINVAL; a map over a mapped page
 * -EFAULT; map with perms 0 or unknown bits -EINVAL; perms without
 * read-write on a port without protect -ENOTSUP (the TLB would map it
 * writable anyway). Each refusal changes nothing and is logged at ERR.
 *
 * Q1 exceptions (stated as port.h asks):
 *   - a failed unmap(): the pages before the failing one stay unmapped, the
 *     rest stay mapped; the core keeps the run and retries, and the retry
 *     skips the pages already unmapped (see LIVE ENTRIES). The driver's
 *     unmap fails only for an address outside its virtual space or
 *     unaligned, which the range check excludes.
 *   - a rollback whose unmap fails leaves that page mapped and its frame
 *     taken: it stays out of the budget (vr_zephyr_port_stats.stuck_pages)
 *     and a later map() of it is refused (-EFAULT) instead of leaking.
 *   - a failed protect() restores the pages it changed to their previous
 *     permissions (kept per page in metadata); if that restore fails too,
 *     the page keeps the new permissions (logged at ERR).
 *
 * Thread-safety: map/unmap/protect may run concurrently on disjoint ranges
 * (port.h P2); the budget is one atomic counter, the per-page permissions
 * are written only by calls on their page. Not for interrupt context (the
 * core's calls sleep on a k_mutex). Alias and cache helpers are O(1) and
 * callable from any context.
 *
 * Metadata: struct vr_zephyr_port (caller storage) plus, with protect, one
 * byte per window page from meta_alloc.
 */
#ifndef VREGION_PORT_ZEPHYR_H
#define VREGION_PORT_ZEPHYR_H

#include "vregion/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Port options. A zeroed struct plus a window (base or attribute) works. */
struct vr_zephyr_port_config {
	/* The window, cached alias: window_base page-aligned and window_bytes a
	 * non-zero multiple of the page. window_base 0: look the window up by
	 * window_attr among sys_mm_drv_query_memory_regions() (the first region
	 * with that attr; its start is rounded up and its end down to pages). */
	uintptr_t window_base;
	size_t window_bytes;
	uint32_t window_attr;
	/* Physical pages this port may have mapped at once (its budget).
	 * 0 = the window's pages. */
	size_t phys_pages;
	/* Data cache line in bytes (a power of two): 0 = with
	 * CONFIG_DCACHE_LINE_SIZE_DETECT, sys_cache_data_line_size_get() if it
	 * gives a power of two; else VR_ZEPHYR_CACHE_LINE (CONFIG_DCACHE_LINE_SIZE
	 * where the device tree gives one, else 64). It is also SOF's region
	 * minimum alignment. */
	size_t cache_line;
	/* The driver enforces SYS_MM_MEM_PERM_RW / _EXEC per page: install
	 * protect() (sys_mm_drv_update_page_flags); needs CONFIG_VREGION_PROTECT
	 * (which compiles it in). false: protect is NULL. */
	bool protect;
	/* Metadata memory (pool bitmaps, region control blocks, locks): memory
	 * region users cannot write; coherent across cores where regions are
	 * shared between cores (SOF: rzalloc(SOF_MEM_FLAG_KERNEL |
	 * SOF_MEM_FLAG_COHERENT)). alloc returns `bytes` bytes aligned to 16 or
	 * NULL; zeroing is not required. Both NULL: k_aligned_alloc / k_free.
	 * Both or neither. */
	void *(*meta_alloc)(void *meta_ctx, size_t bytes);
	void (*meta_free)(void *meta_ctx, void *p, size_t bytes);
	void *meta_ctx;
	/* Trace every event as one log line "vrtrace: <event>" (docs/trace.md
	 * format; needs CONFIG_VREGION_TRACE_LOG, else init refuses it). */
	bool trace_log;
	/* Frames. false: map_page(va, 0, ...), the driver picks a free frame
	 * (Intel's driver; phys 0 means "any"). true, for a driver that maps
	 * the physical address it is given: window page k is always backed by
	 * the frame at phys_base + k pages (page-aligned; the window's pages
	 * need that many frames, and the budget still applies). */
	bool linear_frames;
	uintptr_t phys_base;
};

/* Counters (atomic snapshots). */
struct vr_zephyr_port_stats {
	size_t window_pages;
	size_t phys_pages;		/* the budget */
	size_t mapped_pages;		/* pages mapped through this port now */
	size_t stuck_pages;		/* rollbacks whose unmap failed (see Q1) */
	size_t refused_live;		/* maps refused over a live driver entry */
	size_t map_errors;		/* maps the driver failed (rolled back) */
};

/* The port. Storage is the caller's; every field is private. */
struct vr_zephyr_port {
	struct vr_port port;
	uintptr_t window_end;		/* window_base + window bytes */
	long phys_free;			/* budget left: Zephyr atomic_t */
	long stuck, refused_live, map_errors;	/* atomic_t counters */
	uint8_t *perms;			/* protect: VR_PERM_* per window page */
	void *(*meta_alloc)(void *, size_t);
	void (*meta_free)(void *, void *, size_t);
	void *meta_ctx;
	uintptr_t phys_base;		/* linear frames: frame of the window's page 0 */
	bool linear;
	uint32_t magic;
};

/*
 * The options from Kconfig (docs/zephyr.md): CONFIG_VREGION_WINDOW_BASE /
 * _WINDOW_SIZE (base 0: by CONFIG_VREGION_WINDOW_ATTR), _PHYS_PAGES,
 * _PROTECT, _TRACE_LOG; cache line and metadata hooks left at their
 * defaults. A build without those symbols gets: window by attribute 3
 * (SOF's VIRTUAL_REGION_VPAGES_ATTR), budget = window, no protect, no trace.
 */
void vr_zephyr_port_config_default(struct vr_zephyr_port_config *cfg);

/*
 * Look up the driver region whose attr is `attr`: its page-rounded start in
 * *base and bytes in *bytes (copied before the list is freed). Returns 0,
 * -ENOENT iff no region has that attribute (or it holds no whole page),
 * -EINVAL iff base or bytes is NULL.
 */
int vr_zephyr_find_window(uint32_t attr, uintptr_t *base, size_t *bytes);

/*
 * Initialise the port. Returns 0; -EINVAL iff zp or cfg is NULL, the window
 * is unaligned, empty or wraps, phys_pages exceeds the window, linear frames
 * with phys_base unaligned or wrapping over the window, cache_line is
 * not a power of two, only one meta hook is set, trace_log without
 * CONFIG_VREGION_TRACE_LOG, protect without CONFIG_VREGION_PROTECT, or
 * vr_port_check() refuses the result; -ENOENT
 * iff the window is looked up and not found; -ENOMEM iff the per-page
 * permission table cannot be allocated. On error nothing is allocated.
 */
int vr_zephyr_port_init(struct vr_zephyr_port *zp, const struct vr_zephyr_port_config *cfg);

/* Tear down. Returns 0, -EINVAL (not initialised), -EBUSY (pages still
 * mapped through the port, stuck pages excepted; nothing changes). */
int vr_zephyr_port_deinit(struct vr_zephyr_port *zp);

/* The vr_port to hand to vr_vpage_pool_init / vr_sof_init. */
const struct vr_port *vr_zephyr_port_get(struct vr_zephyr_port *zp);

/* Counters. Returns 0 or -EINVAL. */
int vr_zephyr_port_get_stats(struct vr_zephyr_port *zp, struct vr_zephyr_port_stats *st);

/*
 * SOF mode (CONFIG_VREGION_SOF): the glue builds its port from
 * vr_zephyr_port_config_default() plus its metadata hooks, then calls this
 * hook, then vr_zephyr_port_init(). The glue's definition is weak and does
 * nothing; an application defines it to set what Kconfig cannot know: a
 * window by address (e.g. a static buffer on native_sim: window_base /
 * window_bytes), linear frames, the budget, even the metadata hooks. Called
 * at every set-up attempt (boot, or the first SOF call), glue lock held:
 * it must not call SOF's API.
 */
void vr_sof_zephyr_port_config(struct vr_zephyr_port_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_PORT_ZEPHYR_H */
