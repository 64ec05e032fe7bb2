/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/trace.h - the trace hook: one event per public operation, so a
 * firmware's real allocations can be recorded and replayed by vrsim
 * (`vrsim --trace FILE`). The text format of an event is docs/trace.md.
 *
 * Where it goes: `struct vr_port` has an optional `trace` callback (NULL:
 * nothing is traced; the cost is one NULL test per operation). The posix
 * port installs one that writes a trace file when its config names one or
 * the environment has VREGION_TRACE=path (vregion/port_posix.h); a firmware
 * port prints each event as one prefixed log line (vr_trace_format below),
 * so a captured log filtered by the prefix is a trace file.
 * VR_CONFIG_TRACE=0 (vregion/config.h) compiles every emission out.
 *
 * What is traced (op, and the fields it sets; other fields are 0):
 *   pool init/deinit   pool, result; init also page_size, cache_line,
 *                      window_pages, phys_pages, guard_pages (init is traced
 *                      only when it succeeds: a failed pool has no number)
 *   page alloc/reserve pool, npages, perms, result, page (first page index in
 *                      the window on success, SIZE_MAX on failure)
 *   page free          pool, page, result (-EINVAL for a pointer that is not
 *                      a run start: page is then SIZE_MAX)
 *   page map/unmap/protect  pool, page, npages, perms, result
 *   region create      pool, region (its id, on success), size (bytes asked),
 *                      align (min_align asked, 0 = default), flags (region
 *                      flags), name (the config's), result; on success also
 *                      npages and page
 *   region get/put     pool, region, refs (count after the call), result
 *   region release     pool, region, live (allocations still live), result
 *                      (the port's errno if the pages did not come back at
 *                      once; see vr_region_put)
 *   set_interim        pool, region, phase (before), result, offset (interim
 *                      base from the region base) and size (interim bytes)
 *   interim reset      pool, region, result
 *   alloc              pool, region, phase, size, align (as asked), coherent,
 *                      result, offset (from the region base, on success);
 *                      result: -EINVAL bad arguments, -ENOSPC phase INVALID,
 *                      -ENOMEM no space (in the current phase)
 *   free               pool, region, phase, offset (ptr - base as asked, either
 *                      alias converted; SIZE_MAX for a pointer outside), result
 * Calls with a NULL or released handle are not traced (there is no pool or
 * region to name). The SOF layer's calls arrive as the same events with
 * `api` naming SOF's function (e.g. "vregion_alloc_align").
 *
 * Identities: `pool` is the pool's number in the process (1, 2, ... in init
 * order); `region` is the region's creation number in its pool (1, 2, ...),
 * never reused, so a trace names a region by its creation, not its address;
 * `seq` numbers the events of a pool as they are RECORDED (1, 2, ...), so a
 * reader sees lines a lossy channel dropped: the core leaves it 0 and the
 * writer stamps it (the posix trace file and the Zephyr port's trace log
 * both do, in the order the lines are written); a hook of your own may.
 * Page operations that a region operation makes itself (its run at create,
 * its free at the last put, the protect of a seal) are not traced: the
 * region's event stands for them (a replay re-creates the pages from it).
 *
 * The hook runs in the caller's context, with the region's or the pool's
 * lock held (for a region's allocations and frees, on a port with short
 * locks, its short lock: k_spin_lock on Zephyr): it must not call into
 * vregion and should be quick (format into a buffer, write it out or hand it
 * to a log); under a spinlock it must not sleep or take a mutex (the Zephyr
 * port's vrtrace hook is one LOG_INF, allowed there). Not for interrupt
 * context, as the calls it traces.
 */
#ifndef VREGION_TRACE_H
#define VREGION_TRACE_H

#include "vregion/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Format version of docs/trace.md written by vr_trace_format. */
#define VR_TRACE_VERSION 1

enum vr_trace_op {
	VR_TRACE_POOL_INIT = 1,
	VR_TRACE_POOL_DEINIT,
	VR_TRACE_PAGE_ALLOC,
	VR_TRACE_PAGE_RESERVE,
	VR_TRACE_PAGE_FREE,
	VR_TRACE_PAGE_MAP,
	VR_TRACE_PAGE_UNMAP,
	VR_TRACE_PAGE_PROTECT,
	VR_TRACE_REGION_CREATE,
	VR_TRACE_REGION_GET,
	VR_TRACE_REGION_PUT,
	VR_TRACE_REGION_RELEASE,
	VR_TRACE_SET_INTERIM,
	VR_TRACE_INTERIM_RESET,
	VR_TRACE_ALLOC,
	VR_TRACE_FREE,
};

struct vr_trace_event {
	enum vr_trace_op op;
	const char *api;	/* the public function called (constant string) */
	uint32_t pool;		/* pool number in the process, from 1 */
	uint32_t region;	/* region number in its pool, from 1; 0 = none */
	int result;		/* 0 or a negative errno */
	int phase;		/* enum vr_region_phase at the call (region ops) */
	bool coherent;		/* alloc: a coherent allocation */
	unsigned flags;		/* create: region flags */
	unsigned perms;		/* page alloc/map/protect: VR_PERM_* */
	size_t size;		/* alloc, create: bytes asked; set_interim: interim bytes */
	size_t align;		/* alloc: alignment asked; create: min_align asked */
	size_t offset;		/* alloc, free: byte offset in the region; set_interim:
				 * interim base offset */
	size_t page;		/* page ops, create: first page index in the window */
	size_t npages;		/* page ops, create: pages */
	size_t refs;		/* get/put: reference count after the call */
	size_t live;		/* release: allocations still live */
	/* pool init only: the platform (a trace describes itself) */
	size_t page_size, cache_line, window_pages, phys_pages, guard_pages;
	/* region create: the region's name (its config's; NULL: none) */
	const char *name;
	/* the event's number in its pool as recorded, 1, 2, ... (stamped by the
	 * writer, see above; a reader sees a line missing from a lossy log);
	 * 0 = not numbered (what the core passes) */
	uint32_t seq;
};

/* The hook's type (the `trace` member of struct vr_port). */
typedef void (*vr_trace_fn)(void *ctx, const struct vr_trace_event *ev);

/* Short lower-case name of an op ("alloc", "region_create", ...), as in the
 * trace format; "?" for an unknown value. O(1). */
const char *vr_trace_op_name(enum vr_trace_op op);

/*
 * Write the event as one line of the trace format (docs/trace.md, version
 * VR_TRACE_VERSION), without a newline, into buf (always NUL-terminated
 * when len > 0). Returns the length of the whole line (as snprintf: the
 * line was truncated iff the result >= len). A line is never longer than
 * VR_TRACE_LINE_MAX - 1. Freestanding: no stdio. O(1).
 */
#define VR_TRACE_LINE_MAX 320
size_t vr_trace_format(const struct vr_trace_event *ev, char *buf, size_t len);

/* The first line of a trace file (the format's signature and version),
 * without a newline: "# vregion-trace 1". */
const char *vr_trace_header(void);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_TRACE_H */
