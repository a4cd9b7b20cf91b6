/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Decoder tests on the fixtures in tests/fixtures/feed/: every format,
 * tidy and untidy. Each event is compared as its one-line description
 * (feed_event_describe), so values are checked exactly (%.17g).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/feed.h"
#include "cityops/core/text.h"
#include "check.h"

static char got[1 << 16];
static size_t got_len;
static struct feed_result res;
static struct feed_decoder *dec;

static void
sink(void *arg, const struct feed_event *ev)
{
	char line[8192];
	size_t n = feed_event_describe(ev, line, sizeof line);
	const char *s;

	/* Every string an event carries must be clean, whatever came in. */
	s = line;
	CHECK(text_utf8_valid(s, strlen(s)));
	for (; *s != '\0'; s++)
		CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
	(void)arg;
	if (got_len + n + 2 < sizeof got) {
		memcpy(got + got_len, line, n);
		got_len += n;
		got[got_len++] = '\n';
		got[got_len] = '\0';
	}
}

static enum feed_status
decode_bytes(const char *buf, size_t len, enum feed_format hint)
{
	got_len = 0;
	got[0] = '\0';
	if (dec == NULL)
		dec = feed_decoder_new();
	return feed_decode(dec, buf, len, hint, sink, NULL, &res);
}

static enum feed_status
decode_str(const char *s)
{
	return decode_bytes(s, strlen(s), FEED_FORMAT_AUTO);
}

static char *
slurp(const char *name, size_t *len)
{
	const char *dir = getenv("CITYOPS_FIXTURES");
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/feed/%s", dir ? dir : "tests/fixtures",
	         name);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static enum feed_status
decode_file(const char *name, enum feed_format hint)
{
	size_t len;
	char *buf = slurp(name, &len);
	enum feed_status st = decode_bytes(buf, len, hint);

	free(buf);
	return st;
}

#define EXPECT(file, status, why, nev, nskip, text)                            \
	do {                                                                   \
		CHECK_INT(decode_file(file, FEED_FORMAT_AUTO), status);        \
		CHECK_STR(feed_reject_name(res.reason),                        \
		          feed_reject_name(why));                              \
		CHECK_INT(res.events, nev);                                    \
		CHECK_INT(res.skipped, nskip);                                 \
		CHECK_STR(got, text);                                          \
	} while (0)

static void
native_reading(void)
{
	EXPECT("native-reading.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "reading key=\"fx.tide.jinhui\" v=4.1200000000000001 "
	       "ts=1763700000000 unit=\"m\"\n");
	CHECK_INT(res.format, FEED_FORMAT_NATIVE);
	EXPECT("native-reading-entity.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "reading entity=\"urn:ngsi-ld:WeatherObserved:fx-01\" "
	       "etype=\"WeatherObserved\" attr=\"streamGauge\" v=3.5 "
	       "ts=1763700000000\n");
	EXPECT("native-exercise.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "reading exercise key=\"fx.tide.jinhui\" v=6.5 "
	       "ts=1763700000000\n");
	EXPECT("native-spaces.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "reading key=\"k.space\" v=-1.25 ts=1763700000000\n");
	/* Duplicate keys: the first wins, as in cJSON. */
	EXPECT("native-dupkey.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "reading key=\"first\" v=1\n");
}

static void
native_batch(void)
{
	EXPECT("native-batch.json", FEED_OK, FEED_REJECT_NONE, 4, 0,
	       "reading key=\"fx.tide.jinhui\" v=4.1200000000000001 "
	       "ts=1763700000000\n"
	       "reading key=\"fx.rain.nanqiao\" v=12.5 ts=1763700001000\n"
	       "reading key=\"sh.metro.flow\" v=-0 ts=1763700002000\n"
	       "reading key=\"env.pm25.xuhui\" v=1000 ts=1763700000000\n");
	/* Bad rows are skipped and counted; the good ones still arrive. */
	EXPECT("native-batch-untidy.json", FEED_PARTIAL, FEED_REJECT_WRONG_TYPE,
	       3, 5,
	       "reading key=\"a.ok\" v=1 ts=1763700000000\n"
	       "reading key=\"c.escA\" v=3 ts=1763700000000\n"
	       "reading key=\"e.ok\" v=7 ts=1763700000500\n");
}

