/*
 * The drill runner: `cityops drill run|check|clear|list`.
 *
 * A run opens one connection for the person running it (the director, a
 * supervisor), one for the injector (feeds: incidents, alerts, readings)
 * and one per operator the file names, each a session of the command
 * engine. Every connection is fenced (cityops.drill = run id), so the
 * database refuses any change to real data from it (migration 008).
 *
 * The clock: drill time D runs at speed × real time from +00:00 (or jumps
 * from event to event with --speed max). Before each statement a
 * connection's cityops.clock_offset is set so that cityops.now() reads
 * +00:00 + D. A step runs with the clock pinned at its own scripted time,
 * so timelines and SLA arithmetic are the same at any speed.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cityops/core/format.h"
#include "drill-internal.h"

#define CONNECT_TIMEOUT_MS 5000
#define POLL_REAL_MS       250 /* longest real sleep between checks */

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !interrupted)
		;
}

static int
isalnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Drill seconds now: real elapsed × speed, or the virtual clock. */
static double
drill_now(const struct drill_runner *r)
{
	if (r->speed < 0)
		return r->vnow;
	return (double)(mono_ms() - r->t0_ms) / 1000.0 * r->speed;
}

/* ------------------------------------------------------------------------
 * Connections. */

/* The base conninfo with user=login: appended to a key=value string (the
 * last setting wins) or as a URI parameter. */
static char *
conninfo_for(const char *dsn, const char *login)
{
	if (dsn == NULL || *dsn == '\0')
		return xasprintf("user='%s'", login);
	if (strncmp(dsn, "postgresql://", 13) == 0 ||
	    strncmp(dsn, "postgres://", 11) == 0)
		return xasprintf("%s%suser=%s", dsn,
		                 strchr(dsn, '?') ? "&" : "?", login);
	return xasprintf("%s user='%s'", dsn, login);
}

/* Connects and identifies; 0, or -1 with a message on stderr. */
static int
open_session(struct session *s, const char *conninfo, const char *who)
{
	struct db_error err = {0};

	memset(s, 0, sizeof *s);
	s->db = db_connect(conninfo, CONNECT_TIMEOUT_MS, &err);
	if (s->db == NULL) {
		fprintf(stderr, "cityops drill: cannot connect as %s: %s\n",
		        who, err.message ? err.message : "failed");
		db_error_clear(&err);
		return -1;
	}
	if (session_identify(s, &err) != 0) {
		fprintf(stderr,
		        "cityops drill: %s is not a cityops operator: "
		        "%s\n",
		        who, err.message ? err.message : "unknown");
		db_error_clear(&err);
		db_close(&s->db);
		return -1;
	}
	return 0;
}

static void
close_session(struct session *s)
{
	session_clear(s);
	db_close(&s->db);
}

/* Points a connection's clock at drill second t, fenced to this run. The
 * server works out the offset from the run's clock_start and its own
 * clock (Q_DRILL_SET), so the step lands at exactly second t. */
static int
set_clock(struct drill_runner *r, struct session *s, double t,
          struct db_error *err)
{
	char at[64];
	const char *p[2] = {at, r->run};

	snprintf(at, sizeof at, "%.3f", t);
	/* Kept for a reconnect: a new link must carry the drill's clock. */
	return db_run_sticky(s->db, Q_DRILL_SET, 2, p, NULL, err);
}

static struct session *
actor(struct drill_runner *r, const char *login)
{
	for (int i = 0; i < r->nactors; i++)
		if (strcmp(r->actors[i].login, login) == 0)
			return &r->actors[i].s;
	return NULL;
}

/* ------------------------------------------------------------------------
 * The log while it runs. */

