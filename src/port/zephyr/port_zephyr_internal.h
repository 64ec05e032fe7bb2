/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_zephyr_internal.h - shared by the files of the Zephyr port: the
 * geometry defaults and the trace writer (port_zephyr_trace.c, built with
 * CONFIG_VREGION_TRACE_LOG). Not installed.
 */
#ifndef VR_PORT_ZEPHYR_INTERNAL_H
#define VR_PORT_ZEPHYR_INTERNAL_H

#include "vregion/trace.h"

#ifdef CONFIG_VREGION_TRACE_LOG
/* The trace hook: each event as one "vrtrace" log line. */
vr_trace_fn vri_zephyr_trace_hook(void);
/* Log the trace header line (once per boot is enough; every port init
 * with trace_log logs it, so a capture always starts with one). */
void vri_zephyr_trace_start(void);
#else
static inline vr_trace_fn vri_zephyr_trace_hook(void)
{
	return NULL;
}

static inline void vri_zephyr_trace_start(void)
{
}
#endif

#endif /* VR_PORT_ZEPHYR_INTERNAL_H */
