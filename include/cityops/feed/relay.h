/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops relay (issue 12, docs/scale.md "Relay"): one process holds the
 * only reader of the change log and serves its records to consoles over
 * websocket, each console asking for a scope (a region path prefix) and
 * resuming after the last sequence it received.
 *
 * The wire: ws://HOST:PORT/changes?token=T&scope=PATH&from=SEQ&exercise=1.
 * The token (relay_token_issue(), through the subscriber's own database
 * login) is required: the relay asks the database whose it is and serves
 * only records in that login's scope. The other arguments are optional
 * (no scope: all the token allows; no from: from now); the scope is a
 * region path (310000.310120) or a region code (310120), and narrows,
 * never widens, what the token allows.
 * Each text frame holds one or more lines, each a JSON object:
 *   {"hello":"cityops-relay","head":H,"base":B}   first, once per link
 *   {"seq":S,"t":KIND,"id":OBJECT,"incident":N,"region":PATH,"x":false}
 *   {"gap":true,"base":B}  records after from were dropped (the relay was
 *                          restarted further on, or the subscriber fell
 *                          behind its memory): resync in full, then
 *                          records follow from B.
 * A record carries ids, kinds and region paths only, never a title or a
 * state; "region" is absent for city-wide records (mode, drills).
 */
#ifndef CITYOPS_RELAY_H
#define CITYOPS_RELAY_H

#include <stddef.h>
#include <stdint.h>

struct lws_context;

/* The subcommands; argv[0] is "relay" / "relay-watch". */
int relay_main(int argc, char **argv, const char *dsn);
int relay_watch_main(int argc, char **argv, const char *dsn);

enum relay_line_kind {
	RELAY_LINE_RECORD,
	RELAY_LINE_HELLO,
	RELAY_LINE_GAP,
};

/* One line of a frame; the strings point into the record (no escapes
 * kept beyond what fits). */
struct relay_line {
	enum relay_line_kind kind;
	int64_t seq;        /* record: its sequence */
	int64_t head, base; /* hello: newest released; hello, gap: base */
	char t[16];         /* record: incident, unit, alarm, event, mode … */
	char id[64];        /* record: the object's id, "" when none */
	int64_t incident;   /* record: incident id, 0 when none */
	char region[256];   /* record: region path, "" for city-wide */
	int exercise;
};

/*
 * Parses one line (not NUL-terminated, len bytes). Returns 0, or -1 for
 * anything that is not one of the three shapes above with fields of the
 * right types and sizes (nothing is written to out then but garbage).
 */
int relay_line_parse(const char *s, size_t len, struct relay_line *out);

/* 1 when region (a path, "" for city-wide) lies in scope: "" is the
 * whole city; a path (with dots) is a prefix, equal or followed by a dot;
 * a region code (no dot) matches a path with that code as a label. */
int relay_in_scope(const char *region, const char *scope);
/* 1 when s is a region path: labels of [A-Za-z0-9_] joined by dots,
 * at most 255 bytes; "" is the whole city. */
int relay_scope_valid(const char *s);

/* A subscription on the loop's lws context, reconnecting by itself. */
struct relay_client;

struct relay_client_opts {
	const char *url;   /* ws://host:port[/path] */
	const char *scope; /* region path prefix, NULL or "": city */
	const char *token; /* relay_token_issue()'s answer (hex) */
	int exercise;      /* also exercise records */
	int resume;        /* ask from resume_pos on the first connect */
	int64_t resume_pos;
};

struct relay_client_hooks {
	/* A record in order (borrowed for the call). */
	void (*record)(void *arg, const struct relay_line *rec);
	/* Records were lost: the owner resyncs in full. */
	void (*gap)(void *arg);
	/* The link came up (1: the relay said hello, so it checked the token
	 * and serves from now on) or went down (0). */
	void (*link)(void *arg, int up);
	void *arg;
};

/* Starts connecting at once; NULL (logged) when the URL is not ws://. */
struct relay_client *relay_client_new(struct lws_context *ctx,
                                      const struct relay_client_opts *o,
                                      const struct relay_client_hooks *h);
void relay_client_free(struct relay_client **cp);
/* A fresh token for the next connect (the link in use is kept). */
void relay_client_set_token(struct relay_client *c, const char *token);
/* 1 when s is a token as relay_token_issue() makes them: 1 to 64 hex
 * digits. */
int relay_token_valid(const char *s);
/* The last sequence received, or -1 when none. */
int64_t relay_client_pos(const struct relay_client *c);

#endif