static void say(const struct drill_runner *r, double t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(const struct drill_runner *r, double t, const char *fmt, ...)
{
	va_list ap;
	char when[32];

	if (r->quiet)
		return;
	drill_format_time((long)floor(t + 0.5), when, sizeof when);
	printf("%-10s ", when);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

const char *
drill_bound(const struct drill_runner *r, const char *label)
{
	for (int i = 0; i < r->nbinds; i++)
		if (strcmp(r->binds[i].label, label) == 0)
			return r->binds[i].ref;
	return NULL;
}

static void
bind(struct drill_runner *r, const char *label, const char *ref)
{
	if (label == NULL || ref == NULL || drill_bound(r, label) != NULL)
		return;
	r->binds =
	    xrealloc(r->binds, (size_t)(r->nbinds + 1) * sizeof *r->binds);
	r->binds[r->nbinds].label = xstrdup(label);
	r->binds[r->nbinds].ref = xstrdup(ref);
	r->nbinds++;
}

static void
step_done(struct drill_runner *r, int i, enum drill_sstate st, const char *msg)
{
	r->ss[i] = st;
	free(r->smsg[i]);
	r->smsg[i] = msg ? xstrdup(msg) : NULL;
}

/* ------------------------------------------------------------------------
 * Steps. */

static void
run_feed(struct drill_runner *r, int i)
{
	const struct drill_step *s = &r->d->steps[i];
	struct db_error err = {0};
	char prio[8], lat[32], lon[32];

	snprintf(prio, sizeof prio, "%d", s->priority);
	snprintf(lat, sizeof lat, "%.6f", s->lat);
	snprintf(lon, sizeof lon, "%.6f", s->lon);
	for (int k = 1; k <= s->count; k++) {
		struct db_table *t = NULL;
		char *title = s->count > 1 && s->dedup == NULL
		                  ? xasprintf("%s（%d）", s->title, k)
		                  : xstrdup(s->title);
		char *dedup =
		    s->dedup ? xasprintf("drill:%s:%s", r->run, s->dedup)
		    : s->label
		        ? xasprintf("drill:%s:%s:%d", r->run, s->label, k)
		        : xasprintf("drill:%s:line%d:%d", r->run, s->line, k);
		char *desc =
		    s->kind == DRILL_ALERT
		        ? xasprintf("CAP %s · %s · %s/%s/%s%s%s", s->sender,
		                    s->event, s->severity, s->urgency,
		                    s->certainty, s->desc ? " · " : "",
		                    s->desc ? s->desc : "")
		        : xstrdup(s->desc ? s->desc : "");
		const char *p[10] = {
		    s->source,
		    s->category,
		    prio,
		    s->region,
		    title,
		    desc,
		    s->location ? s->location : "",
		    s->has_pos ? lat : NULL,
		    s->has_pos ? lon : NULL,
		    dedup,
		};
		int rc = set_clock(r, &r->injector, (double)s->at, &err);
		if (rc == 0)
			rc = db_run(r->injector.db, Q_DRILL_FEED, 10, p, &t,
			            &err);
		if (rc != 0) {
			say(r, (double)s->at, "✗ line %d: %s refused: %s",
			    s->line,
			    s->kind == DRILL_ALERT ? "alert" : "incident",
			    err.message ? err.message : "error");
			step_done(r, i, S_FAILED, err.message);
			db_error_clear(&err);
		} else {
			const char *ref = db_get(t, 0, "ref");
			int merged =
			    strcmp(db_get(t, 0, "merged") ?: "f", "t") == 0;
			if (k == 1)
				bind(r, s->label, ref);
			say(r, (double)s->at, "%s %s%s%s → %s%s 「%s」",
			    s->kind == DRILL_ALERT ? "预警 CAP" : "来报",
			    s->source, s->label ? " $" : "",
			    s->label ? s->label : "", ref,
			    merged ? " (合并)" : "", title);
			if (r->ss[i] == S_NOT_RUN)
				step_done(r, i, S_OK, ref);
		}
		db_table_free(&t);
		free(title);
		free(dedup);
		free(desc);
	}
}

static void
run_reading(struct drill_runner *r, int i)
{
	const struct drill_step *s = &r->d->steps[i];
	struct db_error err = {0};
	struct db_table *t = NULL;
	char value[64];
	const char *p[2] = {s->indicator, value};
	int rc;

	snprintf(value, sizeof value, "%.6g", s->value);
	rc = set_clock(r, &r->injector, (double)s->at, &err);
	if (rc == 0)
		rc = db_run(r->injector.db, Q_DRILL_READING, 2, p, &t, &err);
	if (rc != 0 || strcmp(db_get(t, 0, "accepted") ?: "0", "1") != 0) {
		const char *why = rc != 0 ? err.message : "not accepted";
		say(r, (double)s->at, "✗ line %d: reading %s %s: %s", s->line,
		    s->indicator, value, why ? why : "error");
		step_done(r, i, S_FAILED, why);
	} else {
		if (!r->quiet && r->d->nsteps < 400)
			say(r, (double)s->at, "读数 %s = %s", s->indicator,
			    value);
		step_done(r, i, S_OK, NULL);
	}
	db_error_clear(&err);
	db_table_free(&t);
}

/* The command with $labels replaced by refs; NULL (and *missing set) if a
 * label has no incident yet. */
static char *
substitute(struct drill_runner *r, const char *cmd, char *missing, size_t msz)
{
	struct buf b = {0};
	const char *q = cmd;

	while (*q != '\0') {
		if (*q == '$') {
			size_t k = 1;
			char name[64];
			const char *ref;
			while (q[k] != '\0' && k < sizeof name &&
			       (isalnum_ascii(q[k]) || q[k] == '_' ||
			        q[k] == '-' || q[k] == '.'))
				k++;
			if (k > 1 && k <= sizeof name) {
				memcpy(name, q + 1, k - 1);
				name[k - 1] = '\0';
				if ((ref = drill_bound(r, name)) == NULL) {
					snprintf(missing, msz, "$%s", name);
					buf_free(&b);
					return NULL;
				}
				buf_adds(&b, ref);
				q += k;
				continue;
			}
		}
		buf_add(&b, q, 1);
		q++;
	}
	return b.data ? b.data : xstrdup("");
}

/* The first line of what a command printed, for the log. */
static char *
first_line(const struct result *res)
{
	struct buf b = {0};
	char *nl, *s;

	if (res->failed) {
		s = xasprintf("%s%s%s", res->error ? res->error : "failed",
		              res->hint ? " — " : "",
		              res->hint ? res->hint : "");
		return s;
	}
	result_render_text(res, &b);
	if (b.data == NULL)
		return xstrdup("ok");
	if ((nl = strchr(b.data, '\n')) != NULL)
		*nl = '\0';
	s = xstrdup(b.data);
	buf_free(&b);
	return s;
}

static void
run_as(struct drill_runner *r, int i)
{
	const struct drill_step *s = &r->d->steps[i];
	struct session *ses;
	struct result res = {0};
	struct db_error err = {0};
	char missing[80], *line, *out;
	const char *name;
	int argc;
	char **argv;
	const char *serr;

	if (drill_is_human(r->d, s->login)) {
		say(r, (double)s->at, "… %s: 「%s」 留给现场值班人员", s->login,
		    s->command);
		step_done(r, i, S_HUMAN, NULL);
		return;
	}
	ses = actor(r, s->login);
	if ((line = substitute(r, s->command, missing, sizeof missing)) ==
	    NULL) {
		char *msg =
		    xasprintf("%s has no incident (its step failed)", missing);
		say(r, (double)s->at, "✗ line %d: %s: %s", s->line, s->login,
		    msg);
		step_done(r, i, s->try_ ? S_REFUSED : S_FAILED, msg);
		free(msg);
		return;
	}
	/* Whatever a drill raises is an exercise. */
	if (cmd_split(line, &argc, &argv, &serr) == 0) {
		const struct cmd_entry *e = argc > 0 ? cmd_find(argv[0]) : NULL;
		if (e != NULL && strcmp(e->name, "raise") == 0 &&
		    strstr(line, "--exercise") == NULL) {
			char *l2 = xasprintf("%s --exercise", line);
			free(line);
			line = l2;
		}
		cmd_free_argv(argv);
	}
	if (set_clock(r, ses, (double)s->at, &err) != 0) {
		say(r, (double)s->at, "✗ line %d: %s: %s", s->line, s->login,
		    err.message ? err.message : "clock");
		step_done(r, i, S_FAILED, err.message);
		db_error_clear(&err);
		free(line);
		return;
	}
	cmd_run(ses, line, &res, &name);
	out = first_line(&res);
	if (res.failed) {
		say(r, (double)s->at, "%s line %d: %s: %s — %s",
		    s->try_ ? "·" : "✗", s->line, s->login, line, out);
		step_done(r, i, s->try_ ? S_REFUSED : S_FAILED, out);
	} else {
		if (s->label != NULL)
			for (int b = 0; b < res.nblocks; b++)
				if (res.blocks[b].kind == B_RECORD &&
				    strcmp(res.blocks[b].key, "incident") == 0)
					bind(r, s->label,
					     db_get(res.blocks[b].table, 0,
					            "ref"));
		say(r, (double)s->at, "%s: %s — %s", s->login, line, out);
		step_done(r, i, S_OK, out);
	}
	free(out);
	free(line);
	result_clear(&res);
}

static void
run_step(struct drill_runner *r, int i)
{
	const struct drill_step *s = &r->d->steps[i];

	switch (s->kind) {
	case DRILL_INCIDENT:
	case DRILL_ALERT:
		run_feed(r, i);
		break;
	case DRILL_READING:
		run_reading(r, i);
		break;
	case DRILL_AS:
		run_as(r, i);
		break;
	case DRILL_NOTE:
		say(r, (double)s->at, "※ %s", s->title);
		step_done(r, i, S_OK, NULL);
		break;
	}
}

/* ------------------------------------------------------------------------
 * Expectations. */

static int
find_row(const struct db_table *t, const char *ref)
{
	for (int i = 0; t != NULL && i < t->nrows; i++)
		if (strcmp(db_get(t, i, "ref") ?: "", ref) == 0)
			return i;
	return -1;
}

/* A cell as drill seconds, or NAN for NULL. */
static double
secs_at(const struct db_table *t, int row, const char *col)
{
	const char *v = db_get(t, row, col);

	return v ? strtod(v, NULL) : NAN;
}

static int
compare(long a, enum drill_cmp c, long b)
{
	switch (c) {
	case DRILL_EQ:
		return a == b;
	case DRILL_NE:
		return a != b;
	case DRILL_LT:
		return a < b;
	case DRILL_LE:
		return a <= b;
	case DRILL_GT:
		return a > b;
	case DRILL_GE:
		return a >= b;
	}
	return 0;
}

static void
decide(struct drill_runner *r, int x, enum drill_xstate st, double t,
       char *detail)
{
	const struct drill_expect *e = &r->d->expects[x];

	r->xs[x] = st;
	r->xdecided[x] = t;
	free(r->xdetail[x]);
	r->xdetail[x] = detail;
	say(r, t, "%s line %d: expect %s — %s", st == X_HELD ? "✓" : "✗",
	    e->line, e->text, detail);
}

static char *
fmt_t(double secs)
{
	char b[32];

	drill_format_time((long)floor(secs + 0.5), b, sizeof b);
	return xstrdup(b);
}

static char *
fmt_d(double secs)
{
	char b[32];

	format_duration((long long)floor(secs + 0.5), b, sizeof b);
	return xstrdup(b);
}

/* Allowance for the few real milliseconds a pinned step takes. */
#define SLACK 0.5

/* Returns the deadline (drill seconds) of a still-pending expectation, or
 * INFINITY. */
static double
check_milestone(struct drill_runner *r, int x, double now, int final)
{
	const struct drill_expect *e = &r->d->expects[x];
	const char *ref = drill_bound(r, e->label);
	const struct db_table *t = r->incidents;
	int row;
	double raised, at, deadline;
	const char *who;

	if (ref == NULL || (row = find_row(t, ref)) < 0) {
		if (final || (e->when == DRILL_BY && now >= e->secs))
			decide(r, x, X_FAILED, now,
			       xasprintf("$%s was never raised", e->label));
		return e->when == DRILL_BY ? (double)e->secs : INFINITY;
	}
	raised = secs_at(t, row, "raised_s");
	deadline = e->when == DRILL_WITHIN ? raised + (double)e->secs
	                                   : (double)e->secs;
	at = drill_reached(t, row, (int)e->milestone, &who);
	if (!isnan(at)) {
		char *when = fmt_t(at), *took = fmt_d(at - raised);
		char *dl = fmt_t(deadline);
		if (at <= deadline + SLACK)
			decide(r, x, X_HELD, now,
			       xasprintf("%s %s at %s by %s, %s after "
			                 "discovery",
			                 ref,
			                 drill_milestone_word(e->milestone),
			                 when, who ? who : "?", took));
		else
			decide(r, x, X_FAILED, now,
			       xasprintf("%s %s only at %s by %s (%s after "
			                 "discovery), deadline %s",
			                 ref,
			                 drill_milestone_word(e->milestone),
			                 when, who ? who : "?", took, dl));
		free(when);
		free(took);
		free(dl);
		return INFINITY;
	}
	if (now >= deadline + SLACK || final) {
		char *dl = fmt_t(deadline);
		decide(r, x, X_FAILED, now,
		       xasprintf("%s not %s by %s; it is %s", ref,
		                 drill_milestone_word(e->milestone), dl,
		                 db_get(t, row, "state") ?: "?"));
		free(dl);
		return INFINITY;
	}
	return deadline + SLACK;
}

static void
check_sla(struct drill_runner *r, int x, double now)
{
	const struct drill_expect *e = &r->d->expects[x];
	const char *ref = drill_bound(r, e->label);
	int row;
	struct buf missed = {0};

	if (ref == NULL || (row = find_row(r->incidents, ref)) < 0) {
		decide(r, x, X_FAILED, now,
		       xasprintf("$%s was never raised", e->label));
		return;
	}
	if (drill_sla(r->incidents, row, now, &missed))
		decide(r, x, X_HELD, now,
		       xasprintf("%s met every SLA deadline it reached", ref));
	else
		decide(r, x, X_FAILED, now,
		       xasprintf("%s missed its SLA: %s", ref, missed.data));
	buf_free(&missed);
}

static double
check_reports(struct drill_runner *r, int x, double now, int final)
{
	const struct drill_expect *e = &r->d->expects[x];
	const char *ref = drill_bound(r, e->label);
	int row = ref ? find_row(r->incidents, ref) : -1;
	long n = row >= 0
	             ? 1 + strtol(db_get(r->incidents, row, "merged") ?: "0",
	                          NULL, 10)
	             : 0;

	if (row >= 0 && compare(n, e->cmp, e->n)) {
		decide(r, x, X_HELD, now,
		       xasprintf("%s has %ld reports (merged by dedup key)",
		                 ref, n));
		return INFINITY;
	}
	if (final || now >= (double)e->secs) {
		decide(r, x, X_FAILED, now,
		       xasprintf("%s has %ld reports", ref ? ref : "$?", n));
		return INFINITY;
	}
	return (double)e->secs;
}

static double
check_alarm(struct drill_runner *r, int x, double now, int final)
{
	static const char *const cols[] = {"warn_s", "alarm_s", "ack_s",
	                                   "cleared_s"};
	static const char *const words[] = {"raised", "reached alarm",
	                                    "acknowledged", "cleared"};
	const struct drill_expect *e = &r->d->expects[x];
	struct db_error err = {0};
	struct db_table *t = NULL;
	const char *p[2] = {r->run, e->indicator};
	double at;

	if (set_clock(r, &r->director, now, &err) != 0 ||
	    db_run(r->director.db, Q_DRILL_ALARM, 2, p, &t, &err) != 0) {
		decide(r, x, X_FAILED, now,
		       xasprintf("cannot read the alarm: %s",
		                 err.message ? err.message : "error"));
		db_error_clear(&err);
		return INFINITY;
	}
	at = secs_at(t, 0, cols[e->alarm]);
	if (!isnan(at) && at <= (double)e->secs + SLACK) {
		char *w = fmt_t(at);
		const char *by = db_get(t, 0, "ack_by");
		decide(r, x, X_HELD, now,
		       xasprintf(
		           "%s %s at %s%s%s", e->indicator, words[e->alarm], w,
		           e->alarm == DRILL_A_ACKNOWLEDGED ? " by " : "",
		           e->alarm == DRILL_A_ACKNOWLEDGED && by ? by : ""));
		free(w);
	} else if (final || now >= (double)e->secs + SLACK) {
		char *dl = fmt_t((double)e->secs);
		const char *v = db_get(t, 0, "last_value");
		decide(r, x, X_FAILED, now,
		       xasprintf("%s not %s by %s (last value %s)",
		                 e->indicator, words[e->alarm], dl,
		                 v ? v : "none"));
		free(dl);
	}
	r->alarms[x] = t;
	return r->xs[x] == X_PENDING ? (double)e->secs + SLACK : INFINITY;
}

static double
check_units(struct drill_runner *r, int x, double now, int final)
{
	const struct drill_expect *e = &r->d->expects[x];
	struct db_error err = {0};
	struct db_table *t = NULL;
	const char *p[2] = {e->unit_kind, e->region};
	long n;
	int ok;

	if (e->when == DRILL_AT && now + 1e-9 < (double)e->secs && !final)
		return (double)e->secs;
	if (e->when == DRILL_AT_END && !final)
		return INFINITY;
	if (set_clock(r, &r->director, now, &err) != 0 ||
	    db_run(r->director.db, Q_DRILL_AVAILABLE, 2, p, &t, &err) != 0) {
		decide(r, x, X_FAILED, now,
		       xasprintf("cannot count units: %s",
		                 err.message ? err.message : "error"));
		db_error_clear(&err);
		return INFINITY;
	}
	n = strtol(db_get(t, 0, "n") ?: "0", NULL, 10);
	db_table_free(&t);
	ok = compare(n, e->cmp, e->n);
	switch (e->when) {
	case DRILL_THROUGHOUT:
		if (!ok)
			decide(r, x, X_FAILED, now,
			       xasprintf("%ld %s units available in %s", n,
			                 e->unit_kind, e->region));
		else if (final)
			decide(r, x, X_HELD, now,
			       xasprintf("held at every check; %ld available "
			                 "at the end",
			                 n));
		return INFINITY;
	case DRILL_BY:
		if (ok) {
			decide(r, x, X_HELD, now,
			       xasprintf("%ld %s units available in %s", n,
			                 e->unit_kind, e->region));
			return INFINITY;
		}
		if (final || now >= (double)e->secs)
			decide(r, x, X_FAILED, now,
			       xasprintf("%ld %s units available in %s", n,
			                 e->unit_kind, e->region));
		return (double)e->secs;
	default:
		decide(r, x, ok ? X_HELD : X_FAILED, now,
		       xasprintf("%ld %s units available in %s", n,
		                 e->unit_kind, e->region));
		return INFINITY;
	}
}

static int
refresh_incidents(struct drill_runner *r, double now)
{
	struct db_error err = {0};
	const char *p[1] = {r->run};

	db_table_free(&r->incidents);
	if (set_clock(r, &r->director, now, &err) != 0 ||
	    db_run(r->director.db, Q_DRILL_INCIDENTS, 1, p, &r->incidents,
	           &err) != 0) {
		fprintf(stderr,
		        "cityops drill: reading the drill's incidents: "
		        "%s\n",
		        err.message ? err.message : "error");
		db_error_clear(&err);
		return -1;
	}
	return 0;
}

/* Decides what can be decided at drill time now; returns the next time
 * something could be decided. */
static double
evaluate(struct drill_runner *r, double now, int final)
{
	double next = INFINITY, t;

	r->now = now;
	if (refresh_incidents(r, now) != 0)
		return INFINITY;
	for (int x = 0; x < r->d->nexpects; x++) {
		const struct drill_expect *e = &r->d->expects[x];
		if (r->xs[x] != X_PENDING)
			continue;
		switch (e->kind) {
		case DRILL_X_MILESTONE:
			t = check_milestone(r, x, now, final);
			break;
		case DRILL_X_SLA:
			t = INFINITY;
			if (final)
				check_sla(r, x, now);
			break;
		case DRILL_X_REPORTS:
			t = check_reports(r, x, now, final);
			break;
		case DRILL_X_ALARM:
			db_table_free(&r->alarms[x]);
			t = check_alarm(r, x, now, final);
			break;
		case DRILL_X_UNITS:
			t = check_units(r, x, now, final);
			break;
		default:
			t = INFINITY;
		}
		if (r->xs[x] == X_PENDING && t > now && t < next)
			next = t;
	}
	return next;
}

/* ------------------------------------------------------------------------
 * The run. */

static void
runner_free(struct drill_runner *r)
{
	for (int i = 0; i < r->nactors; i++) {
		close_session(&r->actors[i].s);
		free(r->actors[i].login);
	}
	free(r->actors);
	close_session(&r->director);
	close_session(&r->injector);
	for (int i = 0; i < r->nbinds; i++) {
		free(r->binds[i].label);
		free(r->binds[i].ref);
	}
	free(r->binds);
	for (int x = 0; r->d != NULL && x < r->d->nexpects; x++) {
		free(r->xdetail[x]);
		db_table_free(&r->alarms[x]);
	}
	for (int i = 0; r->d != NULL && i < r->d->nsteps; i++)
		free(r->smsg[i]);
	free(r->xdetail);
	free(r->xdecided);
	free(r->alarms);
	free(r->xs);
	free(r->ss);
	free(r->smsg);
	db_table_free(&r->incidents);
	free(r->name);
}

/* Opens every connection and checks what the database must confirm before
 * anything runs: operators, exercise indicators. Returns 0, or the exit
 * status. */
static int
preflight(struct drill_runner *r)
{
	struct drill *d = r->d;
	int need_injector = 0, bad = 0;
	char *ci;

	if (open_session(&r->director, r->dsn, "the director") != 0)
		return 3;
	if (r->director.role < ROLE_supervisor) {
		fprintf(stderr,
		        "cityops drill: running a drill needs role supervisor; "
		        "%s is %s\n",
		        r->director.login, names_role_code(r->director.role));
		return 3;
	}
	for (int i = 0; i < d->nsteps; i++) {
		const struct drill_step *s = &d->steps[i];
		if (s->kind != DRILL_AS) {
			need_injector |= s->kind != DRILL_NOTE;
			continue;
		}
		if (drill_is_human(d, s->login) || actor(r, s->login) != NULL)
			continue;
		r->actors = xrealloc(r->actors, (size_t)(r->nactors + 1) *
		                                    sizeof *r->actors);
		r->actors[r->nactors].login = xstrdup(s->login);
		ci = conninfo_for(r->dsn, s->login);
		if (open_session(&r->actors[r->nactors].s, ci, s->login) != 0) {
			free(ci);
			free(r->actors[r->nactors].login);
			return 3;
		}
		free(ci);
		r->nactors++;
	}
	if (need_injector) {
		ci = conninfo_for(r->dsn, d->injector);
		if (open_session(&r->injector, ci, d->injector) != 0) {
			free(ci);
			return 3;
		}
		free(ci);
	}
	/* Readings go to exercise indicators only: a drill never moves a
	 * real vital sign. */
	for (int i = 0; i < d->nsteps + d->nexpects; i++) {
		const char *id = i < d->nsteps
		                     ? d->steps[i].indicator
		                     : d->expects[i - d->nsteps].indicator;
		int line = i < d->nsteps ? d->steps[i].line
		                         : d->expects[i - d->nsteps].line;
		struct db_table *t = NULL;
		struct db_error err = {0};
		const char *p[1] = {id};
		if (id == NULL || (i > 0 && i < d->nsteps &&
		                   d->steps[i - 1].indicator != NULL &&
		                   strcmp(d->steps[i - 1].indicator, id) == 0))
			continue;
		if (db_run(r->director.db, Q_DRILL_INDICATOR, 1, p, &t, &err) !=
		    0) {
			fprintf(stderr, "%s:%d: %s\n", r->file, line,
			        err.message ? err.message : "error");
			db_error_clear(&err);
			bad++;
		} else if (t->nrows == 0) {
			fprintf(stderr,
			        "%s:%d: no indicator %s (in %s's scope)\n",
			        r->file, line, id, r->director.login);
			bad++;
		} else if (strcmp(db_get(t, 0, "exercise") ?: "f", "t") != 0) {
			fprintf(
			    stderr,
			    "%s:%d: indicator %s is real; a drill feeds only "
			    "exercise indicators (ex.…)\n",
			    r->file, line, id);
			bad++;
		}
		db_table_free(&t);
	}
	return bad ? 2 : 0;
}

static int
start(struct drill_runner *r)
{
	struct db_error err = {0};
	struct db_table *t = NULL;
	char speed[32];
	const char *p[3] = {r->name, r->d->title, r->speed < 0 ? NULL : speed};

	snprintf(speed, sizeof speed, "%g", r->speed);
	if (db_run(r->director.db, Q_DRILL_START, 3, p, &t, &err) != 0) {
		fprintf(stderr, "cityops drill: cannot start: %s\n",
		        err.message ? err.message : "error");
		db_error_clear(&err);
		return -1;
	}
	r->t0_ms = mono_ms();
	snprintf(r->run, sizeof r->run, "%s", db_get(t, 0, "id"));
	snprintf(r->clock_start, sizeof r->clock_start, "%s",
	         db_get(t, 0, "clock_start") ?: "");
	db_table_free(&t);
	/* Fence every connection to the run before its first step. */
	if (set_clock(r, &r->director, 0, &err) != 0 ||
	    (r->injector.db && set_clock(r, &r->injector, 0, &err) != 0)) {
		fprintf(stderr, "cityops drill: %s\n",
		        err.message ? err.message : "error");
		db_error_clear(&err);
		return -1;
	}
	for (int i = 0; i < r->nactors; i++)
		if (set_clock(r, &r->actors[i].s, 0, &err) != 0) {
			fprintf(stderr, "cityops drill: %s\n",
			        err.message ? err.message : "error");
			db_error_clear(&err);
			return -1;
		}
	return 0;
}

/*
 * Steps and checks in drill-time order: a check at time T sees every step
 * scheduled at or before T and none after, whatever the speed, so a run's
 * verdict does not depend on how fast it ran. Between events, in real
 * time, the expectations are also looked at about once a second (people
 * at live consoles act whenever they act).
 */
static void
play(struct drill_runner *r)
{
	const struct drill *d = r->d;
	double end = (double)d->end, check = 0;
	long long last = mono_ms();
	int i = 0;

	for (;;) {
		double now = r->speed < 0 ? INFINITY : drill_now(r);
		double t_step =
		    i < d->nsteps ? (double)d->steps[i].at : INFINITY;
		double wake;

		if (interrupted) {
			r->aborted = 1;
			r->now = now < end ? now : end;
			return;
		}
		if (check <= now && check < t_step && check < end) {
			check = evaluate(r, check, 0);
			last = mono_ms();
			continue;
		}
		if (t_step <= now && t_step <= end) {
			while (i < d->nsteps &&
			       (double)d->steps[i].at == t_step)
				run_step(r, i++);
			check = evaluate(r, t_step, 0);
			last = mono_ms();
			continue;
		}
		if (end <= now)
			break;
		if (mono_ms() - last >= 1000) {
			double c = evaluate(r, now, 0);
			if (c < check)
				check = c;
			last = mono_ms();
		}
		wake = fmin(fmin(t_step, check), end);
		{
			long long ms =
			    (long long)ceil((wake - now) / r->speed * 1000.0);
			sleep_ms(ms < POLL_REAL_MS ? ms : POLL_REAL_MS);
		}
	}
	evaluate(r, end, 1);
}

/*
 * ENDEX (演练结束): the run's incidents still in play are cancelled by the
 * director, so that the exercise units they hold are free for the next
 * drill; the report has been taken before. Resolved and verified ones hold
 * no units and stay as they are for review.
 */
static void
endex(struct drill_runner *r)
{
	static const char *const idle[] = {"resolved",  "verified",  "closed",
	                                   "unfounded", "cancelled", NULL};
	const struct db_table *t = r->incidents;
	struct db_error err = {0};

	for (int i = 0; t != NULL && i < t->nrows; i++) {
		const char *state = db_get(t, i, "state") ?: "";
		const char *p[4] = {db_get(t, i, "ref"), "cancel",
		                    "演练结束 (ENDEX)", NULL};
		int busy = 1;
		for (int k = 0; idle[k] != NULL; k++)
			busy &= strcmp(state, idle[k]) != 0;
		if (!busy)
			continue;
		if (set_clock(r, &r->director, r->now, &err) != 0 ||
		    db_run(r->director.db, Q_ACT, 4, p, NULL, &err) != 0) {
			fprintf(stderr, "cityops drill: ENDEX of %s: %s\n",
			        p[0], err.message ? err.message : "error");
			db_error_clear(&err);
		}
	}
}

static int
finish(struct drill_runner *r, const char *report_path, const char *cap_path,
       int clear)
{
	struct buf text = {0}, json = {0}, cap = {0};
	struct db_error err = {0};
	struct db_table *t = NULL;
	int held, failed, steps_failed, status;
	char h[16], f[16];
	const char *p[5];

	drill_counts(r, &held, &failed, &steps_failed);
	status = failed == 0 && steps_failed == 0 && !r->aborted ? 0 : 1;
	drill_report_json(r, &json);
	snprintf(h, sizeof h, "%d", held);
	snprintf(f, sizeof f, "%d", failed + steps_failed);
	p[0] = r->run;
	p[1] = r->aborted ? "aborted" : status == 0 ? "passed" : "failed";
	p[2] = h;
	p[3] = f;
	p[4] = json.data;
	if (set_clock(r, &r->director, r->now, &err) != 0 ||
	    db_run(r->director.db, Q_DRILL_FINISH, 5, p, &t, &err) != 0) {
		fprintf(stderr, "cityops drill: recording the result: %s\n",
		        err.message ? err.message : "error");
		db_error_clear(&err);
		status = 1;
	}
	db_table_free(&t);
	endex(r);
	drill_report_text(r, &text);
	if (text.data)
		fputs(text.data, stdout);
	if (report_path != NULL) {
		FILE *fp = fopen(report_path, "w");
		if (fp == NULL || fputs(json.data, fp) < 0 || fclose(fp) != 0) {
			fprintf(stderr, "cityops drill: cannot write %s\n",
			        report_path);
			status = status ? status : 1;
		}
	}
	if (cap_path != NULL) {
		FILE *fp = fopen(cap_path, "w");
		drill_report_cap(r, &cap);
		if (fp == NULL || fputs(cap.data, fp) < 0 || fclose(fp) != 0) {
			fprintf(stderr, "cityops drill: cannot write %s\n",
			        cap_path);
			status = status ? status : 1;
		}
	}
	if (clear) {
		const char *q[2] = {"0 seconds", ""};
		const char *c[1] = {r->run};
		/* Unfence the director: clearing is its own act. */
		if (db_run(r->director.db, Q_DRILL_SET, 2, q, NULL, &err) !=
		        0 ||
		    db_run(r->director.db, Q_DRILL_CLEAR, 1, c, &t, &err) !=
		        0) {
			fprintf(stderr, "cityops drill: clearing: %s\n",
			        err.message ? err.message : "error");
			db_error_clear(&err);
		} else {
			printf(
			    "演练数据已清除: %s incidents, %s timeline rows\n",
			    db_get(t, 0, "incidents"), db_get(t, 0, "events"));
		}
		db_table_free(&t);
	}
	buf_free(&text);
	buf_free(&json);
	buf_free(&cap);
	return status;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {0};
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > 4 * 1024 * 1024)
			break;
	}
	fclose(f);
	*len = b.len;
	return b.data ? b.data : xstrdup("");
}

