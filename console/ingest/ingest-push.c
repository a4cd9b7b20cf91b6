/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest, the push sources: the NGSI-LD notification endpoint
 * (--ngsi-listen) and MQTT subscriptions (--mqtt). Neither can be asked
 * to resend: a broker never resends a notification it got a 204 for, and
 * an MQTT broker never resends a message it got a PUBACK for. So every
 * message is appended to the spool (spool.h) and decoded into the batch
 * at once. A notification's 204 waits for the spool's sync thread
 * (spool-sync.h): one fdatasync covers everything appended before it
 * began, the loop reads on meanwhile, and the 204s go out by the position
 * made durable (group commit). MQTT's PUBACKs are queued inside
 * libmosquitto and can only be released all together, so a turn that
 * read MQTT messages syncs in the loop (a zero-delay timer, once for
 * everything that arrived in that turn) and then releases them. The spool
 * position reached rides in the checkpoints (ingest-batch.c) and, once the
 * database has answered every request before it, the spool drops what is
 * confirmed. A restart replays what is left before it listens again; readings
 * (indicator, time) and reports (digest, migration 015) are idempotent in the
 * database.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cityops/core/opt.h"
#include "cityops/feed/feed-mqtt.h"
#include "cityops/feed/mqtt-source.h"
#include "cityops/feed/mqtt-url.h"
#include "cityops/feed/ngsi-listen.h"
#include "cityops/ingest/spool-sync.h"
#include "cityops/ingest/spool.h"
#include "ingest-internal.h"

#define MAX_MQTT      16
#define SPOOL_CAP     (1ull << 30) /* refuse (503) past this backlog */
#define SYNC_RETRY_MS 100
#define REJECT_LOG_MS 10000

struct ingest_push {
	/* Options. */
	const char *ngsi_spec;
	size_t max_body;
	int read_timeout_s;
	const char *secret_header;
	const char *tenant; /* --ngsi-tenant */
	char *secret;
	const char *mqtt_urls[MAX_MQTT];
	char mqtt_shown[MAX_MQTT][600]; /* the URLs without passwords */
	/* Per source (a sources-file line), else the options below. */
	char *mqtt_user_of[MAX_MQTT], *mqtt_pass_of[MAX_MQTT];
	char *mqtt_ca_of[MAX_MQTT];
	int mqtt_owned[MAX_MQTT];
	char *mqtt_user, *mqtt_pass;
	int nmqtt;
	char *mqtt_id;
	char *spool_dir;

	/* Running. */
	struct spool *spool;
	struct spool_syncer *syncer;
	int mqtt_held; /* MQTT messages kept since the last sync */
	struct ngsi_listen *nl;
	struct mqtt_source *ms[MAX_MQTT];
	struct feed_decoder *dec;
	struct loop_timer *sync_timer;
	uint64_t replayed, rejected[FEED_REJECT_COUNT];
	int64_t last_reject_log;
	/* Wall clock of the last message kept, per source (--status). */
	int64_t ngsi_last_ms, mqtt_last_ms[MAX_MQTT];
};

static struct ingest_push *
push_of(struct ingest *in)
{
	if (in->push == NULL) {
		in->push = xcalloc(1, sizeof *in->push);
		in->push->max_body = FEED_MAX_DEFAULT;
		in->push->read_timeout_s = 10;
	}
	return in->push;
}

int
ingest_push_wanted(const struct ingest *in)
{
	return in->push != NULL &&
	       (in->push->ngsi_spec != NULL || in->push->nmqtt > 0);
}

