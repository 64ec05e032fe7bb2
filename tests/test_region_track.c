/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_region_track.c - sanitizer-visible regions (VR_CONFIG_TRACK,
 * src/track.h): a user's bug inside a region is reported by the tool AT THE
 * FAULTING ACCESS, not at a later free. Built only with -DVREGION_TRACK=asan
 * (and -DVREGION_SANITIZE=address) or -DVREGION_TRACK=valgrind.
 *   ASan: each bad access runs in a forked child whose stderr is captured;
 *     the child must die with ASan's "use-after-poison" report naming the
 *     exact address and access kind.
 *   Valgrind: the test runs itself under memcheck (it re-executes itself
 *     under `valgrind` when started without it); each bad access must raise
 *     memcheck's error count by exactly one at that access
 *     (VALGRIND_COUNT_ERRORS right after it), and correct use none at all.
 * The bugs: overflow from one lifetime object into the next (the padding
 * between them), a read above the bump pointer, use of a freed lifetime
 * object, use of a freed interim block, an interim overflow, a read of the
 * heap header before a block, use after an interim reset. Correct use
 * (every byte of every live block, blocks handed out again, the pages of a
 * released region reused as plain pages) must report nothing.
 */
#include "region_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#if VR_CONFIG_TRACK == 0
#error "test_region_track needs a build with VREGION_TRACK=asan or valgrind"
#endif

struct bad {
	const char *what;
	volatile uint8_t *addr;
	bool write;
};

/* A read's value goes here: Valgrind's translator drops a load whose value
 * is never used (even a volatile one, in an optimised build), and memcheck
 * then has nothing to report. */
static volatile uint8_t sink;

static void touch(const struct bad *b)
{
#if VR_CONFIG_TRACK == 2
	/* memcheck reports the write and lets it land: write back what is
	 * there (read unreported), so the heap's header survives the test */
	uint8_t old;

	VALGRIND_DISABLE_ERROR_REPORTING;
	old = *b->addr;
	VALGRIND_ENABLE_ERROR_REPORTING;
#else
	uint8_t old = 0x5a;	/* in a child: whatever it overwrites is gone with it */
#endif
	if (b->write)
		*b->addr = old;
	else
		sink = *b->addr;
}

#if VR_CONFIG_TRACK == 1

static unsigned reported;	/* bad accesses reported (each in a child) */

