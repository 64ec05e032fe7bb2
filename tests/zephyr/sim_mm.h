/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_mm.h - a simulated Zephyr memory-management driver with the Intel ACE
 * TLB driver's behaviour (../shared/ZEPHYR.md section 1), for host tests of
 * the Zephyr port and the SOF glue. It implements the API of
 * <zephyr/drivers/mm/system_mm.h>, the cache/alias calls of <zephyr/cache.h>
 * and Intel's adsp_add_virtual_memory_region /
 * adsp_mm_get_unused_l2_start_aligned, over real host mappings:
 *
 *   frames     a memfd of `frames` pages: physical memory. Frames keep their
 *              contents across unmap/map (NO zeroing: a new mapping shows the
 *              previous user's data, as on ACE).
 *   TLB        one entry per virtual page {frame, enabled}; a mapped page is
 *              an mmap(MAP_FIXED|MAP_SHARED) of its frame in both aliases, an
 *              unmapped one PROT_NONE, so a stray access really faults.
 *   aliases    with cfg.doublemap, an uncached alias at a fixed offset above
 *              the cached one (sys_cache_uncached_ptr_get); else one alias.
 *
 * Intel's behaviour, kept on purpose (the port must cope):
 *   map_page(virt, 0, flags)   takes the first free frame; none left: counts an
 *                              "assert" (CONFIG_ASSERT would stop there) and
 *                              returns -ENOMEM; an already-enabled entry is
 *                              overwritten and its frame LEAKS (counted);
 *                              invalidates the page (counted);
 *   unmap_page(virt)           flushes, disables the entry and frees the frame
 *                              the entry names, enabled or not (a stale entry
 *                              frees a frame someone else may hold: counted as
 *                              a double free);
 *   map_region(...)            page by page, keeps going after an error, no
 *                              rollback, returns the last error;
 *   map_region_safe(region..)  refuses a run ending exactly at the region end
 *                              (virt + size < end);
 *   update_page_flags          changes permissions only with cfg.perms (ACE
 *                              1.x); else returns 0 and does nothing (cAVS,
 *                              ACE 2.x+);
 *   query_memory_regions       returns a fresh heap copy of the table and
 *                              _free() poisons and frees it (a caller keeping
 *                              a pointer into it reads freed memory: ASan /
 *                              Valgrind catch it).
 * With cfg.given_frames the driver picks no frame: map_page(virt, phys)
 * maps the free frame at phys (SIM_PHYS_BASE + f pages), phys 0 or a frame
 * out of range is -EINVAL, a frame in use -EBUSY (the port's linear frames).
 * Fault injection: sim_mm_fail_at(k, err) makes driver call k (counted from
 * the arm; every entry point above counts) fail with err before it changes
 * anything; later calls succeed. Thread-safe (one mutex).
 */
#ifndef VR_SIM_MM_H
#define VR_SIM_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_PG 4096u
/* Physical address of frame f: SIM_PHYS_BASE + f pages (page_phys_get). */
#define SIM_PHYS_BASE 0x40000000u

struct sim_mm_config {
	size_t vpages;		/* virtual pages of the driver's space */
	size_t frames;		/* physical frames */
	size_t image_pages;	/* adsp_mm_get_unused_l2_start_aligned: vbase + this */
	bool doublemap;		/* an uncached alias */
	bool perms;		/* update_page_flags enforces RW/EXEC (ACE 1.x) */
	bool given_frames;	/* a plain driver: no "phys 0 = any frame" (below) */
};

struct sim_mm_stats {
	size_t frames_free;
	size_t leaked_frames;		/* overwritten entries' frames */
	size_t double_frees;		/* unmaps of stale entries that freed a frame in use */
	size_t asserts;			/* map_page out of frames */
	size_t flushes, invalidates;	/* cache calls (driver's and sys_cache_*) */
	size_t lists_live;		/* query lists not freed */
	unsigned long calls;		/* driver calls since init or the last arm */
	unsigned long failed;		/* injected failures */
};

/* Set up the driver (one per process). 0 or -errno. */
int sim_mm_init(const struct sim_mm_config *cfg);
/* what sys_cache_data_line_size_get() returns (64 unless a test sets it) */
extern size_t sim_mm_dcache_line;
/* Tear it down: unmaps everything, frees the table. */
void sim_mm_fini(void);

uintptr_t sim_mm_vbase(void);			/* cached alias of the virtual space */
uintptr_t sim_mm_uncached_offset(void);		/* 0 without doublemap */

/* Add a region to the query table directly (what a SoC's init does). */
int sim_mm_add_region(uintptr_t addr, size_t size, uint32_t attr);
/* Empty the table. */
void sim_mm_clear_regions(void);

/* Driver call k (>= 1) after this one fails with err (0: disarm). */
void sim_mm_fail_at(unsigned long k, int err);

void sim_mm_get_stats(struct sim_mm_stats *st);

/* Which frame backs a virtual page (-1: none); writes to a frame directly
 * (to plant stale data, as a previous user would). */
long sim_mm_frame_of(const void *virt);
void sim_mm_frame_fill(size_t frame, int byte);

#endif /* VR_SIM_MM_H */
