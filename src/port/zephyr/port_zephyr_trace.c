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

/* Each pool's events are numbered (seq) as they are logged, under one
 * spinlock that also covers the LOG_INF, so a pool's lines reach the log in
 * seq order and a reader of the captured log sees any line it dropped. */
#define ZP_TRACE_SEQ_POOLS 16	/* pools numbered above this get no seq */
static struct k_spinlock zp_trace_lock;
static uint32_t zp_trace_seq[ZP_TRACE_SEQ_POOLS];

static void zp_trace(void *ctx, const struct vr_trace_event *ev)
{
	struct vr_trace_event e = *ev;
	char line[VR_TRACE_LINE_MAX];
	k_spinlock_key_t key;

	ARG_UNUSED(ctx);
	key = k_spin_lock(&zp_trace_lock);
	if (e.pool != 0 && e.pool <= ZP_TRACE_SEQ_POOLS)
		e.seq = ++zp_trace_seq[e.pool - 1];
	(void)vr_trace_format(&e, line, sizeof(line));
	LOG_INF("%s", line);
	k_spin_unlock(&zp_trace_lock, key);
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
