/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for Intel ADSP's <adsp_memory_regions.h>: add a region to the
 * table sys_mm_drv_query_memory_regions() returns (simulated driver). */
#ifndef VR_STUB_ADSP_MEMORY_REGIONS_H
#define VR_STUB_ADSP_MEMORY_REGIONS_H

#include <stdint.h>

int adsp_add_virtual_memory_region(uintptr_t region_address, uint32_t region_size, uint32_t attr);

#endif
