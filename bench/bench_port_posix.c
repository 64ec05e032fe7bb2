/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_port_posix.c - the page layer on the posix port against its peers,
 * measured in the same run, printed as the team's table:
 *   | figure | measured | peer (same run) | ratio | target | status |
 *
 *   bench_port_posix [repeats]     (default 7; the median of the repeats)
 *   bench_port_posix --quick       (3 repeats, a tenth of the iterations: CI smoke run)
 *   bench_port_posix --instructions  also count instructions with callgrind
 *                                  (valgrind must be installed; runs this
 *                                  program under it, once per counted loop)
 *
 * Rows with a target (issue 9):
 *   - vr_vpage_alloc(1) + vr_vpage_free on a 1M-page window against the same
 *     on a 1k-page window: the free is O(1), the ratio <= 1.10;
 *   - vr_region_create + last vr_region_put of a 1-page region against bare
 *     mmap + munmap of one anonymous page: <= 1.5.
 * The other rows are information (status `info`): the port's map + unmap
 * against raw mmap calls doing the same page-table work, zeroing by hole
 * (punch_min_pages) against memset, and the port's locks against a plain
 * pthread mutex. A missed target is printed as such; the exit status says
 * only whether the benchmark ran.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vregion/port_posix.h"
#include "vregion/vpage.h"
#include "vregion/vregion.h"

#define NOINLINE __attribute__((noinline))

#if VR_DEBUG
#define VR_BENCH_MUTEX_KIND ", error-checking: a VR_DEBUG build"
#else
#define VR_BENCH_MUTEX_KIND ", normal"
#endif

static size_t PS;
static int reps = 7, quick;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_port_posix: %s failed\n", what);
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* ---- a pool over a posix port ---- */

struct rig {
	struct vr_port port;
	struct vr_vpage_pool pool;
};

static void rig_up(struct rig *r, size_t phys, size_t window, size_t punch)
{
	struct vr_posix_port_config c = { 0 };

	c.phys_pages = phys;
	c.window_pages = window;
	c.punch_min_pages = punch;
	if (vr_posix_port_create(&r->port, &c) || vr_vpage_pool_init(&r->pool, &r->port, NULL))
		die("rig");
}

static void rig_down(struct rig *r)
{
	if (vr_vpage_pool_deinit(&r->pool) || vr_posix_port_destroy(&r->port))
		die("rig teardown");
}

/* ---- the timed loops (noinline: callgrind counts inside them) ---- */

static NOINLINE void loop_vpage(struct vr_vpage_pool *pool, size_t iters)
{
	for (size_t i = 0; i < iters; i++)
		if (vr_vpage_free(pool, vr_vpage_alloc(pool, 1)))
			die("vpage pair");
}

static struct rig small_rig, large_rig;

static NOINLINE void loop_vpage_1k(size_t iters)
{
	loop_vpage(&small_rig.pool, iters);
}

static NOINLINE void loop_vpage_1m(size_t iters)
{
	loop_vpage(&large_rig.pool, iters);
}

static NOINLINE void loop_region(struct vr_vpage_pool *pool, size_t pages, int touch, size_t iters)
{
	struct vr_region_config cfg = { 0 };

	cfg.size = pages * PS;
	for (size_t i = 0; i < iters; i++) {
		struct vr_region *vr = vr_region_create(pool, &cfg);
		uintptr_t base;

		if (!vr || vr_region_mem_info(vr, NULL, &base))
			die("region create");
		for (size_t p = 0; touch && p < pages; p++)
			((volatile unsigned char *)base)[p * PS] = 1;
		if (vr_region_put(vr))
			die("region put");
	}
}