static void
native_other(void)
{
	EXPECT("native-alarm.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "alarm key=\"fx.tide.jinhui\" level=alarm v=5.0099999999999998 "
	       "msg=\"潮位超警戒\" ts=1763700000000\n");
	EXPECT("native-alarm-cleared.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "alarm key=\"fx.tide.jinhui\" level=warn cleared "
	       "ts=1763700600000\n");
	/* ESC and the bidi override go; the newline becomes a space. */
	EXPECT("native-incident.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "incident src=\"12345\" cat=\"防汛/积水\" pri=2 "
	       "title=\"南桥镇[31m积水告警\" desc=\"路面积水约30厘米 请处置\" "
	       "reg=\"310120\" loc=\"奉贤区南桥镇人民路100号\" "
	       "lat=30.918700000000001 lon=121.47410000000001 "
	       "dk=\"12345:20251121:0001\" ts=1763700000000\n");
	CHECK_INT(res.cleaned, 2);
	EXPECT("native-heartbeat.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "heartbeat feed=\"sensors-fx\" seq=42 ts=1763700000000\n");
}

static void
native_rejects(void)
{
	EXPECT("native-huge.json", FEED_REJECTED, FEED_REJECT_BAD_VALUE, 0, 0,
	       "");
	EXPECT("native-bigts.json", FEED_REJECTED, FEED_REJECT_BAD_TIME, 0, 0,
	       "");
	EXPECT("native-unknown-t.json", FEED_REJECTED, FEED_REJECT_UNKNOWN_TYPE,
	       0, 0, "");
	EXPECT("native-trailing.json", FEED_REJECTED, FEED_REJECT_INVALID_JSON,
	       0, 0, "");
	EXPECT("native-nan-string.json", FEED_REJECTED, FEED_REJECT_WRONG_TYPE,
	       0, 0, "");
	EXPECT("invalid-json.txt", FEED_REJECTED, FEED_REJECT_INVALID_JSON, 0,
	       0, "");
	/* 5,000 levels: past cJSON's nesting limit, rejected, no crash. */
	EXPECT("native-deep.json", FEED_REJECTED, FEED_REJECT_INVALID_JSON, 0,
	       0, "");
	/* Identifiers are not repaired: a repaired key names another thing. */
	EXPECT("native-bad-utf8-key.json", FEED_REJECTED,
	       FEED_REJECT_INVALID_UTF8, 0, 0, "");
	EXPECT("native-bidi-key.json", FEED_REJECTED, FEED_REJECT_INVALID_UTF8,
	       0, 0, "");
	/* Free text is: invalid bytes become U+FFFD. */
	EXPECT("native-bad-utf8-text.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "incident src=\"110\" pri=0 title=\"bad \xef\xbf\xbd( byte "
	       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end\" dk=\"110:1\"\n");
	CHECK_INT(decode_str(""), FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_INVALID_JSON);
	CHECK_INT(decode_str("[1,2]"), FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_UNKNOWN_FORMAT);
	CHECK_INT(decode_str("{\"t\":\"r\",\"i\":\"k\"}"), FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_MISSING_FIELD);
	CHECK_INT(decode_str("{\"t\":\"r\",\"i\":\"k\",\"v\":1,\"ts\":-5}"),
	          FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_BAD_TIME);
}

static void
size_cap(void)
{
	const char *msg = "{\"t\":\"r\",\"i\":\"k\",\"v\":1}";

	dec = dec ? dec : feed_decoder_new();
	feed_decoder_set_max(dec, 10);
	CHECK_INT(decode_str(msg), FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_TOO_LARGE);
	CHECK(feed_decoder_stats(dec)->rejected[FEED_REJECT_TOO_LARGE] >= 1);
	feed_decoder_set_max(dec, FEED_MAX_DEFAULT);
	CHECK_INT(decode_str(msg), FEED_OK);
}

