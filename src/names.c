/* SPDX-License-Identifier: BSD-3-Clause */
/* names.c - phase, errno and log level names for users' logs (vregion/names.h). */
#include <errno.h>
#include <limits.h>

#include "vregion/names.h"

const char *vr_region_phase_name(enum vr_region_phase phase)
{
	switch (phase) {
	case VR_REGION_LIFETIME:
		return "lifetime";
	case VR_REGION_INTERIM:
		return "interim";
	case VR_REGION_INVALID:
		return "invalid";
	}
	return "unknown";
}

/* One switch: the compiler checks that no two cases share a value (on a C
 * library where two of these names are one errno, the build says so). */
const char *vr_strerror(int err)
{
	if (err < -INT_MAX)
		return "unknown error";
	switch (err < 0 ? -err : err) {
	case 0:
		return "0: success";
	case EINVAL:
		return "-EINVAL: invalid argument";
	case ENOMEM:
		return "-ENOMEM: out of memory";
	case EFAULT:
		return "-EFAULT: bad pointer or corrupted metadata";
	case EBUSY:
		return "-EBUSY: still in use";
	case EIO:
		return "-EIO: the port failed";
	case ENOENT:
		return "-ENOENT: no such page or entry";
	case ENOSPC:
		return "-ENOSPC: no space left for the interim heap";
	case ENOSYS:
		return "-ENOSYS: not implemented by the port";
	case ENOTSUP:
		return "-ENOTSUP: not supported by the port";
	case EPERM:
		return "-EPERM: operation not permitted";
	case EACCES:
		return "-EACCES: permission denied";
	case EAGAIN:
		return "-EAGAIN: try again";
	case EEXIST:
		return "-EEXIST: already exists";
	case ERANGE:
		return "-ERANGE: out of range";
	case EOVERFLOW:
		return "-EOVERFLOW: value too large";
	case EMFILE:
		return "-EMFILE: too many open files in the process";
	case ENFILE:
		return "-ENFILE: too many open files in the system";
	case ENOTDIR:
		return "-ENOTDIR: a path component is not a directory";
	case EISDIR:
		return "-EISDIR: the path is a directory";
	case EROFS:
		return "-EROFS: read-only file system";
	default:
		return "unknown error";
	}
}

const char *vr_log_level_name(enum vr_log_level level)
{
	switch (level) {
	case VR_LOG_ERR:
		return "ERR";
	case VR_LOG_WRN:
		return "WRN";
	case VR_LOG_INF:
		return "INF";
	case VR_LOG_DBG:
		return "DBG";
	}
	return "???";
}