static char *
read_secret(const struct opt_parser *p, int opt, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (f == NULL) {
		opt_error(p, opt, path, strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0') {
		opt_error(p, opt, path, "the file holds no secret");
		return NULL;
	}
	return xstrdup(line);
}

int
ingest_push_opt(const struct opt_parser *p, int opt, const char *arg,
                struct ingest *in)
{
	struct ingest_push *ps;
	long long v;
	char a[64], path[256], host[256], filter[512], shown[600];
	int port;

	if ((opt < OPT_PUSH_FIRST || opt > OPT_PUSH_LAST) &&
	    opt != OPT_NGSI_TENANT)
		return 1;
	ps = push_of(in);
	switch (opt) {
	case OPT_NGSI_TENANT:
		/* As ngsi-http.c reads a tenant: 1 to 64 of [A-Za-z0-9_-]. */
		if (strlen(arg) == 0 || strlen(arg) > NGSI_TENANT_MAX ||
		    strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
		                "tuvwxyz0123456789-_") != strlen(arg))
			return opt_error(p, opt, arg,
			                 "not a tenant name (1 to 64 letters, "
			                 "digits, _ and -)");
		ps->tenant = arg;
		return 0;
	case OPT_NGSI_LISTEN:
		if (ngsi_listen_spec_parse(arg, a, sizeof a, &port, path,
		                           sizeof path) != 0)
			return opt_error(p, opt, arg, "not [ADDR:]PORT[/PATH]");
		ps->ngsi_spec = arg;
		return 0;
	case OPT_NGSI_MAX_BODY:
		if (opt_int(p, opt, arg, 64, 1 << 30, &v) != 0)
			return -1;
		ps->max_body = (size_t)v;
		return 0;
	case OPT_NGSI_TIMEOUT:
		if (opt_int(p, opt, arg, 1, 3600, &v) != 0)
			return -1;
		ps->read_timeout_s = (int)v;
		return 0;
	case OPT_NGSI_SECRET_HEADER:
		if (strlen(arg) == 0 || strlen(arg) > 64 ||
		    strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
		                "tuvwxyz0123456789-_") != strlen(arg))
			return opt_error(p, opt, arg, "not a header name");
		ps->secret_header = arg;
		return 0;
	case OPT_NGSI_SECRET_FILE:
		free(ps->secret);
		return (ps->secret = read_secret(p, opt, arg)) ? 0 : -1;
	case OPT_MQTT:
		mqtt_url_redact(arg, shown, sizeof shown);
		if (mqtt_url_parse(arg, host, sizeof host, &port, filter,
		                   sizeof filter) != 0)
			return opt_error(p, opt, shown,
			                 "not mqtt[s]://[USER[:PASSWORD]@]HOST"
			                 "[:PORT]/TOPIC-FILTER");
		if (opt_append(p, opt, ps->mqtt_urls, &ps->nmqtt, MAX_MQTT,
		               arg) != 0)
			return -1;
		snprintf(ps->mqtt_shown[ps->nmqtt - 1],
		         sizeof ps->mqtt_shown[0], "%s", shown);
		return 0;
	case OPT_MQTT_USER:
		if (strlen(arg) == 0 || strlen(arg) > 127)
			return opt_error(p, opt, arg, "not a user name");
		free(ps->mqtt_user);
		ps->mqtt_user = xstrdup(arg);
		return 0;
	case OPT_MQTT_PASSWORD_FILE:
		free(ps->mqtt_pass);
		return (ps->mqtt_pass = read_secret(p, opt, arg)) ? 0 : -1;
	case OPT_MQTT_ID:
		if (strlen(arg) == 0 || strlen(arg) > 200)
			return opt_error(p, opt, arg, "not a client id");
		free(ps->mqtt_id);
		ps->mqtt_id = xstrdup(arg);
		return 0;
	case OPT_SPOOL:
		free(ps->spool_dir);
		ps->spool_dir = xstrdup(arg);
		return 0;
	}
	return 1;
}

/* The secret in path's first line, or NULL (said, with where). */
static char *
read_line_file(const char *path, const char *where)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (f == NULL) {
		fprintf(stderr, "cityops ingest: %s: %s: %s\n", where, path,
		        strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0') {
		fprintf(stderr, "cityops ingest: %s: %s holds no password\n",
		        where, path);
		return NULL;
	}
	return xstrdup(line);
}

