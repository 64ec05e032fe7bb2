/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/port_posix.h - the posix port: real page mapping on a Linux host.
 *
 * What it simulates, and how:
 *   PHYSICAL PAGES  one memfd of phys_pages pages (tmpfs; grows as pages are
 *                   first written). A private "direct map" of the whole memfd
 *                   (read-write, like a kernel's linear map) is used only by
 *                   the port itself, to zero pages.
 *   PAGE TABLES     mmap. One reservation of
 *                     [guard][cached window: W pages][guard][uncached window: W pages][guard]
 *                   is made PROT_NONE (MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE),
 *                   so every access to an unmapped page, to a guard page or
 *                   past either end of the window really faults (SIGSEGV).
 *                   map() replaces pages of BOTH windows, at the same page
 *                   index, with MAP_FIXED|MAP_SHARED views of the memfd, one
 *                   mmap call per physically contiguous run per window.
 *   ALIASES         the uncached alias is a second real mapping of the same
 *                   physical pages at a fixed offset (W + 1 pages above the
 *                   cached one): a write through one is visible through the
 *                   other. The host is coherent, so cache_flush and
 *                   cache_invalidate do nothing but are COUNTED
 *                   (vr_posix_port_get_stats) so tests can check that the
 *                   layers above call them.
 *
 * Contract: everything in vregion/port.h (P1-P5, Q1-Q2) holds, and more:
 *   - map/unmap/protect CHECK their preconditions instead of trusting them:
 *     a range outside the cached window, unaligned, empty, or in the wrong
 *     state (map over a mapped page, unmap/protect of an unmapped one)
 *     returns -EINVAL and changes nothing (logged at ERR).
 *   - map picks one physically contiguous run when one exists (first fit),
 *     else gathers free runs lowest address first; it zeroes only pages that
 *     were handed out before (a never-used memfd page already reads 0).
 *   - thread-safe (P2): map/unmap/protect and the physical-page bitmap are
 *     guarded by one internal pthread mutex; alias translation is lock-free;
 *     counters are atomics. Several ports may live in one process.
 *   - Q1 caveat: rolling back a failed map re-reserves pages PROT_NONE, which
 *     can itself fail when the process is out of mappings (see the limit
 *     below). Then the pages that could not be unmapped STAY recorded as
 *     mapped (their physical pages are not reused, a later map() of them is
 *     refused with -EINVAL) and an ERR is logged: the port never lets two
 *     virtual pages share a physical page, but the core's view and the
 *     port's differ for those pages. Rolling back a failed unmap()/protect()
 *     has the same caveat.
 *
 * The vm.max_map_count limit (Linux default 65530 mappings per process):
 *   every mapped run whose neighbours are not file-contiguous is its own
 *   kernel mapping (VMA), in each of the two windows, and splits the
 *   PROT_NONE reservation around it. A window holding R separate mapped runs
 *   costs up to 2 * (2 * R + 1) + 3 VMAs (+1 for the direct map); pages of
 *   different permissions count as separate runs. So all posix ports in one
 *   process together can hold about 16 000 scattered runs, whatever W is.
 *   Past that, mmap/mprotect fail with ENOMEM and map/protect return -ENOMEM
 *   (Q1 holds unless the rollback hits the same wall, see above). Mapping
 *   virtually adjacent runs onto file-adjacent pages lets the kernel merge
 *   them: prefer few large runs (vpage does).
 *
 * Limits: phys_pages <= 2^28 (page index + permissions are packed in one
 * 32-bit record per virtual page); (2 * W + 3) pages of address space must be
 * free; phys_pages * page_size must fit in off_t.
 * Metadata: 4 bytes per window page + 3 bits per physical page (+ a few
 * hundred bytes), from libc malloc.
 *
 * Logging: lines "vregion: <LVL> <func>: <msg> (a=0x.., b=0x..)" on stderr
 * for levels <= the threshold (config log_level, overridden by the
 * environment variable VREGION_LOG=0..3 when it is set).
 */
#ifndef VREGION_PORT_POSIX_H
#define VREGION_PORT_POSIX_H

#include "vregion/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* log_level value that silences the port (the environment can still override). */
#define VR_POSIX_LOG_OFF (-1)

/* Largest phys_pages the port accepts. */
#define VR_POSIX_MAX_PHYS_PAGES ((size_t)1 << 28)

/* Port options. Zero-initialise, then set phys_pages and window_pages. */
struct vr_posix_port_config {
	/* Bytes per page: a power of two and a multiple of the system page size.
	 * 0 = the system page size (sysconf(_SC_PAGESIZE)). */
	size_t page_size;
	/* Physical pages (P) in the memfd; 1 .. VR_POSIX_MAX_PHYS_PAGES. No default. */
	size_t phys_pages;
	/* Virtual pages (W) in each window; >= 1, may exceed phys_pages. No default. */
	size_t window_pages;
	/* Cache line in bytes reported to the core: 0 = 64; else a power of two. */
	size_t cache_line;
	/* Log threshold: messages at this level or more severe are printed.
	 * 0 = VR_LOG_ERR (errors only, the default) .. 3 = VR_LOG_DBG;
	 * VR_POSIX_LOG_OFF = silent. The environment variable VREGION_LOG=0..3,
	 * when set, overrides this field. */
	int log_level;
};

/* Counters of one port (a snapshot; each field is exact, the set is not atomic). */
struct vr_posix_port_stats {
	size_t page_size;
	size_t phys_pages;		/* P */
	size_t phys_free;		/* physical pages not backing a window page */
	size_t window_pages;		/* W */
	size_t mapped_pages;		/* window pages currently mapped */
	size_t map_calls;		/* map() calls that succeeded */
	size_t unmap_calls;		/* unmap() calls that succeeded */
	size_t protect_calls;		/* protect() calls that succeeded */
	size_t failed_calls;		/* map/unmap/protect calls that returned an error */
	size_t runs_mapped;		/* physically contiguous runs mapped (per window) */
	size_t pages_zeroed;		/* pages zeroed by memset before mapping */
	size_t syscalls;		/* mmap/mprotect/fallocate calls issued */
	size_t cache_flush_calls;
	size_t cache_flush_bytes;
	size_t cache_invalidate_calls;
	size_t cache_invalidate_bytes;
	size_t locks_live;		/* lock_create minus lock_destroy */
	size_t meta_blocks_live;	/* meta_alloc minus meta_free */
	size_t meta_bytes_live;
	size_t log_lines[4];		/* log calls per level (printed or filtered) */
};

/*
 * Create a posix port and describe it in *port (every field of *port is
 * written; port->ctx is the port's private state).
 * Returns 0; -EINVAL iff port or cfg is NULL, phys_pages is 0 or above
 * VR_POSIX_MAX_PHYS_PAGES, window_pages is 0 or too large for the address
 * space, page_size is not 0 and not a power-of-two multiple of the system
 * page size, cache_line is not 0 and not a power of two, or log_level is
 * outside VR_POSIX_LOG_OFF..VR_LOG_DBG; -ENOMEM iff malloc fails; or the
 * negative errno of memfd_create/ftruncate/mmap. On error *port is zeroed
 * and nothing is left allocated. O(W / 64 + P / 64) plus the syscalls.
 */
int vr_posix_port_create(struct vr_port *port, const struct vr_posix_port_config *cfg);

/*
 * Destroy a port made by vr_posix_port_create: unmap both windows and the
 * direct map, close the memfd, free the state, zero *port. The teardown
 * always completes. Returns 0 if nothing was live; -EBUSY if pages were still
 * mapped, locks not destroyed or metadata blocks not freed (logged at WRN;
 * pages and locks are released anyway; metadata blocks are left to their
 * owner, who may free() them); -EINVAL iff
 * port is NULL or not a posix port (nothing done). Any pointer into the
 * windows is invalid afterwards.
 */
int vr_posix_port_destroy(struct vr_port *port);

/* True iff port was made by vr_posix_port_create and not destroyed. O(1). */
bool vr_posix_port_is(const struct vr_port *port);

/* Free physical pages of a posix port, or 0 iff port is not one. O(1), locked. */
size_t vr_posix_port_phys_free(const struct vr_port *port);

/*
 * Index of the physical page backing the cached-window page that holds
 * `vaddr` (any byte of it), or SIZE_MAX iff port is not a posix port, vaddr
 * is outside the cached window, or the page is unmapped. O(1), locked.
 * For tests: to check mappings are distinct or scattered.
 */
size_t vr_posix_port_phys_page(const struct vr_port *port, const void *vaddr);

/* Snapshot of the counters. Returns 0 or -EINVAL (not a posix port, st NULL). */
int vr_posix_port_get_stats(const struct vr_port *port, struct vr_posix_port_stats *st);

/*
 * Full consistency check, O(W + P): every mapped window page records a
 * distinct physical page marked used, used pages == mapped pages, the free
 * count matches the bitmap, no record holds an out-of-range page.
 * Returns 0, -EFAULT (logged at ERR with the first inconsistency), or
 * -EINVAL iff port is not a posix port.
 */
int vr_posix_port_validate(const struct vr_port *port);

/*
 * Give the memory of free physical pages back to the host (fallocate
 * PUNCH_HOLE); they read 0 afterwards, so the next map() skips zeroing them.
 * Returns the number of pages released (>= 0), or -EINVAL (not a posix
 * port) or the negative errno of fallocate. O(P / 64 + runs) + syscalls.
 */
long vr_posix_port_trim(const struct vr_port *port);

/*
 * Fault injection for tests: the `nth` next mmap/mprotect call issued by a
 * map/unmap/protect of this port (1 = the next one) fails with ENOMEM, once.
 * Calls made to roll back a failure are never failed. 0 disarms. Returns 0
 * or -EINVAL (not a posix port). Use it to check Q1 at every step.
 */
int vr_posix_port_inject_failure(const struct vr_port *port, unsigned nth);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_PORT_POSIX_H */
