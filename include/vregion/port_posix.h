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
 *                   unmap() PARKS the pages: mprotect(PROT_NONE) in both
 *                   windows, so they fault as any unmapped page does, and
 *                   their physical pages are free for any map; but while
 *                   nobody else took a parked page's physical page, a map of
 *                   that same virtual page takes it back with one mprotect
 *                   per window (no page-table rebuild, no page fault at its
 *                   next touch). A map that needs fresh pages prefers the
 *                   ones no parked page can take back. Past half the mapping
 *                   budget (below) unmap re-reserves instead (anonymous
 *                   PROT_NONE, which merges with the reservation).
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
 *   - map picks the free physical pages that continue the kernel mapping of
 *     a virtual neighbour with the same permissions when there are such (the
 *     kernel merges them: no new mapping), else one physically contiguous run
 *     (first fit), else gathers free runs lowest address first.
 *   - zeroing (Q2): a page that was handed out before is zeroed by memset
 *     (through the direct map) at its next map; a never-used memfd page
 *     already reads 0. With punch_min_pages set, unmap instead punches the
 *     physical runs of at least that many pages out of the memfd
 *     (FALLOC_FL_PUNCH_HOLE, one call per run): they go back to the host and
 *     read 0 without a memset, and a page nobody touches again is never
 *     zeroed; off by default because the next toucher of a punched page pays
 *     a kernel page allocation, slower than the memset (docs/vpage.md).
 *   - thread-safe (P2): map/unmap/protect and the physical-page bitmap are
 *     guarded by one internal pthread mutex; alias translation is lock-free;
 *     counters are atomics. Several ports may live in one process.
 *   - locks: pthread mutexes, error-checking ones (a relock or an unlock by
 *     another thread aborts) in VR_DEBUG builds only; short locks (port.h
 *     spin_*): a spinlock that yields the CPU after 64 spins, checked the same
 *     way in VR_DEBUG builds.
 *   - Q1 caveat: rolling back a failed call re-maps, re-protects or
 *     re-reserves pages, which can itself fail when the process is out of
 *     mappings (see the limit below). Then the pages that could not be
 *     restored STAY recorded as they were (a mapped page's physical page is
 *     not reused, a later map() of it is refused with -EINVAL) and an ERR is
 *     logged: the port never lets two accessible virtual pages share a
 *     physical page, but the core's view and the port's differ for those
 *     pages.
 *
 * The vm.max_map_count limit (Linux default 65530 mappings per process):
 *   every mapped run whose neighbours are not physically contiguous with it
 *   (or differ in permissions) is its own kernel mapping (VMA), in each of
 *   the two windows, and splits the PROT_NONE reservation around it. The port
 *   counts its mappings exactly (1 for the reservation, + 2 per boundary
 *   between differently mapped neighbours, + 1 for the direct map;
 *   vr_posix_port_get_stats: mappings) against a budget: vm.max_map_count,
 *   read once per process, less a reserve for the rest of the process (an
 *   eighth of the limit plus what the process had mapped), shared by all
 *   posix ports; and, when the config sets max_mappings, that too.
 *     - unmap never fails for the limit. An unmap that would cross the budget
 *       (parking a run in the middle of a larger kernel mapping splits it)
 *       HOLDS the pages instead: the kernel mapping stays and the pages stay
 *       accessible (a stray access does not fault; it sees the old data of
 *       the page, which the next map zeroes), but they are unmapped for the
 *       core; their physical pages stay taken until the pages go for real:
 *       when an unmap re-reserves a whole kernel mapping with them (which
 *       never costs a mapping), when a map takes a held page back (it keeps
 *       its physical page: no syscall with the same permissions), or when
 *       the port is under half its budget again (each unmap then re-reserves
 *       one kept run). Held pages are counted (held_pages) and fewer physical
 *       pages are free while they exist (phys_free, and map's -ENOMEM).
 *     - map and protect that would cross the budget return -ENOMEM, logged
 *       at WRN as "refused: the kernel's mapping limit (vm.max_map_count)
 *       would be crossed: mappings=N limit=M", and change nothing.
 *     - if the kernel refuses anyway (the rest of the process mapped more
 *       than the reserve), map/protect return -ENOMEM (Q1 holds unless the
 *       rollback hits the same wall: then the pages that could not be
 *       restored STAY recorded as mapped, their physical pages are not
 *       reused, a later map() of them is refused with -EINVAL, and an ERR is
 *       logged; the port never lets two virtual pages share a physical page)
 *       and unmap holds the pages.
 *   Mapping virtually adjacent runs onto physically adjacent pages lets the
 *   kernel merge them: prefer few large runs (vpage does).
 * Limits: phys_pages <= 2^27 (page index, permissions and state are packed
 * in one 32-bit record per virtual page); (2 * W + 3) pages of address space
 * must be free; phys_pages * page_size must fit in off_t.
 * Metadata: 4 bytes + 1 bit per window page + 4 bytes + 5 bits per physical
 * page (+ a few hundred bytes), from libc malloc. meta_alloc (the core's
 * metadata, zeroed libc memory) returns NULL for 0 bytes and for a request
 * of the host's physical memory or more (sysconf _SC_PHYS_PAGES), which
 * libc is never asked for: such a request would abort a sanitizer build.
 *
 * Logging: messages at the threshold's level or more severe are written,
 * the others only counted (log_lines). The threshold is the config's
 * log_level, 0 (VR_LOG_ERR: errors only) by default, overridden by the
 * environment variable VREGION_LOG=0..3 (or -1: silent) when it is set:
 * VREGION_LOG=1 adds the warnings (failed allocations, allocations still live
 * at a region's release), 2 state changes, 3 every call. They go to the
 * config's log hook when it has one, else to stderr as one line
 *   vregion: WRN vr_vpage_alloc: no free virtual run: pages=9 free=4
 * where the values are named by the message's parenthesised list (port.h;
 * names with addr, base, ptr or lock in hex, the others in decimal).
 *
 * Tracing (vregion/trace.h): with VREGION_TRACE=path in the environment of
 * any program linked with vregion, or the config's trace_path (the
 * environment wins), the port writes a trace file: first line
 * vr_trace_header(), then one line per event (vr_trace_format), each written
 * by one write(2) as it happens (a crash keeps everything before it). Ports
 * of one process naming the same path share the file (the first truncates
 * it). A line's seq is its place among its pool's lines in the file (the
 * port stamps it under the lock that covers the write, so threads cannot
 * reorder a pool's lines; vregion/trace.h). The config's trace callback,
 * when set, gets every event too, as the core made it (seq 0).
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
#define VR_POSIX_MAX_PHYS_PAGES ((size_t)1 << 27)

/* Smallest max_mappings a config may set (a port with one mapped run needs 4). */
#define VR_POSIX_MIN_MAPPINGS 8u

/* Default punch_min_pages: never punch at unmap. Measured (docs/vpage.md):
 * a punched page costs its next toucher a kernel page allocation, slower
 * than the memset it saves unless the page is never touched again. */
#define VR_POSIX_PUNCH_MIN_DEFAULT SIZE_MAX

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
	/* Log hook and its context. NULL: lines on stderr (see Logging). Set:
	 * every message that passes the threshold, the core's and the port's,
	 * goes to log(log_ctx, ...) instead (it must not call into vregion). */
	void (*log)(void *log_ctx, enum vr_log_level level, const char *func,
		    const char *msg, uintptr_t a, uintptr_t b);
	void *log_ctx;
	/* Trace file path (NULL: none, unless VREGION_TRACE is set, which wins);
	 * create fails with open's -errno if it cannot be written. */
	const char *trace_path;
	/* Trace callback and its context, called for every event (after the
	 * file's line); NULL: none. vregion/trace.h says what it may do. */
	vr_trace_fn trace;
	void *trace_ctx;
	/* Kernel mappings this port may use, as if vm.max_map_count were this
	 * small (to test the limit's handling); 0 = no limit of its own (the
	 * process's budget still applies); else >= VR_POSIX_MIN_MAPPINGS. */
	size_t max_mappings;
	/* Unmap punches physical runs of at least this many pages (see zeroing);
	 * 0 = VR_POSIX_PUNCH_MIN_DEFAULT; SIZE_MAX = never (memset at the next map). */
	size_t punch_min_pages;
};

