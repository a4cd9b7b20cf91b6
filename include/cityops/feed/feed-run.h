/*
 * What the feed subcommands (feed-sim, ingest, feed-watch) share around
 * the event loop: termination signals read through a signalfd adopted into
 * the loop (the handler does no work; the loop does), and small parsers
 * for their options.
 */
#ifndef CITYOPS_FEED_RUN_H
#define CITYOPS_FEED_RUN_H

#include <stdint.h>

struct loop;
struct feed_sigwatch;

/*
 * Blocks SIGINT, SIGTERM and SIGHUP, ignores SIGPIPE, and reports each of
 * the first three through fn(arg, signo) on the loop. Returns NULL
 * (logged) on failure; free with feed_sigwatch_free.
 */
struct feed_sigwatch *
feed_sigwatch_new(struct loop *l, void (*fn)(void *arg, int signo), void *arg);
void feed_sigwatch_free(struct feed_sigwatch **wp);

/* Parses a whole decimal number in [min, max]; returns 0 or -1. */
int feed_parse_int(const char *s, long long min, long long max, long long *out);
/* Parses a finite number in [min, max]; returns 0 or -1. */
int feed_parse_double(const char *s, double min, double max, double *out);

/* Monotonic microseconds. */
int64_t feed_mono_us(void);

#endif
