/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops feed-watch: the console's feed side without a screen. It
 * subscribes with the same client (feed-client.h), decodes with the same
 * decoder, applies readings to the same vital-signs model and marks
 * indicators stale the same way; it prints what it sees, one line per
 * event (text or JSON), for tests, scripts and the end-to-end benchmark.
 * --file decodes messages from a file instead (one per line), e.g. a
 * `feed-sim --dump`, so a test can compare what was sent with what
 * arrived.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-run.h"
#include "cityops/feed/feed-watch.h"
#include "cityops/feed/feed.h"
#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/opt.h"
#include "cityops/desk/model-vitals.h"
#include "cityops/core/util.h"

#define MAX_FEEDS   16
#define MAX_SAMPLES (4u << 20)

struct watch {
	struct loop *loop;
	struct feed_client *fc[MAX_FEEDS];
	int nfc;
	struct model_vitals *model;
	struct loop_timer *sweep, *stopper;
	int json, quiet, latency, health;
	int64_t stale_ms;
	uint64_t want, messages, events, applied;
	int64_t first_us, last_us;
	int64_t *lat; /* heartbeat latency samples, ms */
	size_t nlat;
	enum model_state *shown; /* last printed state per indicator */
	size_t nshown;
	struct buf line;
	int done;
};

static void
put_line(struct watch *w)
{
	buf_add(&w->line, "\n", 1);
	fwrite(w->line.data, 1, w->line.len, stdout);
	buf_reset(&w->line);
}

static void
print_event(struct watch *w, const char *feed, const struct feed_event *ev,
            uint64_t pos, const char *key)
{
	char desc[4096];

	feed_event_describe(ev, desc, sizeof desc);
	if (!w->json) {
		buf_printf(&w->line, "%s %s", feed, desc);
		put_line(w);
		return;
	}
	buf_adds(&w->line, "{\"feed\":");
	buf_add_json_string(&w->line, feed);
	if (pos != FEED_POS_UNKNOWN)
		buf_printf(&w->line, ",\"pos\":%" PRIu64, pos);
	buf_printf(&w->line,
	           ",\"type\":\"%s\",\"format\":\"%s\",\"exercise\":%s",
	           feed_event_name(ev->type), feed_format_name(ev->format),
	           ev->exercise ? "true" : "false");
	if (ev->type == FEED_EV_READING) {
		const struct feed_reading *r = &ev->u.reading;
		buf_adds(&w->line, ",\"key\":");
		if (key != NULL)
			buf_add_json_string(&w->line, key);
		else
			buf_adds(&w->line, "null");
		buf_printf(&w->line, ",\"value\":%.17g,\"ts\":%" PRId64,
		           r->value, r->ts_ms);
	}
	buf_adds(&w->line, ",\"describe\":");
	buf_add_json_string(&w->line, desc);
	buf_adds(&w->line, "}");
	put_line(w);
}

/* Indicators are defined on first sight: no database here. */
static void
apply_reading(struct watch *w, const struct feed_reading *r, char *key,
              size_t keysz)
{
	struct feed_reading rr = *r;

	if (r->key != NULL)
		snprintf(key, keysz, "%s", r->key);
	else
		snprintf(key, keysz, "%s/%s", r->entity_id ? r->entity_id : "?",
		         r->attr ? r->attr : "?");
	rr.key = key;
	if (model_vitals_find(w->model, key) == NULL) {
		struct model_indicator_def d = {0};
		d.key = key;
		d.category = d.name = "";
		d.unit = r->unit ? r->unit : "";
		d.warn_high = d.alarm_high = d.warn_low = d.alarm_low = NAN;
		d.stale_ms = w->stale_ms;
		model_vitals_define(w->model, &d);
	}
	if (model_vitals_apply(w->model, &rr, loop_now_ms(), NULL) ==
	    MODEL_APPLY_OK)
		w->applied++;
}

