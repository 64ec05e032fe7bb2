/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_malloc_peer.c - the steady-state loop over plain malloc/free, built
 * once per malloc implementation (glibc, jemalloc, mimalloc, tcmalloc: the
 * library linked in replaces malloc). bench_heap runs these programs.
 *
 *   bench_malloc_<peer> --throughput STEPS   prints "ns_per_pair X"
 *   bench_malloc_<peer> --callgrind STEPS    runs loop_malloc once
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

#ifndef PEER_NAME
#define PEER_NAME "malloc"
#endif

void loop_malloc(void **slot, const uint32_t *idx, const uint32_t *size, size_t n)
	__attribute__((noinline));

void loop_malloc(void **slot, const uint32_t *idx, const uint32_t *size, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t j = idx[i];

		free(slot[j]);
		slot[j] = malloc(size[i]);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	void *slot[SS_LIVE];
	uint32_t *idx, *size;
	size_t steps, i;
	double t[7];
	int r;

	if (argc != 3 || (strcmp(argv[1], "--throughput") && strcmp(argv[1], "--callgrind"))) {
		fprintf(stderr, "usage: %s --throughput|--callgrind STEPS\n", argv[0]);
		return 2;
	}
	steps = strtoul(argv[2], NULL, 10);
	idx = malloc((SS_LIVE + steps) * sizeof(*idx));
	size = malloc((SS_LIVE + steps) * sizeof(*size));
	if (idx == NULL || size == NULL)
		return 1;
	ss_plan(idx, size, SS_LIVE + steps);
	for (r = 0; r < (argv[1][2] == 'c' ? 1 : 7); r++) {
		double t0;

		for (i = 0; i < SS_LIVE; i++)
			slot[i] = malloc(size[i]);
		t0 = bench_now_ns();
		loop_malloc(slot, idx + SS_LIVE, size + SS_LIVE, steps);
		t[r] = (bench_now_ns() - t0) / (double)steps;
		for (i = 0; i < SS_LIVE; i++)
			free(slot[i]);
	}
	if (argv[1][2] == 't') {
		qsort(t, 7, sizeof(t[0]), cmp_double);
		printf("ns_per_pair %.3f\n", t[3]);
	}
	free(idx);
	free(size);
	return 0;
}
