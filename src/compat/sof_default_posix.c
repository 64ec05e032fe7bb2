/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_default_posix.c - the default pool's glue on a host
 * (VREGION_PORT_POSIX): a posix port with the defaults of
 * vregion/sof_compat.h (pages of 4096, cache line 64, 512 virtual and 384
 * physical pages), a pthread mutex around setup, libc as the platform heap.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/port_posix.h"
#include "vregion/sof_compat.h"
#include "sof_default.h"

static pthread_mutex_t glue_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct vr_port glue_port;

void vr_sof_glue_lock(void)
{
	pthread_mutex_lock(&glue_mutex);
}

void vr_sof_glue_unlock(void)
{
	pthread_mutex_unlock(&glue_mutex);
}

int vr_sof_glue_port_create(const struct vr_port **port)
{
	struct vr_posix_port_config cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.page_size = VR_SOF_PAGE_SIZE;
	cfg.phys_pages = VR_SOF_PHYS_PAGES;
	cfg.window_pages = VR_SOF_VIRT_PAGES;
	cfg.cache_line = VR_SOF_CACHE_LINE;
	rc = vr_posix_port_create(&glue_port, &cfg);
	if (rc == -EINVAL) {
		/* a host whose pages are larger than 4096: use its page size */
		cfg.page_size = 0;
		rc = vr_posix_port_create(&glue_port, &cfg);
	}
	if (rc == 0)
		*port = &glue_port;
	return rc;
}

void vr_sof_glue_port_destroy(void)
{
	(void)vr_posix_port_destroy(&glue_port);
}

void *vr_sof_glue_heap_alloc(size_t bytes, size_t align)
{
	void *p = NULL;

	if (align <= sizeof(void *))
		return malloc(bytes);
	return posix_memalign(&p, align, bytes) == 0 ? p : NULL;
}

void vr_sof_glue_heap_free(void *ptr)
{
	free(ptr);
}
