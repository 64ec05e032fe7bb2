/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/vregion_all.h - every header of vregion's own API, for a program
 * that does not want to pick. Including it costs only compile time: the
 * headers declare, they define nothing but inline helpers.
 *
 * Not included: SOF's headers (<sof/lib/vpage.h>, <sof/lib/vregion.h>,
 * <rtos/alloc.h>), which use SOF's names (struct vregion, vpage_alloc, ...)
 * and are for SOF code only; include them yourself in that code.
 * The port headers are included on every platform: the functions of
 * <vregion/port_posix.h> exist only in builds with the posix port
 * (VREGION_PORT_POSIX, a Linux host), those of <vregion/port_zephyr.h> only
 * in Zephyr builds of the module (CONFIG_VREGION).
 * Which header is for what: README.md, "Which header".
 */
#ifndef VREGION_VREGION_ALL_H
#define VREGION_VREGION_ALL_H

#include "vregion/config.h"	/* build knobs (normally included by the others) */
#include "vregion/version.h"	/* VREGION_VERSION_*, vr_version() */
#include "vregion/port.h"	/* struct vr_port: what a platform provides */
#include "vregion/port_flat.h"	/* a port over a static buffer, no MMU */
#include "vregion/port_posix.h"	/* a port over memfd + mmap (Linux host builds) */
#include "vregion/port_zephyr.h"	/* a port over Zephyr's memory-management driver */
#include "vregion/bitmap.h"	/* word-wise bit runs (used by vpage) */
#include "vregion/vpage.h"	/* the virtual page allocator: a pool */
#include "vregion/heap.h"	/* the interim heap, alone over any buffer */
#include "vregion/vregion.h"	/* regions: lifetime and interim phases */
#include "vregion/trace.h"	/* the trace hook's events */
#include "vregion/names.h"	/* phase, errno and log level names */
#include "vregion/sof_compat.h"	/* set-up of the SOF compatibility layer */

#endif /* VREGION_VREGION_ALL_H */