/* Counters of one port (a snapshot; each field is exact, the set is not atomic). */
struct vr_posix_port_stats {
	size_t page_size;
	size_t phys_pages;		/* P */
	size_t phys_free;		/* physical pages neither mapped nor held */
	size_t window_pages;		/* W */
	size_t mapped_pages;		/* window pages currently mapped */
	size_t held_pages;		/* window pages held at the mapping limit */
	size_t held_total;		/* pages ever held */
	size_t parked_pages;		/* unmapped window pages parked (PROT_NONE) */
	size_t parked_total;		/* pages ever parked by unmap */
	size_t revived_pages;		/* pages mapped back by mprotect (parked, held) */
	size_t mappings;		/* kernel mappings of this port, exact */
	size_t mapping_limit;		/* what they may grow to now */
	size_t pages_punched;		/* pages punched out of the memfd at unmap */
	size_t trace_lines;		/* trace lines written */
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
 * space (the process has no free range of 2 * window_pages + 4 pages for
 * the windows and their guards: probed before anything is allocated),
 * page_size is not 0 and not a power-of-two multiple of the system page
 * size, cache_line is not 0 and not a power of two, log_level is outside
 * VR_POSIX_LOG_OFF..VR_LOG_DBG, or max_mappings is not 0 and below
 * VR_POSIX_MIN_MAPPINGS; -ENOMEM iff malloc fails or the window's
 * per-page records (4 bytes a page) would take the host's physical memory
 * or more (refused before malloc, as meta_alloc's requests); or the negative errno of
 * memfd_create/ftruncate/mmap, or of opening trace_path (-EMFILE also when
 * the process has 8 distinct trace files open already). On error *port is
 * zeroed and nothing is left allocated. O(W / 64 + P / 64) plus the syscalls
 * (the first port of the process also reads vm.max_map_count and counts the
 * process's mappings).
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
 * windows is invalid afterwards, and so is any copy of *port made before:
 * its ctx is freed, so destroying or calling through a copy is undefined
 * (as a use after free(); *port itself is zeroed and a second destroy of it
 * is -EINVAL).
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
 * Full consistency check, O(W + P): every mapped or held window page
 * records a distinct physical page marked used, used pages == mapped + held
 * pages, the free count matches the bitmap, no record holds an out-of-range
 * page, and the mapping count agrees with the records.
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