/* The run's name: the file's stem, lower case, [a-z0-9_.-]. */
static char *
stem(const char *path)
{
	const char *base = strrchr(path, '/');
	char *s = xstrdup(base ? base + 1 : path);
	char *dot = strstr(s, ".drill");
	size_t n;

	if (dot != NULL && dot[6] == '\0')
		*dot = '\0';
	for (char *q = s; *q != '\0'; q++) {
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
		if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
		      *q == '_' || *q == '-' || *q == '.'))
			*q = '-';
	}
	n = strlen(s);
	if (n == 0 || s[0] == '-' || s[0] == '_' || s[0] == '.') {
		char *t = xasprintf("drill%s", s);
		free(s);
		s = t;
	}
	return s;
}

static void
usage(FILE *f)
{
	fputs("usage: cityops [--dsn CONNINFO] [-U LOGIN] drill run FILE "
	      "[options]\n"
	      "       cityops drill check FILE\n"
	      "       cityops drill clear NAME|RUN\n"
	      "       cityops drill list\n"
	      "\n"
	      "run options:\n"
	      "  --speed N|max   drill seconds per real second (default: the "
	      "file's, else 1);\n"
	      "                  max jumps from event to event\n"
	      "  --report FILE   write the report as JSON\n"
	      "  --cap FILE      write the exercise as CAP 1.2 alerts "
	      "(status Exercise, JSON)\n"
	      "  --human LOGIN   leave LOGIN's steps to people at live "
	      "consoles (repeatable)\n"
	      "  --auto          play every operator, even those the file "
	      "leaves to people\n"
	      "  --keep          keep the exercise data for review (default)\n"
	      "  --clear         clear the exercise data after the report\n"
	      "  --quiet         no step log, only the report\n"
	      "\n"
	      "Exit status: 0 every expectation held, 1 one failed, 2 bad "
	      "drill file\n"
	      "or invocation (nothing was run), 3 database unreachable.\n"
	      "The format is in docs/drills.md.\n",
	      f);
}

