/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The drill report: per incident the times from discovery to each
 * milestone on the drill clock, SLA met or missed, who did what; totals of
 * expectations, response times and units. Rendered for people (text), for
 * machines (JSON) and for other systems as CAP 1.2 alerts with status
 * Exercise (CAP's element names, rendered as JSON rather than XML).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/format.h"
#include "cityops/core/text.h"
#include "drill-internal.h"

static const char *const stages[] = {"ack", "dispatch", "arrive", "close"};

void
drill_counts(const struct drill_runner *r, int *held, int *failed,
             int *steps_failed)
{
	*held = *failed = *steps_failed = 0;
	for (int x = 0; x < r->d->nexpects; x++) {
		*held += r->xs[x] == X_HELD;
		*failed += r->xs[x] != X_HELD;
	}
	for (int i = 0; i < r->d->nsteps; i++)
		*steps_failed += r->ss[i] == S_FAILED;
}

static double
cell(const struct db_table *t, int row, const char *col)
{
	const char *v = db_get(t, row, col);

	return v ? strtod(v, NULL) : NAN;
}

static const char *
label_of(const struct drill_runner *r, const char *ref)
{
	for (int i = 0; i < r->nbinds; i++)
		if (strcmp(r->binds[i].ref, ref) == 0)
			return r->binds[i].label;
	return NULL;
}

double
drill_reached(const struct db_table *t, int row, int m, const char **by)
{
	double best = NAN;

	if (by != NULL)
		*by = NULL;
	for (int k = m; k < DRILL_M_COUNT; k++) {
		char c[32], cb[32];
		double at;
		snprintf(c, sizeof c, "%s_s", drill_milestone_code(k));
		snprintf(cb, sizeof cb, "%s_by", drill_milestone_code(k));
		at = cell(t, row, c);
		if (!isnan(at) && (isnan(best) || at < best)) {
			best = at;
			if (by != NULL)
				*by = db_get(t, row, cb);
		}
	}
	return best;
}

int
drill_sla(const struct db_table *t, int row, double now, struct buf *missed)
{
	static const int stage_m[] = {DRILL_M_ack, DRILL_M_dispatch,
	                              DRILL_M_arrive, DRILL_M_close};
	const char *state = db_get(t, row, "state") ?: "";
	int final = strcmp(state, "closed") == 0 ||
	            strcmp(state, "unfounded") == 0 ||
	            strcmp(state, "cancelled") == 0;
	size_t before = missed->len;

	for (int k = 0; k < 4; k++) {
		char c2[32];
		double at, due;
		snprintf(c2, sizeof c2, "%s_due_s", stages[k]);
		at = drill_reached(t, row, stage_m[k], NULL);
		due = cell(t, row, c2);
		if ((!isnan(at) && at > due + 0.5) ||
		    (isnan(at) && !final && now > due + 0.5))
			buf_printf(missed, "%s%s", missed->len ? "," : "",
			           stages[k]);
	}
	return missed->len == before;
}

/* SLA of one incident at the end of the run. */
static int
sla_met(const struct drill_runner *r, int row, struct buf *missed)
{
	return drill_sla(r->incidents, row, r->now, missed);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and worst time from discovery to milestone m over the incidents
 * that reached it; n gets how many did. */
static void
response(const struct drill_runner *r, int m, double *median, double *worst,
         int *n)
{
	const struct db_table *t = r->incidents;
	double *v = xcalloc((size_t)(t ? t->nrows : 0) + 1, sizeof *v);

	*n = 0;
	for (int i = 0; t != NULL && i < t->nrows; i++) {
		double at = drill_reached(t, i, m, NULL);
		if (!isnan(at))
			v[(*n)++] = at - cell(t, i, "raised_s");
	}
	qsort(v, (size_t)*n, sizeof *v, cmp_double);
	*median = *n == 0  ? NAN
	          : *n % 2 ? v[*n / 2]
	                   : (v[*n / 2 - 1] + v[*n / 2]) / 2;
	*worst = *n == 0 ? NAN : v[*n - 1];
	free(v);
}

/* The response times the totals report, in text and JSON alike. */
static const struct {
	int milestone;
	const char *label; /* for people */
	const char *count; /* JSON: how many reached it */
	const char *key;   /* JSON: prefix of its median and worst */
} totals[] = {
    {DRILL_M_ack, "受理 acknowledged", "acknowledged", "ack"},
    {DRILL_M_dispatch, "派单 dispatched", "dispatched", "dispatch"},
    {DRILL_M_arrive, "到场 arrived", "arrived", "arrive"},
};

/* The distinct units used by the drill's incidents, comma separated. */
static char *
units_used(const struct drill_runner *r, int *count)
{
	const struct db_table *t = r->incidents;
	struct buf b = {0};

	*count = 0;
	for (int i = 0; t != NULL && i < t->nrows; i++) {
		const char *u = db_get(t, i, "units");
		char *copy, *tok, *save = NULL;
		if (u == NULL)
			continue;
		copy = xstrdup(u);
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			size_t n = strlen(tok);
			const char *q = b.data;
			int seen = 0;
			while (q != NULL && *q != '\0') {
				size_t k = strcspn(q, ",");
				if (k == n && strncmp(q, tok, n) == 0)
					seen = 1;
				q += k;
				q += *q == ',';
			}
			if (!seen) {
				if (b.len)
					buf_adds(&b, ",");
				buf_adds(&b, tok);
				(*count)++;
			}
		}
		free(copy);
	}
	return b.data ? b.data : xstrdup("");
}

static void
add_time(struct buf *b, double secs)
{
	char s[32];

	if (isnan(secs)) {
		buf_adds(b, "—");
		return;
	}
	drill_format_time((long)floor(secs + 0.5), s, sizeof s);
	buf_adds(b, s);
}

static void
add_dur(struct buf *b, double secs)
{
	char s[32];

	if (isnan(secs)) {
		buf_adds(b, "—");
		return;
	}
	format_duration((long long)floor(secs + 0.5), s, sizeof s);
	buf_adds(b, s);
}

/* Untrusted text (titles from the database) for a terminal. */
static void
add_clean(struct buf *b, const char *s)
{
	char *c = text_sanitize_dup(s ? s : "", s ? strlen(s) : 0);

	buf_adds(b, c);
	free(c);
}

/* The milestones in order, as the incidents read names its columns
 * (<m>_s, <m>_by), and in the report for people. */
static const char *const milestones[] = {
    "ack", "dispatch", "accept", "arrive", "resolve", "verify", "close"};
static const char *const milestone_zh[] = {"受理", "派单", "签收", "到场",
                                           "办结", "核查", "结案"};

/* One incident of the report for people: row i of r->incidents. */
static void
text_incident(const struct drill_runner *r, int i, struct buf *out)
{
	const struct db_table *t = r->incidents;
	const char *ref = db_get(t, i, "ref");
	const char *label = label_of(r, ref);
	struct buf missed = {0};
	double raised = cell(t, i, "raised_s");
	int met = sla_met(r, i, &missed);
	int merged = atoi(db_get(t, i, "merged") ?: "0");

	buf_printf(out, "\n%s%s%s%s  P%s ", label ? "$" : "",
	           label ? label : "", label ? "  " : "", ref,
	           db_get(t, i, "priority") ?: "?");
	add_clean(out, db_get(t, i, "category_name"));
	buf_adds(out, " · ");
	add_clean(out, db_get(t, i, "region_name"));
	buf_adds(out, " · 「");
	add_clean(out, db_get(t, i, "title"));
	buf_printf(out, "」 · %s\n",
	           names_incident_state(db_get(t, i, "state") ?: ""));
	buf_adds(out, "    发现 ");
	add_time(out, raised);
	buf_adds(out, "  ");
	add_clean(out, db_get(t, i, "source"));
	buf_adds(out, " via ");
	add_clean(out, db_get(t, i, "created_by"));
	if (merged > 0)
		buf_printf(out, "  (+%d reports merged)", merged);
	buf_adds(out, "\n");
	for (int k = 0; k < 7; k++) {
		char c[32], cb[32];
		double at;
		snprintf(c, sizeof c, "%s_s", milestones[k]);
		snprintf(cb, sizeof cb, "%s_by", milestones[k]);
		at = cell(t, i, c);
		if (isnan(at))
			continue;
		buf_printf(out, "    %s ", milestone_zh[k]);
		add_time(out, at);
		buf_adds(out, "  Δ ");
		add_dur(out, at - raised);
		buf_adds(out, "  ");
		add_clean(out, db_get(t, i, cb));
		buf_adds(out, "\n");
	}
	buf_adds(out, "    单位 ");
	add_clean(out, db_get(t, i, "units") ?: "—");
	buf_printf(out, "   SLA %s%s%s\n",
	           met ? "达标 met" : "超时 missed: ", met ? "" : missed.data,
	           "");
	buf_free(&missed);
}

/* The expectations and the failed steps of the report for people. */
static void
text_results(const struct drill_runner *r, int held, int failed,
             int steps_failed, struct buf *out)
{
	buf_printf(out, "\n预期 expectations: %d held, %d failed\n", held,
	           failed);
	for (int x = 0; x < r->d->nexpects; x++) {
		const struct drill_expect *e = &r->d->expects[x];
		buf_printf(out, "  %s line %d: %s — ",
		           r->xs[x] == X_HELD ? "✓" : "✗", e->line, e->text);
		add_clean(out, r->xdetail[x] ? r->xdetail[x] : "not decided");
		buf_adds(out, "\n");
	}
	if (steps_failed > 0) {
		buf_printf(out, "\n步骤 steps failed: %d\n", steps_failed);
		for (int i = 0; i < r->d->nsteps; i++)
			if (r->ss[i] == S_FAILED) {
				buf_printf(
				    out, "  ✗ line %d: ", r->d->steps[i].line);
				add_clean(out,
				          r->smsg[i] ? r->smsg[i] : "failed");
				buf_adds(out, "\n");
			}
	}
}

void
drill_report_text(const struct drill_runner *r, struct buf *out)
{
	const struct db_table *t = r->incidents;
	int held, failed, steps_failed, n, nunits;
	double med, worst;
	char *units;

	drill_counts(r, &held, &failed, &steps_failed);
	buf_adds(out, "\n══ 演练报告 ");
	add_clean(out, r->d->title);
	buf_printf(out, " ══\n%s · run %s · ", r->name, r->run);
	if (r->speed < 0)
		buf_adds(out, "speed max");
	else
		buf_printf(out, "speed ×%g", r->speed);
	buf_adds(out, " · 演练时长 ");
	add_dur(out, r->now);
	buf_printf(out, " · 实际 %.1fs%s\n", r->real_secs,
	           r->aborted ? " · 已中止 (aborted)" : "");

	buf_printf(out,
	           "\n事件 %d 起 (times on the drill clock, from +00:00; "
	           "Δ from discovery)\n",
	           t ? t->nrows : 0);
	for (int i = 0; t != NULL && i < t->nrows; i++)
		text_incident(r, i, out);

	text_results(r, held, failed, steps_failed, out);
	buf_adds(out, "\n合计 totals\n");
	for (size_t k = 0; k < sizeof totals / sizeof totals[0]; k++) {
		response(r, totals[k].milestone, &med, &worst, &n);
		buf_printf(out, "%s  %s %d: median ", k ? "\n" : "",
		           totals[k].label, n);
		add_dur(out, med);
		buf_adds(out, ", worst ");
		add_dur(out, worst);
	}
	units = units_used(r, &nunits);
	buf_printf(out, "\n  单位 units used: %d %s\n", nunits, units);
	free(units);
	buf_printf(out, "\n结果 %s: %d/%d expectations held%s\n",
	           failed == 0 && steps_failed == 0 && !r->aborted ? "PASSED"
	                                                           : "FAILED",
	           held, held + failed, steps_failed ? ", steps failed" : "");
}

/* JSON helpers: a value from a cell, as a number, string or null. */
static void
j_num(struct buf *b, double v)
{
	if (isnan(v))
		buf_adds(b, "null");
	else
		buf_printf(b, "%.1f", v);
}

static void
j_str(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_adds(b, "null");
	else
		buf_add_json_string(b, s);
}

/* One incident of the JSON report: row i of r->incidents. */
static void
json_incident(const struct drill_runner *r, int i, struct buf *out)
{
	const struct db_table *t = r->incidents;
	const char *ref = db_get(t, i, "ref");
	struct buf missed = {0};
	double raised = cell(t, i, "raised_s");
	int met = sla_met(r, i, &missed);
	buf_adds(out, i ? ",{\"label\":" : "{\"label\":");
	j_str(out, label_of(r, ref));
	buf_adds(out, ",\"ref\":");
	j_str(out, ref);
	buf_adds(out, ",\"title\":");
	j_str(out, db_get(t, i, "title"));
	buf_adds(out, ",\"category\":");
	j_str(out, db_get(t, i, "category"));
	buf_printf(out, ",\"priority\":%s,\"region\":",
	           db_get(t, i, "priority") ?: "null");
	j_str(out, db_get(t, i, "region_name"));
	buf_adds(out, ",\"source\":");
	j_str(out, db_get(t, i, "source"));
	buf_adds(out, ",\"state\":");
	j_str(out, db_get(t, i, "state"));
	buf_adds(out, ",\"raised_by\":");
	j_str(out, db_get(t, i, "created_by"));
	buf_printf(out, ",\"merged\":%s,\"discovered_s\":",
	           db_get(t, i, "merged") ?: "0");
	j_num(out, raised);
	buf_adds(out, ",\"milestones\":{");
	for (int k = 0; k < 7; k++) {
		char c[32], cb[32];
		double at;
		snprintf(c, sizeof c, "%s_s", milestones[k]);
		snprintf(cb, sizeof cb, "%s_by", milestones[k]);
		at = cell(t, i, c);
		buf_printf(out, "%s\"%s\":", k ? "," : "", milestones[k]);
		if (isnan(at)) {
			buf_adds(out, "null");
			continue;
		}
		buf_adds(out, "{\"at_s\":");
		j_num(out, at);
		buf_adds(out, ",\"after_s\":");
		j_num(out, at - raised);
		buf_adds(out, ",\"by\":");
		j_str(out, db_get(t, i, cb));
		buf_adds(out, "}");
	}
	buf_adds(out, "},\"sla\":{");
	for (int k = 0; k < 4; k++) {
		char c[32];
		snprintf(c, sizeof c, "%s_due_s", stages[k]);
		buf_printf(out, "%s\"%s_due_s\":", k ? "," : "", stages[k]);
		j_num(out, cell(t, i, c));
	}
	buf_printf(out, ",\"met\":%s,\"missed\":", met ? "true" : "false");
	j_str(out, missed.data ? missed.data : "");
	buf_adds(out, "},\"units\":");
	j_str(out, db_get(t, i, "units"));
	buf_adds(out, "}");
	buf_free(&missed);
}

/* The expectations and the steps of the JSON report. */
static void
json_results(const struct drill_runner *r, struct buf *out)
{
	buf_adds(out, ",\"expectations\":[");
	for (int x = 0; x < r->d->nexpects; x++) {
		const struct drill_expect *e = &r->d->expects[x];
		buf_printf(out, "%s{\"line\":%d,\"expect\":", x ? "," : "",
		           e->line);
		j_str(out, e->text);
		buf_printf(out, ",\"held\":%s,\"decided_s\":",
		           r->xs[x] == X_HELD ? "true" : "false");
		j_num(out, r->xs[x] == X_PENDING ? NAN : r->xdecided[x]);
		buf_adds(out, ",\"detail\":");
		j_str(out, r->xdetail[x]);
		buf_adds(out, "}");
	}
	buf_adds(out, "],\"steps\":[");
	for (int i = 0, first = 1; i < r->d->nsteps; i++) {
		static const char *const st[] = {"not_run", "ok", "failed",
		                                 "refused", "human"};
		const struct drill_step *s = &r->d->steps[i];
		if (s->kind == DRILL_READING && r->ss[i] == S_OK)
			continue; /* readings are many; failures still show */
		buf_printf(out, "%s{\"line\":%d,\"at_s\":%ld,\"state\":\"%s\"",
		           first ? "" : ",", s->line, s->at, st[r->ss[i]]);
		first = 0;
		if (s->login) {
			buf_adds(out, ",\"as\":");
			j_str(out, s->login);
			buf_adds(out, ",\"command\":");
			j_str(out, s->command);
		}
		buf_adds(out, ",\"message\":");
		j_str(out, r->smsg[i]);
		buf_adds(out, "}");
	}
}

void
drill_report_json(const struct drill_runner *r, struct buf *out)
{
	const struct db_table *t = r->incidents;
	int held, failed, steps_failed, n, nunits;
	double med, worst;
	char *units;

	drill_counts(r, &held, &failed, &steps_failed);
	buf_adds(out, "{\"drill\":");
	j_str(out, r->name);
	buf_adds(out, ",\"title\":");
	j_str(out, r->d->title);
	buf_printf(out, ",\"run\":%s,\"file\":", r->run);
	j_str(out, r->file);
	buf_adds(out, ",\"clock_start\":");
	j_str(out, r->clock_start);
	if (r->speed < 0)
		buf_adds(out, ",\"speed\":\"max\"");
	else
		buf_printf(out, ",\"speed\":%g", r->speed);
	buf_printf(out, ",\"duration_s\":%.1f,\"real_s\":%.2f", r->now,
	           r->real_secs);
	buf_printf(out, ",\"passed\":%s,\"aborted\":%s",
	           failed == 0 && steps_failed == 0 && !r->aborted ? "true"
	                                                           : "false",
	           r->aborted ? "true" : "false");

	json_results(r, out);
	buf_adds(out, "],\"incidents\":[");
	for (int i = 0; t != NULL && i < t->nrows; i++)
		json_incident(r, i, out);
	buf_printf(out,
	           "],\"totals\":{\"held\":%d,\"failed\":%d,"
	           "\"steps_failed\":%d",
	           held, failed, steps_failed);
	for (size_t k = 0; k < sizeof totals / sizeof totals[0]; k++) {
		response(r, totals[k].milestone, &med, &worst, &n);
		buf_printf(out, ",\"%s\":%d,\"%s_median_s\":", totals[k].count,
		           n, totals[k].key);
		j_num(out, med);
		buf_printf(out, ",\"%s_worst_s\":", totals[k].key);
		j_num(out, worst);
	}
	units = units_used(r, &nunits);
	buf_printf(out, ",\"units_used\":%d,\"units\":", nunits);
	j_str(out, units);
	free(units);
	buf_adds(out, "}}\n");
}

/* CAP 1.2 category of an incident category. */
static const char *
cap_category(const char *c)
{
	static const struct {
		const char *ours, *cap;
	} map[] = {
	    {"fire", "Fire"},       {"flood", "Met"},
	    {"typhoon", "Met"},     {"traffic", "Transport"},
	    {"crowd", "Safety"},    {"gas", "Safety"},
	    {"power", "Infra"},     {"water", "Infra"},
	    {"medical", "Health"},  {"public_order", "Security"},
	    {"noise", "Env"},       {"pollution", "Env"},
	    {"road", "Infra"},      {"building", "Safety"},
	    {"metro", "Transport"}, {NULL, NULL},
	};

	for (int i = 0; c != NULL && map[i].ours != NULL; i++)
		if (strcmp(map[i].ours, c) == 0)
			return map[i].cap;
	return "Other";
}

/* The alert step that raised ref, if any. */
static const struct drill_step *
alert_step(const struct drill_runner *r, const char *ref)
{
	const char *label = label_of(r, ref);

	for (int i = 0; label != NULL && i < r->d->nsteps; i++)
		if (r->d->steps[i].kind == DRILL_ALERT &&
		    r->d->steps[i].label != NULL &&
		    strcmp(r->d->steps[i].label, label) == 0)
			return &r->d->steps[i];
	return NULL;
}

void
drill_report_cap(const struct drill_runner *r, struct buf *out)
{
	static const char *const sev[] = {"Extreme", "Severe", "Moderate",
	                                  "Minor"};
	const struct db_table *t = r->incidents;

	buf_adds(out, "{\"cap\":\"urn:oasis:names:tc:emergency:cap:1.2\","
	              "\"rendering\":\"json\",\"alerts\":[");
	for (int i = 0; t != NULL && i < t->nrows; i++) {
		const char *ref = db_get(t, i, "ref");
		const struct drill_step *a = alert_step(r, ref);
		int prio = atoi(db_get(t, i, "priority") ?: "4");
		const char *lat = db_get(t, i, "lat"),
		           *lon = db_get(t, i, "lon");
		char *id, *note;

		if (prio < 1 || prio > 4)
			prio = 4;
		id = xasprintf("cityops-drill-%s-%s", r->run, ref);
		note = xasprintf("演练 exercise %s (run %s): %s", r->name,
		                 r->run, r->d->title);
		buf_adds(out, i ? ",{\"identifier\":" : "{\"identifier\":");
		j_str(out, id);
		buf_adds(out, ",\"sender\":");
		j_str(out, a ? a->sender : "cityops@城运中心");
		buf_adds(out, ",\"sent\":");
		j_str(out, db_get(t, i, "created_iso"));
		buf_adds(out, ",\"status\":\"Exercise\",\"msgType\":\"Alert\","
		              "\"scope\":\"Restricted\",\"restriction\":"
		              "\"drill participants only\",\"note\":");
		j_str(out, note);
		buf_adds(out, ",\"incidents\":");
		j_str(out, ref);
		buf_adds(out, ",\"info\":[{\"language\":\"zh-CN\","
		              "\"category\":[");
		j_str(out, cap_category(db_get(t, i, "category")));
		buf_adds(out, "],\"event\":");
		j_str(out, a ? a->event : db_get(t, i, "category_name"));
		buf_adds(out, ",\"urgency\":");
		j_str(out, a           ? a->urgency
		           : prio <= 2 ? "Immediate"
		                       : "Expected");
		buf_adds(out, ",\"severity\":");
		j_str(out, a ? a->severity : sev[prio - 1]);
		buf_adds(out, ",\"certainty\":");
		j_str(out, a ? a->certainty : "Observed");
		buf_adds(out, ",\"senderName\":\"城市运行管理中心 (cityops "
		              "drill)\",\"headline\":");
		j_str(out, db_get(t, i, "title"));
		buf_adds(out, ",\"description\":");
		j_str(out, db_get(t, i, "description"));
		buf_adds(out, ",\"parameter\":[{\"valueName\":\"cityops:"
		              "priority\",\"value\":");
		j_str(out, db_get(t, i, "priority"));
		buf_adds(out, "},{\"valueName\":\"cityops:state\",\"value\":");
		j_str(out, db_get(t, i, "state"));
		buf_adds(out, "},{\"valueName\":\"cityops:source\",\"value\":");
		j_str(out, db_get(t, i, "source"));
		buf_adds(out, "}],\"area\":[{\"areaDesc\":");
		{
			char *desc = xasprintf(
			    "%s%s%s", db_get(t, i, "region_name") ?: "",
			    *(db_get(t, i, "location") ?: "") ? " " : "",
			    db_get(t, i, "location") ?: "");
			j_str(out, desc);
			free(desc);
		}
		if (lat != NULL && lon != NULL) {
			char *circle = xasprintf("%s,%s 0.5", lat, lon);
			buf_adds(out, ",\"circle\":[");
			j_str(out, circle);
			buf_adds(out, "]");
			free(circle);
		}
		buf_adds(out, "}]}]}");
		free(id);
		free(note);
	}
	buf_adds(out, "]}\n");
}
