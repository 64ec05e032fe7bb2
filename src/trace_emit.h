/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trace_emit.h - how the core emits a trace event (vregion/trace.h).
 * Private: shared by vpage.c and vregion.c, not installed.
 *
 *   VRI_TRACE(port, .op = VR_TRACE_PAGE_ALLOC, .api = api, .pool = id,
 *             .npages = n, .perms = perms, .result = rc, .page = idx);
 *
 * The arguments after `port` are designated initialisers of a struct
 * vr_trace_event; fields not named are 0. The cost when the port has no
 * trace hook is one NULL test of port->trace (the event is not built); with
 * VR_CONFIG_TRACE=0 the macro emits nothing and evaluates no argument (they
 * still count as used, so no variable turns "unused").
 * `port` is evaluated once.
 *
 * Call it with the lock of the pool or the region held (trace.h: the hook
 * runs under that lock, so events arrive in the order the operations took
 * effect) and with the operation's final result.
 *
 * VRI_TRACING(port) is true iff an event would be emitted (to skip work that
 * only a trace needs, e.g. taking a region id); false with VR_CONFIG_TRACE=0.
 */
#ifndef VREGION_TRACE_EMIT_H
#define VREGION_TRACE_EMIT_H

#include "vregion/port.h"
#include "vregion/trace.h"

#if VR_CONFIG_TRACE
#define VRI_TRACING(port) ((port)->trace != NULL)
#define VRI_TRACE(port, ...)                                                   \
	do {                                                                   \
		const struct vr_port *vri_tp_ = (port);                        \
		if (VR_UNLIKELY(vri_tp_->trace != NULL)) {                     \
			const struct vr_trace_event vri_te_ = { __VA_ARGS__ }; \
			vri_tp_->trace(vri_tp_->ctx, &vri_te_);                \
		}                                                              \
	} while (0)
#else
#define VRI_TRACING(port) ((void)(port), false)
/* sizeof: nothing is evaluated, but the variables count as used */
#define VRI_TRACE(port, ...) ((void)sizeof((port)->trace), (void)sizeof((struct vr_trace_event){ __VA_ARGS__ }))
#endif

#endif /* VREGION_TRACE_EMIT_H */
