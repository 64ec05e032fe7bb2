/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/names.h - short, constant names for users' logs: a region's phase,
 * an errno the library returns, a log level.
 *
 * Each function returns a pointer to a static string (never NULL, never
 * freed), is O(1), thread-safe and freestanding (no stdio, no locale), and
 * accepts any value: one it does not know gets a fixed "unknown" string, so
 * a caller can print the result of any call without checking it first.
 *
 *   int rc = vr_region_set_interim(vr);
 *   printf("set_interim: %s; phase %s\n", vr_strerror(rc),
 *          vr_region_phase_name(vr_region_phase(vr)));
 *   -> "set_interim: 0: success; phase interim", or
 *      "set_interim: -ENOSPC: no space left for the interim heap; phase invalid"
 */
#ifndef VREGION_NAMES_H
#define VREGION_NAMES_H

#include "vregion/port.h"
#include "vregion/vregion.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The phase as one lower-case word: "lifetime", "interim", "invalid";
 * "unknown" for a value outside enum vr_region_phase.
 */
const char *vr_region_phase_name(enum vr_region_phase phase);

/*
 * A return code of the library as "-ENAME: what it means here", e.g.
 * "-ENOMEM: out of memory", "0: success". Covers every errno the library
 * returns (EINVAL, ENOMEM, EFAULT, EBUSY, EIO, ENOENT, ENOSPC, ENOSYS,
 * ENOTSUP; the posix port's create also EMFILE, and what memfd_create or
 * opening its trace file may give: ENFILE, EACCES, ENOTDIR, EISDIR, EROFS)
 * and a few a port may pass through (EPERM, EAGAIN, EEXIST, ERANGE,
 * EOVERFLOW). A positive value is named as its negative (the
 * library never returns one, but a port callback might). Anything else:
 * "unknown error".
 */
const char *vr_strerror(int err);

/*
 * A log level of the log hook as three capitals: "ERR", "WRN", "INF", "DBG";
 * "???" for a value outside enum vr_log_level.
 */
const char *vr_log_level_name(enum vr_log_level level);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_NAMES_H */