/* Reads and parses; prints errors. Returns the drill or NULL. */
static struct drill *
load(const char *path)
{
	struct buf errors = {0};
	struct drill *d = NULL;
	size_t len = 0;
	char *text = read_file(path, &len);

	if (text == NULL) {
		fprintf(stderr, "cityops drill: cannot read %s: %s\n", path,
		        strerror(errno));
		return NULL;
	}
	if (drill_parse(text, len, path, &d, &errors) != 0) {
		fputs(errors.data ? errors.data : "", stderr);
		fprintf(stderr,
		        "cityops drill: %s has errors; nothing was "
		        "run\n",
		        path);
	}
	buf_free(&errors);
	free(text);
	return d;
}

static int
cmd_check(int argc, char **argv)
{
	struct drill *d;
	char end[32];
	int humans = 0;

	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if ((d = load(argv[0])) == NULL)
		return 2;
	drill_format_time(d->end, end, sizeof end);
	for (int i = 0; i < d->nsteps; i++)
		humans += d->steps[i].kind == DRILL_AS &&
		          drill_is_human(d, d->steps[i].login);
	printf("%s: 「%s」 %d steps (%d left to people), %d expectations, "
	       "ends at %s\n",
	       argv[0], d->title, d->nsteps, humans, d->nexpects, end);
	drill_free(&d);
	return 0;
}

