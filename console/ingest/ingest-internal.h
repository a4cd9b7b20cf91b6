/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What the files of cityops ingest share: the daemon's state. ingest.c is
 * the daemon (command line, database link, signals, stopping),
 * ingest-batch.c the database side (batches, requests, checkpoints, the
 * state file, backpressure, alarms), ingest-feed.c the feed side (events
 * into readings and incident reports). Not a public interface.
 */
#ifndef CITYOPS_INGEST_INTERNAL_H
#define CITYOPS_INGEST_INTERNAL_H

#include <stdint.h>

#include "cityops/db/db.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-map.h"
#include "cityops/feed/feed-run.h"
#include "cityops/feed/feed.h"
#include "cityops/feed/src-cap.h"
#include "cityops/ingest/ingest.h"
#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/opt.h"
#include "cityops/core/text.h"
#include "cityops/core/util.h"

#define MAX_FEEDS      32
#define PAUSE_DEPTH    64 /* requests queued before the feeds pause */
#define RESUME_DEPTH   16
#define STATS_MS       10000
#define STATE_MS       500
#define STOP_GRACE_MS  10000
#define ALARM_CHECK_MS 300
#define PARTITIONS_MS  3600000 /* reading partitions made/dropped */
#define COPY_LINKS_MAX 8       /* --copy-links: sensor history connections */

/*
 * What the database stores, in characters (migration 014 checks them):
 * feed text is cut to fit on a character boundary, ending in "…", rather
 * than have the whole report refused.
 */
#define TITLE_MAX    200
#define LOCATION_MAX 200
#define DESC_MAX     4000
/* A region is named by code or name; nothing longer names one. */
#define REGION_MAX 64

/* Counters, declared once: the stats line and the final report. */
#define INGEST_COUNTER_LIST(X)                                                 \
	X(readings, "readings decoded")                                        \
	X(stored, "readings stored")                                           \
	X(duplicate, "readings the database already had")                      \
	X(unknown, "readings of an unknown indicator or a bad value")          \
	X(unmapped, "entity readings with no mapping")                         \
	X(future_time, "readings refused: observed more than 5 min ahead")     \
	X(unit_mismatch, "readings refused: unit not convertible")             \
	X(converted, "readings converted to the indicator's unit")             \
	X(conflicts, "readings conflicting with another source's (logged)")    \
	X(conflicts_stored,                                                    \
	  "readings conflicting with a stored value (noted)")                  \
	X(arrival_time, "readings with no source time (arrival time used)")    \
	X(out_of_area, "readings and reports refused: outside the city")       \
	X(swapped, "readings placed with latitude and longitude swapped")      \
	X(expired, "CAP alerts already expired (nothing raised)")              \
	X(source_updates, "CAP updates/cancels, Open311 status changes")       \
	X(exercise, "exercise readings (never stored)")                        \
	X(refused, "readings in batches the database refused")                 \
	X(raised, "incidents raised")                                          \
	X(merged, "incident reports merged into an open incident")             \
	X(replayed, "incident reports the database already had (a replay)")    \
	X(truncated, "report texts cut to the database's limits")              \
	X(inc_refused, "incident reports the database refused")                \
	X(cap_ignored, "CAP messages not for a real queue or not an alert")    \
	X(closed311, "Open311 requests already closed")                        \
	X(device_alarms, "device alarms (logged, not stored)")                 \
	X(alarm_incidents, "incidents raised from alarm-level alarms")         \
	X(batches, "batches sent")                                             \
	X(sensor_readings, "sensor readings decoded")                          \
	X(sensor_stored, "sensor readings stored")                             \
	X(sensor_duplicate, "sensor readings the database already had")        \
	X(sensor_unknown, "sensor readings refused (unknown, bad, too old)")   \
	X(rollup_values, "rollup values written to their indicators")

struct counters {
#define X(name, help) uint64_t name;
	INGEST_COUNTER_LIST(X)
#undef X
};

struct ckpt {
	uint64_t after; /* requests that must be answered first */
	uint64_t pos[MAX_FEEDS];
	uint64_t spool; /* the push sources' spool position (ingest-push.c) */
	uint64_t link_after[COPY_LINKS_MAX]; /* the same per history link */
};

