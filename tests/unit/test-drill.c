/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The drill file parser: times, durations, steps, expectations, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/drill/drill.h"
#include "cityops/core/util.h"

/* Parses text; returns the drill or NULL, errors in *errors. */
static struct drill *
parse(const char *text, struct buf *errors)
{
	struct drill *d = NULL;

	buf_reset(errors);
	drill_parse(text, strlen(text), "t.drill", &d, errors);
	return d;
}

static void
times_and_durations(void)
{
	char out[32];

	CHECK_INT(drill_parse_time("+00:30"), 1800);
	CHECK_INT(drill_parse_time("+01:02:03"), 3723);
	CHECK_INT(drill_parse_time("+2:05"), 7500);
	CHECK_INT(drill_parse_time("00:30"), -1);
	CHECK_INT(drill_parse_time("+00:60"), -1);
	CHECK_INT(drill_parse_time("+00:5"), -1);
	CHECK_INT(drill_parse_time("+00"), -1);
	CHECK_INT(drill_parse_time("+00:00:00:00"), -1);
	CHECK_INT(drill_parse_time("+00:30x"), -1);
	CHECK_INT(drill_parse_duration("90s"), 90);
	CHECK_INT(drill_parse_duration("2m"), 120);
	CHECK_INT(drill_parse_duration("2min"), 120);
	CHECK_INT(drill_parse_duration("1h30m"), 5400);
	CHECK_INT(drill_parse_duration("2"), -1);
	CHECK_INT(drill_parse_duration("m"), -1);
	CHECK_INT(drill_parse_duration(""), -1);
	CHECK_INT(drill_parse_duration("99999999h"), -1);
	drill_format_time(1800, out, sizeof out);
	CHECK_STR(out, "+00:30");
	drill_format_time(3723, out, sizeof out);
	CHECK_STR(out, "+01:02:03");
}

static const char good[] =
    "# a comment\n"
    "drill 测试 演练  # trailing comment\n"
    "human officer_hp\n"
    "at +00:10 as officer_fx: ack $p \"note with # inside\"\n"
    "at +00:05 incident $p flood 2 南桥镇 沧海路积水 --source 110 "
    "--location 沧海路 --count 3 --dedup k\n"
    "at +00:00 ramp ex.fx.tide.jinhui 4.0 5.0 over 10m every 5m\n"
    "at +00:00 alert $a typhoon 奉贤区 台风预警 --event 台风 --severity "
    "Extreme\n"
    "at +00:20 try as super_fx: raise flood 1 南桥镇 新积水 => $q\n"
    "at +00:21 note 台风登陆\n"
    "expect $p acknowledged within 2m\n"
    "expect $q dispatched by +00:40\n"
    "expect $p sla\n"
    "expect $p reports >= 3 by +00:30\n"
    "expect alarm ex.fx.tide.jinhui alarm by +00:10\n"
    "expect available fire in 奉贤 = 0 at +00:30\n"
    "expect available drainage in 南桥镇 >= 1 throughout\n";