static int
cmd_clear(int argc, char **argv, const char *dsn)
{
	struct session s;
	struct db_error err = {0};
	struct db_table *t = NULL;
	const char *p[1];
	int rc = 0;

	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (open_session(&s, dsn, "the director") != 0)
		return 3;
	p[0] = argv[0];
	if (db_run(s.db, Q_DRILL_CLEAR, 1, p, &t, &err) != 0) {
		fprintf(stderr, "cityops drill clear: %s\n",
		        err.message ? err.message : "error");
		if (err.hint)
			fprintf(stderr, "hint: %s\n", err.hint);
		db_error_clear(&err);
		rc = 1;
	} else {
		printf("cleared drill %s: %s incidents, %s timeline rows\n",
		       argv[0], db_get(t, 0, "incidents"),
		       db_get(t, 0, "events"));
	}
	db_table_free(&t);
	close_session(&s);
	return rc;
}

static int
cmd_list(const char *dsn)
{
	struct session s;
	struct db_error err = {0};
	struct db_table *t = NULL;

	if (open_session(&s, dsn, "the director") != 0)
		return 3;
	if (db_run(s.db, Q_DRILL_RUNS, 0, NULL, &t, &err) != 0) {
		fprintf(stderr, "cityops drill list: %s\n",
		        err.message ? err.message : "error");
		db_error_clear(&err);
		close_session(&s);
		return 1;
	}
	for (int i = 0; i < t->nrows; i++)
		printf("%-5s %-20s %-8s %3s/%-3s held/failed  %s incidents  "
		       "%s\n",
		       db_get(t, i, "id"), db_get(t, i, "name"),
		       db_get(t, i, "state"), db_get(t, i, "held") ?: "-",
		       db_get(t, i, "failed") ?: "-", db_get(t, i, "incidents"),
		       db_get(t, i, "title"));
	db_table_free(&t);
	close_session(&s);
	return 0;
}