static void
handle(struct watch *w, const char *feed, const struct feed_event *ev,
       uint64_t pos)
{
	char key[2 * FEED_ID_MAX + 2];
	const char *k = NULL;

	w->events++;
	if (ev->type == FEED_EV_READING) {
		apply_reading(w, &ev->u.reading, key, sizeof key);
		k = key;
	} else if (ev->type == FEED_EV_HEARTBEAT && w->latency &&
	           ev->u.heartbeat.ts_ms > 0 && w->nlat < MAX_SAMPLES) {
		if (w->lat == NULL)
			w->lat = xmalloc(MAX_SAMPLES * sizeof *w->lat);
		w->lat[w->nlat++] = feed_wall_ms() - ev->u.heartbeat.ts_ms;
	}
	if (!w->quiet)
		print_event(w, feed, ev, pos, k);
}

static void
on_event(void *arg, struct feed_client *fc, const struct feed_event *ev,
         uint64_t pos)
{
	handle(arg, feed_client_health(fc)->name, ev, pos);
}

static void
count_message(struct watch *w)
{
	int64_t now = feed_mono_us();

	if (w->messages++ == 0)
		w->first_us = now;
	w->last_us = now;
	if (w->want > 0 && w->messages >= w->want && !w->done) {
		w->done = 1;
		if (w->loop != NULL)
			loop_quit(w->loop);
	}
}

static void
on_message(void *arg, struct feed_client *fc, const struct feed_result *res,
           uint64_t next_pos)
{
	struct watch *w = arg;

	if (res->events == 0 && res->reason != FEED_REJECT_NONE && !w->quiet) {
		if (w->json)
			buf_printf(&w->line,
			           "{\"feed\":\"%s\",\"rejected\":\"%s\"}",
			           feed_client_health(fc)->name,
			           feed_reject_name(res->reason));
		else
			buf_printf(&w->line, "%s rejected %s",
			           feed_client_health(fc)->name,
			           feed_reject_name(res->reason));
		put_line(w);
	}
	count_message(w);
}

static void
on_health(void *arg, struct feed_client *fc)
{
	struct watch *w = arg;
	const struct feed_health *h = feed_client_health(fc);

	if (!w->health)
		return;
	if (w->json) {
		buf_adds(&w->line, "{\"feed\":");
		buf_add_json_string(&w->line, h->name);
		buf_printf(&w->line, ",\"link\":\"%s\",\"why\":",
		           feed_link_name(h->link));
		buf_add_json_string(&w->line, h->why);
		buf_printf(&w->line,
		           ",\"connects\":%" PRIu64 ",\"failures\":%" PRIu64
		           "}",
		           h->connects, h->failures);
	} else {
		buf_printf(&w->line, "%s link %s%s%s", h->name,
		           feed_link_name(h->link), h->why[0] ? ": " : "",
		           h->why);
	}
	put_line(w);
	fflush(stdout);
}

static void
sweep_cb(void *arg)
{
	struct watch *w = arg;
	size_t n;

	model_vitals_sweep(w->model, loop_now_ms());
	n = model_vitals_count(w->model);
	if (n > w->nshown) {
		w->shown = xrealloc(w->shown, n * sizeof *w->shown);
		for (size_t i = w->nshown; i < n; i++)
			w->shown[i] = MODEL_STATE_NODATA;
		w->nshown = n;
	}
	for (size_t i = 0; i < n; i++) {
		struct model_indicator *ind = model_vitals_at(w->model, i);
		if ((ind->state == MODEL_STATE_STALE) !=
		    (w->shown[i] == MODEL_STATE_STALE)) {
			if (w->json)
				buf_printf(&w->line, "{\"%s\":",
				           ind->state == MODEL_STATE_STALE
				               ? "stale"
				               : "fresh");
			else
				buf_printf(&w->line, "%s ",
				           ind->state == MODEL_STATE_STALE
				               ? "stale"
				               : "fresh");
			if (w->json) {
				buf_add_json_string(&w->line, ind->key);
				buf_adds(&w->line, "}");
			} else {
				buf_adds(&w->line, ind->key);
			}
			put_line(w);
			fflush(stdout);
		}
		w->shown[i] = ind->state;
	}
	loop_timer_start(w->sweep, 200);
}

