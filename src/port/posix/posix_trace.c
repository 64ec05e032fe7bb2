/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * posix_trace.c - the posix port's trace hook (vregion/trace.h): one line
 * per event in a file (docs/trace.md), and/or the config's callback.
 *
 * The file is named by VREGION_TRACE=path in the environment or by the
 * config's trace_path (the environment wins). The first port of the process
 * to open a path truncates it and writes the header (vr_trace_header());
 * later ports on the same path append to it (so a program with several pools
 * writes one trace; pool numbers tell them apart). Each event is one write(2)
 * of one whole line on an O_APPEND descriptor: nothing is buffered in the
 * process, so a crash keeps every event before it, and lines of concurrent
 * ports never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posix_internal.h"

/* Paths open in the process, shared by the ports that name them. Each
 * file numbers the events of every pool it receives (`seq`, docs/trace.md)
 * under its own mutex, which also covers the write, so the lines of a pool
 * appear in the file in seq order even when threads trace at once. */
#define TRACE_FILES 8
#define TRACE_SEQ_POOLS 64	/* pools numbered above this get no seq */
static struct {
	char *path;
	int fd;
	unsigned refs;
	pthread_mutex_t mu;
	uint32_t seq[TRACE_SEQ_POOLS];
} g_files[TRACE_FILES];
static pthread_mutex_t g_files_mu = PTHREAD_MUTEX_INITIALIZER;

/* A descriptor for path (opened, truncated and headed by its first user), or -errno. */
static int file_get(const char *path)
{
	int fd = -EMFILE, slot = -1;

	pthread_mutex_lock(&g_files_mu);
	for (int i = 0; i < TRACE_FILES; i++) {
		if (g_files[i].refs && strcmp(g_files[i].path, path) == 0) {
			g_files[i].refs++;
			fd = g_files[i].fd;
			goto out;
		}
		if (!g_files[i].refs && slot < 0)
			slot = i;
	}
	if (slot < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fd = -errno;
		goto out;
	}
	g_files[slot].path = strdup(path);
	if (!g_files[slot].path) {
		close(fd);
		fd = -ENOMEM;
		goto out;
	}
	g_files[slot].fd = fd;
	g_files[slot].refs = 1;
	memset(g_files[slot].seq, 0, sizeof(g_files[slot].seq));
	pthread_mutex_init(&g_files[slot].mu, NULL);
	{
		const char *h = vr_trace_header();
		size_t n = strlen(h);
		char line[64];

		memcpy(line, h, n);
		line[n] = '\n';
		ssize_t w = write(fd, line, n + 1);

		(void)w;	/* a failure shows at the first event's write */
	}
out:
	pthread_mutex_unlock(&g_files_mu);
	return fd;
}

static void file_put(int fd)
{
	pthread_mutex_lock(&g_files_mu);
	for (int i = 0; i < TRACE_FILES; i++) {
		if (g_files[i].refs && g_files[i].fd == fd && --g_files[i].refs == 0) {
			close(fd);
			pthread_mutex_destroy(&g_files[i].mu);
			free(g_files[i].path);
			g_files[i].path = NULL;
		}
	}
	pthread_mutex_unlock(&g_files_mu);
}

int vri_posix_trace_open(struct vr_posix *st, struct vr_port *port, const char *path)
{
	const char *env = getenv("VREGION_TRACE");
	int fd;

	st->trace_fd = -1;
	if (env && env[0])
		path = env;
	if (path && path[0]) {
		fd = file_get(path);
		if (fd < 0) {
			VR_LOG(&st->lp, VR_LOG_ERR, "cannot open the trace file (errno)",
			       (uintptr_t)-fd, 0);
			if (path != env)
				return fd;	/* asked for by the config: refuse */
		} else {
			st->trace_fd = fd;
		}
	}
	port->trace = st->trace_fd >= 0 || st->user_trace ? vri_posix_trace : NULL;
	return 0;
}

void vri_posix_trace_close(struct vr_posix *st)
{
	if (st->trace_fd >= 0)
		file_put(st->trace_fd);
	st->trace_fd = -1;
}

/* The file slot of a descriptor (set while a port holds it), or -1. */
static int file_slot(int fd)
{
	for (int i = 0; i < TRACE_FILES; i++)
		if (g_files[i].refs && g_files[i].fd == fd)
			return i;
	return -1;
}

/* Stamp the event with its pool's next seq in this file and write its line,
 * both under the file's mutex. Returns 0 or -errno. */
static int file_write_event(int fd, const struct vr_trace_event *ev)
{
	struct vr_trace_event e = *ev;
	char line[VR_TRACE_LINE_MAX + 1];
	int slot, rc = 0;
	size_t n;

	pthread_mutex_lock(&g_files_mu);
	slot = file_slot(fd);
	pthread_mutex_unlock(&g_files_mu);
	if (slot < 0)
		return -EBADF;
	pthread_mutex_lock(&g_files[slot].mu);
	if (e.pool != 0 && e.pool <= TRACE_SEQ_POOLS)
		e.seq = ++g_files[slot].seq[e.pool - 1];
	n = vr_trace_format(&e, line, VR_TRACE_LINE_MAX);
	if (n > VR_TRACE_LINE_MAX - 1)
		n = VR_TRACE_LINE_MAX - 1;	/* cannot happen: trace.h bounds a line */
	line[n] = '\n';
	if (write(fd, line, n + 1) != (ssize_t)(n + 1))
		rc = -errno;
	pthread_mutex_unlock(&g_files[slot].mu);
	return rc;
}

void vri_posix_trace(void *ctx, const struct vr_trace_event *ev)
{
	struct vr_posix *st = ctx;

	if (st->trace_fd >= 0) {
		int rc = file_write_event(st->trace_fd, ev);

		if (rc == 0)
			cnt_add(&st->n_trace, 1);
		else
			VR_LOG(&st->lp, VR_LOG_ERR, "trace write failed (errno)", (uintptr_t)-rc, 0);
	}
	if (st->user_trace)
		st->user_trace(st->user_trace_ctx, ev);
}
