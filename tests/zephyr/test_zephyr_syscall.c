/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_zephyr_syscall.c - the userspace verifiers of SOF mode
 * (src/compat/sof_syscall.c, CONFIG_VREGION_SOF_SYSCALLS) on the host: SOF's
 * header in its #11108 form (stubs/sof_syscalls: vregion_* are syscalls,
 * z_impl_vregion_* the implementations), K_OOPS / K_SYSCALL_MEMORY_WRITE
 * from stubs/zephyr/internal/syscall_handler.h (the "user thread" may write
 * what the test grants; an oops longjmps back here), and the verifiers
 * reached through stubs of the generated marshallers (z_mrsh_*).
 *
 * The point of #11108's review: a user thread must not make the kernel read
 * through a pointer it forged. Forged handles here point at a page that
 * faults when read: a verifier that read through them would crash the test.
 */
#include "vr_test.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <zephyr/kernel.h>
#include <zephyr/llext/symbol.h>
#include <zephyr/internal/syscall_handler.h>

#include <sof/lib/vregion.h>
#include "vregion/sof_compat.h"
#include "sim_mm.h"

#define PG SIM_PG

extern int (*const z_init_vr_sof_boot)(void);
extern void (*const z_mrsh_vregion_set_interim)(struct vregion *);
extern struct vregion *(*const z_mrsh_vregion_get)(struct vregion *);
extern struct vregion *(*const z_mrsh_vregion_put)(struct vregion *);
extern void *(*const z_mrsh_vregion_alloc)(struct vregion *, size_t);
extern void *(*const z_mrsh_vregion_alloc_coherent)(struct vregion *, size_t);
extern void *(*const z_mrsh_vregion_alloc_align)(struct vregion *, size_t, size_t);
extern void *(*const z_mrsh_vregion_alloc_coherent_align)(struct vregion *, size_t, size_t);
extern void (*const z_mrsh_vregion_free)(struct vregion *, void *);

/* SOF's sof_heap_free (vregion_ctx_free): not used here */
struct k_heap;
void sof_heap_free(struct k_heap *heap, void *addr);
void sof_heap_free(struct k_heap *heap, void *addr)
{
	(void)heap;
	(void)addr;
	fail_msg("sof_heap_free called");
}

static uint8_t *trap;	/* a page that faults on any access */

static int setup(void **state)
{
	struct sim_mm_config c = { .vpages = 40, .frames = 32, .doublemap = true };

	(void)state;
	assert_int_equal(sim_mm_init(&c), 0);
	assert_int_equal(sim_mm_add_region(sim_mm_vbase(), 32 * PG, 3), 0);
	assert_int_equal(z_init_vr_sof_boot(), 0);
	trap = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(trap != MAP_FAILED);
	vr_stub_user_grant(NULL, 0);
	vr_stub_oopses = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(trap, PG);
	vr_stub_user_grant(NULL, 0);
	assert_int_equal(vr_sof_deinit(), 0);
	sim_mm_fini();
	assert_int_equal(vr_stub_heap_live(), 0);
	return 0;
}

static size_t refs(struct vregion *vr)
{
	struct vr_region_stats st;

	assert_int_equal(vr_region_get_stats(vr_sof_region(vr), &st), 0);
	return st.refcount;
}

static void grant_region(struct vregion *vr)
{
	size_t size = 0;
	uintptr_t start = 0;

	vregion_mem_info(vr, &size, &start);
	vr_stub_user_grant((void *)start, size);
}

/* Run one verifier call as a user thread; true iff it oopsed. */
#define OOPSES(call)                                                              \
	({                                                                        \
		unsigned long before_ = vr_stub_oopses;                           \
		if (!setjmp(vr_stub_oops_point)) {                                \
			call;                                                     \
		}                                                                 \
		vr_stub_oopses != before_;                                        \
	})