static void
stop_cb(void *arg)
{
	struct watch *w = arg;

	w->done = 1;
	loop_quit(w->loop);
}

static void
on_signal(void *arg, int signo)
{
	stop_cb(arg);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
summary(struct watch *w)
{
	double secs = (double)(w->last_us - w->first_us) / 1e6;
	FILE *f = w->json ? stdout : stderr;
	struct buf b = {0};

	buf_printf(&b,
	           "{\"summary\":{\"messages\":%" PRIu64 ",\"events\":%" PRIu64
	           ",\"applied\":%" PRIu64 ",\"seconds\":%.3f,\"rate\":%.0f",
	           w->messages, w->events, w->applied, secs,
	           secs > 0 ? (double)w->messages / secs : 0.0);
	for (int i = 0; i < w->nfc; i++) {
		const struct feed_health *h = feed_client_health(w->fc[i]);
		buf_printf(&b,
		           ",\"feed%d\":{\"link\":\"%s\",\"connects\":%" PRIu64
		           ",\"failures\":%" PRIu64 ",\"rejected\":%" PRIu64
		           ",\"oversize\":%" PRIu64,
		           i, feed_link_name(h->link), h->connects, h->failures,
		           h->rejected, h->oversize);
		for (int r = 1; r < FEED_REJECT_COUNT; r++)
			if (h->stats->rejected[r] > 0)
				buf_printf(
				    &b, ",\"%s\":%" PRIu64,
				    feed_reject_name((enum feed_reject)r),
				    h->stats->rejected[r]);
		buf_adds(&b, "}");
	}
	if (w->latency && w->nlat > 0) {
		qsort(w->lat, w->nlat, sizeof *w->lat, cmp_i64);
#define PCT(p) w->lat[(size_t)((double)(w->nlat - 1) * (p))]
		buf_printf(&b,
		           ",\"latency_ms\":{\"n\":%zu,\"p50\":%" PRId64
		           ",\"p90\":%" PRId64 ",\"p99\":%" PRId64
		           ",\"max\":%" PRId64 "}",
		           w->nlat, PCT(0.5), PCT(0.9), PCT(0.99),
		           w->lat[w->nlat - 1]);
#undef PCT
	}
	buf_adds(&b, "}}");
	fprintf(f, "%s\n", b.data);
	buf_free(&b);
}

struct file_ctx {
	struct watch *w;
	uint64_t pos;
};

static void
file_sink(void *arg, const struct feed_event *ev)
{
	struct file_ctx *c = arg;

	handle(c->w, "file", ev, c->pos);
}

static int
watch_file(struct watch *w, const char *path, const struct feed_client_opts *o)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct feed_decoder *d;
	struct file_ctx c = {w, 0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL) {
		fprintf(stderr, "cityops feed-watch: cannot open %s\n", path);
		return 2;
	}
	d = feed_decoder_new();
	feed_decoder_set_max(d, o->max_message);
	feed_decoder_set_lenient(d, o->lenient);
	if (o->zones != NULL)
		(void)feed_decoder_set_zones(d, o->zones);
	while (!w->done && (n = getline(&line, &cap, f)) > 0) {
		struct feed_result res;
		if (line[n - 1] == '\n')
			n--;
		feed_decode(d, line, (size_t)n, o->format, file_sink, &c, &res);
		if (res.events == 0 && res.reason != FEED_REJECT_NONE &&
		    !w->quiet) {
			if (w->json)
				buf_printf(&w->line,
				           "{\"feed\":\"file\",\"pos\":%" PRIu64
				           ",\"rejected\":\"%s\"}",
				           c.pos, feed_reject_name(res.reason));
			else
				buf_printf(&w->line, "file rejected %s",
				           feed_reject_name(res.reason));
			put_line(w);
		} else if (res.skipped > 0 && !w->quiet) {
			/* Items dropped inside a delivered message: said with
			 * the first reason, so an integrator sees what is lost.
			 */
			if (w->json)
				buf_printf(&w->line,
				           "{\"feed\":\"file\",\"pos\":%" PRIu64
				           ",\"skipped\":%u,\"reason\":\"%s\"}",
				           c.pos, res.skipped,
				           feed_reject_name(res.reason));
			else
				buf_printf(&w->line, "file skipped %u (%s)",
				           res.skipped,
				           feed_reject_name(res.reason));
			put_line(w);
		}
		count_message(w);
		c.pos++;
	}
	free(line);
	feed_decoder_free(&d);
	if (f != stdin)
		fclose(f);
	return 0;
}