int
ingest_push_add_mqtt(struct ingest *in, const char *url, const char *user,
                     const char *password_file, const char *ca_file,
                     const char *where)
{
	struct ingest_push *ps = push_of(in);
	struct mqtt_url u;
	char shown[600];
	int i = ps->nmqtt;

	mqtt_url_redact(url, shown, sizeof shown);
	if (mqtt_url_split(url, &u) != 0) {
		fprintf(
		    stderr,
		    "cityops ingest: %s: '%s' is not "
		    "mqtt[s]://[USER[:PASSWORD]@]HOST[:PORT]/TOPIC-FILTER\n",
		    where, shown);
		return -1;
	}
	if (i == MAX_MQTT) {
		fprintf(stderr, "cityops ingest: %s: at most %d MQTT sources\n",
		        where, MAX_MQTT);
		return -1;
	}
	if (password_file != NULL && (ps->mqtt_pass_of[i] = read_line_file(
	                                  password_file, where)) == NULL)
		return -1;
	ps->mqtt_urls[i] = xstrdup(url);
	snprintf(ps->mqtt_shown[i], sizeof ps->mqtt_shown[i], "%s", shown);
	ps->mqtt_user_of[i] = user ? xstrdup(user) : NULL;
	ps->mqtt_ca_of[i] = ca_file ? xstrdup(ca_file) : NULL;
	/* Owned here (a --mqtt URL is argv's): freed with the rest. */
	ps->mqtt_owned[i] = 1;
	ps->nmqtt++;
	return 0;
}

/* ---- decoding --------------------------------------------------------- */

static void
sink(void *arg, const struct feed_event *ev)
{
	ingest_feed_event(arg, NULL, ev);
}

static void
count_reject(struct ingest *in, const char *source, const char *what,
             const struct feed_result *res)
{
	struct ingest_push *ps = in->push;
	int64_t now = loop_now_ms();

	ps->rejected[res->reason]++;
	/* Logged with where it came from, once per interval. */
	if (now - ps->last_reject_log >= REJECT_LOG_MS) {
		ps->last_reject_log = now;
		log_msg(LOG_WARN, "ingest: %s: message%s%s rejected: %s (%s)",
		        source, what ? " on " : "", what ? what : "",
		        feed_reject_name(res->reason),
		        feed_reject_help(res->reason));
	}
}

/* One spooled record into the batch; end is its spool position. */
static void
decode(struct ingest *in, enum spool_kind kind, const char *meta, size_t mlen,
       const char *body, size_t blen, uint64_t end)
{
	struct ingest_push *ps = in->push;
	struct feed_result res;
	char topic[SPOOL_META_MAX + 1];

	memcpy(topic, meta, mlen);
	topic[mlen] = '\0';
	if (kind == SPOOL_MQTT)
		feed_mqtt_decode(ps->dec, topic, body, blen, sink, in, &res);
	else
		feed_decode(ps->dec, body, blen, FEED_FORMAT_NGSI, sink, in,
		            &res);
	if (res.events == 0 && res.reason != FEED_REJECT_NONE)
		count_reject(in, kind == SPOOL_MQTT ? "mqtt" : "ngsi-listen",
		             kind == SPOOL_MQTT ? topic : NULL, &res);
	in->spool_reached = end;
	/* A checkpoint follows within flush-ms, as for the feeds. */
	loop_timer_start_if_idle(in->flush_timer, in->flush_ms);
}

static void
replay_one(void *arg, enum spool_kind kind, const char *meta, size_t mlen,
           const char *body, size_t blen, uint64_t end)
{
	struct ingest *in = arg;

	in->push->replayed++;
	decode(in, kind, meta, mlen, body, blen, end);
}

/* ---- the spool's sync: then the 204s and PUBACKs go ------------------ */

static void
durable_cb(void *arg, uint64_t upto)
{
	struct ingest *in = arg;

	if (in->push->nl != NULL)
		ngsi_listen_durable(in->push->nl, upto);
}

static void
sync_cb(void *arg)
{
	struct ingest *in = arg;
	struct ingest_push *ps = in->push;

	if (!ps->mqtt_held) {
		spool_syncer_kick(ps->syncer);
		return;
	}
	if (spool_sync(ps->spool) != 0) {
		/* Nothing is acknowledged that is not on disk. */
		loop_timer_start(ps->sync_timer, SYNC_RETRY_MS);
		return;
	}
	ps->mqtt_held = 0;
	if (ps->nl != NULL)
		ngsi_listen_durable(ps->nl, spool_synced(ps->spool));
	for (int i = 0; i < ps->nmqtt; i++)
		if (ps->ms[i] != NULL)
			mqtt_source_release(ps->ms[i]);
}

