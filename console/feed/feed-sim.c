/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops feed-sim: a websocket server that plays a scenario as a live
 * feed. The stream is the scenario's deterministic message sequence
 * (scenario.h); the rate says how fast the "live" position moves. Each
 * connection has its own cursor: it starts at the live position, or at
 * ?from=N to resume, and catches up as fast as the socket takes it. Every
 * connection opens with a heartbeat whose seq is its first position, so a
 * client always knows where it is in the stream.
 *
 * --hold keeps the live position at 0 until the first client connects;
 * --record appends every stream message served to a file, with its
 * position, so a test can compare a database with what was really sent.
 *
 * --mute accepts TCP connections and never answers the handshake: the case
 * lws 4.1 clients must survive (DESIGN.md), for tests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-run.h"
#include "cityops/feed/feed-sim.h"
#include "sim-http.h"
#include "sim-internal.h"
#include "sim-push.h"
#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/opt.h"
#include "cityops/feed/scenario.h"
#include "cityops/core/util.h"

#define SIM_PROTOCOL "cityops-feed"
#define WRITE_BUDGET 512 /* messages per writeable callback */

struct sim_conn {
	uint64_t next;
	int hello;
};

/* The live position: how far the stream has got at this rate. */
static uint64_t
live_pos(const struct sim *s)
{
	double p;

	if (s->rate <= 0)
		return s->count;
	if (s->hold)
		return 0;
	p = (double)(feed_mono_us() - s->t0_us) / 1e6 * s->rate;
	if (p >= (double)s->count)
		return s->count;
	return (uint64_t)p;
}

static int
write_msg(struct sim *s, struct lws *wsi)
{
	size_t len = s->out.len - LWS_PRE;
	int n = lws_write(wsi, (unsigned char *)s->out.data + LWS_PRE, len,
	                  LWS_WRITE_TEXT);

	if (n < (int)len)
		return -1;
	s->sent++;
	s->bytes += len;
	return 0;
}

static void
out_start(struct sim *s)
{
	static const char zeros[LWS_PRE];

	buf_reset(&s->out);
	buf_add(&s->out, zeros, LWS_PRE);
}

static int
on_writeable(struct sim *s, struct sim_conn *c, struct lws *wsi)
{
	uint64_t limit = live_pos(s);
	int n = 0;

	if (!c->hello) {
		out_start(s);
		buf_printf(&s->out,
		           "{\"t\":\"h\",\"f\":\"%s\",\"seq\":%" PRIu64
		           ",\"ts\":%lld}",
		           scenario_name(s->sc), c->next,
		           (long long)feed_wall_ms());
		if (write_msg(s, wsi) != 0)
			return -1;
		c->hello = 1;
	}
	while (c->next < limit && n < WRITE_BUDGET &&
	       !lws_send_pipe_choked(wsi)) {
		out_start(s);
		scenario_message(s->sc, c->next, feed_wall_ms(), &s->out);
		if (write_msg(s, wsi) != 0)
			return -1;
		if (s->record != NULL) {
			fprintf(s->record, "%" PRIu64 "\t", c->next);
			fwrite(s->out.data + LWS_PRE, 1, s->out.len - LWS_PRE,
			       s->record);
			fputc('\n', s->record);
		}
		c->next++;
		n++;
	}
	/* A test reads the record while we serve: whole lines only. */
	if (s->record != NULL && n > 0)
		fflush(s->record);
	/* More ready now: ask again. Otherwise the pacer wakes us. */
	if (c->next < limit)
		lws_callback_on_writable(wsi);
	return 0;
}

