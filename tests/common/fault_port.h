/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_port.h - a test port that wraps any struct vr_port and makes chosen
 * calls fail (littlefs' emubd idea, for page mapping).
 *
 * Usage (add common/fault_port.c to the test's SOURCES):
 *   struct vr_fault_port fp;
 *   vr_fault_port_init(&fp, inner_port);          // forwards everything
 *   vr_fault_port_arm(&fp, VR_FAULT_MAP, VR_FAULT_ONLY, 3, -EIO);
 *   vr_vpage_pool_init(&pool, &fp.port, NULL);     // the core sees fp.port
 *   ...                                            // the 3rd map() fails
 *
 * Counting: each kind counts its calls from 1, starting at init, at the last
 * vr_fault_port_arm() of that kind, or at vr_fault_port_reset(). Call k is
 * the k-th call counted so (k >= 1). Failed calls are counted too.
 * Modes: VR_FAULT_ONLY fails only call k; VR_FAULT_FROM fails call k and
 * every later call; VR_FAULT_OFF fails nothing (counting goes on).
 *
 * A failing call does NOT reach the inner port, so port.h's Q1 ("a failed
 * call changed nothing") holds exactly: map/unmap/protect return `err`
 * (a negative errno; 0 or positive is replaced by -EIO), meta_alloc and
 * lock_create return NULL.
 * Every other callback (short locks and the trace hook included), and every
 * call that does not fail, is forwarded to the inner port with the inner
 * port's ctx. Optional callbacks the inner
 * port lacks stay NULL. The page geometry is copied from the inner port.
 *
 * Not thread-safe: the counters are plain integers (arm and read them from
 * one thread, or under your own lock). Test-only code; freestanding (no libc
 * calls), so it also runs on emulated targets.
 */
#ifndef VR_FAULT_PORT_H
#define VR_FAULT_PORT_H

#include "vregion/port.h"

enum vr_fault_kind {
	VR_FAULT_MAP,
	VR_FAULT_UNMAP,
	VR_FAULT_PROTECT,
	VR_FAULT_META_ALLOC,
	VR_FAULT_LOCK_CREATE,
	VR_FAULT_NKINDS
};

enum vr_fault_mode {
	VR_FAULT_OFF,	/* never fail */
	VR_FAULT_ONLY,	/* fail call k only */
	VR_FAULT_FROM,	/* fail call k and every call after it */
};

struct vr_fault_port {
	struct vr_port port;		/* hand &fp->port to the core */
	const struct vr_port *inner;
	struct {
		enum vr_fault_mode mode;
		unsigned long k;	/* the call that fails (>= 1) */
		int err;		/* what map/unmap/protect return */
		unsigned long calls;	/* calls since the last arm/reset */
		unsigned long failed;	/* calls failed since the last arm/reset */
	} f[VR_FAULT_NKINDS];
};

/* Wrap `inner` (which must outlive fp). Nothing armed, counters 0. */
void vr_fault_port_init(struct vr_fault_port *fp, const struct vr_port *inner);

/* Arm one kind: reset its counters, then fail per mode/k with err. */
void vr_fault_port_arm(struct vr_fault_port *fp, enum vr_fault_kind kind,
		       enum vr_fault_mode mode, unsigned long k, int err);

/* Disarm every kind and reset every counter. */
void vr_fault_port_reset(struct vr_fault_port *fp);

/* Calls of `kind` (failed ones included) / failed calls since arm/reset. */
unsigned long vr_fault_port_calls(const struct vr_fault_port *fp, enum vr_fault_kind kind);
unsigned long vr_fault_port_failed(const struct vr_fault_port *fp, enum vr_fault_kind kind);

#endif /* VR_FAULT_PORT_H */