/* The fast path and the cJSON path agree on every native fixture. */
static void
fast_equals_slow(void)
{
	static const char *const files[] = {
	    "native-reading.json",      "native-batch.json",
	    "native-batch-untidy.json", "native-spaces.json",
	    "native-dupkey.json",       "native-huge.json",
	    "native-bigts.json",        "native-bad-utf8-key.json",
	    "native-trailing.json",     "native-deep.json",
	    "native-exercise.json",
	};
	static char fast_out[sizeof got];

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		struct feed_result fast_res;

		feed_decoder_set_slow(dec, 0);
		decode_file(files[i], FEED_FORMAT_NATIVE);
		memcpy(fast_out, got, got_len + 1);
		fast_res = res;
		feed_decoder_set_slow(dec, 1);
		decode_file(files[i], FEED_FORMAT_NATIVE);
		feed_decoder_set_slow(dec, 0);
		CHECK_STR(got, fast_out);
		CHECK_INT(res.events, fast_res.events);
		CHECK_INT(res.skipped, fast_res.skipped);
		CHECK_INT(res.reason, fast_res.reason);
	}
	/* The happy path really is taken. */
	{
		uint64_t before = feed_decoder_stats(dec)->fast;

		decode_file("native-batch.json", FEED_FORMAT_AUTO);
		CHECK_INT(feed_decoder_stats(dec)->fast, before + 1);
	}
}

static void
ngsi_normalized(void)
{
	EXPECT("ngsi-notification.json", FEED_OK, FEED_REJECT_NONE, 5, 0,
	       "reading entity=\"urn:ngsi-ld:AirQualityObserved:xuhui-01\" "
	       "etype=\"AirQualityObserved\" attr=\"NO2\" v=22.5 "
	       "ts=1763701200250 unit=\"GQ\"\n"
	       "reading entity=\"urn:ngsi-ld:AirQualityObserved:xuhui-01\" "
	       "etype=\"AirQualityObserved\" attr=\"pm25\" v=35 "
	       "ts=1763701200000 unit=\"GQ\"\n"
	       "reading entity=\"urn:ngsi-ld:WeatherObserved:fx-nanqiao\" "
	       "etype=\"WeatherObserved\" attr=\"precipitation\" v=12.5 "
	       "ts=1763701200000\n"
	       "reading entity=\"urn:ngsi-ld:WeatherObserved:fx-nanqiao\" "
	       "etype=\"WeatherObserved\" attr=\"windSpeed\" "
	       "v=17.199999999999999 ts=1763701200000\n"
	       "reading entity=\"urn:ngsi-ld:WeatherObserved:fx-nanqiao\" "
	       "etype=\"WeatherObserved\" attr=\"streamGauge\" "
	       "v=4.1200000000000001 ts=1763701230000 unit=\"MTR\"\n");
	CHECK_INT(res.format, FEED_FORMAT_NGSI);
	EXPECT("ngsi-v2.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "reading entity=\"Noise-1\" etype=\"NoiseLevelObserved\" "
	       "attr=\"LAeq\" v=55.5 ts=1763701200000 unit=\"2N\"\n");
}

