/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_port_posix.c - ns per page of map + unmap through the posix port,
 * next to raw mmap calls doing the same page-table work (the peer).
 *
 *   bench_port_posix [repeats]     (default 7; prints min and median)
 *   bench_port_posix --quick       (1 repeat, a tenth of the iterations: CI smoke run)
 *
 * Each case maps and unmaps the same range in a loop. Pages are "dirty" after
 * the first round, so every port map also zeroes them (memset), as in real
 * use. The raw cases use one alias and no zeroing: the port's overhead is
 * (second alias + zeroing + bookkeeping), shown as a ratio.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vregion/port_posix.h"

enum { PHYS = 256, WIN = 512 };

static struct vr_port port;
static size_t PS;
static int raw_fd;
static unsigned char *raw_win;

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

static unsigned char *vp(size_t i)
{
	return (unsigned char *)(port.window_base + i * PS);
}

/* ---- the cases: each does `iters` map+unmap rounds of n pages ---- */

static void raw_run(size_t n, size_t iters, int touch)
{
	for (size_t it = 0; it < iters; it++) {
		if (mmap(raw_win, n * PS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 raw_fd, 0) == MAP_FAILED)
			die("raw mmap");
		if (touch)
			for (size_t i = 0; i < n; i++)
				raw_win[i * PS] = 1;
		if (mmap(raw_win, n * PS, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
			die("raw reserve");
	}
}

static void raw_pagewise(size_t n, size_t iters, int touch)
{
	(void)touch;
	for (size_t it = 0; it < iters; it++) {
		for (size_t i = 0; i < n; i++)
			if (mmap(raw_win + i * PS, PS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				 raw_fd, (off_t)((n - 1 - i) * PS)) == MAP_FAILED)
				die("raw mmap");
		for (size_t i = 0; i < n; i++)
			if (mmap(raw_win + i * PS, PS, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
				 -1, 0) == MAP_FAILED)
				die("raw reserve");
	}
}

static void port_run(size_t n, size_t iters, int touch)
{
	for (size_t it = 0; it < iters; it++) {
		if (port.map(port.ctx, vp(0), n, VR_PERM_RW))
			die("map");
		if (touch)
			for (size_t i = 0; i < n; i++)
				vp(0)[i * PS] = 1;
		if (port.unmap(port.ctx, vp(0), n))
			die("unmap");
	}
}

static void port_pagewise(size_t n, size_t iters, int touch)
{
	(void)touch;
	for (size_t it = 0; it < iters; it++) {
		for (size_t i = 0; i < n; i++)
			if (port.map(port.ctx, vp(i), 1, VR_PERM_RW))
				die("map");
		for (size_t i = 0; i < n; i++)
			if (port.unmap(port.ctx, vp(i), 1))
				die("unmap");
	}
}

/*
 * Every physical page used, then every other one freed: no two free pages are
 * adjacent, so a 64-page map is 64 physical runs (128 mmap calls).
 */
static void port_scattered(size_t n, size_t iters, int touch)
{
	size_t at = WIN - PHYS;

	for (size_t i = 0; i < PHYS; i++)
		if (port.map(port.ctx, vp(at + i), 1, VR_PERM_RW))
			die("map");
	for (size_t i = 0; i < PHYS; i += 2)
		if (port.unmap(port.ctx, vp(at + i), 1))
			die("unmap");
	port_run(n, iters, touch);
	for (size_t i = 1; i < PHYS; i += 2)
		if (port.unmap(port.ctx, vp(at + i), 1))
			die("unmap");
}

struct bcase {
	const char *name;
	void (*fn)(size_t n, size_t iters, int touch);
	size_t n;
	int touch;
	int peer;	/* index of the case this one is compared with, -1 none */
};

static const struct bcase cases[] = {
	{ "raw mmap+reserve, 1 page (1 alias)", raw_run, 1, 0, -1 },
	{ "port map+unmap, 1 page", port_run, 1, 0, 0 },
	{ "raw mmap+reserve, 64-page run (1 alias)", raw_run, 64, 0, -1 },
	{ "port map+unmap, 64-page run", port_run, 64, 0, 2 },
	{ "raw page-by-page, 64 pages (1 alias)", raw_pagewise, 64, 0, 2 },
	{ "port page-by-page, 64 x 1 page", port_pagewise, 64, 0, 3 },
	{ "port map+unmap, 64 pages in 64 phys runs", port_scattered, 64, 0, 3 },
	{ "raw 64-page run + touch each page", raw_run, 64, 1, -1 },
	{ "port 64-page run + touch each page", port_run, 64, 1, 7 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct vr_posix_port_config cfg = { 0 };
	int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	int reps = quick ? 1 : argc > 1 ? atoi(argv[1]) : 7;
	double med[NCASES], mins[NCASES];
	double *t;

	if (reps < 1 || reps > 1000)
		reps = 7;
	t = calloc((size_t)reps, sizeof(double));
	PS = (size_t)sysconf(_SC_PAGESIZE);
	cfg.phys_pages = PHYS;
	cfg.window_pages = WIN;
	if (!t || vr_posix_port_create(&port, &cfg))
		die("setup");
	raw_fd = memfd_create("bench-raw", MFD_CLOEXEC);
	if (raw_fd < 0 || ftruncate(raw_fd, (off_t)(64 * PS)))
		die("memfd");
	raw_win = mmap(NULL, 64 * PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw_win == MAP_FAILED)
		die("reserve");

	printf("page size %zu, %d repeats; ns per page (min / median)\n", PS, reps);
	for (size_t c = 0; c < NCASES; c++) {
		const struct bcase *b = &cases[c];
		size_t iters = (b->n == 1 ? 20000 : 400) / (quick ? 10 : 1);

		b->fn(b->n, 50, b->touch);	/* warm up: pages resident and dirty */
		for (int r = 0; r < reps; r++) {
			double t0 = now_ns();

			b->fn(b->n, iters, b->touch);
			t[r] = (now_ns() - t0) / (double)(iters * b->n);
		}
		qsort(t, (size_t)reps, sizeof(double), cmp_double);
		mins[c] = t[0];
		med[c] = t[reps / 2];
		printf("  %-44s %8.0f / %8.0f", b->name, mins[c], med[c]);
		if (b->peer >= 0)
			printf("   x%.2f vs \"%s\"", med[c] / med[b->peer], cases[b->peer].name);
		printf("\n");
	}
	{
		struct vr_posix_port_stats st;

		vr_posix_port_get_stats(&port, &st);
		printf("port: %zu map calls, %zu runs mapped, %zu pages zeroed, %zu syscalls\n",
		       st.map_calls, st.runs_mapped, st.pages_zeroed, st.syscalls);
	}
	if (vr_posix_port_validate(&port) || vr_posix_port_destroy(&port))
		die("teardown");
	free(t);
	return 0;
}
