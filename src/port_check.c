/* SPDX-License-Identifier: BSD-3-Clause */
/* port_check.c - validation of a port description (shared by every layer). */
#include <errno.h>

#include "vregion/port.h"
#include "util.h"

/* An optional group of `total` callbacks, `set` of them non-NULL: all or none. */
static bool vp_group_ok(unsigned set, unsigned total)
{
	VR_ASSERT(set <= total);
	return set == 0 || set == total;
}

/* The two lock groups: each all or none; short locks only with locks. */
static bool vp_locks_ok(const struct vr_port *port)
{
	unsigned nlock = (unsigned)(port->lock_create != NULL) + (unsigned)(port->lock_destroy != NULL) +
			 (unsigned)(port->lock != NULL) + (unsigned)(port->unlock != NULL);
	unsigned nspin = (unsigned)(port->spin_create != NULL) + (unsigned)(port->spin_destroy != NULL) +
			 (unsigned)(port->spin_lock != NULL) + (unsigned)(port->spin_unlock != NULL);

	return vp_group_ok(nlock, 4) && vp_group_ok(nspin, 4) && (nspin == 0 || nlock == 4);
}

int vr_port_check(const struct vr_port *port)
{
	unsigned shift;

	if (!port || !port->map || !port->unmap || !port->meta_alloc || !port->meta_free)
		return -EINVAL;
	if (!vr_is_pow2(port->page_size) || port->page_size < 64)
		return -EINVAL;
	if (!port->window_base || (port->window_base & (port->page_size - 1)))
		return -EINVAL;
	if (!port->window_pages || !port->phys_pages)
		return -EINVAL;
	/* log2 of the page size: a shift below, not a division (no divider on
	 * some cores) */
	shift = vr_log2_pow2(port->page_size);
	/* the window's end (base + pages * size) must be representable: a
	 * window whose last page ends at the top of the address space is refused,
	 * so every layer may compute the end without wrapping */
	if (port->window_pages > (UINTPTR_MAX - port->window_base) >> shift)
		return -EINVAL;
	if (port->cache_line && !vr_is_pow2(port->cache_line))
		return -EINVAL;
	if (!vp_locks_ok(port))
		return -EINVAL;
	return 0;
}
