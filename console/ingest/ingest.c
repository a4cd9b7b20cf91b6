/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest: feeds into PostgreSQL, on one event loop.
 *
 * Readings are gathered into a batch and sent as one statement
 * (cityops.ingest_readings, idempotent on indicator and time), when the
 * batch is full or a timer runs out. Incidents go one statement each
 * (cityops.feed_incident, merged by dedup key) in arrival order, after
 * the readings that came before them. The asynchronous database queue
 * (db.h) sends one request at a time, in order, and resends these
 * requests after a reconnect; since every one is idempotent, a resend
 * neither loses nor doubles.
 *
 * Exactly-once across restarts comes from stream positions: each feed
 * client numbers messages (heartbeats carry the position). When a batch is
 * sent, the positions reached so far are queued as a checkpoint; when the
 * database has answered every request up to it, the checkpoint is
 * committed to the state file. A restarted ingest asks each feed to resend
 * from its committed position on its very first connect (a first request
 * without a position gets a resumable feed's live position, losing the
 * gap); a subscription with no state commits its first position at once.
 * Readings the database already has are counted as duplicate and ignored;
 * a report it already has (same content and source time, migration 015)
 * is counted as replayed and changes nothing. Memory stays bounded: past a
 * queue depth the feeds are paused (TCP backpressure), never dropped.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cityops/core/opt.h"
#include "cityops/feed/feed-catalogue.h"
#include "ingest-internal.h"

/* ---- database link and mapping ---------------------------------------- */

static void load_mappings(struct ingest *in);

/* The region extents, then the sensors and rollups. */
static void
extents_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (err != NULL)
		log_msg(LOG_ERROR, "ingest: cannot load the region extents: %s",
		        err->message ? err->message : "?");
	else
		log_msg(LOG_INFO, "ingest: region extents loaded, %zu regions",
		        feed_catalogue_extents(in->map, t));
	db_table_free(&t);
	ingest_sensors_load(in);
}

/* Feeds start once the mapping, the sensors and the rollups are there,
 * so that no reading arrives before it can be placed. */
void
ingest_catalogue_loaded(struct ingest *in)
{
	in->map_inflight = 0;
	if (!in->feeds_started && !in->stopping)
		ingest_start_feeds(in);
	/* The catalogue changed while it was being read: read it again. */
	if (in->map_again && !in->stopping)
		load_mappings(in);
}

static void
units_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (err != NULL)
		log_msg(LOG_ERROR,
		        "ingest: cannot load the indicator units: %s",
		        err->message ? err->message : "?");
	else
		feed_catalogue_units(in->map, t);
	db_table_free(&t);
	db_async_submit(in->db, Q_REGION_EXTENTS, 0, NULL, extents_done, in);
}

static void
mappings_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (err != NULL)
		log_msg(LOG_ERROR, "ingest: cannot load the entity mapping: %s",
		        err->message ? err->message : "?");
	else
		log_msg(LOG_INFO, "ingest: entity mapping loaded, %zu rows",
		        feed_catalogue_mappings(in->map, t));
	db_table_free(&t);
	db_async_submit(in->db, Q_INDICATOR_UNITS, 0, NULL, units_done, in);
}

/* Mapping, units, extents, then sensors and rollups, in one chain; a
 * call while one runs asks for another after it. */
static void
load_mappings(struct ingest *in)
{
	if (in->map_inflight) {
		in->map_again = 1;
		return;
	}
	in->map_inflight = 1;
	in->map_again = 0;
	db_async_submit(in->db, Q_ENTITY_MAPPINGS, 0, NULL, mappings_done, in);
}