/* The push sources' options, numbered apart from every letter. */
enum {
	OPT_PUSH_FIRST = 0x900,
	OPT_NGSI_LISTEN = OPT_PUSH_FIRST,
	OPT_NGSI_MAX_BODY,
	OPT_NGSI_TIMEOUT,
	OPT_NGSI_SECRET_HEADER,
	OPT_NGSI_SECRET_FILE,
	OPT_MQTT,
	OPT_MQTT_ID,
	OPT_SPOOL,
	OPT_MQTT_USER,
	OPT_MQTT_PASSWORD_FILE,
	OPT_PUSH_LAST = OPT_MQTT_PASSWORD_FILE,
	/* Source health (ingest-health.c, ingest-status.c). */
	OPT_STATUS = 0x980,
	OPT_NAME,
	OPT_HEALTH_S,
	OPT_ROLLUP_MS = 0x990,
	/* The NGSI-LD subscription (ingest-ngsisub.c). */
	OPT_NGSISUB_FIRST = 0x9a0,
	OPT_NGSI_BROKER = OPT_NGSISUB_FIRST,
	OPT_NGSI_TYPES,
	OPT_NGSI_ATTRS,
	OPT_NGSI_ENDPOINT,
	OPT_NGSI_CONTEXT,
	OPT_NGSI_RENEW,
	OPT_NGSISUB_LAST = OPT_NGSI_RENEW,
	/* Settings of the next polled source (ingest-poll.c). */
	OPT_SRC_ZONE = 0x9b0,
	OPT_SRC_LENIENT,
	OPT_SRC_STRICT,
	/* Sensor history connections (ingest-copy.c). */
	OPT_COPY_LINKS = 0x9c0,
	/* The NGSI-LD tenant served and subscribed in (ingest-push.c). */
	OPT_NGSI_TENANT = 0x9d0,
};

/* Whether the sensors and rollups are loaded (ingest-sensors.c). */
enum { SENSORS_NONE, SENSORS_LOADING, SENSORS_LOADED };
#define LAG_BUCKETS (1000 + 5900 + 1)

struct rollups;

struct ingest_push;
struct ingest_ngsisub;

struct ingest {
	struct loop *loop;
	struct db_async *db;
	struct feed_sigwatch *sw;
	const char *urls[MAX_FEEDS];
	struct feed_client *fc[MAX_FEEDS];
	int nfeeds, feeds_started;
	struct feed_client_opts fopts;
	uint64_t resume[MAX_FEEDS];
	uint64_t reached[MAX_FEEDS];   /* next position, all queued */
	uint64_t committed[MAX_FEEDS]; /* next position, all answered */
	struct feed_map *map;
	int map_inflight, map_again;

	/* The batch being gathered, as COPY text (ingest_batch_add). */
	struct buf copy;
	size_t nbatch, batch_max;
	int flush_ms;
	struct loop_timer *flush_timer;

	uint64_t submitted, answered;
	struct ckpt *ck;
	size_t nck, ck_cap;

	const char *state_path;
	int state_dirty;
	struct loop_timer *state_timer, *stats_timer, *stop_timer, *alarm_timer;
	int alarm_inflight, alarm_again;
	struct loop_timer *part_timer; /* reading partitions, hourly */

	int paused, stopping;
	int64_t ahead_ms;               /* --max-ahead-s: future tolerance */
	int arrival_logged[MAX_FEEDS];  /* arrival time used: said once */
	struct unmapped_seen *unmapped; /* rate limit of unmapped logs */
	struct counters c, logged;

	/* Polled sources (ingest-poll.c). */
	struct ingest_poll *poll;
	struct src_cap_opts capopts;
	/* Push sources (ingest-push.c): spool positions decoded and
	 * committed, like a feed's stream positions. */
	struct ingest_push *push;
	struct ingest_ngsisub *ngsisub; /* --ngsi-broker */
	uint64_t spool_reached, spool_committed;

	/* Source health in the database (ingest-health.c). */
	char *name; /* --name: this ingest among others */
	int health_ms, health_inflight, health_refused, db_up;
	struct loop_timer *health_timer;

	/* Sensors and rollups (ingest-sensors.c): sensor readings are
	 * gathered as COPY text apart from the indicator readings. */
	struct rollups *rollups;
	int sensors_state;
	struct buf scopy;
	size_t nsbatch;
	struct loop_timer *rollup_timer;
	int rollup_ms;
	int64_t rollup_now;
	int64_t *lag_pending; /* arrivals behind the values batched */
	size_t nlag_pending, lag_cap;
	uint64_t lag_hist[LAG_BUCKETS], lag_n;
	int64_t lag_max;
	/* Sensor history connections (ingest-copy.c): requests given to
	 * and answered by each; batches being sent again. */
	struct db_async *links[COPY_LINKS_MAX];
	int nlinks, copy_retrying;
	uint64_t link_sub[COPY_LINKS_MAX], link_ans[COPY_LINKS_MAX];

	/* Values read from --sources files, kept for the options that
	 * point at them (ingest-config.c). */
	char **cfg_str;
	int ncfg_str;
};

/* One source's health, as cityops.source_health_put takes it. */
struct ingest_health_row {
	const char *kind, *url, *state, *last_error;
	char label[16];
	int ok;
	int64_t last_ok_ms; /* wall clock; 0: never */
	char position[64];  /* stream position, cache size, spool bytes */
	uint64_t reconnects;
	struct buf counts; /* "name":n,... (ingest_health_count) */
};