static uint64_t
keep(struct ingest *in, enum spool_kind kind, const char *meta, size_t mlen,
     const char *body, size_t blen)
{
	struct ingest_push *ps = in->push;
	uint64_t end;

	if (spool_pending(ps->spool) > SPOOL_CAP)
		return 0;
	if ((end = spool_append(ps->spool, kind, meta, mlen, body, blen)) == 0)
		return 0;
	decode(in, kind, meta, mlen, body, blen, end);
	loop_timer_start_if_idle(ps->sync_timer, 0);
	return end;
}

static int
on_notification(void *arg, const struct ngsi_http_verdict *v, const char *body,
                size_t len, uint64_t *token)
{
	struct ingest *in = arg;

	if (in->stopping)
		return 503;
	*token =
	    keep(in, SPOOL_NGSI_HTTP, v->tenant, strlen(v->tenant), body, len);
	if (*token != 0)
		in->push->ngsi_last_ms = feed_wall_ms();
	return *token != 0 ? 0 : 503;
}

static void
on_mqtt(void *arg, struct mqtt_source *ms, const char *topic,
        const char *payload, size_t len)
{
	struct ingest *in = arg;
	size_t tl = strlen(topic);

	if (tl > SPOOL_META_MAX ||
	    keep(in, SPOOL_MQTT, topic, tl, payload, len) == 0) {
		/* Not kept, so not to be acknowledged: dropping the link
		 * discards the held PUBACK and the broker sends it again. */
		log_msg(LOG_ERROR,
		        "ingest: mqtt: a message on %s could not be kept; "
		        "reconnecting so that the broker resends it",
		        topic);
		mqtt_source_drop(ms);
		return;
	}
	in->push->mqtt_held = 1;
	for (int i = 0; i < in->push->nmqtt; i++)
		if (in->push->ms[i] == ms)
			in->push->mqtt_last_ms[i] = feed_wall_ms();
}

/* ---- start, commit, stop, health -------------------------------------- */

static char *
default_mqtt_id(void)
{
	char host[128];

	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	return xasprintf("cityops-ingest-%s", host);
}

