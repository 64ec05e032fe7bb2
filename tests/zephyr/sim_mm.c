/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_mm.c - the simulated Intel ACE memory-management driver (sim_mm.h).
 * Host only: memfd + mmap. Test code.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zephyr/cache.h>
#include <zephyr/kernel.h>
#include <zephyr/drivers/mm/system_mm.h>
#include <adsp_memory.h>
#include <adsp_memory_regions.h>
#include <zephyr/drivers/mm/mm_drv_intel_adsp_mtl_tlb.h>

#include "sim_mm.h"

#define MAX_REGIONS 8

struct entry {
	long frame;	/* -1: never mapped */
	bool enabled;
};

static struct {
	pthread_mutex_t mu;
	struct sim_mm_config cfg;
	int fd;
	uint8_t *res;		/* reservation of both aliases */
	size_t res_bytes;
	uintptr_t vbase, uoff;
	struct entry *tlb;
	bool *frame_used;
	size_t frames_free;
	struct sys_mm_drv_region regions[MAX_REGIONS + 1];
	struct sim_mm_stats st;
	unsigned long fail_k;
	int fail_err;
	bool up;
} sim = { .mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

int sim_mm_init(const struct sim_mm_config *cfg)
{
	size_t i, vbytes;

	if (sim.up || !cfg->vpages || !cfg->frames)
		return -EINVAL;
	memset(&sim.st, 0, sizeof(sim.st));
	sim.cfg = *cfg;
	vbytes = cfg->vpages * SIM_PG;
	sim.fd = memfd_create("sim_mm", 0);
	if (sim.fd < 0 || ftruncate(sim.fd, (off_t)(cfg->frames * SIM_PG)))
		return -errno;
	/* [guard][cached: V][guard][uncached: V][guard] */
	sim.res_bytes = 2 * vbytes + 3 * SIM_PG;
	sim.res = mmap(NULL, sim.res_bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (sim.res == MAP_FAILED)
		return -errno;
	sim.vbase = (uintptr_t)sim.res + SIM_PG;
	sim.uoff = cfg->doublemap ? vbytes + SIM_PG : 0;
	sim.tlb = calloc(cfg->vpages, sizeof(*sim.tlb));
	sim.frame_used = calloc(cfg->frames, sizeof(bool));
	if (!sim.tlb || !sim.frame_used)
		return -ENOMEM;
	for (i = 0; i < cfg->vpages; i++)
		sim.tlb[i].frame = -1;
	sim.frames_free = cfg->frames;
	memset(sim.regions, 0, sizeof(sim.regions));
	sim.fail_k = 0;
	sim.up = true;
	return 0;
}

void sim_mm_fini(void)
{
	if (!sim.up)
		return;
	munmap(sim.res, sim.res_bytes);
	close(sim.fd);
	free(sim.tlb);
	free(sim.frame_used);
	sim.fd = -1;
	sim.up = false;
}

uintptr_t sim_mm_vbase(void)
{
	return sim.vbase;
}

uintptr_t sim_mm_uncached_offset(void)
{
	return sim.uoff;
}

/* ---- fault injection and helpers (mutex held) ------------------------------ */

static int injected(void)
{
	sim.st.calls++;
	if (sim.fail_k && sim.st.calls == sim.fail_k) {
		sim.st.failed++;
		return sim.fail_err;
	}
	return 0;
}

void sim_mm_fail_at(unsigned long k, int err)
{
	pthread_mutex_lock(&sim.mu);
	sim.fail_k = k;
	sim.fail_err = err ? err : -EIO;
	sim.st.calls = 0;
	pthread_mutex_unlock(&sim.mu);
}

/* Page index of a cached virtual address (either alias accepted, as the
 * Intel driver converts to cached), or -1 if outside / unaligned. */
static long vpage_of(const void *virt)
{
	uintptr_t a = (uintptr_t)virt;

	if (sim.uoff && a >= sim.vbase + sim.uoff)
		a -= sim.uoff;
	if (a < sim.vbase || (a & (SIM_PG - 1)) || (a - sim.vbase) / SIM_PG >= sim.cfg.vpages)
		return -1;
	return (long)((a - sim.vbase) / SIM_PG);
}

static int view(long vp, long frame, int prot)
{
	uint8_t *c = (uint8_t *)(sim.vbase + (size_t)vp * SIM_PG);
	void *r;

	if (frame < 0) {
		r = mmap(c, SIM_PG, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
		if (r != MAP_FAILED && sim.uoff)
			r = mmap(c + sim.uoff, SIM_PG, PROT_NONE,
				 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	} else {
		r = mmap(c, SIM_PG, prot, MAP_FIXED | MAP_SHARED, sim.fd, (off_t)frame * SIM_PG);
		if (r != MAP_FAILED && sim.uoff)
			r = mmap(c + sim.uoff, SIM_PG, prot, MAP_FIXED | MAP_SHARED, sim.fd,
				 (off_t)frame * SIM_PG);
	}
	return r == MAP_FAILED ? -ENOMEM : 0;
}

static int prot_of(uint32_t flags)
{
	if (!sim.cfg.perms)
		return PROT_READ | PROT_WRITE;	/* no permission bits in the TLB */
	return PROT_READ | ((flags & SYS_MM_MEM_PERM_RW) ? PROT_WRITE : 0);
}

/* ---- the driver ------------------------------------------------------------- */

static int map_page_locked(void *virt, uintptr_t phys, uint32_t flags)
{
	long vp = vpage_of(virt), f;
	int rc = injected();

	if (rc)
		return rc;
	if (vp < 0 || (!sim.cfg.given_frames && phys))
		return -EINVAL;	/* Intel's port use: 0, "any frame" */
	if (sim.cfg.given_frames) {
		if (phys < SIM_PHYS_BASE || (phys - SIM_PHYS_BASE) % SIM_PG ||
		    (phys - SIM_PHYS_BASE) / SIM_PG >= sim.cfg.frames)
			return -EINVAL;
		f = (long)((phys - SIM_PHYS_BASE) / SIM_PG);
		if (sim.frame_used[f])
			return -EBUSY;
	} else {
		for (f = 0; f < (long)sim.cfg.frames && sim.frame_used[f]; f++)
			;
	}
	if (f == (long)sim.cfg.frames) {
		sim.st.asserts++;	/* __ASSERT(false, "unable to assign free phys page") */
		return -ENOMEM;
	}
	if (sim.tlb[vp].enabled)
		sim.st.leaked_frames++;	/* entry overwritten: its frame stays used */
	sim.frame_used[f] = true;
	sim.frames_free--;
	sim.tlb[vp].frame = f;
	sim.tlb[vp].enabled = true;
	sim.st.invalidates++;
	return view(vp, f, prot_of(flags | SYS_MM_MEM_PERM_RW));
}

int sys_mm_drv_map_page(void *virt, uintptr_t phys, uint32_t flags)
{
	vr_stub_may_block("sys_mm_drv_map_page");
	int rc;

	pthread_mutex_lock(&sim.mu);
	rc = map_page_locked(virt, phys, flags);
	pthread_mutex_unlock(&sim.mu);
	return rc;
}

static int unmap_page_locked(void *virt)
{
	long vp = vpage_of(virt), f;
	int rc = injected();

	if (rc)
		return rc;
	if (vp < 0)
		return -EINVAL;
	sim.st.flushes++;
	f = sim.tlb[vp].frame;
	if (f >= 0) {
		/* Intel frees the frame the entry names, enabled or not */
		if (!sim.tlb[vp].enabled || !sim.frame_used[f])
			sim.st.double_frees++;
		if (sim.frame_used[f]) {
			sim.frame_used[f] = false;
			sim.frames_free++;
		}
	}
	sim.tlb[vp].enabled = false;
	return view(vp, -1, PROT_NONE);
}

int sys_mm_drv_unmap_page(void *virt)
{
	vr_stub_may_block("sys_mm_drv_unmap_page");
	int rc;

	pthread_mutex_lock(&sim.mu);
	rc = unmap_page_locked(virt);
	pthread_mutex_unlock(&sim.mu);
	return rc;
}

int sys_mm_drv_map_region(void *virt, uintptr_t phys, size_t size, uint32_t flags)
{
	size_t off;
	int rc = 0, r;

	pthread_mutex_lock(&sim.mu);
	for (off = 0; off < size; off += SIM_PG) {
		r = map_page_locked((uint8_t *)virt + off, phys ? phys + off : 0, flags);
		if (r)
			rc = r;	/* keep going, undo nothing: as Intel's */
	}
	pthread_mutex_unlock(&sim.mu);
	return rc;
}

int sys_mm_drv_map_region_safe(const struct sys_mm_drv_region *region, void *virt,
			       uintptr_t phys, size_t size, uint32_t flags)
{
	uintptr_t start = (uintptr_t)region->addr, end = start + region->size;

	if ((uintptr_t)virt >= start && (uintptr_t)virt + size < end)	/* strict end */
		return sys_mm_drv_map_region(virt, phys, size, flags);
	return -EINVAL;
}

int sys_mm_drv_unmap_region(void *virt, size_t size)
{
	size_t off;
	int rc = 0, r;

	pthread_mutex_lock(&sim.mu);
	for (off = 0; off < size; off += SIM_PG) {
		r = unmap_page_locked((uint8_t *)virt + off);
		if (r)
			rc = r;
	}
	pthread_mutex_unlock(&sim.mu);
	return rc;
}

int sys_mm_drv_page_phys_get(void *virt, uintptr_t *phys)
{
	long vp;
	int rc;

	pthread_mutex_lock(&sim.mu);
	rc = injected();
	vp = vpage_of(virt);
	if (!rc && vp < 0)
		rc = -EINVAL;
	if (!rc && !sim.tlb[vp].enabled)
		rc = -EFAULT;
	if (!rc && phys)
		*phys = SIM_PHYS_BASE + (uintptr_t)sim.tlb[vp].frame * SIM_PG;
	pthread_mutex_unlock(&sim.mu);
	return rc;
}

int sys_mm_drv_update_page_flags(void *virt, uint32_t flags)
{
	vr_stub_may_block("sys_mm_drv_update_page_flags");
	long vp;
	int rc;

	pthread_mutex_lock(&sim.mu);
	rc = injected();
	vp = vpage_of(virt);
	if (!rc && vp < 0)
		rc = -EINVAL;
	if (!rc && !sim.tlb[vp].enabled)
		rc = -EFAULT;
	if (!rc && sim.cfg.perms)
		rc = view(vp, sim.tlb[vp].frame, prot_of(flags));
	pthread_mutex_unlock(&sim.mu);
	return rc;
}

const struct sys_mm_drv_region *sys_mm_drv_query_memory_regions(void)
{
	struct sys_mm_drv_region *copy = NULL;

	pthread_mutex_lock(&sim.mu);
	if (!injected()) {
		copy = malloc(sizeof(sim.regions));
		if (copy) {
			memcpy(copy, sim.regions, sizeof(sim.regions));
			sim.st.lists_live++;
		}
	}
	pthread_mutex_unlock(&sim.mu);
	return copy;
}

void sys_mm_drv_query_memory_regions_free(const struct sys_mm_drv_region *regions)
{
	if (!regions)
		return;
	pthread_mutex_lock(&sim.mu);
	sim.st.lists_live--;
	pthread_mutex_unlock(&sim.mu);
	memset((void *)(uintptr_t)regions, 0xa5, sizeof(sim.regions));
	free((void *)(uintptr_t)regions);
}

/* ---- Intel's region table ---------------------------------------------------- */

int sim_mm_add_region(uintptr_t addr, size_t size, uint32_t attr)
{
	size_t i;

	for (i = 0; i < MAX_REGIONS && sim.regions[i].size; i++)
		if (addr < (uintptr_t)sim.regions[i].addr + sim.regions[i].size &&
		    (uintptr_t)sim.regions[i].addr < addr + size)
			return -EINVAL;
	if (i == MAX_REGIONS)
		return -ENOMEM;
	sim.regions[i].addr = (void *)addr;
	sim.regions[i].size = size;
	sim.regions[i].attr = attr;
	return 0;
}

void sim_mm_clear_regions(void)
{
	memset(sim.regions, 0, sizeof(sim.regions));
}

int adsp_add_virtual_memory_region(uintptr_t region_address, uint32_t region_size, uint32_t attr)
{
	if (region_address < sim.vbase ||
	    region_address + region_size > sim.vbase + sim.cfg.vpages * SIM_PG)
		return -EINVAL;
	return sim_mm_add_region(region_address, region_size, attr);
}

uintptr_t adsp_mm_get_unused_l2_start_aligned(void)
{
	return sim.vbase + sim.cfg.image_pages * SIM_PG;
}

uintptr_t sim_mm_l2_base(void)
{
	return sim.vbase;
}

size_t sim_mm_l2_size(void)
{
	return sim.cfg.vpages * SIM_PG;
}

/* ---- cache and aliases ------------------------------------------------------- */

static bool in_uncached(const void *p)
{
	uintptr_t a = (uintptr_t)p, u = sim.vbase + sim.uoff;

	return sim.uoff && a >= u && a - u < sim.cfg.vpages * SIM_PG;
}

static bool in_cached(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	return a >= sim.vbase && a - sim.vbase < sim.cfg.vpages * SIM_PG;
}

size_t sim_mm_dcache_line = 64;

size_t sys_cache_data_line_size_get(void)
{
	return sim_mm_dcache_line;
}

int sys_cache_data_flush_range(void *addr, size_t size)
{
	vr_stub_may_block("sys_cache_data_flush_range");
	(void)addr;
	(void)size;
	__atomic_fetch_add(&sim.st.flushes, 1, __ATOMIC_RELAXED);
	return 0;
}

int sys_cache_data_invd_range(void *addr, size_t size)
{
	vr_stub_may_block("sys_cache_data_invd_range");
	(void)addr;
	(void)size;
	__atomic_fetch_add(&sim.st.invalidates, 1, __ATOMIC_RELAXED);
	return 0;
}

int sys_cache_data_flush_and_invd_range(void *addr, size_t size)
{
	(void)sys_cache_data_flush_range(addr, size);
	return sys_cache_data_invd_range(addr, size);
}

void *sys_cache_cached_ptr_get(void *ptr)
{
	return in_uncached(ptr) ? (uint8_t *)ptr - sim.uoff : ptr;
}

void *sys_cache_uncached_ptr_get(void *ptr)
{
	return sim.uoff && in_cached(ptr) ? (uint8_t *)ptr + sim.uoff : ptr;
}

bool sys_cache_is_ptr_cached(void *ptr)
{
	return sim.uoff && in_cached(ptr);
}

bool sys_cache_is_ptr_uncached(void *ptr)
{
	return in_uncached(ptr);
}

/* ---- inspection -------------------------------------------------------------- */

void sim_mm_get_stats(struct sim_mm_stats *st)
{
	pthread_mutex_lock(&sim.mu);
	*st = sim.st;
	st->frames_free = sim.frames_free;
	pthread_mutex_unlock(&sim.mu);
}

long sim_mm_frame_of(const void *virt)
{
	long vp, f = -1;

	pthread_mutex_lock(&sim.mu);
	vp = vpage_of(virt);
	if (vp >= 0 && sim.tlb[vp].enabled)
		f = sim.tlb[vp].frame;
	pthread_mutex_unlock(&sim.mu);
	return f;
}

void sim_mm_frame_fill(size_t frame, int byte)
{
	uint8_t *p = mmap(NULL, SIM_PG, PROT_READ | PROT_WRITE, MAP_SHARED, sim.fd,
			  (off_t)frame * SIM_PG);

	if (p != MAP_FAILED) {
		memset(p, byte, SIM_PG);
		munmap(p, SIM_PG);
	}
}