/* ingest.c */

/* Stops the loop once everything is answered or the grace ran out. */
void ingest_finish_stop(struct ingest *in);
/* The catalogue's load chain ended (ingest-sensors.c, its last link). */
void ingest_catalogue_loaded(struct ingest *in);

/* ingest-batch.c */

/* Reads the committed positions from the state file, if any. */
void ingest_state_load(struct ingest *in);
/* Writes the committed positions: whole, synced, renamed into place. */
void ingest_state_save(struct ingest *in);
void ingest_state_timer_cb(void *arg);
/* Queues the positions reached so far behind the requests submitted. */
void ingest_checkpoint(struct ingest *in);
/* Commits every checkpoint whose requests have all been answered. */
void ingest_commit_checkpoints(struct ingest *in);
/* Pauses the feeds past PAUSE_DEPTH requests, resumes below RESUME_DEPTH. */
void ingest_pace(struct ingest *in);
/* Adds a reading (epoch ms) to the batch; sends it when full. */
void ingest_batch_add(struct ingest *in, const char *indicator, double value,
                      int64_t ms);
/* Sends the batch gathered so far, if any. */
void ingest_flush(struct ingest *in);
void ingest_flush_timer_cb(void *arg);
/* The answer to an incident report (cityops.feed_incident). */
void ingest_incident_done(void *arg, struct db_table *t,
                          const struct db_error *err);
void ingest_alarm_timer_cb(void *arg);
/* Makes and drops reading partitions (cityops.reading_partitions). */
void ingest_partitions_timer_cb(void *arg);
/* The answer to a source's update (cityops.feed_incident_update). */
void ingest_revise_done(void *arg, struct db_table *t,
                        const struct db_error *err);
void ingest_update_done(void *arg, struct db_table *t,
                        const struct db_error *err);

/* Appends a COPY text line: key, value, time (UTC). */
void ingest_copy_line(struct buf *b, const char *key, double value, int64_t ms);

/* ingest-sensors.c */

/* Loads rollups, sensors and (at start) their latest readings, then
 * calls ingest_catalogue_loaded. */
void ingest_sensors_load(struct ingest *in);
int ingest_sensor_known(const struct ingest *in, const char *key);
/* A native reading: 1 when key names a sensor (taken), else 0. */
int ingest_sensor_reading(struct ingest *in, const char *key, double value,
                          int64_t ts_ms);
/* Writes the rollups that changed (the cadence timer, and at stop). */
void ingest_rollup_tick(struct ingest *in);
void ingest_rollup_timer_cb(void *arg);
/* The database confirmed values whose first readings arrived at from. */
void ingest_lag_done(struct ingest *in, const int64_t *from, size_t n);
/* Appends " rollup_lag_ms=p50:…/p99:…/max:…/n:…" once there is one. */
void ingest_lag_stats(const struct ingest *in, struct buf *b);
void ingest_sensors_free(struct ingest *in);

/* ingest-copy.c */

/* Opens the --copy-links connections (none: history on the main one). */
void ingest_copy_start(struct ingest *in, const char *dsn);
void ingest_copy_free(struct ingest *in);
/* Sends the sensor readings gathered (in->scopy), if any. */
void ingest_copy_flush(struct ingest *in);
/* Requests queued or running on every connection. */
int ingest_pending(const struct ingest *in);
/* The most queued on one history connection. */
int ingest_copy_depth(const struct ingest *in);
/* Whether every history connection answered what checkpoint k waits for. */
int ingest_copy_settled(const struct ingest *in, const struct ckpt *k);

/* ingest-health.c */

/* Appends r to a JSON array being built in b ("[" already there). */
void ingest_health_row(struct buf *b, const struct ingest_health_row *r);
void ingest_health_count(struct ingest_health_row *r, const char *name,
                         uint64_t n);
/* Sends every source's health (unless one is in flight or the database
 * is down). */
void ingest_health_report(struct ingest *in);
void ingest_health_timer_cb(void *arg);
/* The host name, as an ingest name (migration 075's characters). */
char *ingest_default_name(void);
/* cityops ingest --status: prints what every source reported; returns
 * the exit status (0 all well, 1 a source failing or silent, 2 no
 * answer). */
int ingest_status_main(const char *dsn);

/* ingest-config.c */

/*
 * Reads a --sources file: a line "cap URL [interval=S] [ca-file=FILE]" or
 * "open311 URL [...]" adds a polled source with its own options; any
 * other line "OPTION [VALUE]" is the long option --OPTION VALUE, taken by
 * take as on the command line (feed, mqtt, ngsi-listen, zone, lenient
 * ...). '#' starts a comment. Returns 0, or -1 (said on stderr with the
 * file and line).
 */