static int
sim_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
       size_t len)
{
	const struct lws_protocols *pr = lws_get_protocol(wsi);
	struct sim *s = pr ? pr->user : NULL;
	struct sim_conn *c = user;
	char arg[64];

	if (s == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED: {
		const char *v;
		long long from;
		memset(c, 0, sizeof *c);
		if (s->hold) {
			/* The stream's clock starts with its first client. */
			s->hold = 0;
			s->t0_us = feed_mono_us();
		}
		c->next = live_pos(s);
		if (s->rate <= 0)
			c->next = 0;
		v = lws_get_urlarg_by_name(wsi, "from=", arg, sizeof arg);
		if (v != NULL && opt_parse_int(v, 0, INT64_MAX, &from) == 0)
			c->next = (uint64_t)from;
		s->nconn++;
		s->conns++;
		log_msg(LOG_INFO,
		        "feed-sim: client connected, from %" PRIu64
		        " (%d open)",
		        c->next, s->nconn);
		lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return on_writeable(s, c, wsi);
	case LWS_CALLBACK_CLOSED:
		s->nconn--;
		log_msg(LOG_INFO,
		        "feed-sim: client gone at %" PRIu64 " (%d open)",
		        c->next, s->nconn);
		return 0;
	case LWS_CALLBACK_HTTP:
		/* Only websocket upgrades are served. */
		lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return -1;
	default:
		return 0;
	}
}

static void
pacer_cb(lws_sorted_usec_list_t *sul)
{
	struct sim *s = lws_container_of(sul, struct sim, pacer);

	if (s->nconn > 0)
		lws_callback_on_writable_all_protocol(s->ctx, &s->protocols[0]);
	lws_sul_schedule(s->ctx, 0, &s->pacer, pacer_cb,
	                 (lws_usec_t)s->pacer_ms * LWS_US_PER_MS);
}

static void
stopper_cb(lws_sorted_usec_list_t *sul)
{
	struct sim *s = lws_container_of(sul, struct sim, stopper);

	log_msg(LOG_INFO, "feed-sim: duration over");
	loop_quit(s->loop);
}

static void
on_signal(void *arg, int signo)
{
	struct sim *s = arg;

	log_msg(LOG_INFO, "feed-sim: signal %d, stopping", signo);
	loop_quit(s->loop);
}

static void
mute_event(void *arg, unsigned events)
{
	struct sim *s = arg;
	int fd;

	while ((fd = accept4(s->mute_fd, NULL, NULL,
	                     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* Hold it open, say nothing. */
		if (s->nmute == MUTE_MAX_CONNS) {
			close(s->mute_conns[0]);
			memmove(s->mute_conns, s->mute_conns + 1,
			        (MUTE_MAX_CONNS - 1) * sizeof(int));
			s->nmute--;
		}
		s->mute_conns[s->nmute++] = fd;
		s->conns++;
		log_msg(LOG_INFO, "feed-sim: muted connection %d accepted",
		        s->nmute);
	}
}

static int
mute_listen(struct sim *s, const char *host, int port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int one = 1;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		log_msg(LOG_ERROR, "feed-sim: --mute needs an IPv4 --host");
		return -1;
	}
	s->mute_fd =
	    socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->mute_fd < 0 ||
	    setsockopt(s->mute_fd, SOL_SOCKET, SO_REUSEADDR, &one,
	               sizeof one) != 0 ||
	    bind(s->mute_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(s->mute_fd, 16) != 0 ||
	    getsockname(s->mute_fd, (struct sockaddr *)&a, &alen) != 0) {
		log_msg(LOG_ERROR, "feed-sim: cannot listen on %s:%d: %s", host,
		        port, strerror(errno));
		return -1;
	}
	s->mute_watch = loop_watch_fd(s->loop, s->mute_fd, mute_event, s);
	return s->mute_watch ? ntohs(a.sin_port) : -1;
}

/* Loads the scenario and sets its observed clock; returns 0 or 2. */
static int
load_scenario(struct sim *s, struct sim_args *a)
{
	char err[512];

	if (a->sensors > 0) {
		s->sc = scenario_sensors((uint64_t)a->sensors,
		                         a->per_msg > 0 ? (unsigned)a->per_msg
		                                        : 100);
		if (a->so.format != SCENARIO_FORMAT_NATIVE) {
			fprintf(stderr, "cityops feed-sim: --sensors sends "
			                "native batches only\n");
			scenario_free(&s->sc);
			return 2;
		}
	} else {
		s->sc = scenario_load(a->scen, err, sizeof err);
	}
	if (s->sc == NULL) {
		fprintf(stderr, "cityops feed-sim: %s\n", err);
		return 2;
	}
	if (a->so.start_ms == 0)
		a->so.start_ms = feed_wall_ms() / 1000 * 1000;
	/* Observed time follows the wall clock at this rate, at least one ms
	 * per tick so that every reading of an indicator has its own time
	 * (the database key). */
	if (a->tick_ms == 0) {
		double per_tick = scenario_msgs_per_tick(s->sc);
		a->tick_ms =
		    s->rate > 0
		        ? (long long)llround(per_tick * 1000.0 / s->rate)
		        : 1;
		if (a->tick_ms < 1)
			a->tick_ms = 1;
	}
	a->so.tick_ms = a->tick_ms;
	scenario_set_opts(s->sc, &a->so);
	return 0;
}

/* --dump: prints messages [from, from+count) and returns the exit status. */
static int
dump_messages(struct sim *s, const struct sim_args *a)
{
	uint64_t n =
	    s->count != UINT64_MAX ? s->count : scenario_cycle_len(s->sc);

	for (uint64_t k = (uint64_t)a->from; k < (uint64_t)a->from + n; k++) {
		buf_reset(&s->out);
		scenario_message(s->sc, k, 0, &s->out);
		fwrite(s->out.data, 1, s->out.len, stdout);
		fputc('\n', stdout);
	}
	buf_free(&s->out);
	scenario_free(&s->sc);
	return ferror(stdout) ? 1 : 0;
}

/* Listens for websocket clients and starts the pacer; returns 0 or -1. */
static int
serve(struct sim *s, struct sim_args *a)
{
	struct lws_context_creation_info info;

	s->protocols[0].name = SIM_PROTOCOL;
	s->protocols[0].callback = sim_cb;
	s->protocols[0].per_session_data_size = sizeof(struct sim_conn);
	s->protocols[0].rx_buffer_size = 4096;
	s->protocols[0].user = s;
	memset(&info, 0, sizeof info);
	info.port = (int)a->port;
	info.iface = a->host;
	info.protocols = s->protocols;
	info.vhost_name = "feed-sim";
	info.gid = -1;
	info.uid = -1;
	s->vh = lws_create_vhost(s->ctx, &info);
	if (s->vh == NULL) {
		fprintf(stderr, "cityops feed-sim: cannot listen on %s:%lld\n",
		        a->host, a->port);
		return -1;
	}
	a->port = lws_get_vhost_listen_port(s->vh);
	s->t0_us = feed_mono_us();
	s->pacer_ms = s->rate > 0 ? (int)(1000.0 / s->rate) : 50;
	if (s->pacer_ms < 1)
		s->pacer_ms = 1;
	if (s->pacer_ms > 50)
		s->pacer_ms = 50;
	lws_sul_schedule(s->ctx, 0, &s->pacer, pacer_cb,
	                 (lws_usec_t)s->pacer_ms * LWS_US_PER_MS);
	log_msg(LOG_INFO,
	        "feed-sim: scenario %s (%s): %" PRIu64
	        " messages a cycle, %g/s, tick %lld ms, format %s, "
	        "broken %g %%",
	        scenario_name(s->sc), scenario_title(s->sc),
	        scenario_cycle_len(s->sc), s->rate, a->tick_ms,
	        scenario_format_name(a->so.format), a->so.broken_pct);
	return 0;
}

/* A small file whole (at most 1 MiB), NUL-terminated; NULL if not. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {0};
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1 << 20))
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.len >= (1 << 20)) {
		buf_free(&b);
		return NULL;
	}
	buf_adds(&b, "");
	return b.data;
}

/* --http: the same stream as documents over HTTP(S) (sim-http.h). */
static int
run_http(struct sim *s, struct sim_args *a, struct feed_sigwatch *sw)
{
	struct sim_http_opts o;
	struct sim_http *h;

	memset(&o, 0, sizeof o);
	o.host = a->host;
	o.port = (int)a->port;
	o.cert = a->cert;
	o.key = a->key;
	o.rate = s->rate;
	o.count = s->count != UINT64_MAX ? s->count : scenario_cycle_len(s->sc);
	o.hold = s->hold;
	o.record = s->record;
	o.sc = s->sc;
	if (a->broker != NULL &&
	    (o.broker = s->broker = fopen(a->broker, "a")) == NULL) {
		fprintf(stderr, "cityops feed-sim: cannot open %s: %s\n",
		        a->broker, strerror(errno));
		feed_sigwatch_free(&sw);
		return 2;
	}
	for (int i = 0; i < a->nfiles; i++) {
		const char *eq = strchr(a->file_arg[i], '=');
		s->file_path[i] =
		    xstrndup(a->file_arg[i], (size_t)(eq - a->file_arg[i]));
		if ((s->file_body[i] = read_file(eq + 1)) == NULL) {
			fprintf(stderr, "cityops feed-sim: cannot read %s\n",
			        eq + 1);
			feed_sigwatch_free(&sw);
			return 2;
		}
		s->nfiles = i + 1;
	}
	o.file_path = (const char *const *)s->file_path;
	o.file_body = (const char *const *)s->file_body;
	o.nfiles = s->nfiles;
	o.cap_gen = (int)a->cap_gen;
	if ((h = sim_http_new(s->ctx, &o)) == NULL) {
		feed_sigwatch_free(&sw);
		return 1;
	}
	if (a->duration > 0)
		lws_sul_schedule(s->ctx, 0, &s->stopper, stopper_cb,
		                 (lws_usec_t)(a->duration * 1e6));
	printf("%s://%s:%d/\n", a->cert ? "https" : "http", a->host,
	       sim_http_port(h));
	fflush(stdout);
	log_msg(LOG_INFO, "feed-sim: listening on %s://%s:%d/",
	        a->cert ? "https" : "http", a->host, sim_http_port(h));
	loop_run(s->loop);
	lws_sul_cancel(&s->stopper);
	feed_sigwatch_free(&sw);
	/* The vhost's callbacks may still run until the loop is freed. */
	s->http = h;
	return 0;
}

/* --mqtt, --ngsi-post: the stream pushed out (sim-push.h). */
static int
run_push(struct sim *s, struct sim_args *a, struct feed_sigwatch *sw)
{
	struct sim_push *p;
	char sum[256];

	a->push.rate = s->rate;
	a->push.from = (uint64_t)a->from;
	a->push.count = s->count;
	a->push.window = (int)a->window;
	a->push.record = s->record;
	a->push.sc = s->sc;
	if ((p = sim_push_new(s->loop, &a->push)) == NULL) {
		feed_sigwatch_free(&sw);
		return 1;
	}
	if (a->duration > 0)
		lws_sul_schedule(s->ctx, 0, &s->stopper, stopper_cb,
		                 (lws_usec_t)(a->duration * 1e6));
	log_msg(LOG_INFO, "feed-sim: pushing to %s, %g/s, from %lld",
	        a->push.mqtt_url ? a->push.mqtt_url : a->push.post_url, s->rate,
	        a->from);
	loop_run(s->loop);
	lws_sul_cancel(&s->stopper);
	sim_push_summary(p, sum, sizeof sum);
	log_msg(LOG_INFO, "feed-sim: %s", sum);
	sim_push_free(&p);
	feed_sigwatch_free(&sw);
	return 0;
}

/* Runs the loop until a signal, --duration or the end; returns 0 or 1. */
static int
run(struct sim *s, struct sim_args *a)
{
	struct feed_sigwatch *sw = feed_sigwatch_new(s->loop, on_signal, s);

	if (sw == NULL)
		return 1;
	if (a->http)
		return run_http(s, a, sw);
	if (a->push.mqtt_url != NULL || a->push.post_url != NULL)
		return run_push(s, a, sw);
	if (a->mute) {
		int p = mute_listen(s, a->host, (int)a->port);
		if (p < 0) {
			feed_sigwatch_free(&sw);
			return 1;
		}
		a->port = p;
	} else if (serve(s, a) != 0) {
		feed_sigwatch_free(&sw);
		return 1;
	}
	if (a->duration > 0)
		lws_sul_schedule(s->ctx, 0, &s->stopper, stopper_cb,
		                 (lws_usec_t)(a->duration * 1e6));
	printf("ws://%s:%lld/\n", a->host, a->port);
	fflush(stdout);
	log_msg(LOG_INFO, "feed-sim: listening on ws://%s:%lld/%s", a->host,
	        a->port, a->mute ? " (mute: never answers the handshake)" : "");
	loop_run(s->loop);
	log_msg(LOG_INFO,
	        "feed-sim: sent %" PRIu64 " messages, %" PRIu64
	        " bytes, %" PRIu64 " connections",
	        s->sent, s->bytes, s->conns);
	lws_sul_cancel(&s->pacer);
	lws_sul_cancel(&s->stopper);
	feed_sigwatch_free(&sw);
	return 0;
}

int
feed_sim_main(int argc, char **argv)
{
	struct sim s;
	struct sim_args a = {
	    .scen = "day", .host = "127.0.0.1", .logpath = "-"};
	int rc;

	memset(&s, 0, sizeof s);
	s.rate = 20;
	s.count = UINT64_MAX;
	s.mute_fd = -1;
	a.port = 7681;
	a.so.format = SCENARIO_FORMAT_NATIVE;
	a.sim = &s;
	if ((rc = sim_parse_args(argc, argv, &a)) >= 0)
		return rc;
	if (log_open(a.logpath, LOG_INFO) != 0) {
		fprintf(stderr, "cityops feed-sim: cannot open log %s\n",
		        a.logpath);
		return 2;
	}
	if (!a.mute && load_scenario(&s, &a) != 0)
		return 2;
	if (a.dump)
		return dump_messages(&s, &a);
	if (a.record != NULL && (s.record = fopen(a.record, "a")) == NULL) {
		fprintf(stderr, "cityops feed-sim: cannot open %s: %s\n",
		        a.record, strerror(errno));
		scenario_free(&s.sc);
		return 2;
	}
	s.loop = loop_new();
	if (s.loop == NULL) {
		if (s.record != NULL)
			fclose(s.record);
		scenario_free(&s.sc);
		return 1;
	}
	s.ctx = loop_lws(s.loop);
	rc = run(&s, &a);
	loop_unwatch(&s.mute_watch);
	for (int i = 0; i < s.nmute; i++)
		close(s.mute_conns[i]);
	if (s.mute_fd >= 0)
		close(s.mute_fd);
	loop_free(&s.loop);
	sim_http_free(&s.http);
	if (s.broker != NULL)
		fclose(s.broker);
	for (int i = 0; i < s.nfiles; i++) {
		free(s.file_path[i]);
		free(s.file_body[i]);
	}
	if (s.record != NULL && fclose(s.record) != 0)
		rc = 1;
	buf_free(&s.out);
	scenario_free(&s.sc);
	log_close();
	return rc;
}