static void
parses_a_drill(void)
{
	struct buf errors = {0};
	struct drill *d = parse(good, &errors);

	CHECK(d != NULL);
	if (d == NULL) {
		fprintf(stderr, "%s", errors.data ? errors.data : "");
		buf_free(&errors);
		return;
	}
	CHECK_STR(d->title, "测试 演练");
	CHECK_STR(d->injector, "cityops_ingest");
	CHECK_INT(d->nhumans, 1);
	CHECK(drill_is_human(d, "officer_hp"));
	CHECK(!drill_is_human(d, "officer_fx"));
	/* 3 ramp readings, alert, incident, as, as, note — by time. */
	CHECK_INT(d->nsteps, 8);
	CHECK_INT(d->steps[0].kind, DRILL_READING);
	CHECK(d->steps[0].value == 4.0);
	CHECK_INT(d->steps[1].kind, DRILL_ALERT);
	CHECK_INT(d->steps[1].priority, 1);
	CHECK_STR(d->steps[1].source, "sensor");
	CHECK_STR(d->steps[1].urgency, "Immediate");
	CHECK_INT(d->steps[2].at, 300);
	CHECK_INT(d->steps[2].kind, DRILL_INCIDENT);
	CHECK_STR(d->steps[2].label, "p");
	CHECK_STR(d->steps[2].title, "沧海路积水");
	CHECK_STR(d->steps[2].source, "110");
	CHECK_STR(d->steps[2].location, "沧海路");
	CHECK_INT(d->steps[2].count, 3);
	CHECK_INT(d->steps[3].kind, DRILL_READING);
	CHECK(d->steps[3].value == 4.5);
	CHECK_INT(d->steps[4].at, 600);
	CHECK_INT(d->steps[4].kind, DRILL_AS);
	CHECK_STR(d->steps[4].login, "officer_fx");
	CHECK_STR(d->steps[4].command, "ack $p \"note with # inside\"");
	CHECK_INT(d->steps[5].kind, DRILL_READING);
	CHECK_STR(d->steps[6].login, "super_fx");
	CHECK_INT(d->steps[6].try_, 1);
	CHECK_STR(d->steps[6].label, "q");
	CHECK_STR(d->steps[6].command, "raise flood 1 南桥镇 新积水");
	CHECK_INT(d->steps[7].kind, DRILL_NOTE);
	CHECK_STR(d->steps[7].title, "台风登陆");

	CHECK_INT(d->nexpects, 7);
	CHECK_INT(d->expects[0].kind, DRILL_X_MILESTONE);
	CHECK_INT(d->expects[0].milestone, DRILL_M_ack);
	CHECK_INT(d->expects[0].when, DRILL_WITHIN);
	CHECK_INT(d->expects[0].secs, 120);
	CHECK_INT(d->expects[1].when, DRILL_BY);
	CHECK_INT(d->expects[1].secs, 2400);
	CHECK_INT(d->expects[2].kind, DRILL_X_SLA);
	CHECK_INT(d->expects[3].kind, DRILL_X_REPORTS);
	CHECK_INT(d->expects[3].n, 3);
	CHECK_INT(d->expects[3].cmp, DRILL_GE);
	CHECK_INT(d->expects[4].kind, DRILL_X_ALARM);
	CHECK_INT(d->expects[4].alarm, DRILL_A_ALARM);
	CHECK_STR(d->expects[4].indicator, "ex.fx.tide.jinhui");
	CHECK_INT(d->expects[5].kind, DRILL_X_UNITS);
	CHECK_STR(d->expects[5].unit_kind, "fire");
	CHECK_STR(d->expects[5].region, "奉贤");
	CHECK_INT(d->expects[5].when, DRILL_AT);
	CHECK_INT(d->expects[6].when, DRILL_THROUGHOUT);
	CHECK_INT(d->expects[6].line, 16);
	CHECK_STR(d->expects[6].text,
	          "available drainage in 南桥镇 >= 1 throughout");
	/* No end line: the last step or deadline, here $q by +00:40. */
	CHECK_INT(d->end, 2400);
	drill_free(&d);
	CHECK(d == NULL);
	buf_free(&errors);
}

