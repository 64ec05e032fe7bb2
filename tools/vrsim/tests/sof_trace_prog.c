/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sof_trace_prog.c - a firmware-like program on SOF's API (the default posix
 * pool), for vrsim_cli_sof_trace: run under VREGION_TRACE=path, it prints the
 * peaks of its pool that it measured itself ("vpeak=N ppeak=M allocs=K"); the
 * test replays the trace with vrsim and compares.
 * What it does: two pipelines' regions and a DP module's, lifetime and interim
 * allocations (aligned, coherent), references, a vpage run of its own, an
 * allocation that does not fit, regions closed out of order.
 */
#include <stdio.h>
#include <stdlib.h>

#include <sof/lib/vpage.h>
#include <sof/lib/vregion.h>

#include "vregion/sof_compat.h"
#include "vregion/vpage.h"

static size_t vpeak, ppeak, allocs;

static void sample(void)
{
	struct vr_vpage_stats st;

	if (vr_vpage_get_stats(vr_sof_pool(), &st))
		exit(3);
	if (st.vpages_total - st.vpages_free > vpeak)
		vpeak = st.vpages_total - st.vpages_free;
	if (st.ppages_total - st.ppages_free > ppeak)
		ppeak = st.ppages_total - st.ppages_free;
}

static void *take(struct vregion *vr, size_t size, int how)
{
	void *p = how == 0 ? vregion_alloc(vr, size) : how == 1 ? vregion_alloc_coherent(vr, size)
		: vregion_alloc_align(vr, size, 256);

	allocs += p != NULL;
	sample();
	return p;
}

int main(void)
{
	struct vregion *p1, *p2, *dp;
	void *a[8], *run, *big;
	int i;

	p1 = vregion_create(96 * 1024);
	p2 = vregion_create(48 * 1024);
	if (!p1 || !p2)
		return 2;
	sample();
	a[0] = take(p1, 150, 0);
	a[1] = take(p1, 480, 1);
	vregion_get(p1);
	a[2] = take(p2, 600, 2);
	dp = vregion_create(28 * 1024);
	if (!dp)
		return 2;
	sample();
	a[3] = take(dp, 5888, 0);
	run = vpage_alloc(3);
	sample();
	vregion_set_interim(p1);
	vregion_set_interim(dp);
	for (i = 0; i < 4; i++) {
		a[4] = take(p1, 96, 0);
		a[5] = take(dp, 7168, 0);
		a[6] = take(dp, 4096, 1);
		vregion_free(dp, a[6]);
		vregion_free(dp, a[5]);
		vregion_free(p1, a[4]);
		sample();
	}
	big = take(dp, 1 << 20, 0);	/* does not fit: NULL */
	vregion_put(p1);
	vregion_put(p2);		/* closed before p1 and dp */
	sample();
	vpage_free(run);
	vregion_put(dp);
	vregion_put(p1);
	sample();
	printf("vpeak=%zu ppeak=%zu allocs=%zu big=%s\n", vpeak, ppeak, allocs, big ? "yes" : "no");
	(void)a;
	return vr_sof_deinit() ? 4 : 0;
}
