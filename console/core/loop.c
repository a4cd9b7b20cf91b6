/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The event loop over libwebsockets 4.1. Descriptors are adopted as raw
 * files into one vhost with one protocol; each adopted wsi carries its
 * loop_watch as opaque user data. Detaching that pointer is how a watch is
 * stopped safely from anywhere, even from inside its own callback: the
 * wsi is then killed asynchronously and its remaining callbacks find no
 * watch and do nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"

#define LOOP_PROTOCOL "cityops-fd"

struct loop {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	int quit;
	loop_dirty_fn dirty_fn;
	void *dirty_arg;
	/* Wakes lws_service when loop_quit is called from a handler. */
	struct loop_timer *wake;
	/* The watch whose writable callback is running, if any. */
	struct loop_watch *writing;
};

struct loop_watch {
	struct loop *loop;
	struct lws *wsi;
	loop_fd_fn fn;
	void *arg;
	/* Asks for writability again once the writable callback is over. */
	struct loop_timer *rearm;
};

struct loop_timer {
	lws_sorted_usec_list_t sul; /* first, for lws_container_of */
	struct loop *loop;
	loop_timer_fn fn;
	void *arg;
	int pending;
};

int64_t
loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void rearm_cb(void *arg);

static int
fd_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
            void *in, size_t len)
{
	struct loop_watch *w = lws_get_opaque_user_data(wsi);

	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (w != NULL)
			w->fn(w->arg, LOOP_READ);
		return 0;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (w != NULL) {
			struct loop *l = w->loop;
			/* w may be freed by its own callback: only the loop's
			 * note of it is touched afterwards. */
			l->writing = w;
			w->fn(w->arg, LOOP_WRITE);
			l->writing = NULL;
		}
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		/* lws closed it (error or hang-up): report it as readable
		 * so the owner finds out by reading, and forget the wsi. */
		if (w != NULL) {
			w->wsi = NULL;
			lws_set_opaque_user_data(wsi, NULL);
			w->fn(w->arg, LOOP_READ);
		}
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
    {LOOP_PROTOCOL, fd_callback, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* lws logs go to the app log: nothing may write stderr under the screen. */
static void
lws_emit(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && line[n - 1] == '\n')
		n--;
	log_msg(level == LLL_ERR ? LOG_WARN : LOG_DEBUG, "lws: %.*s", (int)n,
	        line);
}

static void
wake_fn(void *arg)
{
}

struct loop *
loop_new(void)
{
	struct lws_context_creation_info info;
	struct loop *l = xcalloc(1, sizeof *l);

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_emit);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	/* TLS for https:// clients and feed-sim --cert (lws needs it here). */
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
	               LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.gid = -1;
	info.uid = -1;
	l->ctx = lws_create_context(&info);
	if (l->ctx == NULL) {
		log_msg(LOG_ERROR, "loop: cannot create lws context");
		free(l);
		return NULL;
	}
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.vhost_name = "cityops";
	l->vh = lws_create_vhost(l->ctx, &info);
	if (l->vh == NULL) {
		log_msg(LOG_ERROR, "loop: cannot create lws vhost");
		lws_context_destroy(l->ctx);
		free(l);
		return NULL;
	}
	l->wake = loop_timer_new(l, wake_fn, NULL);
	return l;
}

void
loop_free(struct loop **lp)
{
	struct loop *l = *lp;

	if (l == NULL)
		return;
	loop_timer_free(&l->wake);
	lws_context_destroy(l->ctx);
	free(l);
	*lp = NULL;
}

struct lws_context *
loop_lws(struct loop *l)
{
	return l->ctx;
}