static void
ngsi_keyvalues(void)
{
	/*
	 * Interval dateObserved takes its end; a bare date is midnight and a
	 * zone-less time is read in UTC, NGSI-LD's zone (issue 10: the
	 * source's zone, not the centre's); laneId and booleans are not
	 * readings; "NaN" is counted.
	 */
	EXPECT("ngsi-keyvalues.json", FEED_PARTIAL, FEED_REJECT_BAD_VALUE, 8, 1,
	       "reading entity=\"urn:ngsi-ld:TrafficFlowObserved:yanan-e-1\" "
	       "etype=\"TrafficFlowObserved\" attr=\"intensity\" v=197 "
	       "ts=1763712300000\n"
	       "reading entity=\"urn:ngsi-ld:TrafficFlowObserved:yanan-e-1\" "
	       "etype=\"TrafficFlowObserved\" attr=\"occupancy\" "
	       "v=0.76000000000000001 ts=1763712300000\n"
	       "reading entity=\"urn:ngsi-ld:TrafficFlowObserved:yanan-e-1\" "
	       "etype=\"TrafficFlowObserved\" attr=\"averageVehicleSpeed\" "
	       "v=52.299999999999997 ts=1763712300000\n"
	       "reading entity=\"urn:ngsi-ld:CrowdFlowObserved:bund-01\" "
	       "etype=\"CrowdFlowObserved\" attr=\"peopleCount\" v=1520 "
	       "ts=1763683200000\n"
	       "reading entity=\"urn:ngsi-ld:CrowdFlowObserved:bund-01\" "
	       "etype=\"CrowdFlowObserved\" attr=\"occupancy\" "
	       "v=0.80000000000000004 ts=1763683200000\n"
	       "reading entity=\"urn:ngsi-ld:NoiseLevelObserved:jingan-3\" "
	       "etype=\"NoiseLevelObserved\" attr=\"LAeq\" "
	       "v=64.200000000000003 ts=1763683200123\n"
	       "reading entity=\"urn:ngsi-ld:WaterQualityObserved:huangpu-7\" "
	       "etype=\"WaterQualityObserved\" attr=\"pH\" "
	       "v=7.2000000000000002 ts=1763712000000\n"
	       "reading entity=\"urn:ngsi-ld:WaterQualityObserved:huangpu-7\" "
	       "etype=\"WaterQualityObserved\" attr=\"O2\" "
	       "v=8.0999999999999996 ts=1763712000000\n");
}

static void
ngsi_mixed(void)
{
	/* Shapes per attribute; Infinity, 1e999 and a bad observedAt skip. */
	EXPECT("ngsi-mixed.json", FEED_PARTIAL, FEED_REJECT_BAD_VALUE, 3, 3,
	       "reading entity=\"urn:ngsi-ld:WeatherObserved:fx-haiwan\" "
	       "etype=\"WeatherObserved\" attr=\"temperature\" v=18.5 "
	       "ts=1763701200000 unit=\"CEL\"\n"
	       "reading entity=\"urn:ngsi-ld:WeatherObserved:fx-haiwan\" "
	       "etype=\"WeatherObserved\" attr=\"relativeHumidity\" "
	       "v=0.93000000000000005 ts=1763701200000\n"
	       "reading entity=\"urn:ngsi-ld:WeatherObserved:fx-haiwan\" "
	       "etype=\"WeatherObserved\" attr=\"atmosphericPressure\" "
	       "v=998.20000000000005 ts=1763701260000\n");
	/* Any entity type with a numeric Property is a reading candidate
	 * (issue 10): the mapping, not a list of types, decides. */
	/* x:2 has no type (missing_field); the bad dateObserved refuses NO2,
	 * which has no time of its own (bad_time), not a whole entity. */
	EXPECT("ngsi-unknown.json", FEED_PARTIAL, FEED_REJECT_MISSING_FIELD, 1,
	       2,
	       "reading entity=\"x:1\" etype=\"Building\" attr=\"floors\" "
	       "v=12\n");
	CHECK(feed_decoder_stats(dec)->skipped[FEED_REJECT_BAD_TIME] >= 1);
}

static void
ngsi_alert(void)
{
	EXPECT("ngsi-alert.json", FEED_OK, FEED_REJECT_NONE, 2, 0,
	       "incident src=\"ngsi\" cat=\"weather/flood\" pri=2 "
	       "title=\"人民路积水\" desc=\"积水深度 35 cm\" "
	       "loc=\"上海市 奉贤区 人民路100号\" lat=30.918700000000001 "
	       "lon=121.47410000000001 dk=\"urn:ngsi-ld:Alert:ponding-0042\" "
	       "ts=1763701800000\n"
	       "alarm key=\"urn:ngsi-ld:Device:aq-01\" level=warn "
	       "msg=\"PM2.5 rising\" ts=1763701200000\n");
}

