/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A websocket feed subscription on the libwebsockets loop: connects,
 * reassembles fragmented messages under a size cap, decodes each message
 * (feed.h) and hands the events to its owner; keeps the link alive with
 * pings and an idle timeout, and reconnects with jittered exponential
 * backoff after any failure, including a server that accepts TCP and never
 * answers the handshake (lws 4.1 then reports only CLOSED_CLIENT_HTTP, so a
 * watchdog timer covers it too).
 *
 * The console, `cityops ingest` and `cityops feed-watch` share this client
 * and the decoder. It takes the lws context (loop_lws() on the console's
 * loop) and adds its own client vhost to it; its timers are lws_sul on the
 * same context, so nothing here blocks or needs a thread.
 *
 * Stream positions (docs/scenarios.md, "The stream"): a heartbeat's seq is
 * the position of the next message in the feed's stream. Once a heartbeat
 * has been seen, the client numbers every message; after a reconnect it
 * asks for the stream from the next position (query parameter `from`), so
 * a feed that supports it (cityops feed-sim) resends what was missed.
 */
#ifndef CITYOPS_FEED_CLIENT_H
#define CITYOPS_FEED_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "cityops/feed/feed.h"

struct lws_context;
struct feed_client;

#define FEED_LINK_LIST(X)                                                      \
	X(IDLE, "idle", "not started")                                         \
	X(CONNECTING, "connecting", "connecting or in the handshake")          \
	X(UP, "up", "connected, receiving")                                    \
	X(WAITING, "waiting", "down; waiting to reconnect")

enum feed_link {
#define X(id, name, help) FEED_LINK_##id,
	FEED_LINK_LIST(X)
#undef X
};

/* Position not known: no heartbeat seen and no resume point given. */
#define FEED_POS_UNKNOWN UINT64_MAX

/* Settings; zero fields take the defaults shown. */
struct feed_client_opts {
	const char *url;         /* ws://host[:port][/path][?query] */
	const char *name;        /* for logs and health; default: url */
	enum feed_format format; /* FEED_FORMAT_AUTO */
	size_t max_message;      /* FEED_MAX_DEFAULT (1 MiB) */
	int handshake_ms;        /* 5000: connect + handshake watchdog */
	int ping_ms;             /* 10000: ping after this much silence */
	int idle_ms;             /* 30000: reconnect after this much */
	int backoff_min_ms;      /* 250 */
	int backoff_max_ms;      /* 15000 */
	int log_interval_ms;     /* 10000: rejects logged once per kind */
	/*
	 * With resume set, resume_pos is the stream position asked for on
	 * the very first connect (one committed by a previous run); it wins
	 * over a from= in the URL. It has to be known before the client
	 * starts, because feed_client_new connects at once: a feed that
	 * resumes serves an unqualified first request from its live
	 * position, and whatever lay between would be lost.
	 */
	int resume;
	uint64_t resume_pos;
	/* Zones for zone-less times (feed_decoder_set_zones), NULL: the
	 * defaults; numbers with leading zeros accepted when lenient. */
	const char *zones;
	int lenient;
};

/* Health for display; owned by the client, valid until the next event. */
struct feed_health {
	const char *name, *url;
	enum feed_link link;
	char why[160];       /* last failure, "" when none */
	int64_t since_ms;    /* wall clock of the last link change */
	int64_t last_msg_ms; /* wall clock of the last message, 0: none */
	int64_t retry_in_ms; /* when WAITING: until the next attempt */
	uint64_t connects;   /* handshakes completed */
	uint64_t failures;   /* attempts or links that failed */
	uint64_t messages;   /* complete messages received */
	uint64_t bytes;      /* of those messages */
	uint64_t events;     /* handed to the owner */
	uint64_t rejected;   /* messages dropped whole, any reason */
	uint64_t skipped;    /* items dropped inside messages */
	uint64_t oversize;   /* messages over max_message (too_large) */
	uint64_t position;   /* next stream position, or FEED_POS_UNKNOWN */
	int paused;          /* receive flow-controlled by the owner */
	const struct feed_stats *stats; /* the decoder's totals by reason */
};

struct feed_client_hooks {
	/*
	 * One decoded event; pointers in ev live until the call returns.
	 * pos is the message's stream position or FEED_POS_UNKNOWN.
	 */
	void (*event)(void *arg, struct feed_client *fc,
	              const struct feed_event *ev, uint64_t pos);
	/*
	 * After each complete message (decoded or rejected): res says what
	 * happened; next_pos is the position after it or FEED_POS_UNKNOWN.
	 * May be NULL.
	 */
	void (*message)(void *arg, struct feed_client *fc,
	                const struct feed_result *res, uint64_t next_pos);
	/* The link changed (up, down, waiting); may be NULL. */
	void (*health)(void *arg, struct feed_client *fc);
	void *arg;
};

/*
 * Returns a client that starts connecting at once, or NULL (logged) when
 * the URL cannot be parsed (only ws:// is supported). Free with
 * feed_client_free; the context must outlive it.
 */
struct feed_client *feed_client_new(struct lws_context *ctx,
                                    const struct feed_client_opts *o,
                                    const struct feed_client_hooks *h);
/* Closes the link, cancels timers and frees; sets *fcp to NULL. */
void feed_client_free(struct feed_client **fcp);

/* Current health (owned by the client). */
const struct feed_health *feed_client_health(struct feed_client *fc);

/* Stops (1) or restarts (0) reading from the socket: TCP backpressure. */
void feed_client_pause(struct feed_client *fc, int pause);

/* Logs rejects counted since the last log line, one line per reason. */
void feed_client_log_rejects(struct feed_client *fc);

/*
 * The delay before the next reconnect: doubles *backoff_ms (starting at
 * min_ms, never past max_ms) and returns it with jitter, a share in
 * [50 %, 100 %] picked by rnd, so that clients do not retry in step and
 * the delay never exceeds max_ms, jitter included.
 */
int feed_backoff_next(int *backoff_ms, int min_ms, int max_ms, uint64_t rnd);

/* Wall clock in epoch milliseconds. */
int64_t feed_wall_ms(void);

const char *feed_link_name(enum feed_link l);

/*
 * Splits a ws:// URL. Writes host (NUL-terminated, brackets removed from
 * an IPv6 literal), port (default 80) and path with query (default "/").
 * Returns 0, or -1 when the URL is not ws:// or a part does not fit.
 */
int feed_url_parse(const char *url, char *host, size_t hostsz, int *port,
                   char *path, size_t pathsz);

#endif
