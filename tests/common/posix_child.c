/* SPDX-License-Identifier: BSD-3-Clause */
/* posix_child.c - see posix_child.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "posix_child.h"

static void child_setup(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM };
	struct rlimit nocore = { 0, 0 };
	struct sigaction sa;
	sigset_t all;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	setrlimit(RLIMIT_CORE, &nocore);
	alarm(VR_CHILD_TIMEOUT_S);
}

int vr_child_run(void (*fn)(void *arg), void *arg, struct vr_child_status *st)
{
	pid_t pid, w;
	int status;

	if (!fn || !st)
		return -EINVAL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		child_setup();
		fn(arg);
		_exit(0);
	}
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if (WIFSIGNALED(status)) {
		st->how = VR_CHILD_SIGNALED;
		st->code = WTERMSIG(status);
	} else {
		st->how = VR_CHILD_EXITED;
		st->code = WEXITSTATUS(status);
	}
	return 0;
}

int vr_child_signal(void (*fn)(void *arg), void *arg)
{
	struct vr_child_status st;

	if (vr_child_run(fn, arg, &st))
		return -2;
	if (st.how == VR_CHILD_SIGNALED)
		return st.code;
	return st.code == 0 ? 0 : -1;
}

bool vr_child_faults(void (*fn)(void *arg), void *arg)
{
	int sig = vr_child_signal(fn, arg);

	return sig == SIGSEGV || sig == SIGBUS;
}

void vr_child_read_byte(void *p)
{
	volatile unsigned char *b = p;

	(void)*b;
}

void vr_child_write_byte(void *p)
{
	volatile unsigned char *b = p;

	*b = 0x5a;
}

bool vr_child_read_faults(void *p)
{
	return vr_child_faults(vr_child_read_byte, p);
}

bool vr_child_write_faults(void *p)
{
	return vr_child_faults(vr_child_write_byte, p);
}