static NOINLINE void loop_bare(size_t pages, int touch, size_t iters)
{
	for (size_t i = 0; i < iters; i++) {
		unsigned char *p = mmap(NULL, pages * PS, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("bare mmap");
		for (size_t q = 0; touch && q < pages; q++)
			((volatile unsigned char *)p)[q * PS] = 1;
		if (munmap(p, pages * PS))
			die("bare munmap");
	}
}

/* Raw page-table work the port does for one alias: map a memfd run over a
 * PROT_NONE reservation, then reserve it again. */
static int raw_fd;
static unsigned char *raw_win;

static NOINLINE void loop_raw(size_t pages, size_t iters)
{
	for (size_t i = 0; i < iters; i++) {
		if (mmap(raw_win, pages * PS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 raw_fd, 0) == MAP_FAILED ||
		    mmap(raw_win, pages * PS, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
			die("raw");
	}
}

static NOINLINE void loop_port(struct vr_port *port, size_t pages, int pagewise, size_t iters)
{
	unsigned char *w = (unsigned char *)port->window_base;

	for (size_t i = 0; i < iters; i++) {
		size_t step = pagewise ? 1 : pages;

		for (size_t p = 0; p < pages; p += step)
			if (port->map(port->ctx, w + p * PS, step, VR_PERM_RW))
				die("map");
		for (size_t p = 0; p < pages; p += step)
			if (port->unmap(port->ctx, w + p * PS, step))
				die("unmap");
	}
}

static pthread_mutex_t peer_mu = PTHREAD_MUTEX_INITIALIZER;

static NOINLINE void loop_lock(struct vr_port *port, int kind, size_t iters)
{
	struct vr_port_lock *l = kind == 1 ? port->lock_create(port->ctx) :
				 kind == 2 ? port->spin_create(port->ctx) : NULL;

	for (size_t i = 0; i < iters; i++) {
		if (kind == 0) {
			pthread_mutex_lock(&peer_mu);
			pthread_mutex_unlock(&peer_mu);
		} else if (kind == 1) {
			port->lock(port->ctx, l);
			port->unlock(port->ctx, l);
		} else {
			port->spin_unlock(port->ctx, l, port->spin_lock(port->ctx, l));
		}
	}
	if (kind == 1)
		port->lock_destroy(port->ctx, l);
	else if (kind == 2)
		port->spin_destroy(port->ctx, l);
}

/* ---- measuring ---- */

/* A case: a closure over the loops above. */
struct bcase {
	void (*run)(const struct bcase *c, size_t iters);
	struct vr_vpage_pool *pool;
	struct vr_port *port;
	size_t pages;
	int touch, kind;
	size_t iters;	/* per repeat, before --quick */
};

static void run_vpage(const struct bcase *c, size_t n)
{
	if (c->pool == &small_rig.pool)
		loop_vpage_1k(n);
	else
		loop_vpage_1m(n);
}
static void run_region(const struct bcase *c, size_t n) { loop_region(c->pool, c->pages, c->touch, n); }
static void run_bare(const struct bcase *c, size_t n) { loop_bare(c->pages, c->touch, n); }
static void run_raw(const struct bcase *c, size_t n) { loop_raw(c->pages, n); }
static void run_port(const struct bcase *c, size_t n) { loop_port(c->port, c->pages, c->kind, n); }
static void run_lock(const struct bcase *c, size_t n) { loop_lock(c->port, c->kind, n); }

/*
 * ns per iteration of a and of its peer b, the median over the repeats,
 * a and b alternating within each repeat (so drift hits both alike).
 */
static void measure(const struct bcase *a, const struct bcase *b, double *ta, double *tb)
{
	double *xa = calloc((size_t)reps, sizeof(double)), *xb = calloc((size_t)reps, sizeof(double));
	size_t na = a->iters / (quick ? 10 : 1), nb = b->iters / (quick ? 10 : 1);

	if (!xa || !xb)
		die("calloc");
	a->run(a, na / 10 + 1);		/* warm up: pages resident, parked, dirty */
	b->run(b, nb / 10 + 1);
	for (int r = 0; r < reps; r++) {
		double t0 = now_ns();

		a->run(a, na);
		xa[r] = (now_ns() - t0) / (double)na;
		t0 = now_ns();
		b->run(b, nb);
		xb[r] = (now_ns() - t0) / (double)nb;
	}
	qsort(xa, (size_t)reps, sizeof(double), cmp_double);
	qsort(xb, (size_t)reps, sizeof(double), cmp_double);
	*ta = xa[reps / 2];
	*tb = xb[reps / 2];
	free(xa);
	free(xb);
}

static void row(const char *figure, double m, const char *unit, const char *peer, double p,
		double target)
{
	double ratio = m / p;
	const char *status = target <= 0 ? "info" : ratio <= target ? "met" : "missed";
	char t[32] = "-";

	if (target > 0)
		snprintf(t, sizeof(t), "<= %.2fx", target);
	printf("| %s | %.0f %s | %s: %.0f %s | %.2fx | %s | %s |\n", figure, m, unit, peer, p, unit,
	       ratio, t, status);
}

static void timed_row(const char *figure, const struct bcase *a, const char *peer,
		      const struct bcase *b, double target)
{
	double ta, tb;

	measure(a, b, &ta, &tb);
	row(figure, ta, "ns", peer, tb, target);
}

/* ---- instructions: this program again, under callgrind ---- */

static double callgrind(const char *self, const char *loop, size_t n)
{
	char cmd[512], out[] = "/tmp/bench_port_cg_XXXXXX", line[256];
	double total = -1;
	FILE *f;
	int fd = mkstemp(out);

	if (fd < 0)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --callgrind-out-file=%s --toggle-collect=%s "
		 "%s --loop %s %zu >/dev/null 2>&1", out, loop, self, loop, n);
	if (system(cmd) == 0 && (f = fopen(out, "r"))) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "summary:", 8) || !strncmp(line, "totals:", 7))
				total = atof(strchr(line, ':') + 1);
		fclose(f);
	}
	unlink(out);
	return total < 0 ? -1 : total / (double)n;
}

