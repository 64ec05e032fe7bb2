/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SHAPE of SOF's zephyr/include/sof/lib/vpage.h at HEAD (with #11037's
 * reserve/release/get_region, without #11041's stats), for the compile
 * check of vregion's SOF mode (tests/zephyr/CMakeLists.txt,
 * vr_zephyr_sof_shape): it includes Zephyr's kernel and memory-management
 * headers, as SOF's does. The prototypes must stay exactly SOF's.
 */
#ifndef __SOF_LIB_VPAGE_H__
#define __SOF_LIB_VPAGE_H__

#include <zephyr/kernel.h>
#include <zephyr/drivers/mm/system_mm.h>
#include <stdint.h>

void *vpage_alloc(unsigned int pages);
void vpage_free(void *ptr);
void *vpage_reserve(unsigned int pages);
void vpage_release(void *ptr);
const struct sys_mm_drv_region *vpage_get_region(void);

#endif /* __SOF_LIB_VPAGE_H__ */
