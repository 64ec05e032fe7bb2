/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <zephyr/drivers/mm/mm_drv_intel_adsp_mtl_tlb.h>: the first
 * unused, page-aligned address after the "firmware image" (simulated). */
#ifndef VR_STUB_MM_DRV_INTEL_ADSP_MTL_TLB_H
#define VR_STUB_MM_DRV_INTEL_ADSP_MTL_TLB_H

#include <stdint.h>

uintptr_t adsp_mm_get_unused_l2_start_aligned(void);

#endif
