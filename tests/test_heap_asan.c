/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_heap_asan.c - the heap's sanitizer annotations (VR_CONFIG_TRACK = 1,
 * built only with -DVREGION_TRACK=asan -DVREGION_SANITIZE=address): a user's
 * overflow past the bytes it asked for, into the next block's header, a use
 * after free and a read of never-allocated heap memory are reported by
 * AddressSanitizer AT THE FAULTING ACCESS. Each bad access runs in a forked
 * child whose stderr is captured: the report must name the address touched.
 * The good accesses (every byte asked for, after alloc and after realloc of
 * the same memory) must not be reported.
 */
#include "vr_test.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vregion/heap.h"

#if VR_CONFIG_TRACK != 1
#error "test_heap_asan needs VR_CONFIG_TRACK=1 (VREGION_TRACK=asan)"
#endif

static _Alignas(64) uint8_t g_mem[16384];
static struct vr_heap g_heap;

struct child {
	void (*fn)(volatile uint8_t *p);
	volatile uint8_t *p;
};

static char g_report[16384];

/* Run c->fn(c->p) in a child with stderr into a pipe; returns the child's
 * wait status; the report text is in g_report. */
static int run_child(struct child *c)
{
	int fd[2], status = 0;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], 2);
		alarm(10);
		c->fn(c->p);
		_exit(0);	/* not reported */
	}
	close(fd[1]);
	while (n + 1 < sizeof(g_report) && (r = read(fd[0], g_report + n, sizeof(g_report) - 1 - n)) > 0)
		n += (size_t)r;
	g_report[n] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* The child died of an ASan report about an access at exactly p (the kind
 * depends on the shadow: use-after-poison, or unknown-crash for a header
 * sharing its 8-byte ASan granule with the block before). */
static void expect_report(void (*fn)(volatile uint8_t *), volatile uint8_t *p, const char *what)
{
	struct child c = { fn, p };
	char addr[32];
	int status = run_child(&c);

	snprintf(addr, sizeof(addr), "%p", (void *)(uintptr_t)p);
	if (strstr(g_report, "ERROR: AddressSanitizer") == NULL || strstr(g_report, addr) == NULL) {
		print_message("no ASan report (%s) at %s (heap buffer %p); the child said:\n%s\n",
			      what, addr, (void *)g_mem, g_report);
		fail();
	}
	assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void expect_clean(void (*fn)(volatile uint8_t *), volatile uint8_t *p)
{
	struct child c = { fn, p };
	int status = run_child(&c);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    strstr(g_report, "AddressSanitizer") != NULL) {
		print_message("a good access was reported:\n%s\n", g_report);
		fail();
	}
}

static void write_byte(volatile uint8_t *p) { *p = 0x5a; }
static void read_byte(volatile uint8_t *p) { (void)*p; }

static void write_100(volatile uint8_t *p)
{
	int i;

	for (i = 0; i < 100; i++)
		p[i] = (uint8_t)i;
}

static void test_overflow_into_next_block(void **state)
{
	uint8_t *p, *q;
	size_t u;

	(void)state;
	assert_int_equal(vr_heap_init(&g_heap, g_mem, sizeof(g_mem)), 0);
	p = vr_heap_alloc(&g_heap, 100);
	q = vr_heap_alloc(&g_heap, 100);
	assert_non_null(p);
	assert_non_null(q);
	u = vr_heap_usable_size(&g_heap, p);
	assert_true(u >= 100 && q == p + u + 4);
	expect_clean(write_100, p);
	/* the first byte past the request (slack of the block) */
	expect_report(write_byte, p + 100, "past the request");
	/* the next block's header */
	expect_report(write_byte, q - 4, "next header");
	expect_report(read_byte, q - 1, "next header, last byte");
	/* and an underflow of the first block: its header */
	expect_report(write_byte, p - 1, "own header");
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	assert_int_equal(vr_heap_free(&g_heap, p), 0);
	assert_int_equal(vr_heap_free(&g_heap, q), 0);
}

static void test_use_after_free(void **state)
{
	uint8_t *p, *q;

	(void)state;
	assert_int_equal(vr_heap_init_granule(&g_heap, g_mem, sizeof(g_mem), 64), 0);
	p = vr_heap_alloc(&g_heap, 200);
	q = vr_heap_alloc(&g_heap, 200);
	assert_non_null(q);
	expect_clean(write_100, p);
	assert_int_equal(vr_heap_free(&g_heap, p), 0);
	expect_report(write_byte, p, "poisoned");
	expect_report(read_byte, p + 150, "poisoned");
	/* handed out again: addressable again, as far as asked */
	assert_ptr_equal(vr_heap_alloc(&g_heap, 100), p);
	expect_clean(write_100, p);
	expect_report(write_byte, p + 100, "past the request");
	assert_int_equal(vr_heap_validate(&g_heap), 0);
}

/* Memory the heap never handed out, and what a reset takes back. */
static void test_never_allocated_and_reset(void **state)
{
	uint8_t *p, *q;

	(void)state;
	assert_int_equal(vr_heap_init(&g_heap, g_mem, sizeof(g_mem)), 0);
	p = vr_heap_alloc(&g_heap, 64);
	assert_non_null(p);
	expect_report(read_byte, p + 1000, "poisoned");
	expect_report(write_byte, g_mem + sizeof(g_mem) - 8, "poisoned");
	vr_heap_reset(&g_heap);
	expect_report(write_byte, p, "poisoned");
	q = vr_heap_aligned_alloc(&g_heap, 256, 64);	/* leaves a free gap before it */
	assert_non_null(q);
	expect_clean(write_byte, q + 63);
	expect_report(write_byte, q - 8, "poisoned");
	assert_int_equal(vr_heap_validate(&g_heap), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overflow_into_next_block),
		cmocka_unit_test(test_use_after_free),
		cmocka_unit_test(test_never_allocated_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
