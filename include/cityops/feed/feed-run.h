/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What the feed subcommands (feed-sim, ingest, feed-watch) share around
 * the event loop: termination signals read through a signalfd adopted into
 * the loop (the handler does no work; the loop does), and the feed
 * client's options.
 */
#ifndef CITYOPS_FEED_RUN_H
#define CITYOPS_FEED_RUN_H

#include <stdint.h>

struct loop;
struct opt_parser;
struct feed_client_opts;
struct feed_sigwatch;

/*
 * Blocks SIGINT, SIGTERM and SIGHUP, ignores SIGPIPE, and reports each of
 * the first three through fn(arg, signo) on the loop. Returns NULL
 * (logged) on failure; free with feed_sigwatch_free.
 */
struct feed_sigwatch *
feed_sigwatch_new(struct loop *l, void (*fn)(void *arg, int signo), void *arg);
void feed_sigwatch_free(struct feed_sigwatch **wp);

/*
 * The feed client's options, the same in feed-watch and ingest: --format
 * (F), --max-message (m), --handshake-ms (w), --ping-ms (P), --idle-ms (I),
 * --backoff-ms (B), --zone (Z) and --lenient (L), by the letter getopt_long
 * returned. Returns 0 when opt was one of them and set o, -1 when its value was
 * refused (and said so on stderr), 1 when opt is none of them.
 */
int feed_client_opt(const struct opt_parser *p, int opt, const char *arg,
                    struct feed_client_opts *o);

/* Monotonic microseconds. */
int64_t feed_mono_us(void);

#endif