/* Entry of a callgrind child: one loop only. */
static int loop_main(const char *loop, size_t n)
{
	rig_up(&small_rig, 256, 1024, 0);
	rig_up(&large_rig, 256, (size_t)1 << 20, 0);
	loop_vpage_1k(16);	/* warm: the first map of a page is not the steady state */
	loop_vpage_1m(16);
	if (!strcmp(loop, "loop_vpage_1k"))
		loop_vpage_1k(n);
	else
		loop_vpage_1m(n);
	rig_down(&small_rig);
	rig_down(&large_rig);
	return 0;
}

static void instruction_rows(const char *self)
{
	size_t n = quick ? 200 : 2000;
	double a = callgrind(self, "loop_vpage_1m", n), b = callgrind(self, "loop_vpage_1k", n);

	if (a < 0 || b < 0) {
		printf("| vr_vpage_alloc(1)+vr_vpage_free, instructions | (callgrind not available) | | | <= 1.10x | info |\n");
		return;
	}
	row("vr_vpage_alloc(1)+vr_vpage_free, 1M-page window, instructions", a, "instr",
	    "1k-page window", b, 1.10);
}

/* ---- the rows ---- */

static void page_rows(void)
{
	struct bcase v1m = { run_vpage, &large_rig.pool, NULL, 1, 0, 0, 20000 };
	struct bcase v1k = { run_vpage, &small_rig.pool, NULL, 1, 0, 0, 20000 };

	timed_row("vr_vpage_alloc(1)+vr_vpage_free, posix port, 1M-page window", &v1m,
		  "1k-page window", &v1k, 1.10);
}

static void region_rows(struct rig *punch)
{
	struct bcase r1 = { run_region, &small_rig.pool, NULL, 1, 0, 0, 20000 };
	struct bcase b1 = { run_bare, NULL, NULL, 1, 0, 0, 20000 };
	struct bcase r1t = { run_region, &small_rig.pool, NULL, 1, 1, 0, 20000 };
	struct bcase b1t = { run_bare, NULL, NULL, 1, 1, 0, 20000 };
	struct bcase r64 = { run_region, &small_rig.pool, NULL, 64, 1, 0, 1000 };
	struct bcase b64 = { run_bare, NULL, NULL, 64, 1, 0, 1000 };
	struct bcase p64 = { run_region, &punch->pool, NULL, 64, 1, 0, 1000 };
	struct bcase p64u = { run_region, &punch->pool, NULL, 64, 0, 0, 1000 };
	struct bcase r64u = { run_region, &small_rig.pool, NULL, 64, 0, 0, 1000 };

	timed_row("region create + last put, posix port, 1 page", &r1,
		  "bare mmap+munmap, 1 page", &b1, 1.5);
	timed_row("same, the page written once", &r1t, "bare mmap+write+munmap", &b1t, 0);
	timed_row("region create + write each page + last put, 64 pages", &r64,
		  "bare mmap+write+munmap, 64 pages", &b64, 0);
	timed_row("same with punch_min_pages=1 (zero by hole)", &p64,
		  "default (memset at the next map)", &r64, 0);
	timed_row("region create + last put, 64 pages untouched, punch_min_pages=1", &p64u,
		  "default", &r64u, 0);
}