static void
cap_alert(void)
{
	EXPECT(
	    "cap-alert.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	    "cap identifier=\"SH-FX-2025-1121-001\" "
	    "sender=\"sh-meteo@cma.gov.cn\" sent=1763701200000 "
	    "status=Actual msgType=Alert scope=Public | info "
	    "category=\"Met\" event=\"台风橙色预警\" urgency=Expected "
	    "severity=Severe certainty=Likely headline=\"奉贤区台风橙色预警\" "
	    "description=\"预计未来24小时受台风影响]0;pwn\" "
	    "area=\"奉贤区; 金山区\" expires=1763787600000 "
	    "polygon=30.800000000000001,121.3 30.800000000000001,121.8 "
	    "31.050000000000001,121.8 31.050000000000001,121.3 "
	    "30.800000000000001,121.3 polygon=30.699999999999999,121 "
	    "30.699999999999999,121.3 30.899999999999999,121.3 "
	    "30.699999999999999,121 | info category=\"Met\" "
	    "event=\"Typhoon warning orange\" urgency=Expected "
	    "severity=Severe certainty=Likely\n");
	CHECK_INT(res.format, FEED_FORMAT_CAP);
}

static void
cap_untidy(void)
{
	/*
	 * Wrapped in "alert", lower-case enums, messageType, info and area as
	 * objects; two bad polygons are counted and dropped.
	 */
	EXPECT("cap-untidy.json", FEED_PARTIAL, FEED_REJECT_BAD_VALUE, 1, 2,
	       "cap exercise identifier=\"DRILL-7\" sender=\"drill@cityops\" "
	       "sent=1763701200000 status=Exercise msgType=Update "
	       "scope=Restricted | info category=\"Safety\" "
	       "event=\"Evacuation drill\" urgency=Immediate severity=Minor "
	       "certainty=Observed area=\"Drill zone\" "
	       "polygon=31,121 31,121.09999999999999 "
	       "31.100000000000001,121.09999999999999 31,121\n");
	EXPECT("cap-missing.json", FEED_REJECTED, FEED_REJECT_MISSING_FIELD, 0,
	       0, "");
	EXPECT("cap-bad-status.json", FEED_REJECTED, FEED_REJECT_BAD_VALUE, 0,
	       0, "");
}

static void
open311(void)
{
	/* Ids as strings and numbers; nulls and "" are absent. */
	EXPECT("open311-array.json", FEED_PARTIAL, FEED_REJECT_MISSING_FIELD, 3,
	       3,
	       "open311 id=\"638344\" status=\"open\" code=\"001\" "
	       "name=\"道路积水\" desc=\"人民路积水严重\" "
	       "addr=\"奉贤区人民路100号\" lat=30.918700000000001 "
	       "lon=121.47410000000001 requested=1763701500000 "
	       "updated=1763701560000\n"
	       "open311 id=\"638345\" status=\"closed\" code=\"002\" "
	       "lat=30.91 lon=121.47 requested=1763701200000\n"
	       "open311 id=\"638346\"\n");
	CHECK_INT(res.format, FEED_FORMAT_OPEN311);
	EXPECT("open311-single.json", FEED_OK, FEED_REJECT_NONE, 1, 0,
	       "open311 id=\"A-1\" status=\"open\" code=\"noise\" "
	       "desc=\"Loud music\"\n");
}

/*
 * A NUL, raw or escaped, would end the C string early and cut a title or
 * an identifier short without a word: the message is refused whole, with
 * its own reason. A backslash followed by the text u0000 is not a NUL.
 */