static void
on_link(void *arg, enum db_link link, const char *why)
{
	struct ingest *in = arg;

	in->db_up = link == DB_LINK_UP;
	if (link == DB_LINK_UP) {
		log_msg(LOG_INFO, "ingest: database up");
		loop_timer_start(in->health_timer, 0);
		load_mappings(in);
		loop_timer_start_if_idle(in->alarm_timer, ALARM_CHECK_MS);
	} else if (link == DB_LINK_DOWN) {
		log_msg(LOG_WARN,
		        "ingest: database down (%s); %d requests kept for "
		        "resending",
		        why ? why : "?",
		        /* NULL when the first connect fails inside
		         * db_async_new, before it has returned. */
		        in->db != NULL ? db_async_pending(in->db) : 0);
	}
}

/* Whether a notification's "t" is type, however the server spaced its
 * JSON ({"t":"x"}, {"t" : "x"} from json_build_object, {"t": "x"} from
 * jsonb). */
static int
notify_type_is(const char *payload, const char *type)
{
	const char *p = strstr(payload, "\"t\"");
	size_t n = strlen(type);

	if (p == NULL)
		return 0;
	p += 3;
	p += strspn(p, " \t:");
	return *p == '"' && strncmp(p + 1, type, n) == 0 && p[1 + n] == '"';
}

static void
on_notify(void *arg, const char *payload)
{
	struct ingest *in = arg;

	if (notify_type_is(payload, "alarm"))
		loop_timer_start_if_idle(in->alarm_timer, ALARM_CHECK_MS);
	/* An admin changed an indicator, a mapping or the regions: what
	 * arrives next is judged by the new catalogue, no restart. */
	if (notify_type_is(payload, "catalogue")) {
		log_msg(LOG_INFO, "ingest: the catalogue changed, reloading");
		load_mappings(in);
	}
}

/* ---- feeds, stats, stopping ------------------------------------------- */

