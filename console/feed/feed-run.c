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

#include "cityops/feed/feed-run.h"
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
feed_parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
feed_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int64_t
feed_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