static void
nul_refused(void)
{
	static const char raw[] = "{\"t\":\"r\",\"i\":\"fx.a\0b\",\"v\":1}";

	EXPECT("open311-nul.json", FEED_REJECTED, FEED_REJECT_NUL, 0, 0, "");
	CHECK_INT(decode_bytes(raw, sizeof raw - 1, FEED_FORMAT_AUTO),
	          FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_NUL);
	CHECK_INT(decode_str("{\"t\":\"i\",\"src\":\"110\",\"title\":"
	                     "\"广告牌\\u0000松动\",\"dk\":\"k\"}"),
	          FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_NUL);
	CHECK_INT(decode_str("{\"t\":\"r\",\"i\":\"fx.a\\u0000\",\"v\":1}"),
	          FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_NUL);
	CHECK_INT(decode_str("{\"identifier\":\"N-1\",\"sender\":\"s\","
	                     "\"sent\":\"2025-11-21T13:00:00+08:00\","
	                     "\"status\":\"Actual\",\"msgType\":\"Alert\","
	                     "\"info\":{\"headline\":\"台风\\u0000预警\"}}"),
	          FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_NUL);
	CHECK_INT(decode_str("[{\"id\":\"urn:a\",\"type\":\"Alert\","
	                     "\"severity\":\"high\",\"name\":\"x\\u0000\"}]"),
	          FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_NUL);
	/* An escaped backslash, then the letters: kept as text. */
	CHECK_INT(decode_str("{\"t\":\"i\",\"src\":\"110\",\"title\":"
	                     "\"a\\\\u0000b\",\"dk\":\"k\"}"),
	          FEED_OK);
	CHECK(strstr(got, "title=\"a\\u0000b\"") != NULL);
	CHECK_STR(feed_reject_name(FEED_REJECT_NUL), "nul");
}

static void
hint_overrides(void)
{
	size_t len;
	char *buf = slurp("open311-single.json", &len);

	/* A wrong hint is not second-guessed: CAP finds no identifier. */
	CHECK_INT(decode_bytes(buf, len, FEED_FORMAT_CAP), FEED_REJECTED);
	CHECK_INT(res.reason, FEED_REJECT_MISSING_FIELD);
	CHECK_INT(decode_bytes(buf, len, FEED_FORMAT_OPEN311), FEED_OK);
	free(buf);
}

static void
times(void)
{
	int64_t ms = 0;

	CHECK_INT(feed_parse_time("2025-11-21T05:00:00Z", 20, 480, &ms), 0);
	CHECK_INT(ms, 1763701200000);
	CHECK_INT(feed_parse_time("2025-11-21T13:00:00+08:00", 25, 0, &ms), 0);
	CHECK_INT(ms, 1763701200000);
	CHECK_INT(feed_parse_time("2025-11-21T13:00:00+0800", 24, 0, &ms), 0);
	CHECK_INT(ms, 1763701200000);
	CHECK_INT(feed_parse_time("2025-11-21T00:00:00-05", 22, 0, &ms), 0);
	CHECK_INT(ms, 1763701200000);
	CHECK_INT(feed_parse_time("2025-11-21 13:00:00.9876", 24, 480, &ms), 0);
	CHECK_INT(ms, 1763701200987);
	CHECK_INT(feed_parse_time("2025-11-21", 10, 0, &ms), 0);
	CHECK_INT(ms, 1763683200000);
	CHECK_INT(feed_parse_time("2024-02-29T00:00Z", 17, 0, &ms), 0);
	CHECK_INT(feed_parse_time("2016-12-31T23:59:60Z", 20, 0, &ms), 0);
	CHECK_INT(ms, 1483228799999);
	CHECK_INT(feed_parse_time("2025-02-29", 10, 0, &ms), -1);
	CHECK_INT(feed_parse_time("2025-11-21T24:00:00Z", 20, 0, &ms), -1);
	CHECK_INT(feed_parse_time("2025-11-21T05:00:00Q", 20, 0, &ms), -1);
	CHECK_INT(feed_parse_time("1969-12-31", 10, 0, &ms), -1);
	CHECK_INT(feed_parse_time("2025-1-1", 8, 0, &ms), -1);
	CHECK_INT(feed_parse_time("2025-11-21T05:00:00.Z", 21, 0, &ms), -1);
}

static void
names(void)
{
	CHECK_STR(feed_reject_name(FEED_REJECT_INVALID_JSON), "invalid_json");
	CHECK_STR(feed_reject_name(FEED_REJECT_TOO_LARGE), "too_large");
	CHECK_STR(feed_reject_name(FEED_REJECT_COUNT), "?");
	CHECK_STR(feed_format_name(FEED_FORMAT_OPEN311), "open311");
	CHECK_INT(feed_format_from_name("ngsi"), FEED_FORMAT_NGSI);
	CHECK_INT(feed_format_from_name("xml"), -1);
	CHECK_STR(feed_cap_status_name(FEED_CAP_STATUS_EXERCISE), "Exercise");
}

