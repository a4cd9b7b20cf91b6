/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The event loop: one thread, the libwebsockets 4.1 poll loop. Everything
 * that waits — the terminal, each libpq socket, the signalfd, feed
 * websockets — is a descriptor adopted into it; every timer is an lws_sul.
 * Nothing on the loop blocks.
 *
 * Owned by the console engineer. Feed clients use loop_lws() to create
 * their own vhost and client connections on the same context, loop timers
 * for reconnect backoff, and loop_dirty() to ask the screen to redraw.
 */
#ifndef CITYOPS_LOOP_H
#define CITYOPS_LOOP_H

#include <stdint.h>

struct lws_context;
struct loop;
struct loop_watch;
struct loop_timer;

/* What a watched descriptor reports. */
enum loop_event {
	LOOP_READ = 1 << 0,  /* readable (or at end of file / error) */
	LOOP_WRITE = 1 << 1, /* writable, once after loop_want_write */
};

/* Parts of the screen a change may affect; see loop_dirty. */
enum loop_dirty_bits {
	LOOP_DIRTY_STATUS = 1 << 0,
	LOOP_DIRTY_VITALS = 1 << 1,
	LOOP_DIRTY_QUEUE = 1 << 2,
	LOOP_DIRTY_UNITS = 1 << 3,
	LOOP_DIRTY_EVENTS = 1 << 4,
	LOOP_DIRTY_REGIONS = 1 << 5,
	LOOP_DIRTY_ALL = 0xffff,
};

typedef void (*loop_fd_fn)(void *arg, unsigned events);
typedef void (*loop_timer_fn)(void *arg);
typedef void (*loop_dirty_fn)(void *arg, unsigned bits);

/*
 * Creates the loop: an lws context with no listener and one vhost whose
 * protocol serves adopted descriptors. lws logs go to the app log.
 * Returns NULL (logged) on failure; free with loop_free.
 */
struct loop *loop_new(void);
void loop_free(struct loop **lp);

/* The lws context, for feed clients (they add their own vhost). */
struct lws_context *loop_lws(struct loop *l);

/*
 * Watches fd: fn(arg, LOOP_READ) whenever it is readable. The loop adopts
 * a dup() of fd (lws closes what it adopts), so the caller keeps fd and
 * closes it itself. Returns NULL when adoption fails.
 */
struct loop_watch *loop_watch_fd(struct loop *l, int fd, loop_fd_fn fn,
                                 void *arg);
/* Asks for one LOOP_WRITE report when fd can be written. */
void loop_want_write(struct loop_watch *w);
/*
 * Stops watching: no report arrives after this returns, even if called
 * from inside the watch's own report. Sets *wp to NULL.
 */
void loop_unwatch(struct loop_watch **wp);

/* A one-shot timer; (re)start it as often as needed. */
struct loop_timer *loop_timer_new(struct loop *l, loop_timer_fn fn, void *arg);
/* Fires once after ms milliseconds, replacing any earlier start. */
void loop_timer_start(struct loop_timer *t, int64_t ms);
/* Starts it only if it is not already pending (for coalescing). */
void loop_timer_start_if_idle(struct loop_timer *t, int64_t ms);
void loop_timer_stop(struct loop_timer *t);
void loop_timer_free(struct loop_timer **tp);

/* Who draws the screen: handlers call loop_dirty to reach it. */
void loop_set_dirty_hook(struct loop *l, loop_dirty_fn fn, void *arg);
/* Marks parts of the screen for the next render pass (bits of loop_dirty_bits).
 */
void loop_dirty(struct loop *l, unsigned bits);

/* Runs until loop_quit; returns 0. */
int loop_run(struct loop *l);
void loop_quit(struct loop *l);

/* Monotonic milliseconds. */
int64_t loop_now_ms(void);

#endif