/* Each bad line is reported with its number; nothing is returned. */
static void
refuses_with_line_numbers(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"at +00:00 note x\n", "t.drill:1: the drill has no title"},
	    {"drill x\n", "t.drill:1: the drill has no steps"},
	    {"drill x\nat 5 note y\n", "t.drill:2: bad time '5'"},
	    {"drill x\nat +00:01\n", "t.drill:2: usage: at"},
	    {"drill x\nat +00:01 boom y\n", "t.drill:2: unknown step 'boom'"},
	    {"drill x\n\nat +00:01 incident $a flood 0 南桥镇 t\n",
	     "t.drill:3: priority must be 1 to 4, not 0"},
	    {"drill x\nat +00:01 incident $a flood 1 南桥镇 t --source x\n",
	     "t.drill:2: unknown source x"},
	    {"drill x\nat +00:01 incident $a flood 1 南桥镇 t --bogus 1\n",
	     "t.drill:2: unknown option --bogus"},
	    {"drill x\nat +00:01 as officer_fx: dispach 1 FX-F01\n",
	     "t.drill:2: unknown command 'dispach' (did you mean "
	     "'dispatch'?)"},
	    {"drill x\nat +00:01 as super_fx: escalation set peace * 1 1 5m\n",
	     "t.drill:2: a drill may not run 'escalation'"},
	    {"drill x\nat +00:01 as officer_fx: ack $nope\n",
	     "t.drill:2: unknown label $nope"},
	    {"drill x\nat +00:01 as officer_fx: ack $a\n"
	     "at +00:02 incident $a flood 1 南桥镇 t\n",
	     "t.drill:2: $a is used before line 3 raises it"},
	    {"drill x\nat +00:01 incident $a flood 1 南桥镇 t\n"
	     "at +00:02 incident $a flood 1 南桥镇 t\n",
	     "t.drill:3: label $a is already raised at line 2"},
	    {"drill x\nat +00:01 as officer_fx: ack 1 => $b\n",
	     "t.drill:2: only raise can bind a label"},
	    {"drill x\nat +00:01 note y\nexpect $a closed by +01:00\n",
	     "t.drill:3: unknown label $a"},
	    {"drill x\nat +00:01 incident $a flood 1 南桥镇 t\n"
	     "expect $a closed\n",
	     "t.drill:3: the expectation needs a deadline"},
	    {"drill x\nat +00:01 incident $a flood 1 南桥镇 t\n"
	     "expect $a eaten within 2m\n",
	     "t.drill:3: unknown milestone 'eaten'"},
	    {"drill x\nat +00:01 note y\nexpect alarm ex.a.b melted by "
	     "+00:10\n",
	     "t.drill:3: unknown alarm state 'melted'"},
	    {"drill x\nat +00:01 note y\nexpect available fire in 奉贤 ~ 0 "
	     "at +00:01\n",
	     "t.drill:3: usage: expect available"},
	    {"drill x\nend +00:10\nat +00:20 note late\n",
	     "t.drill:3: this comes after the drill's end"},
	    {"drill x\nat +00:01 ramp ex.a.b 1 2 over 0s\n",
	     "t.drill:2: bad duration"},
	    {"drill x\nat +00:01 reading Bad.Id 1\n",
	     "t.drill:2: bad indicator id Bad.Id"},
	    {"drill x\nat +00:01 reading ex.a.b nan\n",
	     "t.drill:2: reading value nan is not a number"},
	    {"drill x\nat +00:01 note \"open\n",
	     "t.drill:2: unterminated quote"},
	    {"drill x\nat +00:01 note \xff\n", "t.drill:2: not valid UTF-8"},
	    {"drill x\nat +00:01 note a\x1b[2Jb\n",
	     "t.drill:2: the note has control characters"},
	    {"drill x\nspeed fast\n", "t.drill:2: usage: speed"},
	    {"drill x\ndrill y\n", "t.drill:2: the drill already has a title"},
	    {"whatever\n", "t.drill:1: unknown line 'whatever'"},
	};
	struct buf errors = {0};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct drill *d = parse(cases[i].text, &errors);
		CHECK(d == NULL);
		if (errors.data == NULL ||
		    strstr(errors.data, cases[i].want) == NULL)
			check_fail(__FILE__, __LINE__,
			           "case %zu: want \"%s\" in \"%s\"", i,
			           cases[i].want,
			           errors.data ? errors.data : "");
		drill_free(&d);
	}
	buf_free(&errors);
}

/* One pass reports every bad line, up to the limit. */
static void
reports_every_error(void)
{
	struct buf text = {0}, errors = {0};
	struct drill *d;
	int n;

	buf_adds(&text, "drill x\n");
	for (int i = 0; i < 50; i++)
		buf_adds(&text, "at +00:01 nonsense here\n");
	n = drill_parse(text.data, text.len, "t.drill", &d, &errors);
	CHECK(d == NULL);
	CHECK(n >= DRILL_MAX_ERRORS);
	CHECK(strstr(errors.data, "t.drill:2: unknown step") != NULL);
	CHECK(strstr(errors.data, "too many errors") != NULL);
	buf_reset(&text);
	buf_adds(&text, "drill x\nat +00:01 x y\nat +00:02 x y\n");
	n = drill_parse(text.data, text.len, "t.drill", &d, &errors);
	CHECK_INT(n, 2);
	buf_free(&text);
	buf_free(&errors);
}

/* The drills shipped in drills/ parse. */
static void
shipped_drills_parse(void)
{
	static const char *const names[] = {"typhoon-fengxian", "bund-crowd",
	                                    "gas-huangpu"};
	const char *fixtures = getenv("CITYOPS_FIXTURES");

	if (fixtures == NULL)
		return;
	for (size_t i = 0; i < 3; i++) {
		char *path =
		    xasprintf("%s/../../drills/%s.drill", fixtures, names[i]);
		FILE *f = fopen(path, "rb");
		struct buf text = {0}, errors = {0};
		char chunk[4096];
		size_t n;
		struct drill *d = NULL;

		CHECK(f != NULL);
		while (f != NULL && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&text, chunk, n);
		if (f != NULL)
			fclose(f);
		CHECK_INT(drill_parse(text.data ? text.data : "", text.len,
		                      path, &d, &errors),
		          0);
		if (errors.data != NULL)
			fprintf(stderr, "%s", errors.data);
		CHECK(d != NULL && d->nsteps > 10 && d->nexpects > 10);
		drill_free(&d);
		buf_free(&text);
		buf_free(&errors);
		free(path);
	}
}

static const struct check_case cases[] = {
    TEST(times_and_durations),       TEST(parses_a_drill),
    TEST(refuses_with_line_numbers), TEST(reports_every_error),
    TEST(shipped_drills_parse),      {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return check_main(cases, argc, argv);
}
