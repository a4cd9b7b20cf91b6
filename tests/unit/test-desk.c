/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The live desk without a terminal: the event log by position (bursts,
 * transactions that commit out of order, late and repeated answers,
 * reconnects, long outages), arrivals in the queue, the vitals grouping,
 * and the dirty bits that tell the screen what changed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/desk/desk.h"
#include "cityops/core/util.h"

/* A timeline row written by transaction tx. */
static struct desk_timeline_row
ev(uint64_t tx, int64_t id)
{
	static char notes[64][32];
	struct desk_timeline_row r = {0};
	char *note = notes[id % 64];

	snprintf(note, 32, "n%lld", (long long)id);
	r.tx = tx;
	r.id = id;
	r.at = 1764600000 + id;
	r.ref = "261201-0001";
	r.actor = "fx_officer";
	r.action = "note";
	r.note = note;
	return r;
}

/* How many event lines carry " · nID" at their end. */
static int
shown_times(const struct desk *d, int64_t id)
{
	char want[32];
	int k = 0;

	snprintf(want, sizeof want, " · n%lld", (long long)id);
	for (int i = 0; i < d->nevents; i++) {
		const char *t = desk_event_at(d, i)->text;
		size_t lt = strlen(t), lw = strlen(want);
		k += lt >= lw && strcmp(t + lt - lw, want) == 0;
	}
	return k;
}

static struct desk *
started(uint64_t horizon)
{
	struct desk *d = desk_new();

	CHECK_INT(desk_apply_timeline(d, 0, 0, horizon, 0, NULL, 0), 1);
	CHECK_INT(d->nevents, 0);
	return d;
}

static void
first_answer_sets_position(void)
{
	struct desk *d = started(100);

	CHECK(d->has_horizon);
	CHECK_INT((long long)d->horizon, 100);
	desk_free(&d);
	CHECK(d == NULL);
}

static void
burst_in_order_each_once(void)
{
	struct desk *d = started(100);
	struct desk_timeline_row rows[50];

	for (int i = 0; i < 50; i++)
		rows[i] = ev(100 + (uint64_t)i, 1 + i);
	d->dirty = 0;
	CHECK_INT(desk_apply_timeline(d, 1, 100, 150, 50, rows, 50), 1);
	CHECK_INT(d->nevents, 50);
	CHECK(d->dirty & DESK_DIRTY_EVENTS);
	for (int i = 0; i < 50; i++)
		CHECK_INT(shown_times(d, 1 + i), 1);
	/* Newest first: the last row of the answer is event 0. */
	CHECK(strstr(desk_event_at(d, 0)->text, "n50") != NULL);
	CHECK(strstr(desk_event_at(d, 49)->text, "n1") != NULL);
	CHECK_INT(d->nshown, 0);
	desk_free(&d);
}

/*
 * Transaction 101 took id 12 and is still running when 102 commits id 13:
 * the first answer carries 13 (committed past the horizon), the next one
 * 12 and 13 again. 13 must show once, 12 once, and nothing be lost.
 */
static void
out_of_order_commits(void)
{
	struct desk *d = started(100);
	struct desk_timeline_row a[2] = {ev(100, 11), ev(102, 13)};
	struct desk_timeline_row b[2] = {ev(101, 12), ev(102, 13)};

	/* Horizon 101: 101 still runs. */
	CHECK_INT(desk_apply_timeline(d, 1, 100, 101, 2, a, 2), 1);
	CHECK_INT(shown_times(d, 11), 1);
	CHECK_INT(shown_times(d, 13), 1);
	CHECK_INT(d->nshown, 1); /* 13 kept: tx 102 >= 101 */
	CHECK_INT(desk_apply_timeline(d, 1, 101, 103, 2, b, 2), 1);
	CHECK_INT(shown_times(d, 12), 1);
	CHECK_INT(shown_times(d, 13), 1);
	CHECK_INT(d->nevents, 3);
	CHECK_INT(d->nshown, 0);
	desk_free(&d);
}