static void
usage(FILE *f)
{
	fputs("usage: cityops feed-watch [options] URL...\n"
	      "       cityops feed-watch [options] --file FILE\n"
	      "  -j, --json            one JSON object per line\n"
	      "  -n, --count N         stop after N messages\n"
	      "  -s, --seconds S       stop after S seconds\n"
	      "  -F, --format F        auto (default), native, ngsi, cap, "
	      "open311\n"
	      "  -q, --quiet           no event lines, only the summary\n"
	      "      --health          print link changes\n"
	      "      --stale-ms N      mark an indicator stale after N ms "
	      "without a\n"
	      "                        reading (prints stale/fresh lines)\n"
	      "      --latency         heartbeat send → decode latency "
	      "percentiles\n"
	      "      --from N          ask the feed for its stream from "
	      "position N\n"
	      "      --max-message N   size cap in bytes (default 1 MiB)\n"
	      "      --zone Z          zone of times without one: +08:00, or\n"
	      "                        ngsi=+00:00,open311=-05:00 (defaults:\n"
	      "                        UTC; native +08:00)\n"
	      "      --lenient         accept numbers with leading zeros\n"
	      "      --handshake-ms N  handshake watchdog (default 5000)\n"
	      "      --ping-ms N       ping after N ms of silence (default "
	      "10000)\n"
	      "      --idle-ms N       reconnect after N ms of silence "
	      "(default 30000)\n"
	      "      --backoff-ms N    first reconnect delay (default 250)\n"
	      "      --file FILE       decode FILE ('-': stdin), one message "
	      "a line\n"
	      "      --log FILE        log to FILE ('-': stderr, the default, "
	      "warnings)\n"
	      "The summary (counts, rejects by reason, rate, latency) goes to "
	      "stderr,\nor to stdout as the last line with --json.\n",
	      f);
}

