/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_posix.c - create / destroy the posix port, and its query, check and
 * test hooks. The paging callbacks live in posix_map.c (their mapping costs
 * in posix_vma.c), the others in posix_services.c, the trace file in
 * posix_trace.c. Layout and limits: see vregion/port_posix.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "posix_internal.h"

#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U	/* Linux >= 6.3: executable memfd, stated explicitly */
#endif

/* The state behind a posix port, or NULL iff port is not a live posix port. */
static struct vr_posix *state_of(const struct vr_port *port)
{
	struct vr_posix *st;

	if (!port || port->map != vri_posix_map || !port->ctx)
		return NULL;
	st = port->ctx;
	return st->magic == VR_POSIX_MAGIC ? st : NULL;
}

bool vr_posix_port_is(const struct vr_port *port)
{
	return state_of(port) != NULL;
}

/* Threshold from the config, overridden by VREGION_LOG=0..3 (or -1). */
static int log_threshold(int cfg_level)
{
	const char *e = getenv("VREGION_LOG");

	if (e && e[0] >= '0' && e[0] <= '3' && e[1] == '\0')
		return e[0] - '0';
	if (e && strcmp(e, "-1") == 0)
		return VR_POSIX_LOG_OFF;
	return cfg_level;
}

static int open_memfd(void)
{
#ifdef __linux__
	int fd = memfd_create("vregion-phys", MFD_CLOEXEC | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)	/* kernel before 6.3: no MFD_EXEC */
		fd = memfd_create("vregion-phys", MFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
#else
	errno = ENOSYS;
	return -ENOSYS;
#endif
}

/* True iff the process has room for the reservation of W pages of ps bytes
 * (both windows and the guards: 2 * W + 4 pages): one PROT_NONE probe,
 * undone at once. A window the address space cannot hold is refused before
 * any per-page metadata is allocated (at 2^36 pages that would be hundreds
 * of GiB, which an allocator may abort on instead of returning NULL). */
static bool window_fits(size_t W, size_t ps)
{
	size_t bytes = (2 * W + 4) * ps;
	void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, bytes);
	return true;
}

/* Everything create() checks about cfg; fills *ps. Returns 0 or -EINVAL. */
static int check_config(const struct vr_posix_port_config *cfg, size_t *ps)
{
	long sys = sysconf(_SC_PAGESIZE);
	uintmax_t off_max = sizeof(off_t) >= 8 ? (uintmax_t)INT64_MAX : (uintmax_t)INT32_MAX;

	if (sys <= 0)
		return -EINVAL;
	*ps = cfg->page_size ? cfg->page_size : (size_t)sys;
	if (!vr_is_pow2(*ps) || *ps % (size_t)sys)
		return -EINVAL;
	if (!cfg->phys_pages || cfg->phys_pages > VR_POSIX_MAX_PHYS_PAGES ||
	    (uintmax_t)cfg->phys_pages > off_max / *ps ||
	    cfg->phys_pages > SIZE_MAX / *ps)
		return -EINVAL;
	/* the reservation: 2 * W + 3 pages, plus one page of slack for alignment */
	if (!cfg->window_pages || cfg->window_pages > (SIZE_MAX / *ps - 4) / 2)
		return -EINVAL;
	if (cfg->cache_line && !vr_is_pow2(cfg->cache_line))
		return -EINVAL;
	if (cfg->log_level < VR_POSIX_LOG_OFF || cfg->log_level > VR_LOG_DBG)
		return -EINVAL;
	if (cfg->max_mappings && cfg->max_mappings < VR_POSIX_MIN_MAPPINGS)
		return -EINVAL;
	return window_fits(cfg->window_pages, *ps) ? 0 : -EINVAL;
}