/* An answer asked from an older position (a late or repeated one, e.g.
 * resent after a reconnect) changes nothing. */
static void
late_and_repeated_answers(void)
{
	struct desk *d = started(100);
	struct desk_timeline_row a[1] = {ev(100, 1)};

	CHECK_INT(desk_apply_timeline(d, 1, 100, 101, 1, a, 1), 1);
	CHECK_INT(desk_apply_timeline(d, 1, 100, 101, 1, a, 1), 0);
	CHECK_INT(desk_apply_timeline(d, 0, 0, 90, 0, NULL, 0), 0);
	CHECK_INT(shown_times(d, 1), 1);
	CHECK_INT((long long)d->horizon, 101);
	desk_free(&d);
}

/* Back from an outage: everything committed meanwhile arrives in one
 * answer from the old position; a server behind us moves nothing back. */
static void
reconnect_catches_up(void)
{
	struct desk *d = started(100);
	struct desk_timeline_row rows[20];

	for (int i = 0; i < 20; i++)
		rows[i] = ev(100 + (uint64_t)i / 2, 1 + i);
	CHECK_INT(desk_apply_timeline(d, 1, 100, 110, 20, rows, 20), 1);
	CHECK_INT(d->nevents, 20);
	/* A standby behind: horizon 105 < 110; nothing shown, no move. */
	CHECK_INT(desk_apply_timeline(d, 1, 110, 105, 3, rows + 17, 3), 1);
	CHECK_INT(d->nevents, 20);
	CHECK_INT((long long)d->horizon, 110);
	desk_free(&d);
}

/* A span larger than the answer: the newest rows, and one line saying
 * how many older ones were left out (not counting ones shown before). */
static void
long_outage_says_what_it_skipped(void)
{
	struct desk *d = started(100);
	struct desk_timeline_row held[1] = {ev(105, 7)};
	struct desk_timeline_row rows[5];

	/* 7 shown early while 101 ran. */
	CHECK_INT(desk_apply_timeline(d, 1, 100, 101, 1, held, 1), 1);
	for (int i = 0; i < 5; i++)
		rows[i] = ev(200 + (uint64_t)i, 100 + i);
	/* The span holds 7, 5 rows returned, and 4 older never shown. */
	CHECK_INT(desk_apply_timeline(d, 1, 101, 300, 10, rows, 5), 1);
	CHECK(strstr(desk_event_at(d, 5)->text, "4 条较早动态未显示") != NULL);
	CHECK_INT(shown_times(d, 7), 1);
	CHECK_INT(d->nevents, 1 + 1 + 5);
	desk_free(&d);
}

/* Event text is sanitised: no escape reaches the screen. */
static void
event_text_sanitised(void)
{
	struct desk *d = desk_new();
	struct desk_timeline_row r = ev(1, 1);

	r.note = "\033[2J\033]0;pwned\007x";
	CHECK_INT(desk_apply_timeline(d, 0, 0, 1, 0, NULL, 0), 1);
	CHECK_INT(desk_apply_timeline(d, 1, 1, 2, 1, &r, 1), 1);
	CHECK(strchr(desk_event_at(d, 0)->text, '\033') == NULL);
	CHECK(strchr(desk_event_at(d, 0)->text, '\007') == NULL);
	desk_free(&d);
}

static void
event_ring_keeps_newest(void)
{
	struct desk *d = desk_new();
	char line[32];

	for (int i = 0; i < DESK_EVENTS_MAX + 10; i++) {
		snprintf(line, sizeof line, "e%d", i);
		desk_event(d, 0, DESK_SEV_NORMAL, line);
	}
	CHECK_INT(d->nevents, DESK_EVENTS_MAX);
	CHECK_STR(desk_event_at(d, 0)->text, "e509");
	CHECK_STR(desk_event_at(d, DESK_EVENTS_MAX - 1)->text, "e10");
	CHECK(desk_event_at(d, DESK_EVENTS_MAX) == NULL);
	desk_free(&d);
}

