/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Signals for the feed daemons. A signalfd in the loop turns SIGTERM into
 * an ordinary readable event, so stopping runs the same code as any other
 * event: flush, close, exit — never work inside a signal handler.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-run.h"
#include "cityops/feed/feed.h"
#include "cityops/core/opt.h"
#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"

struct feed_sigwatch {
	int fd;
	struct loop_watch *w;
	void (*fn)(void *arg, int signo);
	void *arg;
};

static void
sig_event(void *arg, unsigned events)
{
	struct feed_sigwatch *sw = arg;
	struct signalfd_siginfo si;

	while (read(sw->fd, &si, sizeof si) == (ssize_t)sizeof si)
		sw->fn(sw->arg, (int)si.ssi_signo);
}

struct feed_sigwatch *
feed_sigwatch_new(struct loop *l, void (*fn)(void *arg, int signo), void *arg)
{
	struct feed_sigwatch *sw;
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0) {
		log_msg(LOG_ERROR, "sigprocmask: %s", strerror(errno));
		return NULL;
	}
	sw = xcalloc(1, sizeof *sw);
	sw->fn = fn;
	sw->arg = arg;
	sw->fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sw->fd < 0) {
		log_msg(LOG_ERROR, "signalfd: %s", strerror(errno));
		free(sw);
		return NULL;
	}
	sw->w = loop_watch_fd(l, sw->fd, sig_event, sw);
	if (sw->w == NULL) {
		close(sw->fd);
		free(sw);
		return NULL;
	}
	return sw;
}

void
feed_sigwatch_free(struct feed_sigwatch **wp)
{
	struct feed_sigwatch *sw = *wp;

	if (sw == NULL)
		return;
	loop_unwatch(&sw->w);
	close(sw->fd);
	free(sw);
	*wp = NULL;
}

int
feed_client_opt(const struct opt_parser *p, int opt, const char *arg,
                struct feed_client_opts *o)
{
	long long v;
	int fmt;

	switch (opt) {
	case 'F':
		if ((fmt = feed_format_from_name(arg)) < 0)
			return opt_error(
			    p, opt, arg,
			    "not auto, native, ngsi, cap or open311");
		o->format = (enum feed_format)fmt;
		return 0;
	case 'Z':
		if (feed_decoder_set_zones(NULL, arg) != 0)
			return opt_error(
			    p, opt, arg,
			    "not an offset (+08:00, UTC) or a list "
			    "ngsi=+00:00,native=+08:00");
		o->zones = arg;
		return 0;
	case 'L':
		o->lenient = 1;
		return 0;
	case 'm':
		if (opt_int(p, opt, arg, 64, 1 << 30, &v) != 0)
			return -1;
		o->max_message = (size_t)v;
		return 0;
	case 'w':
	case 'P':
	case 'I':
	case 'B':
		if (opt_int(p, opt, arg, 1, 3600000, &v) != 0)
			return -1;
		if (opt == 'w')
			o->handshake_ms = (int)v;
		else if (opt == 'P')
			o->ping_ms = (int)v;
		else if (opt == 'I')
			o->idle_ms = (int)v;
		else
			o->backoff_min_ms = (int)v;
		return 0;
	}
	return 1;
}

int64_t
feed_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