/* A client id per subscription, the same on every run. */
static char *
client_id(const char *base, const char *url)
{
	uint32_t h = 2166136261u;

	for (const char *c = url; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return xasprintf("%.*s-%08" PRIx32, 200, base, h);
}

int
ingest_push_start(struct ingest *in)
{
	struct ingest_push *ps = in->push;

	if (!ingest_push_wanted(in))
		return 0;
	if (ps->spool_dir == NULL)
		ps->spool_dir = xasprintf("%s.spool", in->state_path);
	ps->dec = feed_decoder_new();
	feed_decoder_set_max(ps->dec, ps->max_body > FEED_MAX_DEFAULT
	                                  ? ps->max_body
	                                  : FEED_MAX_DEFAULT);
	ps->sync_timer = loop_timer_new(in->loop, sync_cb, in);
	ps->spool = spool_open(ps->spool_dir, replay_one, in);
	if (ps->spool == NULL)
		return -1;
	ps->syncer = spool_syncer_new(in->loop, ps->spool, durable_cb, in);
	if (ps->syncer == NULL)
		return -1;
	if (ps->replayed > 0)
		log_msg(LOG_INFO,
		        "ingest: %" PRIu64 " spooled messages replayed from %s",
		        ps->replayed, ps->spool_dir);
	if (ps->ngsi_spec != NULL) {
		struct ngsi_listen_opts o = {
		    .spec = ps->ngsi_spec,
		    .max_body = ps->max_body,
		    .read_timeout_s = ps->read_timeout_s,
		    .secret_header =
		        ps->secret ? (ps->secret_header ? ps->secret_header
		                                        : "X-Auth-Token")
		                   : NULL,
		    .secret = ps->secret,
		    .tenant = ps->tenant,
		};
		ps->nl = ngsi_listen_new(loop_lws(in->loop), &o,
		                         on_notification, in);
		if (ps->nl == NULL)
			return -1;
	}
	if (ps->mqtt_id == NULL)
		ps->mqtt_id = default_mqtt_id();
	for (int i = 0; i < ps->nmqtt; i++) {
		/* The id from the URL without user and password: a new
		 * password, or credentials moved out of the URL, keep the
		 * broker's session. */
		char bare[600];
		char *id;
		mqtt_url_bare(ps->mqtt_urls[i], bare, sizeof bare);
		id = client_id(ps->mqtt_id, bare);
		struct mqtt_source_opts o = {
		    .url = ps->mqtt_urls[i],
		    .client_id = id,
		    .user = ps->mqtt_user_of[i] ? ps->mqtt_user_of[i]
		                                : ps->mqtt_user,
		    .password = ps->mqtt_pass_of[i] ? ps->mqtt_pass_of[i]
		                                    : ps->mqtt_pass,
		    .ca_file = ps->mqtt_ca_of[i] ? ps->mqtt_ca_of[i]
		                                 : in->capopts.ca_file,
		};
		ps->ms[i] = mqtt_source_new(in->loop, &o, on_mqtt, in);
		free(id);
		if (ps->ms[i] == NULL)
			return -1;
		if (in->paused)
			mqtt_source_pause(ps->ms[i], 1);
	}
	return 0;
}

void
ingest_push_committed(struct ingest *in, uint64_t pos)
{
	if (in->push != NULL && in->push->spool != NULL)
		spool_commit(in->push->spool, pos);
}

void
ingest_push_pause(struct ingest *in, int pause)
{
	if (in->push == NULL)
		return;
	for (int i = 0; i < in->push->nmqtt; i++)
		if (in->push->ms[i] != NULL)
			mqtt_source_pause(in->push->ms[i], pause);
}

void
ingest_push_health(struct ingest *in, struct buf *b)
{
	struct ingest_push *ps = in->push;

	if (ps == NULL || ps->spool == NULL)
		return;
	if (ps->nl != NULL) {
		const struct ngsi_listen_health *h = ngsi_listen_health(ps->nl);
		buf_printf(b,
		           " ngsi=listening/%" PRIu64 "req/%" PRIu64
		           "kept/%" PRIu64 "refused/%dwaiting",
		           h->requests, h->accepted, h->refused, h->waiting);
		if (h->tenant > 0)
			buf_printf(b, "/%" PRIu64 "other_tenant", h->tenant);
	}
	for (int i = 0; i < ps->nmqtt; i++) {
		const struct mqtt_source_health *h;
		if (ps->ms[i] == NULL)
			continue;
		h = mqtt_source_health(ps->ms[i]);
		buf_printf(b, " mqtt%d=%s/%" PRIu64 "msg", i,
		           mqtt_link_name(h->link), h->messages);
	}
	buf_printf(b, " spool=%" PRIu64 "B", spool_pending(ps->spool));
	for (int r = 1; r < FEED_REJECT_COUNT; r++)
		if (ps->rejected[r] > 0)
			buf_printf(b, " push_%s=%" PRIu64,
			           feed_reject_name((enum feed_reject)r),
			           ps->rejected[r]);
}

void
ingest_push_health_rows(struct ingest *in, struct buf *b)
{
	struct ingest_push *ps = in->push;
	char pos[64];

	if (ps == NULL || ps->spool == NULL)
		return;
	snprintf(pos, sizeof pos, "spool %" PRIu64 " B",
	         spool_pending(ps->spool));
	if (ps->nl != NULL) {
		const struct ngsi_listen_health *h = ngsi_listen_health(ps->nl);
		struct ingest_health_row r = {0};
		char err[128] = "";
		if (h->last_status != 0)
			snprintf(err, sizeof err, "%d %s", h->last_status,
			         h->last_why);
		r.kind = "ngsi";
		snprintf(r.label, sizeof r.label, "ngsi");
		r.url = ps->ngsi_spec;
		r.ok = !in->stopping;
		r.state = in->stopping ? "stopping" : "listening";
		r.last_ok_ms = ps->ngsi_last_ms;
		r.last_error = err;
		snprintf(r.position, sizeof r.position, "%s", pos);
		ingest_health_count(&r, "requests", h->requests);
		ingest_health_count(&r, "accepted", h->accepted);
		ingest_health_count(&r, "replied", h->replied);
		ingest_health_count(&r, "refused", h->refused);
		ingest_health_count(&r, "timeouts", h->timeouts);
		ingest_health_count(&r, "other_tenant", h->tenant);
		ingest_health_count(&r, "bytes", h->bytes);
		for (int k = 1; k < FEED_REJECT_COUNT; k++)
			if (ps->rejected[k] > 0)
				ingest_health_count(
				    &r, feed_reject_name((enum feed_reject)k),
				    ps->rejected[k]);
		ingest_health_row(b, &r);
		buf_free(&r.counts);
	}
	for (int i = 0; i < ps->nmqtt; i++) {
		const struct mqtt_source_health *h;
		struct ingest_health_row r = {0};
		if (ps->ms[i] == NULL)
			continue;
		h = mqtt_source_health(ps->ms[i]);
		r.kind = "mqtt";
		snprintf(r.label, sizeof r.label, "mqtt%d", i);
		r.url = ps->mqtt_shown[i];
		r.ok = h->link == MQTT_LINK_UP;
		r.state = mqtt_link_name(h->link);
		r.last_ok_ms = ps->mqtt_last_ms[i];
		r.last_error = h->last_error;
		r.reconnects = h->reconnects;
		snprintf(r.position, sizeof r.position, "%s", pos);
		ingest_health_count(&r, "messages", h->messages);
		ingest_health_row(b, &r);
		buf_free(&r.counts);
	}
}

void
ingest_push_stop(struct ingest *in)
{
	/* New notifications get 503 (on_notification); MQTT stops being
	 * read. What is kept is still acknowledged by the sync timer. */
	ingest_push_pause(in, 1);
}

int
ingest_push_ngsi_listening(const struct ingest *in)
{
	return in->push != NULL && in->push->ngsi_spec != NULL;
}

int
ingest_push_ngsi_endpoint(struct ingest *in, char *out, size_t n)
{
	struct ingest_push *ps = in->push;
	char a[64], path[256];
	int port;

	if (ps == NULL || ps->nl == NULL ||
	    ngsi_listen_spec_parse(ps->ngsi_spec, a, sizeof a, &port, path,
	                           sizeof path) != 0)
		return -1;
	if (strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0)
		snprintf(a, sizeof a, "127.0.0.1");
	snprintf(out, n, strchr(a, ':') ? "http://[%s]:%d%s" : "http://%s:%d%s",
	         a, ngsi_listen_port(ps->nl), path);
	return 0;
}

const char *
ingest_push_ngsi_tenant(const struct ingest *in)
{
	return in->push != NULL ? in->push->tenant : NULL;
}

void
ingest_push_free(struct ingest *in)
{
	struct ingest_push *ps = in->push;

	if (ps == NULL)
		return;
	for (int i = 0; i < ps->nmqtt; i++) {
		mqtt_source_free(&ps->ms[i]);
		if (ps->mqtt_owned[i])
			free((char *)ps->mqtt_urls[i]);
		free(ps->mqtt_user_of[i]);
		if (ps->mqtt_pass_of[i] != NULL)
			explicit_bzero(ps->mqtt_pass_of[i],
			               strlen(ps->mqtt_pass_of[i]));
		free(ps->mqtt_pass_of[i]);
		free(ps->mqtt_ca_of[i]);
	}
	if (ps->mqtt_pass != NULL)
		explicit_bzero(ps->mqtt_pass, strlen(ps->mqtt_pass));
	free(ps->mqtt_pass);
	free(ps->mqtt_user);
	ngsi_listen_free(&ps->nl);
	spool_syncer_free(&ps->syncer);
	loop_timer_free(&ps->sync_timer);
	spool_close(&ps->spool);
	feed_decoder_free(&ps->dec);
	free(ps->secret);
	free(ps->mqtt_id);
	free(ps->spool_dir);
	free(ps);
	in->push = NULL;
}
