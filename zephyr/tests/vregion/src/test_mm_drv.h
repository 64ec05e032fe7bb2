/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mm_drv.h - a test-only memory-management driver for boards without
 * one (native_sim, qemu_x86): the sys_mm_drv_* calls vregion's port uses,
 * over a page-aligned buffer of TD_PAGES pages. Each virtual page has its own
 * frame (its home page in the buffer); TD_FRAMES frames may be mapped at once.
 * map_page(virt, 0) takes the page's home frame ("any frame", Intel's
 * convention); a non-zero phys must be that frame's address (td_frame(): the
 * port's linear frames). As Intel's driver: no zeroing (a page keeps its old bytes), an enabled
 * entry mapped again leaks its frame, out of frames is an "assert" + -ENOMEM,
 * update_page_flags changes nothing (no permission bits). With CONFIG_MMU
 * (qemu_x86) unmapped pages are really unmapped (arch_mem_unmap), so a stray
 * access faults; without it they stay readable (native_sim).
 * Two regions: pages [0, TD_SOF_PAGES) with attr 3 (SOF's vpage window) and
 * the rest with attr TD_PORT_ATTR (the port suite's window).
 */
#ifndef TEST_MM_DRV_H
#define TEST_MM_DRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TD_PG 4096u
#define TD_PAGES 48u
#define TD_FRAMES 40u
#define TD_SOF_PAGES 24u
#define TD_PORT_ATTR 7u

struct td_stats {
	size_t frames_free;
	size_t leaked;		/* enabled entries mapped again */
	size_t double_frees;	/* unmaps of unmapped pages */
	size_t asserts;		/* out of frames */
};

uint8_t *td_page(size_t i);
uintptr_t td_frame(size_t i);	/* physical address of page i's home frame */
void td_get_stats(struct td_stats *st);

#endif