static struct desk_incident *
queue_of(const char *const *refs, const int *prio, int n)
{
	struct desk_incident *q = xcalloc((size_t)n + 1, sizeof *q);

	for (int i = 0; i < n; i++) {
		q[i].ref = xstrdup(refs[i]);
		q[i].priority = prio[i];
	}
	return q;
}

static void
arrivals_marked_fresh(void)
{
	struct desk *d = desk_new();
	const char *a[] = {"261201-0001", "261201-0002"};
	const char *b[] = {"261201-0001", "261201-0002", "261201-0003"};
	const int pa[] = {3, 2}, pb[] = {3, 2, 1};

	desk_set_queue(d, queue_of(a, pa, 2), 2, 1000, 500);
	/* The first queue is not news. */
	CHECK(!desk_is_fresh(d, "261201-0001", 1000));
	CHECK(!d->p1_arrived);
	CHECK(d->dirty & DESK_DIRTY_QUEUE);
	desk_set_queue(d, queue_of(b, pb, 3), 3, 2000, 500);
	CHECK(desk_is_fresh(d, "261201-0003", 2100));
	CHECK(!desk_is_fresh(d, "261201-0002", 2100));
	CHECK(d->p1_arrived);
	CHECK(desk_find_incident(d, "261201-0003")->priority == 1);
	CHECK(desk_find_incident(d, "261201-9999") == NULL);
	CHECK_INT(desk_expire_fresh(d, 2400), 0);
	CHECK_INT(desk_expire_fresh(d, 2500), 1);
	CHECK(!desk_is_fresh(d, "261201-0003", 2500));
	desk_free(&d);
}

/* The first page at start, then the whole queue: the rows the second load
 * adds were there all along, not news (no highlight, no P1 bell). */
static void
first_page_then_rest_not_fresh(void)
{
	struct desk *d = desk_new();
	const char *a[] = {"261201-0001"};
	const char *b[] = {"261201-0001", "261201-0002", "261201-0003"};
	const int pa[] = {3}, pb[] = {3, 1, 2};

	desk_set_queue(d, queue_of(a, pa, 1), 1, 1000, 500);
	d->queue_partial = 1;
	desk_set_queue(d, queue_of(b, pb, 3), 3, 1100, 500);
	d->queue_partial = 0;
	CHECK(!desk_is_fresh(d, "261201-0002", 1200));
	CHECK(!d->p1_arrived);
	CHECK_INT(d->nqueue, 3);
	/* From then on, arrivals are news again. */
	const char *c[] = {"261201-0001", "261201-0002", "261201-0003",
	                   "261201-0004"};
	const int pc[] = {3, 1, 2, 1};
	desk_set_queue(d, queue_of(c, pc, 4), 4, 2000, 500);
	CHECK(desk_is_fresh(d, "261201-0004", 2100));
	CHECK(d->p1_arrived);
	desk_free(&d);
}

static struct desk_vital
vital(const char *key, const char *cat, const char *state)
{
	struct desk_vital v = {0};

	v.key = xstrdup(key);
	v.category = xstrdup(cat);
	v.state = xstrdup(state);
	v.value = xstrdup("1");
	v.warn = 4.5;
	v.alarm = 5;
	return v;
}

/* Worst category first, worst indicator first within it, a heading per
 * category counting its alarms and warnings. */