static void test_forged_handles_oops(void **state)
{
	struct vregion *forged[] = { (struct vregion *)(void *)trap,
				     (struct vregion *)(void *)(trap + 64),
				     (struct vregion *)(uintptr_t)0x10 };
	void *volatile p = NULL;
	volatile unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct vregion *f = forged[i];

		assert_true(OOPSES(p = z_mrsh_vregion_alloc(f, 64)));
		assert_true(OOPSES(p = z_mrsh_vregion_alloc_align(f, 64, 128)));
		assert_true(OOPSES(p = z_mrsh_vregion_alloc_coherent(f, 64)));
		assert_true(OOPSES(p = z_mrsh_vregion_alloc_coherent_align(f, 64, 64)));
		assert_true(OOPSES(z_mrsh_vregion_free(f, trap)));
		assert_true(OOPSES(z_mrsh_vregion_set_interim(f)));
		assert_true(OOPSES((void)z_mrsh_vregion_get(f)));
		assert_true(OOPSES((void)z_mrsh_vregion_put(f)));
	}
	assert_int_equal(vr_stub_oopses, 24);
	assert_null(p);
	/* NULL is passed on, as SOF's calls accept it */
	assert_false(OOPSES(p = z_mrsh_vregion_alloc(NULL, 64)));
	assert_null(p);
	assert_false(OOPSES(z_mrsh_vregion_free(NULL, NULL)));
	assert_false(OOPSES(assert_null(z_mrsh_vregion_put(NULL))));
}

static void test_region_not_writable_oops(void **state)
{
	struct vregion *vr = vregion_create(2 * PG);
	void *volatile p = NULL;

	(void)state;
	assert_non_null(vr);
	/* the thread may write only half the region: refused, unpinned */
	vr_stub_user_grant((void *)(uintptr_t)0x1000, PG);
	assert_true(OOPSES(p = z_mrsh_vregion_alloc(vr, 64)));
	assert_null(p);
	assert_int_equal(refs(vr), 1);
	assert_true(OOPSES((void)z_mrsh_vregion_put(vr)));
	assert_int_equal(refs(vr), 1);
	assert_null(vregion_put(vr));
}

static void test_verified_calls(void **state)
{
	struct vregion *vr = vregion_create(3 * PG);
	void *volatile a, *volatile b, *volatile c;

	(void)state;
	assert_non_null(vr);
	grant_region(vr);
	assert_false(OOPSES(a = z_mrsh_vregion_alloc(vr, 100)));
	assert_non_null(a);
	assert_int_equal(refs(vr), 1);			/* pin dropped */
	assert_false(OOPSES(assert_ptr_equal(z_mrsh_vregion_get(vr), vr)));
	assert_int_equal(refs(vr), 2);
	assert_false(OOPSES(z_mrsh_vregion_set_interim(vr)));
	assert_int_equal(vr_region_phase(vr_sof_region(vr)), VR_REGION_INTERIM);
	assert_false(OOPSES(b = z_mrsh_vregion_alloc_align(vr, 200, 128)));
	assert_non_null(b);
	assert_int_equal((uintptr_t)b % 128, 0);
	assert_false(OOPSES(c = z_mrsh_vregion_alloc_coherent_align(vr, 64, 64)));
	assert_non_null(c);
	assert_false(OOPSES(z_mrsh_vregion_free(vr, c)));
	assert_false(OOPSES(z_mrsh_vregion_free(vr, b)));
	assert_false(OOPSES(c = z_mrsh_vregion_alloc_coherent(vr, 10)));
	assert_false(OOPSES(z_mrsh_vregion_free(vr, c)));
	/* put: not the last (vr), then the last (NULL): released and gone */
	assert_false(OOPSES(assert_ptr_equal(z_mrsh_vregion_put(vr), vr)));
	assert_int_equal(refs(vr), 1);
	assert_false(OOPSES(assert_null(z_mrsh_vregion_put(vr))));
	/* the released handle is no longer a region: an oops, nothing read */
	assert_true(OOPSES(a = z_mrsh_vregion_alloc(vr, 100)));
	assert_int_equal(vr_stub_oopses, 1);
}

/* Kernel-mode callers use the same names: the syscall header's wrappers. */
static void test_kernel_side_and_exports(void **state)
{
	struct vregion *vr = vregion_create(PG);
	void *p;

	(void)state;
	assert_non_null(vr);
	p = vregion_alloc(vr, 64);
	assert_non_null(p);
	vregion_free(vr, p);
	assert_ptr_equal(vregion_get(vr), vr);
	assert_ptr_equal(vregion_put(vr), vr);
	assert_null(vregion_put(vr));
	/* the syscalls' z_impl_ functions are exported by Zephyr's generated
	 * table, not a second time by vregion; the other calls by vregion */
	assert_null(vr_stub_export_find("z_impl_vregion_alloc"));
	assert_null(vr_stub_export_find("z_impl_vregion_free"));
	assert_null(vr_stub_export_find("vregion_alloc"));
	assert_true(vr_stub_export_find("vregion_info") == (void (*)(void))vregion_info);
	assert_true(vr_stub_export_find("vregion_for_each") == (void (*)(void))vregion_for_each);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forged_handles_oops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_not_writable_oops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verified_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_side_and_exports, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