/* The child does the access with stderr into a pipe; the parent reads it. */
static void expect_report(const struct bad *b)
{
	static char out[16384];
	char want[96];
	size_t n = 0;
	ssize_t r;
	int fd[2], status = 0;
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], 2);
		touch(b);
		_exit(0);	/* not reported: the parent fails the test */
	}
	close(fd[1]);
	while (n < sizeof(out) - 1 && (r = read(fd[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		fail_msg("%s: the access at %p was not reported", b->what, (void *)b->addr);
	snprintf(want, sizeof(want), "%s of size 1 at %p", b->write ? "WRITE" : "READ",
		 (void *)b->addr);
	if (!strstr(out, "use-after-poison") || !strstr(out, want))
		fail_msg("%s: expected \"use-after-poison\" and \"%s\", got:\n%s", b->what, want, out);
	reported++;
}

/* A report in this process would abort it: only the children's count. */
static unsigned errors_now(void)
{
	return reported;
}

static int start(void **state)
{
	(void)state;
	return 0;
}

#else /* Valgrind */

static void expect_report(const struct bad *b)
{
	unsigned before = VALGRIND_COUNT_ERRORS;

	touch(b);
	if (VALGRIND_COUNT_ERRORS != before + 1)
		fail_msg("%s: memcheck counted %u errors at the access to %p, expected 1", b->what,
			 VALGRIND_COUNT_ERRORS - before, (void *)b->addr);
}

static unsigned errors_now(void)
{
	return VALGRIND_COUNT_ERRORS;
}

static char self[4096];

static int start(void **state)
{
	(void)state;
	if (!RUNNING_ON_VALGRIND) {
		/* run again under memcheck (ctest starts the plain binary) */
		char *argv[] = { "valgrind", "--quiet", "--error-exitcode=0", self, NULL };
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n <= 0)
			return -1;
		self[n] = 0;
		fflush(NULL);
		execvp("valgrind", argv);
		fprintf(stderr, "test_region_track: valgrind not found\n");
		exit(1);
	}
	return 0;
}

#endif

#define BAD(w, a, wr) do { struct bad b_ = { (w), (volatile uint8_t *)(a), (wr) }; \
		expect_report(&b_); } while (0)

/* Lifetime objects: padding, bump space and freed objects are poisoned. */
static void test_lifetime_bugs(void **state)
{
	static const unsigned flags[] = { 0, VR_REGION_NOLOCK };
	unsigned f;

	(void)state;
	for (f = 0; f < 2; f++) {
		struct vr_region *vr = t_mk(4 * PAGE, 0, flags[f]);
		uint8_t *a = vr_region_alloc(vr, 40), *b = vr_region_alloc(vr, 40);
		uint8_t *c = vr_region_alloc_align(vr, 100, 256);
		unsigned e0 = errors_now();

		assert_non_null(c);
		assert_ptr_equal(b, a + 64);
		memset(a, 1, 40);		/* every byte of a live object: fine */
		memset(b, 2, 40);
		memset(c, 3, 100);
		t_check(a, 40, 1);		/* and zeroed before (read back) */
		assert_int_equal(errors_now(), e0);
		BAD("overflow of a into the padding before b", a + 40, true);
		BAD("read of the padding's last byte", a + 63, false);
		BAD("overflow of b towards the aligned c", b + 40, true);
		BAD("read above the bump pointer", c + 200, false);
		BAD("write far above the bump pointer", a + 3 * PAGE, true);
		assert_int_equal(vr_region_free(vr, b), 0);
		BAD("use of a freed lifetime object", b, true);
		BAD("use of a freed lifetime object (its end)", b + 39, false);
		memset(a, 4, 40);		/* a is still live */
		memset(c, 5, 100);
		assert_int_equal(vr_region_validate(vr), 0);
		assert_null(vr_region_put(vr));
	}
}

/* Interim blocks: headers, free blocks and bytes past the size asked for
 * are poisoned; a block handed out again is usable. */
static void test_interim_bugs(void **state)
{
	struct vr_region *vr = t_mk(8 * PAGE, 0, 0);
	uint8_t *p, *q, *r;
	unsigned e0;

	(void)state;
	assert_non_null(vr_region_alloc(vr, 100));
	assert_int_equal(vr_region_set_interim(vr), 0);
	e0 = errors_now();
	p = vr_region_alloc(vr, 100);
	q = vr_region_alloc(vr, 300);
	assert_non_null(q);
	memset(p, 1, 100);
	memset(q, 2, 300);
	assert_int_equal(errors_now(), e0);
	BAD("interim overflow past the size asked for", p + 100, true);
	BAD("read of the heap header before a block", p - 1, false);
	assert_int_equal(vr_region_free(vr, p), 0);
	BAD("use of a freed interim block", p, true);
	BAD("read of a freed interim block", p + 50, false);
	r = vr_region_alloc(vr, 100);		/* handed out again: usable */
	assert_non_null(r);
	memset(r, 3, 100);
	t_check(q, 300, 2);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_int_equal(vr_region_interim_reset(vr), 0);
	BAD("use of an interim block after the reset", q, true);
	r = vr_region_alloc_coherent(vr, 64);
	assert_non_null(r);
	memset(r, 4, 64);
	assert_int_equal(vr_region_free(vr, r), 0);
	assert_int_equal(errors_now(), e0 + 5);
	assert_null(vr_region_put(vr));
}

/* A released region's pages are plain pages again: no poisoning left. */
static void test_released_pages_clean(void **state)
{
	struct vr_region *vr = t_mk(4 * PAGE, 0, 0);
	uintptr_t base = t_base(vr);
	uint8_t *pages;
	unsigned e0 = errors_now();

	(void)state;
	assert_non_null(vr_region_alloc(vr, 100));
	assert_int_equal(vr_region_set_interim(vr), 0);
	assert_non_null(vr_region_alloc(vr, 100));
	assert_null(vr_region_put(vr));
	pages = vr_vpage_alloc(&t_pool, 4);
	assert_ptr_equal(pages, (void *)base);		/* first fit: the same pages */
	memset(pages, 0x77, 4 * PAGE);
	t_check(pages, 4 * PAGE, 0x77);
	assert_int_equal(vr_vpage_free(&t_pool, pages), 0);
	assert_int_equal(errors_now(), e0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifetime_bugs, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_interim_bugs, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_released_pages_clean, t_setup, t_teardown),
	};

	if (start(NULL) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