int ingest_sources_file(const struct opt_parser *p, const char *path,
                        opt_take_fn *take, void *ctx, struct ingest *in);
void ingest_config_free(struct ingest *in);

/* ingest-feed.c */

/* Frees what the feed side keeps between events. */
void ingest_feed_free(struct ingest *in);

/* Subscribes to every feed, each from its committed position. */
void ingest_start_feeds(struct ingest *in);
/* One decoded event from any source: a reading or an incident report;
 * fc is the websocket feed it came on, NULL for polled and pushed ones. */
void ingest_feed_event(struct ingest *in, struct feed_client *fc,
                       const struct feed_event *ev);

/* ingest-poll.c */

/* Adds a polled CAP (or Open311) source; 0, or -1: too many. */
int ingest_poll_add(struct ingest *in, const char *url, int open311);
int ingest_poll_count(const struct ingest *in);
/* A polled source's own settings; zero/NULL/-1 take the process-wide
 * ones (--poll-interval, --ca-file, --zone, --lenient). */
struct poll_src_opts {
	int interval_ms;
	const char *ca_file;
	const char *zone; /* a --zone spec */
	int lenient;      /* 1 lenient, 0 strict, -1 as --lenient says */
};
/* The same with its own settings (copied). */
int ingest_poll_add_opts(struct ingest *in, const char *url, int open311,
                         const struct poll_src_opts *o);
/* --src-zone, --src-lenient, --src-strict: settings for the next --cap
 * or --open311 only; 0, -1 (refused, said) or 1 (not ours). */
int ingest_poll_opt(const struct opt_parser *p, int opt, const char *arg,
                    struct ingest *in);
/* Loads each source's cache and starts polling. */
void ingest_poll_start(struct ingest *in);
/* Commits the documents whose requests have all been answered. */
void ingest_poll_commit(struct ingest *in);
void ingest_poll_pause(struct ingest *in, int pause);
/* Stops polling (the cache stays open for the last commits). */
void ingest_poll_stop(struct ingest *in);
/* Appends each source's health to the stats line. */
void ingest_poll_stats(struct ingest *in, struct buf *b);
/* Appends each source's health row (ingest_health_row). */
void ingest_poll_health_rows(struct ingest *in, struct buf *b);
void ingest_poll_free(struct ingest *in);
/* ingest-push.c */

/* Takes a push option; returns 0, -1 (refused, said) or 1 (not ours). */
/* An MQTT source from a sources-file line: user, password file and CA
 * file may be NULL (then --mqtt-user, --mqtt-password-file, --ca-file). */
int ingest_push_add_mqtt(struct ingest *in, const char *url, const char *user,
                         const char *password_file, const char *ca_file,
                         const char *where);
int ingest_push_opt(const struct opt_parser *p, int opt, const char *arg,
                    struct ingest *in);
/* 1 when --ngsi-listen or --mqtt was given. */
int ingest_push_wanted(const struct ingest *in);
/* Replays the spool, then listens and subscribes; 0 or -1 (logged). */
int ingest_push_start(struct ingest *in);
/* The database confirmed everything before spool position pos. */
void ingest_push_committed(struct ingest *in, uint64_t pos);
/* Stops (1) or restarts (0) reading MQTT (backpressure). */
void ingest_push_pause(struct ingest *in, int pause);
/* Appends " ngsi=… mqtt0=… spool=…" to the stats line. */
void ingest_push_health(struct ingest *in, struct buf *b);
/* Appends the push sources' health rows (ingest_health_row). */
void ingest_push_health_rows(struct ingest *in, struct buf *b);
/* Stops taking messages (SIGTERM); what is kept is still answered. */
void ingest_push_stop(struct ingest *in);
void ingest_push_free(struct ingest *in);
/* 1 when --ngsi-listen was given. */
int ingest_push_ngsi_listening(const struct ingest *in);
/* The listening endpoint as a URL a broker on this host can POST to
 * (ADDR, or 127.0.0.1 for a wildcard; the real port); 0 or -1. */
int ingest_push_ngsi_endpoint(struct ingest *in, char *out, size_t n);
/* --ngsi-tenant, NULL when none was given. */
const char *ingest_push_ngsi_tenant(const struct ingest *in);

/* ingest-ngsisub.c */

/* Takes an --ngsi-broker option; 0, -1 (refused, said) or 1 (not ours). */
int ingest_ngsisub_opt(const struct opt_parser *p, int opt, const char *arg,
                       struct ingest *in);
/* After the options: 0, or -1 (said on stderr) when they do not fit. */
int ingest_ngsisub_check(const struct ingest *in);
/* Subscribes (after ingest_push_start); 0 or -1 (logged). */
int ingest_ngsisub_start(struct ingest *in);
void ingest_ngsisub_health_rows(struct ingest *in, struct buf *b);
void ingest_ngsisub_free(struct ingest *in);

#endif