static void
vitals_grouped_worst_first(void)
{
	struct desk *d = desk_new();
	struct desk_vital *v = xcalloc(4, sizeof *v);
	char value[32];

	v[0] = vital("a.1", "交通", "normal");
	v[1] = vital("w.1", "水务", "warn");
	v[2] = vital("w.2", "水务", "alarm");
	v[3] = vital("a.2", "交通", "stale");
	desk_set_vitals(d, v, 4);
	CHECK(d->vrows_stale);
	CHECK(model_vitals_find(d->mv, "w.2") != NULL);
	desk_build_vital_rows(d, 0, 5000);
	CHECK_INT(d->nvrows, 6);
	CHECK(d->vrows[0].heading);
	CHECK_STR(d->vitals[d->vrows[0].vital].category, "水务");
	CHECK_INT(d->vrows[0].worst, 2);
	CHECK_STR(d->vitals[d->vrows[1].vital].key, "w.2");
	CHECK_STR(d->vitals[d->vrows[2].vital].key, "w.1");
	CHECK(d->vrows[3].heading);
	CHECK_STR(d->vitals[d->vrows[4].vital].key, "a.2");
	CHECK_STR(d->vitals[d->vrows[5].vital].key, "a.1");
	/* Without feeds the database's value and state. */
	CHECK_STR(desk_vital_now(d, 2, 0, 5000, value, sizeof value, NULL),
	          "alarm");
	CHECK_STR(value, "1");
	desk_free(&d);
}

static void
region_names_once_sorted(void)
{
	struct desk *d = desk_new();

	desk_add_region_name(d, "奉贤区");
	desk_add_region_name(d, "黄浦区");
	desk_add_region_name(d, "奉贤区");
	desk_add_region_name(d, "");
	desk_add_region_name(d, NULL);
	CHECK_INT(d->nregion_names, 2);
	CHECK(strcmp(d->region_names[0], d->region_names[1]) < 0);
	desk_free(&d);
}

/* A timeline row by 'system' that escalates (escalate_due) is an alert: an
 * event line in the alarm colour, counted, and flagged for the bell; a
 * person's escalation and a row shown again are not. */
static void
auto_escalation_alerts(void)
{
	struct desk *d = started(100);
	struct desk_timeline_row r[3] = {ev(100, 1), ev(100, 2), ev(101, 3)};

	r[0].action = "escalate";
	r[1].action = "escalate";
	r[1].actor = "system";
	r[2].action = "escalate";
	r[2].actor = "system";
	CHECK_INT(desk_apply_timeline(d, 1, 100, 101, 3, r, 3), 1);
	CHECK_INT(d->auto_escalations, 2);
	CHECK(d->escalation_arrived);
	CHECK(d->dirty & DESK_DIRTY_STATUS);
	CHECK_INT(desk_event_at(d, 0)->sev, DESK_SEV_CRIT);
	CHECK_INT(desk_event_at(d, 1)->sev, DESK_SEV_CRIT);
	CHECK_INT(desk_event_at(d, 2)->sev, DESK_SEV_NORMAL);
	/* tx 101 is at the horizon: it comes again and is not counted twice. */
	d->escalation_arrived = 0;
	CHECK_INT(desk_apply_timeline(d, 1, 101, 102, 1, r + 2, 1), 1);
	CHECK_INT(d->auto_escalations, 2);
	CHECK(!d->escalation_arrived);
	desk_free(&d);
}

/* Emergency mode changes the desk: the policy's categories first in the
 * vital signs (even before a worse category) and in the queue (then the
 * database's order), an event-log line when the mode switches after the
 * first load (not on the first), and back to normal when it ends. */