/* Stats add up: accepted by format, rejected and skipped by reason. */
static void
stats(void)
{
	struct feed_decoder *d = feed_decoder_new();
	const struct feed_stats *st = feed_decoder_stats(d);
	const char *ok = "{\"t\":\"h\",\"f\":\"a\",\"seq\":1}";
	const char *partial = "{\"t\":\"b\",\"r\":[[\"a\",1],[\"b\",\"x\"]]}";

	feed_decode(d, ok, strlen(ok), FEED_FORMAT_AUTO, sink, NULL, NULL);
	feed_decode(d, "nope", 4, FEED_FORMAT_AUTO, sink, NULL, NULL);
	feed_decode(d, partial, strlen(partial), FEED_FORMAT_AUTO, sink, NULL,
	            NULL);
	CHECK_INT(st->messages[FEED_FORMAT_NATIVE], 2);
	CHECK_INT(st->rejected[FEED_REJECT_INVALID_JSON], 1);
	CHECK_INT(st->skipped[FEED_REJECT_WRONG_TYPE], 1);
	CHECK_INT(st->events[FEED_EV_HEARTBEAT], 1);
	CHECK_INT(st->events[FEED_EV_READING], 1);
	feed_decoder_free(&d);
	CHECK(d == NULL);
}

/*
 * Long Chinese text in every text field of every format: the decoders keep
 * each string whole (nothing is cut there, least of all inside a
 * character), and ingest's cut to the database's limits (text_truncate:
 * title and location 200 characters, description 4000) is valid UTF-8
 * within the limit, ending in "…".
 */
static const char *long_fields[16];
static size_t nlong_fields;