/* Release whatever of st exists (create's error path and destroy). */
static void teardown(struct vr_posix *st)
{
	if (st->resv)
		munmap(st->resv, st->resv_bytes);
	if (st->direct)
		munmap(st->direct, st->P * st->ps);
	if (st->fd >= 0)
		close(st->fd);
	if (st->magic == VR_POSIX_MAGIC)
		vri_posix_vmas_del_port(st);
	st->magic = 0;
	vri_posix_trace_close(st);
	vri_posix_free_all_locks(st);
	pthread_mutex_destroy(&st->mu);
	free(st->rec);
	free(st->rev);
	free(st->used.words);
	free(st->bound.words);
	free(st->taken.words);
	free(st->dirty.words);
	free(st->seen.words);
	free(st->keptmap.words);
	free(st);
}

/*
 * Reserve [guard][W][guard][W][guard] PROT_NONE with the windows aligned to
 * the port page size (which may exceed the system page size: over-reserve
 * one page and trim the ends).
 */
static int reserve_windows(struct vr_posix *st)
{
	size_t span = (2 * st->W + 3) * st->ps;
	size_t total = span + st->ps;
	unsigned char *r = mmap(NULL, total, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	unsigned char *a;
	size_t head;

	if (r == MAP_FAILED)
		return -errno;
	a = (unsigned char *)vr_align_up((uintptr_t)r, st->ps);
	head = (size_t)(a - r);
	if (head)
		munmap(r, head);
	if (total - head > span)
		munmap(a + span, total - head - span);
	st->resv = a;
	st->resv_bytes = span;
	st->cbase = a + st->ps;
	st->ubase = st->cbase + (st->W + 1) * st->ps;
	st->uoff = (uintptr_t)(st->ubase - st->cbase);
	return 0;
}

static int alloc_bitmap(struct vr_bitmap *bm, size_t nbits)
{
	vr_bitmap_word_t *w = calloc(1, VR_BITMAP_BYTES(nbits));

	if (!w)
		return -ENOMEM;
	vr_bitmap_init(bm, w, nbits);
	return 0;
}

/* The private state for cfg (no syscalls yet), or NULL (out of memory). */
static struct vr_posix *state_new(const struct vr_posix_port_config *cfg, size_t ps)
{
	struct vr_posix *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->fd = -1;
	st->trace_fd = -1;
	st->ps = ps;
	st->P = cfg->phys_pages;
	st->W = cfg->window_pages;
	st->phys_free = st->P;
	st->log_level = log_threshold(cfg->log_level);
	st->user_log = cfg->log;
	st->user_log_ctx = cfg->log_ctx;
	st->user_trace = cfg->trace;
	st->user_trace_ctx = cfg->trace_ctx;
	st->own_limit = cfg->max_mappings;
	st->punch_min = cfg->punch_min_pages ? cfg->punch_min_pages : VR_POSIX_PUNCH_MIN_DEFAULT;
	st->lp.ctx = st;
	st->lp.log = vri_posix_log;
	/* the per-page records: refused, not asked of libc, when the host
	 * could never hold them (a window the address space still takes) */
	if (vri_posix_too_big(st->W * sizeof(uint32_t)) || pthread_mutex_init(&st->mu, NULL)) {
		free(st);
		return NULL;
	}
	st->rec = calloc(st->W, sizeof(uint32_t));
	st->rev = calloc(st->P, sizeof(uint32_t));
	if (!st->rec || !st->rev || alloc_bitmap(&st->used, st->P) ||
	    alloc_bitmap(&st->bound, st->P) || alloc_bitmap(&st->taken, st->P) ||
	    alloc_bitmap(&st->dirty, st->P) || alloc_bitmap(&st->seen, st->P) ||
	    alloc_bitmap(&st->keptmap, st->W)) {
		teardown(st);
		return NULL;
	}
	return st;
}

/* The memfd, the windows and the direct map. Returns 0 or -errno. */
static int state_map(struct vr_posix *st)
{
	void *d;
	int rc = open_memfd();

	if (rc < 0)
		return rc;
	st->fd = rc;
	if (ftruncate(st->fd, (off_t)st->P * (off_t)st->ps))
		return -errno;
	rc = reserve_windows(st);
	if (rc)
		return rc;
	d = mmap(NULL, st->P * st->ps, PROT_READ | PROT_WRITE, MAP_SHARED, st->fd, 0);
	if (d == MAP_FAILED)
		return -errno;
	st->direct = d;
	return 0;
}

/* Describe the port in *port. */
static void port_fill(struct vr_port *port, struct vr_posix *st, const struct vr_posix_port_config *cfg)
{
	port->ctx = st;
	port->page_size = st->ps;
	port->window_base = (uintptr_t)st->cbase;
	port->window_pages = st->W;
	port->phys_pages = st->P;
	port->cache_line = cfg->cache_line ? cfg->cache_line : 64;
	port->map = vri_posix_map;
	port->unmap = vri_posix_unmap;
	port->protect = vri_posix_protect;
	port->to_uncached = vri_posix_to_uncached;
	port->to_cached = vri_posix_to_cached;
	port->is_uncached = vri_posix_is_uncached;
	port->cache_flush = vri_posix_cache_flush;
	port->cache_invalidate = vri_posix_cache_invalidate;
	port->lock_create = vri_posix_lock_create;
	port->lock_destroy = vri_posix_lock_destroy;
	port->lock = vri_posix_lock;
	port->unlock = vri_posix_unlock;
	port->spin_create = vri_posix_spin_create;
	port->spin_destroy = vri_posix_spin_destroy;
	port->spin_lock = vri_posix_spin_lock;
	port->spin_unlock = vri_posix_spin_unlock;
	port->meta_alloc = vri_posix_meta_alloc;
	port->meta_free = vri_posix_meta_free;
	port->log = vri_posix_log;
}

int vr_posix_port_create(struct vr_port *port, const struct vr_posix_port_config *cfg)
{
	struct vr_posix *st;
	size_t ps;
	int rc;

	if (!port)
		return -EINVAL;
	memset(port, 0, sizeof(*port));
	if (!cfg || check_config(cfg, &ps))
		return -EINVAL;
	st = state_new(cfg, ps);
	if (!st)
		return -ENOMEM;
	rc = state_map(st);
	if (!rc)
		rc = vri_posix_trace_open(st, port, cfg->trace_path);
	if (rc) {
		teardown(st);
		memset(port, 0, sizeof(*port));
		return rc < 0 ? rc : -ENOMEM;
	}
	st->magic = VR_POSIX_MAGIC;
	vri_posix_vmas_add_port(st);
	port_fill(port, st, cfg);
	VR_LOG(&st->lp, VR_LOG_INF, "created (window_base, phys_pages)", port->window_base, st->P);
	return 0;
}

int vr_posix_port_destroy(struct vr_port *port)
{
	struct vr_posix *st = state_of(port);
	size_t mapped, locks, blocks;

	if (!st)
		return -EINVAL;
	pthread_mutex_lock(&st->mu);
	mapped = st->mapped;
	pthread_mutex_unlock(&st->mu);
	locks = cnt_get(&st->n_locks);
	blocks = cnt_get(&st->n_meta_blocks);
	if (mapped || locks || blocks)
		VR_LOG(&st->lp, VR_LOG_WRN, "still live (mapped pages, locks and metadata blocks)",
		       mapped, locks + blocks);
	teardown(st);
	memset(port, 0, sizeof(*port));
	return mapped || locks || blocks ? -EBUSY : 0;
}

size_t vr_posix_port_phys_free(const struct vr_port *port)
{
	struct vr_posix *st = state_of(port);
	size_t n;

	if (!st)
		return 0;
	pthread_mutex_lock(&st->mu);
	n = st->phys_free;
	pthread_mutex_unlock(&st->mu);
	return n;
}

size_t vr_posix_port_phys_page(const struct vr_port *port, const void *vaddr)
{
	struct vr_posix *st = state_of(port);
	uintptr_t a = (uintptr_t)vaddr;
	size_t ph = SIZE_MAX;
	uint32_t r;

	if (!st || a < (uintptr_t)st->cbase || a - (uintptr_t)st->cbase >= st->W * st->ps)
		return SIZE_MAX;
	pthread_mutex_lock(&st->mu);
	r = st->rec[(a - (uintptr_t)st->cbase) / st->ps];
	if (r & REC_MAPPED)
		ph = rec_phys(r);
	pthread_mutex_unlock(&st->mu);
	return ph;
}

int vr_posix_port_get_stats(const struct vr_port *port, struct vr_posix_port_stats *s)
{
	struct vr_posix *st = state_of(port);

	if (!st || !s)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->page_size = st->ps;
	s->phys_pages = st->P;
	s->window_pages = st->W;
	pthread_mutex_lock(&st->mu);
	s->phys_free = st->phys_free;
	s->mapped_pages = st->mapped;
	s->held_pages = st->held;
	s->parked_pages = st->parked;
	s->mappings = vri_posix_vmas(st);
	s->mapping_limit = vri_posix_vmas_limit(st);
	pthread_mutex_unlock(&st->mu);
	s->held_total = cnt_get(&st->n_held);
	s->parked_total = cnt_get(&st->n_parked);
	s->revived_pages = cnt_get(&st->n_revived);
	s->pages_punched = cnt_get(&st->n_punched);
	s->trace_lines = cnt_get(&st->n_trace);
	s->map_calls = cnt_get(&st->n_map);
	s->unmap_calls = cnt_get(&st->n_unmap);
	s->protect_calls = cnt_get(&st->n_protect);
	s->failed_calls = cnt_get(&st->n_failed);
	s->runs_mapped = cnt_get(&st->n_runs);
	s->pages_zeroed = cnt_get(&st->n_zeroed);
	s->syscalls = cnt_get(&st->n_syscalls);
	s->cache_flush_calls = cnt_get(&st->n_flush);
	s->cache_flush_bytes = cnt_get(&st->n_flush_bytes);
	s->cache_invalidate_calls = cnt_get(&st->n_inval);
	s->cache_invalidate_bytes = cnt_get(&st->n_inval_bytes);
	s->locks_live = cnt_get(&st->n_locks);
	s->meta_blocks_live = cnt_get(&st->n_meta_blocks);
	s->meta_bytes_live = cnt_get(&st->n_meta_bytes);
	for (int i = 0; i < 4; i++)
		s->log_lines[i] = cnt_get(&st->n_log[i]);
	return 0;
}

/* One record: an owner (mapped, held) names a used physical page no one
 * else owns; a parked one a page in range; keptmap agrees. */
static bool record_ok(struct vr_posix *st, size_t i)
{
	uint32_t r = st->rec[i];
	size_t ph = rec_phys(r);

	if (!rec_in_kernel(r))
		return r == 0 && !vr_bitmap_test(&st->keptmap, i);
	if ((r & REC_MAPPED) && (r & REC_KEPT))
		return false;
	if (ph >= st->P || !(r & REC_KEPT) != !vr_bitmap_test(&st->keptmap, i))
		return false;
	if (!rec_owns(r))
		return true;
	if (!vr_bitmap_test(&st->used, ph) || vr_bitmap_test(&st->seen, ph))
		return false;
	vr_bitmap_set(&st->seen, ph, 1);
	return true;
}

/* Every record, then every physical page: bound ones are free and name the
 * parked page that may take them back; taken = used | bound. */
static int validate_pages(struct vr_posix *st, size_t *mapped, size_t *held, size_t *parked)
{
	vr_bitmap_init(&st->seen, st->seen.words, st->P);
	for (size_t i = 0; i < st->W; i++) {
		uint32_t r = st->rec[i];

		if (!record_ok(st, i)) {
			VR_LOGF(&st->lp, VR_LOG_ERR, "vr_posix_port_validate",
				"bad record: garbage, or a physical page out of range or shared (page, record)",
				i, r);
			return -EFAULT;
		}
		*mapped += !!(r & REC_MAPPED);
		*held += rec_held(r);
		*parked += rec_parked(r);
	}
	for (size_t q = 0; q < st->P; q++) {
		bool u = vr_bitmap_test(&st->used, q), b = vr_bitmap_test(&st->bound, q);
		uint32_t owner = st->rev[q];

		if ((b && (u || owner >= st->W || !rec_parked(st->rec[owner]) ||
			   rec_phys(st->rec[owner]) != q)) ||
		    vr_bitmap_test(&st->taken, q) != (u || b) || u != vr_bitmap_test(&st->seen, q)) {
			VR_LOGF(&st->lp, VR_LOG_ERR, "vr_posix_port_validate",
				"physical page bitmaps disagree (phys, parked owner)", q, owner);
			return -EFAULT;
		}
	}
	return 0;
}

static int validate_locked(struct vr_posix *st)
{
	size_t mapped = 0, held = 0, parked = 0, used;
	int rc = validate_pages(st, &mapped, &held, &parked);

	if (rc)
		return rc;
	used = vr_bitmap_count(&st->used, 0, st->P);
	if (mapped != st->mapped || held != st->held || parked != st->parked ||
	    used != mapped + held || st->phys_free != st->P - used ||
	    vr_bitmap_count(&st->keptmap, 0, st->W) != held + parked) {
		VR_LOGF(&st->lp, VR_LOG_ERR, "vr_posix_port_validate",
			"counters disagree (mapped, used)", mapped, used);
		return -EFAULT;
	}
	if (vri_posix_bounds(st, 0, st->W) != st->bounds) {
		VR_LOGF(&st->lp, VR_LOG_ERR, "vr_posix_port_validate",
			"mapping count disagrees with the records (counted, kept)",
			vri_posix_bounds(st, 0, st->W), st->bounds);
		return -EFAULT;
	}
	return 0;
}

int vr_posix_port_validate(const struct vr_port *port)
{
	struct vr_posix *st = state_of(port);
	int rc;

	if (!st)
		return -EINVAL;
	pthread_mutex_lock(&st->mu);
	rc = validate_locked(st);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

long vr_posix_port_trim(const struct vr_port *port)
{
	struct vr_posix *st = state_of(port);
	long released = 0;
	size_t p = 0;
	int rc = 0;

	if (!st)
		return -EINVAL;
	pthread_mutex_lock(&st->mu);
	while (!rc && (p = vr_bitmap_next_set(&st->dirty, p)) < st->P) {
		size_t e = p;

		/* a run of pages that are dirty and free */
		while (e < st->P && vr_bitmap_test(&st->dirty, e) && !vr_bitmap_test(&st->used, e))
			e++;
		if (e == p) {
			p++;
			continue;
		}
		cnt_add(&st->n_syscalls, 1);
#ifdef FALLOC_FL_PUNCH_HOLE
		if (fallocate(st->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)p * (off_t)st->ps, (off_t)(e - p) * (off_t)st->ps))
			rc = -errno;
#else
		rc = -ENOTSUP;
#endif
		if (!rc) {
			vr_bitmap_clear(&st->dirty, p, e - p);
			released += (long)(e - p);
		}
		p = e;
	}
	pthread_mutex_unlock(&st->mu);
	if (rc)
		VR_LOG(&st->lp, VR_LOG_ERR, "fallocate failed (errno, released)",
		       (uintptr_t)-rc, (uintptr_t)released);
	return rc ? rc : released;
}

int vr_posix_port_inject_failure(const struct vr_port *port, unsigned nth)
{
	struct vr_posix *st = state_of(port);

	if (!st)
		return -EINVAL;
	pthread_mutex_lock(&st->mu);
	st->inject = nth;
	pthread_mutex_unlock(&st->mu);
	return 0;
}