static void
emergency_mode_reorders(void)
{
	struct desk *d = desk_new();
	struct desk_vital *v = xcalloc(4, sizeof *v);
	const char *refs[] = {"r-traffic", "r-flood", "r-fire", "r-typhoon"};
	const char *cats[] = {"traffic", "flood", "fire", "typhoon"};
	const int prio[] = {1, 2, 1, 3};
	struct desk_incident *q = queue_of(refs, prio, 4);

	for (int i = 0; i < 4; i++)
		q[i].category = xstrdup(cats[i]);
	v[0] = vital("a.1", "交通", "alarm");
	v[1] = vital("m.1", "气象", "normal");
	v[2] = vital("w.1", "水务/防汛", "warn");
	v[3] = vital("e.1", "能源", "normal");
	desk_set_vitals(d, v, 4);
	desk_set_queue(d, q, 4, 1000, 500);
	desk_set_mode(d, 0, NULL, NULL);
	desk_set_mode_desk(d, "postgres", 100, "", "");
	CHECK_INT(d->nevents, 0); /* the first load is not a switch */
	desk_build_vital_rows(d, 0, 5000);
	CHECK_STR(d->vitals[d->vrows[0].vital].category, "交通");
	CHECK_STR(d->queue[0].ref, "r-traffic");

	d->dirty = 0;
	desk_set_mode(d, 1, "II", "防汛防台");
	desk_set_mode_desk(d, "super_fx", 200, "气象\x1f水务/防汛",
	                   "flood\x1ftyphoon\x1fpower");
	CHECK(d->dirty & DESK_DIRTY_QUEUE);
	CHECK(d->dirty & DESK_DIRTY_STATUS);
	CHECK(d->vrows_stale);
	CHECK_STR(d->mode.set_by, "super_fx");
	CHECK_INT((int)d->mode.since, 200);
	CHECK_INT(d->nevents, 1);
	CHECK(strstr(desk_event_at(d, 0)->text, "应急响应 II级 防汛防台") !=
	      NULL);
	CHECK(strstr(desk_event_at(d, 0)->text, "super_fx") != NULL);
	CHECK_INT(desk_event_at(d, 0)->sev, DESK_SEV_CRIT);
	desk_build_vital_rows(d, 0, 5000);
	CHECK(d->vrows[0].heading);
	CHECK_STR(d->vitals[d->vrows[0].vital].category, "气象");
	CHECK_STR(d->vitals[d->vrows[2].vital].category, "水务/防汛");
	CHECK_STR(d->vitals[d->vrows[4].vital].category, "交通");
	CHECK_STR(d->queue[0].ref, "r-flood");
	CHECK_STR(d->queue[1].ref, "r-typhoon");
	CHECK_STR(d->queue[2].ref, "r-traffic");
	CHECK_STR(d->queue[3].ref, "r-fire");

	/* A new queue from the database keeps the mode's order. */
	q = queue_of(refs, prio, 4);
	for (int i = 0; i < 4; i++)
		q[i].category = xstrdup(cats[3 - i]);
	desk_set_queue(d, q, 4, 2000, 500);
	CHECK_STR(d->queue[0].category, "flood");
	CHECK_STR(d->queue[1].category, "typhoon");
	CHECK_STR(d->queue[2].category, "fire");

	/* The same mode read again is no new switch. */
	desk_set_mode(d, 1, "II", "防汛防台");
	desk_set_mode_desk(d, "super_fx", 200, "气象\x1f水务/防汛", "flood");
	CHECK_INT(d->nevents, 1);

	/* Back to peace: the database's order, a line in the log. */
	desk_set_mode(d, 0, NULL, NULL);
	desk_set_mode_desk(d, "admin", 300, NULL, NULL);
	CHECK_INT(d->nevents, 2);
	CHECK(strstr(desk_event_at(d, 0)->text, "恢复平时") != NULL);
	CHECK_INT(d->mode.nincidents_first, 0);
	CHECK_STR(d->queue[0].category, "typhoon");
	CHECK_STR(d->queue[3].category, "traffic");
	desk_build_vital_rows(d, 0, 5000);
	CHECK_STR(d->vitals[d->vrows[0].vital].category, "交通");
	desk_free(&d);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(first_answer_sets_position),
	    TEST(burst_in_order_each_once),
	    TEST(out_of_order_commits),
	    TEST(late_and_repeated_answers),
	    TEST(reconnect_catches_up),
	    TEST(long_outage_says_what_it_skipped),
	    TEST(event_text_sanitised),
	    TEST(event_ring_keeps_newest),
	    TEST(arrivals_marked_fresh),
	    TEST(first_page_then_rest_not_fresh),
	    TEST(vitals_grouped_worst_first),
	    TEST(region_names_once_sorted),
	    TEST(auto_escalation_alerts),
	    TEST(emergency_mode_reorders),
	    {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
