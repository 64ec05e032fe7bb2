/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * consumer.c - a user's program built against an INSTALLED vregion
 * (scripts/install-check.sh builds it with pkg-config and with CMake).
 * It uses only public headers: a pool on the posix port, pages allocated and
 * freed, a region in both phases, the SOF-compatible API, and a real fault on
 * a stray write past an allocation (in a forked child).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vregion/port_posix.h>
#include <vregion/vpage.h>
#include <vregion/vregion.h>
#include <sof/lib/vregion.h>
#include <rtos/alloc.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "consumer: %s:%d: %s\n", __FILE__, __LINE__, #c); exit(1); } } while (0)

int main(void)
{
	struct vr_port port;
	struct vr_posix_port_config pcfg = { .phys_pages = 64, .window_pages = 128, .log_level = VR_POSIX_LOG_OFF };
	struct vr_vpage_config vcfg = { .guard_pages = 1 };
	struct vr_vpage_pool pool;
	struct vr_vpage_stats st;

	CHECK(vr_posix_port_create(&port, &pcfg) == 0);
	CHECK(vr_vpage_pool_init(&pool, &port, &vcfg) == 0);

	char *p = vr_vpage_alloc(&pool, 3);
	CHECK(p != NULL);
	memset(p, 0xa5, 3 * port.page_size);
	CHECK(vr_vpage_free(&pool, p + 1) == -EINVAL);	/* interior pointer */

	/* a stray write one byte past the allocation lands on its guard page */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		p[3 * port.page_size] = 1;
		_exit(0);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS));

	CHECK(vr_vpage_free(&pool, p) == 0);
	CHECK(vr_vpage_free(&pool, p) == -EINVAL);	/* double free */

	/* a region: lifetime, then interim */
	struct vr_region_config rcfg = { .size = 8 * 4096, .name = "consumer" };
	struct vr_region *vr = vr_region_create(&pool, &rcfg);
	CHECK(vr != NULL);
	void *a = vr_region_alloc(vr, 100);
	CHECK(a != NULL && ((uintptr_t)a & 63) == 0);
	CHECK(vr_region_set_interim(vr) == 0);
	void *b = vr_region_alloc(vr, 500);
	CHECK(b != NULL);
	CHECK(vr_region_free(vr, b) == 0);
	CHECK(vr_region_validate(vr) == 0);
	CHECK(vr_region_put(vr) == NULL);

	CHECK(vr_vpage_get_stats(&pool, &st) == 0);
	CHECK(st.live_allocs == 0 && st.vpages_free == st.vpages_total);
	CHECK(vr_vpage_validate(&pool) == 0);
	CHECK(vr_vpage_pool_deinit(&pool) == 0);
	CHECK(vr_posix_port_destroy(&port) == 0);

	/* SOF's API over the library's default pool */
	struct vregion *svr = vregion_create(12 * 1024);
	CHECK(svr != NULL);
	struct mod_alloc_ctx ctx = { .heap = NULL, .vreg = svr };
	void *c = sof_ctx_zalloc(&ctx, SOF_MEM_FLAG_COHERENT, 200, 0);
	CHECK(c != NULL);
	sof_ctx_free(&ctx, c);
	CHECK(vregion_put(svr) == NULL);

	printf("consumer: ok\n");
	return 0;
}