static void
long_sink(void *arg, const struct feed_event *ev)
{
	const char **f = long_fields;

	(void)arg;
	nlong_fields = 0;
	switch (ev->type) {
	case FEED_EV_INCIDENT:
		f[0] = ev->u.incident.title;
		f[1] = ev->u.incident.description;
		f[2] = ev->u.incident.location;
		f[3] = ev->u.incident.category;
		nlong_fields = 4;
		break;
	case FEED_EV_CAP:
		f[0] = ev->u.cap.info[0].headline;
		f[1] = ev->u.cap.info[0].description;
		f[2] = ev->u.cap.info[0].area_desc;
		f[3] = ev->u.cap.info[0].event;
		nlong_fields = 4;
		break;
	case FEED_EV_OPEN311:
		f[0] = ev->u.open311.service_name;
		f[1] = ev->u.open311.description;
		f[2] = ev->u.open311.address;
		nlong_fields = 3;
		break;
	default:
		break;
	}
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
check_long(const char *msg, const char *want, size_t nfields)
{
	static const size_t limits[] = {200, 4000, 200, 200};
	static char cut[4000 * 4 + 1];

	if (dec == NULL)
		dec = feed_decoder_new();
	nlong_fields = 0;
	CHECK_INT(feed_decode(dec, msg, strlen(msg), FEED_FORMAT_AUTO,
	                      long_sink, NULL, &res),
	          FEED_OK);
	CHECK_INT(nlong_fields, nfields);
	for (size_t i = 0; i < nlong_fields; i++) {
		const char *f = long_fields[i];
		size_t n;
		CHECK(f != NULL);
		if (f == NULL)
			continue;
		CHECK(text_utf8_valid(f, strlen(f)));
		/* Whole: the field is the text sent (the area, the second of
		 * two, follows "奉贤区; "). */
		CHECK(strstr(f, want) != NULL);
		CHECK(text_truncate(f, limits[i], cut, sizeof cut) == 1);
		n = strlen(cut);
		CHECK(text_utf8_valid(cut, n));
		CHECK(utf8_chars(cut) == limits[i]);
		CHECK(n >= 3 && strcmp(cut + n - 3, "\xe2\x80\xa6") == 0);
	}
}

static void
long_chinese_text(void)
{
	/* 5,000 characters, 15,000 bytes: past every limit and buffer. */
	static char zh[5000 * 3 + 1];
	static char msg[8 * sizeof zh];
	const char *ten = "奉贤区南桥镇人民路积";

	for (size_t i = 0; i < 500; i++)
		memcpy(zh + 30 * i, ten, 30);
	zh[sizeof zh - 1] = '\0';

	snprintf(msg, sizeof msg,
	         "{\"t\":\"i\",\"src\":\"12345\",\"cat\":\"%s\","
	         "\"title\":\"%s\",\"desc\":\"%s\",\"loc\":\"%s\","
	         "\"dk\":\"long-1\",\"ts\":1763700000000}",
	         zh, zh, zh, zh);
	check_long(msg, zh, 4);
	snprintf(msg, sizeof msg,
	         "{\"id\":\"urn:ngsi-ld:Alert:long-1\",\"type\":\"Alert\","
	         "\"category\":\"%s\",\"subCategory\":\"flood\","
	         "\"severity\":\"high\",\"name\":{\"type\":\"Property\","
	         "\"value\":\"%s\"},\"description\":\"%s\","
	         "\"address\":{\"type\":\"Property\",\"value\":{"
	         "\"streetAddress\":\"%s\"}},"
	         "\"dateIssued\":\"2025-11-21T13:00:00+08:00\"}",
	         zh, zh, zh, zh);
	/* The category is the short part after "/": not free text. */
	check_long(msg, zh, 4);
	snprintf(msg, sizeof msg,
	         "{\"identifier\":\"LONG-1\",\"sender\":\"x@cma\","
	         "\"sent\":\"2025-11-21T13:00:00+08:00\",\"status\":"
	         "\"Actual\",\"msgType\":\"Alert\",\"info\":{\"category\":"
	         "\"Met\",\"event\":\"%s\",\"urgency\":\"Immediate\","
	         "\"severity\":\"Severe\",\"certainty\":\"Likely\","
	         "\"headline\":\"%s\",\"description\":\"%s\",\"area\":["
	         "{\"areaDesc\":\"奉贤区\"},{\"areaDesc\":\"%s\"}]}}",
	         zh, zh, zh, zh);
	check_long(msg, zh, 4);
	snprintf(msg, sizeof msg,
	         "[{\"service_request_id\":\"L-1\",\"status\":\"open\","
	         "\"service_name\":\"%s\",\"description\":\"%s\","
	         "\"address\":\"%s\",\"lat\":30.9,\"long\":121.4}]",
	         zh, zh, zh);
	check_long(msg, zh, 3);
	/* A description cut to a small buffer ends on a boundary. */
	for (size_t sz = 100; sz < 104; sz++) {
		char line[104];
		static struct feed_event ev;
		ev.type = FEED_EV_INCIDENT;
		ev.u.incident.title = zh;
		ev.u.incident.lat = ev.u.incident.lon = NAN;
		CHECK(feed_event_describe(&ev, line, sz) > sz);
		CHECK(text_utf8_valid(line, strlen(line)));
		CHECK(strlen(line) + 3 >= sz - 1);
	}
}

static void
cleanup(void)
{
	feed_decoder_free(&dec);
	CHECK(dec == NULL);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(native_reading),
	    TEST(native_batch),
	    TEST(native_other),
	    TEST(native_rejects),
	    TEST(size_cap),
	    TEST(fast_equals_slow),
	    TEST(ngsi_normalized),
	    TEST(ngsi_keyvalues),
	    TEST(ngsi_mixed),
	    TEST(ngsi_alert),
	    TEST(cap_alert),
	    TEST(cap_untidy),
	    TEST(open311),
	    TEST(nul_refused),
	    TEST(hint_overrides),
	    TEST(times),
	    TEST(names),
	    TEST(stats),
	    TEST(long_chinese_text),
	    TEST(cleanup),
	    {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
