/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
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

#define POLL_REAL_MS 250 /* longest real sleep between checks */

static int
isalnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* ------------------------------------------------------------------------
 * The log while it runs. */

void
drill_say(const struct drill_runner *r, double t, const char *fmt, ...)
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
		int rc = drill_set_clock(r, &r->injector, (double)s->at, &err);
		if (rc == 0)
			rc = db_run(r->injector.db, Q_DRILL_FEED, 10, p, &t,
			            &err);
		if (rc != 0) {
			drill_say(r, (double)s->at, "✗ line %d: %s refused: %s",
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
			drill_say(r, (double)s->at, "%s %s%s%s → %s%s 「%s」",
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
	rc = drill_set_clock(r, &r->injector, (double)s->at, &err);
	if (rc == 0)
		rc = db_run(r->injector.db, Q_DRILL_READING, 2, p, &t, &err);
	if (rc != 0 || strcmp(db_get(t, 0, "accepted") ?: "0", "1") != 0) {
		const char *why = rc != 0 ? err.message : "not accepted";
		drill_say(r, (double)s->at, "✗ line %d: reading %s %s: %s",
		          s->line, s->indicator, value, why ? why : "error");
		step_done(r, i, S_FAILED, why);
	} else {
		if (!r->quiet && r->d->nsteps < 400)
			drill_say(r, (double)s->at, "读数 %s = %s",
			          s->indicator, value);
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
		drill_say(r, (double)s->at, "… %s: 「%s」 留给现场值班人员",
		          s->login, s->command);
		step_done(r, i, S_HUMAN, NULL);
		return;
	}
	ses = drill_actor_session(r, s->login);
	if ((line = substitute(r, s->command, missing, sizeof missing)) ==
	    NULL) {
		char *msg =
		    xasprintf("%s has no incident (its step failed)", missing);
		drill_say(r, (double)s->at, "✗ line %d: %s: %s", s->line,
		          s->login, msg);
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
	if (drill_set_clock(r, ses, (double)s->at, &err) != 0) {
		drill_say(r, (double)s->at, "✗ line %d: %s: %s", s->line,
		          s->login, err.message ? err.message : "clock");
		step_done(r, i, S_FAILED, err.message);
		db_error_clear(&err);
		free(line);
		return;
	}
	cmd_run(ses, line, &res, &name);
	out = first_line(&res);
	if (res.failed) {
		drill_say(r, (double)s->at, "%s line %d: %s: %s — %s",
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
		drill_say(r, (double)s->at, "%s: %s — %s", s->login, line, out);
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
		drill_say(r, (double)s->at, "※ %s", s->title);
		step_done(r, i, S_OK, NULL);
		break;
	}
}

/* ------------------------------------------------------------------------
 * The run. */

void
drill_runner_free(struct drill_runner *r)
{
	for (int i = 0; i < r->nactors; i++) {
		drill_close_session(&r->actors[i].s);
		free(r->actors[i].login);
	}
	free(r->actors);
	drill_close_session(&r->director);
	drill_close_session(&r->injector);
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

/* Readings go to exercise indicators only: a drill never moves a real
 * vital sign. Returns how many indicators were refused (said on stderr). */
static int
check_indicators(struct drill_runner *r)
{
	struct drill *d = r->d;
	int bad = 0;

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
	return bad;
}

/* Opens every connection and checks what the database must confirm before
 * anything runs: operators, exercise indicators. Returns 0, or the exit
 * status. */
int
drill_preflight(struct drill_runner *r)
{
	struct drill *d = r->d;
	int need_injector = 0, bad = 0;
	char *ci;

	if (drill_open_session(&r->director, r->dsn, "the director") != 0)
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
		if (drill_is_human(d, s->login) ||
		    drill_actor_session(r, s->login) != NULL)
			continue;
		r->actors = xrealloc(r->actors, (size_t)(r->nactors + 1) *
		                                    sizeof *r->actors);
		r->actors[r->nactors].login = xstrdup(s->login);
		ci = drill_conninfo(r->dsn, s->login);
		if (drill_open_session(&r->actors[r->nactors].s, ci,
		                       s->login) != 0) {
			free(ci);
			free(r->actors[r->nactors].login);
			return 3;
		}
		free(ci);
		r->nactors++;
	}
	if (need_injector) {
		ci = drill_conninfo(r->dsn, d->injector);
		if (drill_open_session(&r->injector, ci, d->injector) != 0) {
			free(ci);
			return 3;
		}
		free(ci);
	}
	bad = check_indicators(r);
	return bad ? 2 : 0;
}

int
drill_start(struct drill_runner *r)
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
	r->t0_ms = drill_mono_ms();
	snprintf(r->run, sizeof r->run, "%s", db_get(t, 0, "id"));
	snprintf(r->clock_start, sizeof r->clock_start, "%s",
	         db_get(t, 0, "clock_start") ?: "");
	db_table_free(&t);
	/* Fence every connection to the run before its first step. */
	if (drill_set_clock(r, &r->director, 0, &err) != 0 ||
	    (r->injector.db &&
	     drill_set_clock(r, &r->injector, 0, &err) != 0)) {
		fprintf(stderr, "cityops drill: %s\n",
		        err.message ? err.message : "error");
		db_error_clear(&err);
		return -1;
	}
	for (int i = 0; i < r->nactors; i++)
		if (drill_set_clock(r, &r->actors[i].s, 0, &err) != 0) {
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
void
drill_play(struct drill_runner *r)
{
	const struct drill *d = r->d;
	double end = (double)d->end, check = 0;
	long long last = drill_mono_ms();
	int i = 0;

	for (;;) {
		double now = r->speed < 0 ? INFINITY : drill_now(r);
		double t_step =
		    i < d->nsteps ? (double)d->steps[i].at : INFINITY;
		double wake;

		if (drill_interrupted) {
			r->aborted = 1;
			r->now = now < end ? now : end;
			return;
		}
		if (check <= now && check < t_step && check < end) {
			check = drill_evaluate(r, check, 0);
			last = drill_mono_ms();
			continue;
		}
		if (t_step <= now && t_step <= end) {
			while (i < d->nsteps &&
			       (double)d->steps[i].at == t_step)
				run_step(r, i++);
			check = drill_evaluate(r, t_step, 0);
			last = drill_mono_ms();
			continue;
		}
		if (end <= now)
			break;
		if (drill_mono_ms() - last >= 1000) {
			double c = drill_evaluate(r, now, 0);
			if (c < check)
				check = c;
			last = drill_mono_ms();
		}
		wake = fmin(fmin(t_step, check), end);
		{
			long long ms =
			    (long long)ceil((wake - now) / r->speed * 1000.0);
			drill_sleep_ms(ms < POLL_REAL_MS ? ms : POLL_REAL_MS);
		}
	}
	drill_evaluate(r, end, 1);
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
		if (drill_set_clock(r, &r->director, r->now, &err) != 0 ||
		    db_run(r->director.db, Q_ACT, 4, p, NULL, &err) != 0) {
			fprintf(stderr, "cityops drill: ENDEX of %s: %s\n",
			        p[0], err.message ? err.message : "error");
			db_error_clear(&err);
		}
	}
}

int
drill_finish(struct drill_runner *r, const char *report_path,
             const char *cap_path, int clear)
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
	if (drill_set_clock(r, &r->director, r->now, &err) != 0 ||
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