static int
cmd_run_drill(int argc, char **argv, const char *dsn)
{
	struct drill_runner r = {0};
	const char *file = NULL, *report = NULL, *cap = NULL;
	const char *speed_arg = NULL;
	const char *humans[32];
	int nhumans = 0, clear = 0, autoplay = 0, status;
	long long started;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--speed") == 0 && more)
			speed_arg = argv[++i];
		else if (strcmp(a, "--report") == 0 && more)
			report = argv[++i];
		else if (strcmp(a, "--cap") == 0 && more)
			cap = argv[++i];
		else if (strcmp(a, "--human") == 0 && more && nhumans < 32)
			humans[nhumans++] = argv[++i];
		else if (strcmp(a, "--clear") == 0)
			clear = 1;
		else if (strcmp(a, "--keep") == 0)
			clear = 0;
		else if (strcmp(a, "--auto") == 0)
			autoplay = 1;
		else if (strcmp(a, "--quiet") == 0)
			r.quiet = 1;
		else if (a[0] != '-' && file == NULL)
			file = a;
		else {
			fprintf(stderr,
			        "cityops drill run: bad argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (file == NULL) {
		usage(stderr);
		return 2;
	}
	if ((r.d = load(file)) == NULL)
		return 2;
	for (int i = 0; i < nhumans; i++)
		if (!drill_is_human(r.d, humans[i])) {
			r.d->humans =
			    xrealloc(r.d->humans, (size_t)(r.d->nhumans + 1) *
			                              sizeof *r.d->humans);
			r.d->humans[r.d->nhumans++] = xstrdup(humans[i]);
		}
	if (autoplay && nhumans == 0) {
		for (int i = 0; i < r.d->nhumans; i++)
			free(r.d->humans[i]);
		r.d->nhumans = 0;
	}
	r.speed = r.d->speed != 0 ? r.d->speed : 1;
	if (speed_arg != NULL) {
		char *end;
		if (strcmp(speed_arg, "max") == 0)
			r.speed = -1;
		else if ((r.speed = strtod(speed_arg, &end)) <= 0 ||
		         *end != '\0' || !isfinite(r.speed) || r.speed > 1e6) {
			fprintf(stderr, "cityops drill run: --speed takes a "
			                "number > 0 or max\n");
			drill_free(&r.d);
			return 2;
		}
	}
	if (r.d->nhumans > 0 && r.speed != 1) {
		fprintf(stderr,
		        "cityops drill run: %s is left to people at live "
		        "consoles, who act in real time: run with --speed 1 "
		        "(or --auto to play every operator)\n",
		        r.d->humans[0]);
		drill_free(&r.d);
		return 2;
	}
	r.file = file;
	r.dsn = dsn;
	r.name = stem(file);
	r.xs = xcalloc((size_t)r.d->nexpects + 1, sizeof *r.xs);
	r.xdetail = xcalloc((size_t)r.d->nexpects + 1, sizeof *r.xdetail);
	r.xdecided = xcalloc((size_t)r.d->nexpects + 1, sizeof *r.xdecided);
	r.alarms = xcalloc((size_t)r.d->nexpects + 1, sizeof *r.alarms);
	r.ss = xcalloc((size_t)r.d->nsteps + 1, sizeof *r.ss);
	r.smsg = xcalloc((size_t)r.d->nsteps + 1, sizeof *r.smsg);

	if ((status = preflight(&r)) != 0) {
		if (status == 2)
			fprintf(stderr, "cityops drill: nothing was run\n");
		runner_free(&r);
		drill_free(&r.d);
		return status;
	}
	if (start(&r) != 0) {
		runner_free(&r);
		drill_free(&r.d);
		return 3;
	}
	if (!r.quiet) {
		char end[32];
		drill_format_time(r.d->end, end, sizeof end);
		printf("演练 %s 「%s」 run %s, ends at %s\n", r.name,
		       r.d->title, r.run, end);
		if (r.speed > 0)
			printf("speed ×%g: about %.1f s of real time\n",
			       r.speed, (double)r.d->end / r.speed);
		else
			printf("speed max: the clock jumps from event to "
			       "event\n");
		fflush(stdout);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	started = mono_ms();
	play(&r);
	r.real_secs = (double)(mono_ms() - started) / 1000.0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	status = finish(&r, report, cap, clear);
	runner_free(&r);
	drill_free(&r.d);
	return status;
}

int
drill_main(int argc, char **argv, const char *dsn)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0) {
		usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? 2 : 0;
	}
	if (strcmp(argv[0], "run") == 0)
		return cmd_run_drill(argc - 1, argv + 1, dsn);
	if (strcmp(argv[0], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[0], "clear") == 0)
		return cmd_clear(argc - 1, argv + 1, dsn);
	if (strcmp(argv[0], "list") == 0 && argc == 1)
		return cmd_list(dsn);
	fprintf(stderr, "cityops drill: unknown action '%s'\n", argv[0]);
	usage(stderr);
	return 2;
}
