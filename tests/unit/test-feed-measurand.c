/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The Device model's packed `value` (feed_measurand_parse) and the rule
 * naming each key's controlled property (feed_measurand_property). The
 * first case is the string of Smart Data Models dataModel.Device,
 * Device/examples/example.json: "l%3D0.22%3Bt%3D21.2" with
 * controlledProperty [fillingLevel, temperature].
 */
#include <stdio.h>
#include <string.h>

#include "cityops/feed/feed-measurand.h"
#include "cityops/feed/feed.h"
#include "check.h"

static const char *const device_props[] = {"fillingLevel", "temperature"};

static void
device_example(void)
{
	struct feed_measurand m[FEED_MEASURAND_MAX];
	const char *why = "x";

	CHECK_INT(feed_measurand_parse("l%3D0.22%3Bt%3D21.2", m,
	                               FEED_MEASURAND_MAX, &why),
	          2);
	CHECK(why == NULL);
	CHECK_STR(m[0].key, "l");
	CHECK(m[0].value == 0.22);
	CHECK_STR(m[1].key, "t");
	CHECK(m[1].value == 21.2);
	CHECK_STR(feed_measurand_property(m, 2, 0, device_props, 2),
	          "fillingLevel");
	CHECK_STR(feed_measurand_property(m, 2, 1, device_props, 2),
	          "temperature");
}

static void
decoded_and_lowercase_escapes(void)
{
	struct feed_measurand m[4];

	CHECK_INT(feed_measurand_parse("temperature=-3.5;fillingLevel=1e-1", m,
	                               4, NULL),
	          2);
	CHECK(m[0].value == -3.5 && m[1].value == 0.1);
	/* Named exactly: no position rule needed, order does not matter. */
	CHECK_STR(feed_measurand_property(m, 2, 0, device_props, 2),
	          "temperature");
	CHECK_STR(feed_measurand_property(m, 2, 1, device_props, 2),
	          "fillingLevel");
	CHECK_INT(feed_measurand_parse("l%3d1%3b", m, 4, NULL), 1);
	CHECK(m[0].value == 1);
}

static void
not_a_measurand(void)
{
	struct feed_measurand m[4];

	CHECK_INT(feed_measurand_parse("on", m, 4, NULL), 0);
	CHECK_INT(feed_measurand_parse("", m, 4, NULL), 0);
	CHECK_INT(feed_measurand_parse("50%25", m, 4, NULL), 0);
	CHECK_INT(feed_measurand_parse(NULL, m, 4, NULL), 0);
}

static void
malformed_refused(void)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
	    {"l%3D0.22%3", "bad escape"},
	    {"l%3D0.22%ZZ", "bad escape"},
	    {"l%3D1%00", "bad escape"},
	    {"%3D1", "bad key"},
	    {"l%3D0.22%3Bt", "bad key"},
	    {"a b=1", "bad key"},
	    {"l=", "bad number"},
	    {"l=0x10", "bad number"},
	    {"l=nan", "bad number"},
	    {"l=1e999", "bad number"},
	    {"l=1 ", "bad number"},
	    {"l=1;;t=2", "bad key"},
	    {"l=1;l=2", "duplicate key"},
	    {"a=1;b=2;c=3;d=4;e=5", "too many pairs"},
	};
	struct feed_measurand m[4];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = NULL;

		if (feed_measurand_parse(bad[i].in, m, 4, &why) != -1)
			check_fail(__FILE__, __LINE__, "accepted %s",
			           bad[i].in);
		CHECK_STR(why, bad[i].why);
	}
}

static void
property_rule(void)
{
	struct feed_measurand m[4];
	static const char *const three[] = {"fillingLevel", "temperature",
	                                    "humidity"};

	/* Counts differ: no guessing by position. */
	CHECK_INT(feed_measurand_parse("l=1;t=2", m, 4, NULL), 2);
	CHECK(feed_measurand_property(m, 2, 0, three, 3) == NULL);
	CHECK(feed_measurand_property(m, 2, 0, NULL, 0) == NULL);
	/* The key does not abbreviate the property at its position. */
	CHECK_INT(feed_measurand_parse("t=1;l=2", m, 4, NULL), 2);
	CHECK(feed_measurand_property(m, 2, 0, device_props, 2) == NULL);
	/* One key named exactly: the others are not guessed. */
	CHECK_INT(feed_measurand_parse("l=1;temperature=2", m, 4, NULL), 2);
	CHECK(feed_measurand_property(m, 2, 0, device_props, 2) == NULL);
	CHECK_STR(feed_measurand_property(m, 2, 1, device_props, 2),
	          "temperature");
	CHECK(feed_measurand_property(m, 2, 5, device_props, 2) == NULL);
}

struct seen {
	int n;
	char attr[8][40];
	double value[8];
};

static void
collect(void *arg, const struct feed_event *ev)
{
	struct seen *s = arg;

	if (ev->type != FEED_EV_READING || s->n >= 8)
		return;
	snprintf(s->attr[s->n], sizeof s->attr[0], "%s", ev->u.reading.attr);
	s->value[s->n++] = ev->u.reading.value;
}

static double
seen_value(const struct seen *s, const char *attr)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->attr[i], attr) == 0)
			return s->value[i];
	return -999;
}

/* The Device example as a whole entity: the packed value becomes two
 * readings named by controlledProperty; mcc/mnc are codes, not readings. */
static void
device_entity_decoded(const char *json, double want_fill)
{
	struct feed_decoder *d = feed_decoder_new();
	struct seen s = {0};

	feed_decode(d, json, strlen(json), FEED_FORMAT_AUTO, collect, &s, NULL);
	CHECK(seen_value(&s, "fillingLevel") == want_fill);
	CHECK(seen_value(&s, "temperature") == 21.2);
	CHECK(seen_value(&s, "batteryLevel") == 0.75);
	CHECK(seen_value(&s, "mcc") == -999);
	CHECK(seen_value(&s, "value") == -999);
	feed_decoder_free(&d);
}

static void
device_entity(void)
{
	/* Smart Data Models dataModel.Device, Device/examples/example.json
	 * (keyValues), trimmed to the attributes that matter here. */
	device_entity_decoded(
	    "{\"id\":\"device-9845A\",\"type\":\"Device\","
	    "\"controlledProperty\":[\"fillingLevel\",\"temperature\"],"
	    "\"mcc\":\"214\",\"mnc\":\"07\",\"batteryLevel\":0.75,"
	    "\"value\":\"l%3D0.22%3Bt%3D21.2\",\"deviceState\":\"ok\"}",
	    0.22);
	/* A malformed packed value is refused whole; the rest still decodes. */
	device_entity_decoded(
	    "{\"id\":\"d\",\"type\":\"Device\",\"batteryLevel\":0.75,"
	    "\"controlledProperty\":[\"fillingLevel\",\"temperature\"],"
	    "\"value\":\"l%3D0.2x%3Bt%3D21.2\",\"temperature\":21.2}",
	    -999);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(device_example),  TEST(decoded_and_lowercase_escapes),
	    TEST(not_a_measurand), TEST(malformed_refused),
	    TEST(property_rule),   TEST(device_entity),
	    {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