struct loop_watch *
loop_watch_fd(struct loop *l, int fd, loop_fd_fn fn, void *arg)
{
	lws_sock_file_fd_type u;
	struct loop_watch *w;
	int copy = dup(fd);

	if (copy < 0) {
		log_msg(LOG_ERROR, "loop: dup(%d): %s", fd, strerror(errno));
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->loop = l;
	w->fn = fn;
	w->arg = arg;
	w->rearm = loop_timer_new(l, rearm_cb, w);
	u.filefd = copy;
	w->wsi = lws_adopt_descriptor_vhost(l->vh, LWS_ADOPT_RAW_FILE_DESC, u,
	                                    LOOP_PROTOCOL, NULL);
	if (w->wsi == NULL) {
		/* On failure lws may or may not have closed it; it is ours to
		 * close only if it is still open as our copy. */
		log_msg(LOG_ERROR, "loop: cannot adopt fd %d", fd);
		loop_timer_free(&w->rearm);
		free(w);
		return NULL;
	}
	lws_set_opaque_user_data(w->wsi, w);
	return w;
}

static void
rearm_cb(void *arg)
{
	struct loop_watch *w = arg;

	if (w->wsi != NULL)
		lws_callback_on_writable(w->wsi);
}

void
loop_want_write(struct loop_watch *w)
{
	if (w == NULL || w->wsi == NULL)
		return;
	/* lws 4.1 drops a request for writability made from inside the
	 * writable callback of an adopted file descriptor (the next poll
	 * has no POLLOUT), which stalled large libpq messages after their
	 * first chunk. Such a request is made again just after. */
	if (w->loop->writing == w)
		loop_timer_start(w->rearm, 0);
	else
		lws_callback_on_writable(w->wsi);
}

void
loop_unwatch(struct loop_watch **wp)
{
	struct loop_watch *w = *wp;

	if (w == NULL)
		return;
	if (w->loop->writing == w)
		w->loop->writing = NULL;
	loop_timer_free(&w->rearm);
	if (w->wsi != NULL) {
		lws_set_opaque_user_data(w->wsi, NULL);
		lws_set_timeout(w->wsi, PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE,
		                LWS_TO_KILL_ASYNC);
	}
	free(w);
	*wp = NULL;
}

static void
timer_cb(lws_sorted_usec_list_t *sul)
{
	struct loop_timer *t = lws_container_of(sul, struct loop_timer, sul);

	t->pending = 0;
	t->fn(t->arg);
}

struct loop_timer *
loop_timer_new(struct loop *l, loop_timer_fn fn, void *arg)
{
	struct loop_timer *t = xcalloc(1, sizeof *t);

	t->loop = l;
	t->fn = fn;
	t->arg = arg;
	return t;
}

void
loop_timer_start(struct loop_timer *t, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	t->pending = 1;
	lws_sul_schedule(t->loop->ctx, 0, &t->sul, timer_cb,
	                 (lws_usec_t)ms * LWS_US_PER_MS);
}

void
loop_timer_start_if_idle(struct loop_timer *t, int64_t ms)
{
	if (!t->pending)
		loop_timer_start(t, ms);
}

void
loop_timer_stop(struct loop_timer *t)
{
	if (t != NULL && t->pending) {
		lws_sul_cancel(&t->sul);
		t->pending = 0;
	}
}

void
loop_timer_free(struct loop_timer **tp)
{
	if (*tp == NULL)
		return;
	loop_timer_stop(*tp);
	free(*tp);
	*tp = NULL;
}

void
loop_set_dirty_hook(struct loop *l, loop_dirty_fn fn, void *arg)
{
	l->dirty_fn = fn;
	l->dirty_arg = arg;
}

void
loop_dirty(struct loop *l, unsigned bits)
{
	if (l->dirty_fn != NULL)
		l->dirty_fn(l->dirty_arg, bits);
}

int
loop_run(struct loop *l)
{
	while (!l->quit)
		if (lws_service(l->ctx, 0) < 0)
			break;
	return 0;
}

void
loop_quit(struct loop *l)
{
	l->quit = 1;
	loop_timer_start(l->wake, 0);
}