static void port_rows(struct vr_port *port)
{
	struct bcase p1 = { run_port, NULL, port, 1, 0, 0, 20000 };
	struct bcase raw1 = { run_raw, NULL, NULL, 1, 0, 0, 20000 };
	struct bcase p64 = { run_port, NULL, port, 64, 0, 0, 2000 };
	struct bcase raw64 = { run_raw, NULL, NULL, 64, 0, 0, 2000 };
	struct bcase pw64 = { run_port, NULL, port, 64, 0, 1, 200 };

	timed_row("port map+unmap, 1 page, both aliases (unmap parks)", &p1,
		  "raw mmap+reserve, 1 page, 1 alias", &raw1, 0);
	timed_row("port map+unmap, 64-page run", &p64, "raw mmap+reserve, 64 pages, 1 alias",
		  &raw64, 0);
	timed_row("port map+unmap page by page, 64 pages", &pw64, "port, one 64-page run", &p64, 0);
}

static void lock_rows(struct vr_port *port)
{
	struct bcase mu = { run_lock, NULL, port, 0, 0, 0, 2000000 };
	struct bcase pl = { run_lock, NULL, port, 0, 0, 1, 2000000 };
	struct bcase sp = { run_lock, NULL, port, 0, 0, 2, 2000000 };

	timed_row("port lock+unlock (pthread mutex" VR_BENCH_MUTEX_KIND ")", &pl,
		  "plain pthread mutex", &mu, 0);
	timed_row("port short lock (spin_lock+spin_unlock)", &sp, "port lock+unlock", &pl, 0);
}

int main(int argc, char **argv)
{
	struct rig punch;
	int instructions = 0;

	PS = (size_t)sysconf(_SC_PAGESIZE);
	if (argc > 3 && !strcmp(argv[1], "--loop"))
		return loop_main(argv[2], (size_t)strtoul(argv[3], NULL, 10));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = 1, reps = 3;
		else if (!strcmp(argv[i], "--instructions"))
			instructions = 1;
		else if (atoi(argv[i]) >= 1 && atoi(argv[i]) <= 1000)
			reps = atoi(argv[i]);
	}
	rig_up(&small_rig, 256, 1024, 0);
	rig_up(&large_rig, 256, (size_t)1 << 20, 0);
	rig_up(&punch, 256, 1024, 1);
	raw_fd = memfd_create("bench-raw", MFD_CLOEXEC);
	if (raw_fd < 0 || ftruncate(raw_fd, (off_t)(64 * PS)))
		die("memfd");
	raw_win = mmap(NULL, 64 * PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw_win == MAP_FAILED)
		die("reserve");

	printf("bench_port_posix: page size %zu, median of %d repeats%s\n\n", PS, reps,
	       quick ? " (quick)" : "");
	printf("| figure | measured | peer (same run) | ratio | target | status |\n");
	printf("|---|---:|---|---:|---:|---|\n");
	page_rows();
	if (instructions)
		instruction_rows(argv[0]);
	region_rows(&punch);
	{
		struct vr_port bare;
		struct vr_posix_port_config c = { 0 };

		c.phys_pages = 256;
		c.window_pages = 512;
		if (vr_posix_port_create(&bare, &c))
			die("port");
		port_rows(&bare);
		lock_rows(&bare);
		if (vr_posix_port_validate(&bare) || vr_posix_port_destroy(&bare))
			die("port teardown");
	}
	rig_down(&punch);
	rig_down(&small_rig);
	rig_down(&large_rig);
	return 0;
}