static const struct option watch_longopts[] = {
    {"json", no_argument, NULL, 'j'},
    {"count", required_argument, NULL, 'n'},
    {"seconds", required_argument, NULL, 's'},
    {"format", required_argument, NULL, 'F'},
    {"quiet", no_argument, NULL, 'q'},
    {"health", no_argument, NULL, 'H'},
    {"stale-ms", required_argument, NULL, 'S'},
    {"latency", no_argument, NULL, 'L'},
    {"from", required_argument, NULL, 'f'},
    {"max-message", required_argument, NULL, 'm'},
    {"zone", required_argument, NULL, 'Z'},
    {"lenient", no_argument, NULL, 'L'},
    {"handshake-ms", required_argument, NULL, 'w'},
    {"ping-ms", required_argument, NULL, 'P'},
    {"idle-ms", required_argument, NULL, 'I'},
    {"backoff-ms", required_argument, NULL, 'B'},
    {"file", required_argument, NULL, 'i'},
    {"log", required_argument, NULL, 'l'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The command line, as parsed; the rest lands in struct watch directly. */
struct watch_args {
	struct watch *w;
	struct feed_client_opts o;
	const char *file, *logpath;
	long long from;
	double seconds;
};

/* One option with its argument; returns 0, or -1 when it was refused. */
static int
parse_opt(const struct opt_parser *p, int opt, const char *arg, void *ctx)
{
	struct watch_args *a = ctx;
	struct watch *w = a->w;
	long long v;
	int rc;

	if ((rc = feed_client_opt(p, opt, arg, &a->o)) <= 0)
		return rc;
	switch (opt) {
	case 'j':
		w->json = 1;
		return 0;
	case 'n':
		if (opt_int(p, opt, arg, 1, INT64_MAX, &v) != 0)
			return -1;
		w->want = (uint64_t)v;
		return 0;
	case 's':
		return opt_double(p, opt, arg, 0.001, 1e9, &a->seconds);
	case 'q':
		w->quiet = 1;
		return 0;
	case 'H':
		w->health = 1;
		return 0;
	case 'S':
		if (opt_int(p, opt, arg, 1, INT32_MAX, &v) != 0)
			return -1;
		w->stale_ms = v;
		return 0;
	case 'L':
		w->latency = 1;
		return 0;
	case 'f':
		return opt_int(p, opt, arg, 0, INT64_MAX, &a->from);
	case 'i':
		a->file = arg;
		return 0;
	case 'l':
		a->logpath = arg;
		return 0;
	}
	return -1;
}

/* Returns -1 to go on, or the exit status. */
static int
parse_args(int argc, char **argv, struct watch_args *a)
{
	static const struct opt_parser p = {"cityops feed-watch",
	                                    watch_longopts, "jn:s:F:qh", usage};
	int rc;

	if ((rc = opt_getopt(&p, argc, argv, parse_opt, a)) >= 0)
		return rc;
	if ((a->file == NULL) == (optind >= argc) ||
	    argc - optind > MAX_FEEDS) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/* Subscribes to every URL and runs until done; returns the exit status. */
static int
watch_feeds(struct watch *w, struct watch_args *a, int nurls, char **urls)
{
	struct feed_client_hooks hooks;
	struct feed_sigwatch *sw;
	int rc = 0;

	w->loop = loop_new();
	if (w->loop == NULL)
		return 1;
	sw = feed_sigwatch_new(w->loop, on_signal, w);
	memset(&hooks, 0, sizeof hooks);
	hooks.event = on_event;
	hooks.message = on_message;
	hooks.health = on_health;
	hooks.arg = w;
	for (int i = 0; i < nurls; i++) {
		a->o.url = urls[i];
		a->o.resume = a->from >= 0;
		a->o.resume_pos = (uint64_t)a->from;
		w->fc[w->nfc] =
		    feed_client_new(loop_lws(w->loop), &a->o, &hooks);
		if (w->fc[w->nfc] == NULL) {
			fprintf(stderr, "cityops feed-watch: bad URL %s\n",
			        urls[i]);
			feed_sigwatch_free(&sw);
			return 2;
		}
		w->nfc++;
	}
	w->sweep = loop_timer_new(w->loop, sweep_cb, w);
	if (w->stale_ms > 0)
		loop_timer_start(w->sweep, 200);
	w->stopper = loop_timer_new(w->loop, stop_cb, w);
	if (a->seconds > 0)
		loop_timer_start(w->stopper, (int64_t)(a->seconds * 1000));
	loop_run(w->loop);
	fflush(stdout);
	summary(w);
	if (w->want > 0 && w->messages < w->want)
		rc = 1;
	feed_sigwatch_free(&sw);
	return rc;
}

int
feed_watch_main(int argc, char **argv)
{
	struct watch w;
	struct watch_args a = {.logpath = "-", .from = -1};
	int rc;

	memset(&w, 0, sizeof w);
	a.o.format = FEED_FORMAT_AUTO;
	a.w = &w;
	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	if (log_open(a.logpath, LOG_WARN) != 0) {
		fprintf(stderr, "cityops feed-watch: cannot open log %s\n",
		        a.logpath);
		return 2;
	}
	w.model = model_vitals_new(0);
	if (a.file != NULL) {
		if (a.o.max_message == 0)
			a.o.max_message = FEED_MAX_DEFAULT;
		rc = watch_file(&w, a.file, &a.o);
		summary(&w);
	} else {
		rc = watch_feeds(&w, &a, argc - optind, argv + optind);
	}
	for (int i = 0; i < w.nfc; i++) {
		feed_client_log_rejects(w.fc[i]);
		feed_client_free(&w.fc[i]);
	}
	loop_timer_free(&w.sweep);
	loop_timer_free(&w.stopper);
	loop_free(&w.loop);
	model_vitals_free(&w.model);
	free(w.lat);
	free(w.shown);
	buf_free(&w.line);
	log_close();
	return rc;
}
