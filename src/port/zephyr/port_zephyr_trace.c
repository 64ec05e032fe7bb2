/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port/zephyr/port_zephyr_trace.c - the Zephyr port's trace hook
 * (CONFIG_VREGION_TRACE_LOG): every event as one line of the trace format
 * (docs/trace.md) logged by the module "vrtrace" at INF, so a captured log
 * filtered by "vrtrace: " is a trace file for vrsim:
 *   grep -o 'vrtrace: .*' log.txt | sed 's/^vrtrace: //' > app.trace
 * The hook runs with the pool's or region's lock held; it formats into a
 * stack buffer of VR_TRACE_LINE_MAX bytes (deferred logging copies the
 * string).
 */
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

#include "vregion/trace.h"
#include "port_zephyr_internal.h"

#ifdef CONFIG_VREGION_TRACE_LOG
LOG_MODULE_REGISTER(vrtrace, LOG_LEVEL_INF);

static void zp_trace(void *ctx, const struct vr_trace_event *ev)
{
	char line[VR_TRACE_LINE_MAX];

	ARG_UNUSED(ctx);
	(void)vr_trace_format(ev, line, sizeof(line));
	LOG_INF("%s", line);
}

vr_trace_fn vri_zephyr_trace_hook(void)
{
	return zp_trace;
}

void vri_zephyr_trace_start(void)
{
	LOG_INF("%s", vr_trace_header());
}
#endif /* CONFIG_VREGION_TRACE_LOG */