static void
log_stats(struct ingest *in, int final)
{
	struct buf b = {0};
	int changed = 0;

#define X(name, help)                                                          \
	if (in->c.name != in->logged.name)                                     \
		changed = 1;
	INGEST_COUNTER_LIST(X)
#undef X
	if (!changed && !final)
		return;
	buf_printf(&b, "ingest%s:", final ? " totals" : "");
#define X(name, help)                                                          \
	if (in->c.name > 0 || final)                                           \
		buf_printf(&b, " %s=%" PRIu64, #name, in->c.name);
	INGEST_COUNTER_LIST(X)
#undef X
	buf_printf(&b, " queued=%d", ingest_pending(in));
	ingest_lag_stats(in, &b);
	ingest_poll_stats(in, &b);
	ingest_push_health(in, &b);
	for (int i = 0; i < in->nfeeds; i++) {
		if (in->fc[i] == NULL)
			continue;
		const struct feed_health *h = feed_client_health(in->fc[i]);
		buf_printf(&b, " feed%d=%s/%" PRIu64 "msg/%" PRIu64 "rej", i,
		           feed_link_name(h->link), h->messages, h->rejected);
	}
	log_msg(LOG_INFO, "%s", b.data);
	buf_free(&b);
	in->logged = in->c;
}

static void
stats_timer_cb(void *arg)
{
	struct ingest *in = arg;

	log_stats(in, 0);
	loop_timer_start(in->stats_timer, STATS_MS);
}

void
ingest_finish_stop(struct ingest *in)
{
	ingest_commit_checkpoints(in);
	ingest_state_save(in);
	loop_quit(in->loop);
}

static void
stop_timer_cb(void *arg)
{
	struct ingest *in = arg;

	log_msg(LOG_WARN,
	        "ingest: %d requests not answered in time; they will be "
	        "resent after a restart",
	        ingest_pending(in));
	ingest_finish_stop(in);
}

static void
on_signal(void *arg, int signo)
{
	struct ingest *in = arg;

	if (signo == SIGHUP) {
		log_msg(LOG_INFO, "ingest: SIGHUP, reloading the catalogue");
		load_mappings(in);
		return;
	}
	if (in->stopping) {
		log_msg(LOG_WARN, "ingest: second signal, stopping now");
		ingest_finish_stop(in);
		return;
	}
	log_msg(LOG_INFO, "ingest: signal %d: flushing and stopping", signo);
	in->stopping = 1;
	/* The last word on the sources: stopping, then gone silent. */
	ingest_health_report(in);
	ingest_push_stop(in);
	/* Stop taking messages first, then send what we have. */
	for (int i = 0; i < in->nfeeds; i++) {
		if (in->fc[i] != NULL)
			feed_client_log_rejects(in->fc[i]);
		feed_client_free(&in->fc[i]);
	}
	ingest_poll_stop(in);
	loop_timer_stop(in->rollup_timer);
	ingest_rollup_tick(in); /* the last values, with the last readings */
	ingest_flush(in);
	ingest_checkpoint(in);
	ingest_commit_checkpoints(in);
	if (ingest_pending(in) == 0)
		ingest_finish_stop(in);
	else
		loop_timer_start(in->stop_timer, STOP_GRACE_MS);
}

static void
usage(FILE *f)
{
	fputs("usage: cityops ingest [--feed URL]... [--ngsi-listen SPEC] "
	      "[--mqtt URL]... [options]\n"
	      "  -f, --feed URL        subscribe to a websocket feed "
	      "(repeatable)\n"
	      "      --cap URL         poll a CAP Atom/RSS index or CAP "
	      "document\n"
	      "                        over http(s):// (repeatable)\n"
	      "      --open311 URL     poll an Open311 GeoReport v2 endpoint "
	      "(its base,\n"
	      "                        or requests.json or requests.xml; "
	      "repeatable)\n"
	      "      --sources FILE    sources and options as lines: \"cap URL "
	      "[interval=S]\n"
	      "                        [ca-file=F]\", \"mqtt URL [user=U]\n"
	      "                        [password-file=F] [ca-file=F]\", \"zone "
	      "+08:00\" ... (repeatable)\n"
	      "      --status          print what each source of each running "
	      "ingest last\n"
	      "                        reported and exit (1: one failing or "
	      "silent)\n"
	      "      --name NAME       this ingest's name in --status "
	      "(default the host name)\n"
	      "      --health-s S      report the sources' health every S s "
	      "(default 10)\n"
	      "      --rollup-ms MS    write the rollups that changed every "
	      "MS ms (default 500)\n"
	      "      --copy-links N    sensor history over N connections of "
	      "its own\n"
	      "                        (default 2; 0: on the main one)\n"
	      "      --poll-interval S seconds between polls (default 60, "
	      "at least 10)\n"
	      "      --poll-min S      the floor of --poll-interval (default "
	      "10; lower it\n"
	      "                        only for a server you run)\n"
	      "      --ca-file FILE    PEM CAs for https:// instead of the "
	      "system store\n"
	      "      --ngsi-listen [ADDR:]PORT[/PATH]\n"
	      "                        take NGSI-LD notifications POSTed "
	      "there\n"
	      "                        (default 127.0.0.1, /notify)\n"
	      "      --ngsi-max-body N body cap in bytes (default 1 MiB; "
	      "413 past it)\n"
	      "      --ngsi-timeout S  a request whole within S s (default "
	      "10)\n"
	      "      --ngsi-secret-file FILE  ask for the secret in FILE in "
	      "a header\n"
	      "      --ngsi-secret-header NAME  that header (default "
	      "X-Auth-Token)\n"
	      "      --ngsi-tenant NAME  serve only this NGSILD-Tenant (others "
	      "404)\n"
	      "                        and subscribe in it with --ngsi-broker\n"
	      "      --src-zone Z, --src-lenient, --src-strict  for the next "
	      "--cap or\n"
	      "                        --open311 only, over --zone and "
	      "--lenient\n"
	      "      --ngsi-broker URL subscribe on this NGSI-LD broker at "
	      "start\n"
	      "                        (made or renewed; only its own)\n"
	      "      --ngsi-types T,.. entity types to watch (needed with "
	      "it)\n"
	      "      --ngsi-attrs A,.. attributes to watch (default all)\n"
	      "      --ngsi-endpoint URL  where the broker is to POST "
	      "(default\n"
	      "                        the --ngsi-listen address)\n"
	      "      --ngsi-context URL  @context of the types (default "
	      "core)\n"
	      "      --ngsi-renew S    renew every S s (default 3600)\n"
	      "      --mqtt mqtt[s]://[USER@]HOST[:PORT]/FILTER  subscribe, "
	      "QoS 1\n"
	      "                        (repeatable; mqtts:// is TLS, "
	      "--ca-file for a private CA)\n"
	      "      --mqtt-user USER  user name for --mqtt brokers\n"
	      "      --mqtt-password-file FILE  their password (first "
	      "line)\n"
	      "      --mqtt-id ID      client id base (default "
	      "cityops-ingest-HOST)\n"
	      "      --spool DIR       push messages kept until stored "
	      "(default STATE.spool)\n"
	      "  -b, --batch N         readings per statement (default 10000)\n"
	      "  -t, --flush-ms N      send a partial batch after N ms "
	      "(default 200)\n"
	      "      --state FILE      committed stream positions (default\n"
	      "                        $STATE_DIRECTORY/ingest.state or\n"
	      "                        $XDG_STATE_HOME/cityops/ingest.state)\n"
	      "      --format F        auto (default), native, ngsi, cap, "
	      "open311\n"
	      "      --max-message N   size cap in bytes (default 1 MiB)\n"
	      "      --zone Z          zone of times without one: +08:00, or\n"
	      "                        ngsi=+00:00,open311=-05:00 (defaults:\n"
	      "                        UTC; native +08:00)\n"
	      "      --lenient         accept numbers with leading zeros\n"
	      "      --max-ahead-s N   refuse observations more than N s\n"
	      "                        ahead of the clock (default 300)\n"
	      "      --handshake-ms N  handshake watchdog (default 5000)\n"
	      "      --idle-ms N       reconnect after N ms of silence "
	      "(default 30000)\n"
	      "  -d, --dsn CONNINFO    libpq connection (default: PG* "
	      "environment)\n"
	      "  -U, --user LOGIN      database login (default "
	      "cityops_ingest\n"
	      "                        unless PGUSER is set)\n"
	      "      --log FILE        log to FILE ('-': stderr, the "
	      "default)\n"
	      "      --debug           log every request\n"
	      "SIGTERM or SIGINT: flush, wait for the database, save "
	      "positions, exit.\nSIGHUP: reload the mapping, sensors and "
	      "rollups.\n",
	      f);
}

static char *
default_state_path(void)
{
	const char *d = getenv("STATE_DIRECTORY"),
	           *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");

	if (d != NULL && *d != '\0') {
		/* systemd may list several, separated by ':'. */
		size_t n = strcspn(d, ":");
		return xasprintf("%.*s/ingest.state", (int)n, d);
	}
	if (x != NULL && *x == '/')
		return xasprintf("%s/cityops/ingest.state", x);
	return xasprintf("%s/.local/state/cityops/ingest.state",
	                 h != NULL ? h : ".");
}

/* Frees what the daemon holds, after its loop has stopped. */
static void
ingest_clear(struct ingest *in)
{
	/* Closing the database cancels what is still queued: nothing of it
	 * is committed, nothing restarts. */
	in->stopping = 1;
	in->state_path = NULL;
	for (int i = 0; i < in->nfeeds; i++)
		feed_client_free(&in->fc[i]);
	ingest_poll_stop(in);
	ingest_ngsisub_free(in);
	ingest_push_free(in);
	ingest_copy_free(in);
	db_async_free(&in->db);
	ingest_poll_free(in);
	loop_timer_free(&in->flush_timer);
	loop_timer_free(&in->state_timer);
	loop_timer_free(&in->stats_timer);
	loop_timer_free(&in->stop_timer);
	loop_timer_free(&in->alarm_timer);
	loop_timer_free(&in->health_timer);
	free(in->name);
	loop_timer_free(&in->part_timer);
	loop_timer_free(&in->rollup_timer);
	ingest_sensors_free(in);
	feed_sigwatch_free(&in->sw);
	loop_free(&in->loop);
	feed_map_free(&in->map);
	ingest_feed_free(in);
	ingest_config_free(in);
	buf_free(&in->copy);
	free(in->ck);
}

/* Frees what the options made, when the daemon does not start. */
static void
ingest_clear_options(struct ingest *in)
{
	ingest_poll_free(in);
	ingest_ngsisub_free(in);
	ingest_push_free(in);
	ingest_config_free(in);
}

static const struct option ingest_longopts[] = {
    {"feed", required_argument, NULL, 'f'},
    {"cap", required_argument, NULL, 'C'},
    {"open311", required_argument, NULL, 'O'},
    {"sources", required_argument, NULL, 'Y'},
    {"poll-interval", required_argument, NULL, 'V'},
    {"ca-file", required_argument, NULL, 'A'},
    {"poll-min", required_argument, NULL, 'N'},
    {"batch", required_argument, NULL, 'b'},
    {"flush-ms", required_argument, NULL, 't'},
    {"state", required_argument, NULL, 'S'},
    {"format", required_argument, NULL, 'F'},
    {"max-message", required_argument, NULL, 'm'},
    {"zone", required_argument, NULL, 'Z'},
    {"lenient", no_argument, NULL, 'L'},
    {"max-ahead-s", required_argument, NULL, 'H'},
    {"handshake-ms", required_argument, NULL, 'w'},
    {"idle-ms", required_argument, NULL, 'I'},
    {"dsn", required_argument, NULL, 'd'},
    {"user", required_argument, NULL, 'U'},
    {"log", required_argument, NULL, 'l'},
    {"debug", no_argument, NULL, 'D'},
    {"status", no_argument, NULL, OPT_STATUS},
    {"name", required_argument, NULL, OPT_NAME},
    {"health-s", required_argument, NULL, OPT_HEALTH_S},
    {"rollup-ms", required_argument, NULL, OPT_ROLLUP_MS},
    {"copy-links", required_argument, NULL, OPT_COPY_LINKS},
    {"ngsi-listen", required_argument, NULL, OPT_NGSI_LISTEN},
    {"ngsi-max-body", required_argument, NULL, OPT_NGSI_MAX_BODY},
    {"ngsi-timeout", required_argument, NULL, OPT_NGSI_TIMEOUT},
    {"ngsi-secret-header", required_argument, NULL, OPT_NGSI_SECRET_HEADER},
    {"ngsi-secret-file", required_argument, NULL, OPT_NGSI_SECRET_FILE},
    {"ngsi-tenant", required_argument, NULL, OPT_NGSI_TENANT},
    {"ngsi-broker", required_argument, NULL, OPT_NGSI_BROKER},
    {"ngsi-types", required_argument, NULL, OPT_NGSI_TYPES},
    {"ngsi-attrs", required_argument, NULL, OPT_NGSI_ATTRS},
    {"ngsi-endpoint", required_argument, NULL, OPT_NGSI_ENDPOINT},
    {"ngsi-context", required_argument, NULL, OPT_NGSI_CONTEXT},
    {"ngsi-renew", required_argument, NULL, OPT_NGSI_RENEW},
    {"src-zone", required_argument, NULL, OPT_SRC_ZONE},
    {"src-lenient", no_argument, NULL, OPT_SRC_LENIENT},
    {"src-strict", no_argument, NULL, OPT_SRC_STRICT},
    {"mqtt", required_argument, NULL, OPT_MQTT},
    {"mqtt-id", required_argument, NULL, OPT_MQTT_ID},
    {"spool", required_argument, NULL, OPT_SPOOL},
    {"mqtt-user", required_argument, NULL, OPT_MQTT_USER},
    {"mqtt-password-file", required_argument, NULL, OPT_MQTT_PASSWORD_FILE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The command line, as parsed; the rest lands in struct ingest directly. */
struct ingest_args {
	struct ingest *in;
	const char *dsn, *logpath, *user;
	char *state;
	int debug, status;
};

/* One option with its argument; returns 0, or -1 when it was refused. */
static int
parse_opt(const struct opt_parser *p, int opt, const char *arg, void *ctx)
{
	struct ingest_args *a = ctx;
	struct ingest *in = a->in;
	long long v;
	int rc;

	if ((rc = feed_client_opt(p, opt, arg, &in->fopts)) <= 0)
		return rc;
	if ((rc = ingest_push_opt(p, opt, arg, in)) <= 0)
		return rc;
	if ((rc = ingest_ngsisub_opt(p, opt, arg, in)) <= 0)
		return rc;
	if ((rc = ingest_poll_opt(p, opt, arg, in)) <= 0)
		return rc;
	switch (opt) {
	case 'f':
		return opt_append(p, opt, in->urls, &in->nfeeds, MAX_FEEDS,
		                  arg);
	case 'C':
	case 'O':
		return ingest_poll_add(in, arg, opt == 'O');
	case 'Y':
		return ingest_sources_file(p, arg, parse_opt, ctx, in);
	case 'V':
		if (opt_int(p, opt, arg, 1, 86400, &v) != 0)
			return -1;
		in->capopts.interval_ms = (int)v * 1000;
		return 0;
	case 'A':
		in->capopts.ca_file = arg;
		return 0;
	case 'N':
		if (opt_int(p, opt, arg, 1, 86400, &v) != 0)
			return -1;
		in->capopts.min_interval_ms = (int)v * 1000;
		return 0;
	case 'b':
		if (opt_int(p, opt, arg, 1, 100000, &v) != 0)
			return -1;
		in->batch_max = (size_t)v;
		return 0;
	case 't':
		if (opt_int(p, opt, arg, 1, 600000, &v) != 0)
			return -1;
		in->flush_ms = (int)v;
		return 0;
	case 'H':
		if (opt_int(p, opt, arg, 0, 366 * 86400, &v) != 0)
			return -1;
		in->ahead_ms = v * 1000;
		return 0;
	case 'S':
		free(a->state);
		a->state = xstrdup(arg);
		return 0;
	case 'd':
		a->dsn = arg;
		return 0;
	case 'U':
		a->user = arg;
		return 0;
	case 'l':
		a->logpath = arg;
		return 0;
	case 'D':
		a->debug = 1;
		return 0;
	case OPT_STATUS:
		a->status = 1;
		return 0;
	case OPT_NAME:
		if (arg[0] == '\0' || strlen(arg) > 64 ||
		    strspn(arg,
		           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
		           "xyz0123456789_.:@-") != strlen(arg)) {
			fprintf(stderr,
			        "cityops ingest: --name: 1 to 64 of A-Z a-z "
			        "0-9 _ . : @ -\n");
			return -1;
		}
		free(in->name);
		in->name = xstrdup(arg);
		return 0;
	case OPT_HEALTH_S:
		if (opt_int(p, opt, arg, 1, 3600, &v) != 0)
			return -1;
		in->health_ms = (int)v * 1000;
		return 0;
	case OPT_ROLLUP_MS:
		if (opt_int(p, opt, arg, 50, 60000, &v) != 0)
			return -1;
		in->rollup_ms = (int)v;
		return 0;
	case OPT_COPY_LINKS:
		if (opt_int(p, opt, arg, 0, COPY_LINKS_MAX, &v) != 0)
			return -1;
		in->nlinks = (int)v;
		return 0;
	}
	return -1;
}

/* Returns -1 to go on, or the exit status. */
static int
parse_args(int argc, char **argv, struct ingest_args *a)
{
	static const struct opt_parser p = {"cityops ingest", ingest_longopts,
	                                    "f:b:t:d:U:h", usage};
	int rc;

	if ((rc = opt_getopt(&p, argc, argv, parse_opt, a)) >= 0)
		return rc;
	if (a->status && optind == argc)
		return -1;
	if ((a->in->nfeeds == 0 && ingest_poll_count(a->in) == 0 &&
	     !ingest_push_wanted(a->in)) ||
	    optind < argc) {
		usage(stderr);
		return 2;
	}
	if (ingest_ngsisub_check(a->in) != 0)
		return 2;
	return -1;
}

int
ingest_main(int argc, char **argv, const char *dsn)
{
	struct ingest in;
	struct db_async_hooks hooks;
	struct ingest_args a = {.in = &in, .dsn = dsn, .logpath = "-"};
	int rc;

	memset(&in, 0, sizeof in);
	in.batch_max = 10000;
	in.ahead_ms = FEED_FUTURE_MS;
	in.flush_ms = 200;
	in.fopts.format = FEED_FORMAT_AUTO;
	in.health_ms = 10000;
	in.rollup_ms = 500;
	in.nlinks = 2;
	if ((rc = parse_args(argc, argv, &a)) >= 0) {
		free(a.state);
		free(in.name);
		ingest_clear_options(&in);
		return rc;
	}
	if (a.user != NULL)
		setenv("PGUSER", a.user, 1);
	else if (getenv("PGUSER") == NULL)
		setenv("PGUSER", "cityops_ingest", 1);
	if (a.status) {
		free(a.state);
		free(in.name);
		ingest_clear_options(&in);
		return ingest_status_main(a.dsn);
	}
	if (in.name == NULL)
		in.name = ingest_default_name();
	if (log_open(a.logpath, a.debug ? LOG_DEBUG : LOG_INFO) != 0) {
		fprintf(stderr, "cityops ingest: cannot open log %s\n",
		        a.logpath);
		free(a.state);
		return 2;
	}
	if (a.state == NULL)
		a.state = default_state_path();
	in.state_path = a.state;
	ingest_state_load(&in);
	in.loop = loop_new();
	if (in.loop == NULL) {
		free(a.state);
		return 1;
	}
	in.sw = feed_sigwatch_new(in.loop, on_signal, &in);
	in.map = feed_map_new();
	in.flush_timer = loop_timer_new(in.loop, ingest_flush_timer_cb, &in);
	in.state_timer = loop_timer_new(in.loop, ingest_state_timer_cb, &in);
	in.stats_timer = loop_timer_new(in.loop, stats_timer_cb, &in);
	in.stop_timer = loop_timer_new(in.loop, stop_timer_cb, &in);
	in.alarm_timer = loop_timer_new(in.loop, ingest_alarm_timer_cb, &in);
	in.health_timer = loop_timer_new(in.loop, ingest_health_timer_cb, &in);
	in.part_timer =
	    loop_timer_new(in.loop, ingest_partitions_timer_cb, &in);
	in.rollup_timer = loop_timer_new(in.loop, ingest_rollup_timer_cb, &in);
	loop_timer_start(in.stats_timer, STATS_MS);
	log_msg(LOG_INFO,
	        "ingest: starting as %s, %d feed%s, %d polled, batches of %zu "
	        "or %d ms, state in %s",
	        getenv("PGUSER"), in.nfeeds, in.nfeeds == 1 ? "" : "s",
	        ingest_poll_count(&in), in.batch_max, in.flush_ms,
	        in.state_path);
	memset(&hooks, 0, sizeof hooks);
	hooks.state = on_link;
	hooks.notify = on_notify;
	hooks.arg = &in;
	in.db = db_async_new(in.loop, a.dsn, &hooks);
	ingest_copy_start(&in, a.dsn);
	ingest_partitions_timer_cb(&in); /* queued until the link is up */
	loop_run(in.loop);
	log_stats(&in, 1);
	ingest_clear(&in);
	free(a.state);
	log_close();
	return 0;
}
