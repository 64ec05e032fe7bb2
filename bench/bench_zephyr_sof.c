/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_zephyr_sof.c - SOF's vpage_alloc(1) + vpage_free pair through SOF
 * mode (CONFIG_VREGION_SOF: src/compat/sof_*.c, the Zephyr port) on the
 * host: the stand-in Zephyr kernel (tests/zephyr/stubs: k_mutex over a
 * pthread mutex), the module's test-only driver double
 * (zephyr/tests/vregion/src/test_mm_drv.c: TLB array, spinlock, no zeroing,
 * as a native_sim build would use) and an identity cache (native_sim has no
 * cache). Issue 9's row: one lock per call, and without the zeroing <=
 * upstream SOF's 1,370 instructions (measured by the issue in one native_sim
 * build, with its own driver double: published, not measured here).
 *
 *   bench_zephyr_sof [steps]              wall-clock ns per pair, table
 *   bench_zephyr_sof --callgrind [steps]  only the measured loop (loop_vpage),
 *                                         for bench/callgrind_zephyr_sof.sh
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zephyr/kernel.h>
#include <sof/lib/vpage.h>

extern int (*const z_init_td_init)(void);
extern int (*const z_init_vr_sof_boot)(void);

void loop_vpage(unsigned long n);
void loop_vpage(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		void *p = vpage_alloc(1);

		if (!p)
			abort();
		vpage_free(p);
	}
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	int cg = argc > 1 && !strcmp(argv[1], "--callgrind");
	unsigned long steps = argc > 1 + cg ? strtoul(argv[1 + cg], NULL, 0) : 100000;
	unsigned long locks;
	double t;

	if (z_init_td_init() || z_init_vr_sof_boot())
		return 1;
	loop_vpage(16);	/* warm */
	if (cg) {
		loop_vpage(steps);
		return 0;
	}
	locks = vr_stub_mutex_locks();
	t = now_ns();
	loop_vpage(steps);
	t = now_ns() - t;
	locks = vr_stub_mutex_locks() - locks;
	printf("| figure | measured | peer (same run) | ratio | target | status |\n");
	printf("|---|---:|---|---:|---|---|\n");
	printf("| SOF vpage_alloc(1)+vpage_free, ns per pair (host stand-in) | %.0f | | | | info |\n",
	       t / (double)steps);
	printf("| k_mutex locks per SOF vpage call | %.2f | upstream 1 | %.2f | 1 | %s |\n",
	       (double)locks / (double)(2 * steps), (double)locks / (double)(2 * steps),
	       locks == 2 * steps ? "met" : "missed");
	return 0;
}
