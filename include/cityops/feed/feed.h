/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Feed decoding: message bytes to typed events.
 *
 * One decoder understands four formats: our native JSON (docs/feed-format.md),
 * NGSI-LD notifications and entities (and NGSIv2), CAP 1.2 rendered as JSON,
 * and Open311 GeoReport v2 service requests. A message is decoded into plain
 * C structs that are handed, one at a time, to a sink callback; no cJSON type
 * leaves the decoder and nothing is allocated per message once the decoder's
 * scratch space has grown to the largest message seen.
 *
 * Every string in an event is valid UTF-8 without controls or bidi
 * overrides (text_sanitize). Identifiers (indicator keys, entity ids, dedup
 * keys, CAP identifiers, request ids) are not repaired: an item whose
 * identifier is not clean is dropped with reason invalid_utf8, because a
 * repaired identifier would name a different thing. Free text (titles,
 * descriptions, addresses) is cleaned and the event is kept.
 *
 * THE OUTPUT MODEL'S CONTRACT (issue 10). These structs are the one place
 * where time, unit and place are carried, whatever the transport (websocket,
 * HTTP notification, MQTT, polled XML): a decoder for a new transport fills
 * the same fields by the same rules, and ingest and the console judge them
 * in one place (docs/ingest.md, "Time, units, place").
 *
 *  Time. Every *_ms field is epoch milliseconds UTC, 0 when the source gave
 *  none. A time written without a zone is read in the source's zone
 *  (feed_decoder_set_zone; defaults: UTC for NGSI, Open311 and CAP as their
 *  specs say, +08:00 for native). A reading's ts_ms is the observation time
 *  from the source, in this order: the attribute's observedAt (member or
 *  sub-attribute), NGSIv2 metadata.timestamp / metadata.dateObserved, the
 *  entity's dateObserved, dateObservedTo (an interval's end), the
 *  notification's notifiedAt (ts_src NOTIFIED); 0 with ts_src NONE when
 *  none exists, and the consumer then uses the arrival time and logs that
 *  once per source. A malformed time drops that attribute (bad_time), not
 *  the entity. Judging future and stale times needs a clock and the
 *  indicator, so it is the consumer's: more than FEED_FUTURE_MS ahead is
 *  refused future_time; older than the indicator's staleness limit is
 *  history (stored, never a live alarm).
 *
 *  Units. unit is the source's UN/CEFACT common code as given (unitCode,
 *  NGSIv2 metadata.unitCode as object or string), or NULL. The consumer
 *  fills a NULL from the mapping row or the Smart Data Model default
 *  (feed-unit.h) and converts to the indicator's unit or refuses
 *  unit_mismatch naming both.
 *
 *  Place. has_pos with lat/lon (WGS84, as decoded: GeoJSON order already
 *  turned into latitude, longitude) when the entity or report has a point;
 *  the database places it in the deepest region whose extent contains it,
 *  or refuses out_of_area. Nothing is snapped here.
 *
 *  Mapping. A reading names an indicator (key, native) or an entity
 *  attribute (entity_type short name, entity_id, attr) plus ref, the
 *  entity's stable identity when it has one (refDevice, refPointOfInterest,
 *  stationCode), for sources whose entity ids change per observation.
 *  Identifier-like attributes are never readings.
 */
#ifndef CITYOPS_FEED_H
#define CITYOPS_FEED_H

#include <stddef.h>
#include <stdint.h>

/* Formats; AUTO asks the decoder to detect the format of each message. */
#define FEED_FORMAT_LIST(X)                                                    \
	X(AUTO, "auto", "detect per message")                                  \
	X(NATIVE, "native", "cityops native JSON")                             \
	X(NGSI, "ngsi", "NGSI-LD notification or entities")                    \
	X(CAP, "cap", "OASIS CAP 1.2 in JSON")                                 \
	X(OPEN311, "open311", "Open311 GeoReport v2 requests")

enum feed_format {
#define X(id, name, help) FEED_FORMAT_##id,
	FEED_FORMAT_LIST(X)
#undef X
	    FEED_FORMAT_COUNT
};

/*
 * Why a message, or one item in it, was dropped. Decoders count by these
 * names; the order is part of no protocol.
 */
#define FEED_REJECT_LIST(X)                                                    \
	X(NONE, "none", "accepted")                                            \
	X(INVALID_JSON, "invalid_json", "not well-formed JSON")                \
	X(INVALID_UTF8, "invalid_utf8", "identifier not clean UTF-8")          \
	X(WRONG_TYPE, "wrong_type", "a field has the wrong JSON type")         \
	X(MISSING_FIELD, "missing_field", "a required field is missing")       \
	X(UNKNOWN_TYPE, "unknown_type", "unknown message or entity type")      \
	X(UNKNOWN_FORMAT, "unknown_format", "format not recognised")           \
	X(TOO_LARGE, "too_large", "message over the size cap")                 \
	X(BAD_VALUE, "bad_value", "number not finite, or enum not known")      \
	X(BAD_TIME, "bad_time", "time not parseable or out of range")          \
	X(TOO_LONG, "too_long", "identifier longer than FEED_ID_MAX")          \
	X(NUL, "nul", "a NUL character (raw or \\u0000) in the message")       \
	X(INVALID_XML, "invalid_xml",                                          \
	  "XML not well-formed, with a DOCTYPE, or nested too deep")           \
	X(FUTURE_TIME, "future_time", "observed more than 5 min ahead")        \
	X(UNIT_MISMATCH, "unit_mismatch", "unit not convertible")              \
	X(OUT_OF_AREA, "out_of_area", "located outside the city's bounds")     \
	X(LEADING_ZERO, "leading_zero", "number with a leading zero")          \
	X(NO_READINGS, "no_readings", "entity without a numeric Property")     \
	X(UNMAPPED, "unmapped", "no mapping for the entity attribute")         \
	X(EXPIRED, "expired", "CAP alert already expired")

enum feed_reject {
#define X(id, name, help) FEED_REJECT_##id,
	FEED_REJECT_LIST(X)
#undef X
	    FEED_REJECT_COUNT
};

/* Longest identifier accepted, in bytes. */
#define FEED_ID_MAX 256
/* Observations further ahead than this are refused as future_time. */
#define FEED_FUTURE_MS (5 * 60 * 1000)
/* Default cap on one message, in bytes (feed_decoder_set_max). */
#define FEED_MAX_DEFAULT (1024 * 1024)

#define FEED_EVENT_LIST(X)                                                     \
	X(READING, "reading")                                                  \
	X(ALARM, "alarm")                                                      \
	X(INCIDENT, "incident")                                                \
	X(HEARTBEAT, "heartbeat")                                              \
	X(CAP, "cap")                                                          \
	X(OPEN311, "open311")

enum feed_event_type {
#define X(id, name) FEED_EV_##id,
	FEED_EVENT_LIST(X)
#undef X
	    FEED_EV_COUNT
};

/*
 * A numeric observation. Either key names an indicator (native format), or
 * key is NULL and (entity_id, entity_type, attr) name an entity attribute,
 * which the model's mapping table turns into an indicator.
 */
enum feed_time_src {
	FEED_TIME_NONE,     /* no time at all: the consumer uses arrival */
	FEED_TIME_OBSERVED, /* the source's observation time */
	FEED_TIME_NOTIFIED, /* the notification's notifiedAt (fallback) */
};

struct feed_reading {
	const char *key;
	const char *entity_id;
	const char *entity_type; /* short name: "AirQualityObserved" */
	const char *attr;
	const char *ref; /* stable entity identity, or NULL (see above) */
	double value;    /* always finite */
	int64_t ts_ms;   /* observed, epoch ms; 0 when the feed gave none */
	enum feed_time_src ts_src;
	const char *unit; /* NULL when absent (UN/CEFACT code for NGSI) */
	int has_pos;      /* lat, lon valid */
	double lat, lon;
};

#define FEED_LEVEL_LIST(X)                                                     \
	X(INFO, "info")                                                        \
	X(WARN, "warn")                                                        \
	X(ALARM, "alarm")                                                      \
	X(CRIT, "crit")

enum feed_level {
#define X(id, name) FEED_LEVEL_##id,
	FEED_LEVEL_LIST(X)
#undef X
	    FEED_LEVEL_COUNT
};

/* A raised or cleared alarm on an indicator or a device. */
struct feed_alarm {
	const char *key; /* indicator key or alert source id */
	enum feed_level level;
	int cleared;         /* 1 when the alarm ends */
	double value;        /* NAN when absent */
	const char *message; /* NULL when absent */
	int64_t ts_ms;
};

/* A report that may become an incident (一件事); merged by dedup_key. */
struct feed_incident {
	const char *source; /* channel: "12345", "110", "sensor", "ngsi" … */
	const char *category; /* NULL when absent */
	int priority;         /* 1 (highest) … 4; 0 when unknown */
	const char *title;
	const char *description; /* NULL when absent */
	const char *region;      /* GB/T 2260 code or name; NULL when absent */
	const char *location;    /* address text; NULL when absent */
	double lat, lon;         /* NAN when absent */
	const char *dedup_key;
	int64_t ts_ms;
};

struct feed_heartbeat {
	const char *feed;
	uint64_t seq;
	int64_t ts_ms;
};

/* CAP 1.2 enumerations, spelled as in the standard. */
/* clang-format off */
#define FEED_CAP_STATUS_LIST(X)                                                \
	X(ACTUAL, "Actual")                                                    \
	X(EXERCISE, "Exercise")                                                \
	X(SYSTEM, "System")                                                    \
	X(TEST, "Test")                                                        \
	X(DRAFT, "Draft")
#define FEED_CAP_MSGTYPE_LIST(X)                                               \
	X(ALERT, "Alert")                                                      \
	X(UPDATE, "Update")                                                    \
	X(CANCEL, "Cancel")                                                    \
	X(ACK, "Ack")                                                          \
	X(ERROR, "Error")
#define FEED_CAP_SCOPE_LIST(X)                                                 \
	X(NONE, "")                                                            \
	X(PUBLIC, "Public")                                                    \
	X(RESTRICTED, "Restricted")                                            \
	X(PRIVATE, "Private")
#define FEED_CAP_URGENCY_LIST(X)                                               \
	X(UNKNOWN, "Unknown")                                                  \
	X(IMMEDIATE, "Immediate")                                              \
	X(EXPECTED, "Expected")                                                \
	X(FUTURE, "Future")                                                    \
	X(PAST, "Past")
#define FEED_CAP_SEVERITY_LIST(X)                                              \
	X(UNKNOWN, "Unknown")                                                  \
	X(EXTREME, "Extreme")                                                  \
	X(SEVERE, "Severe")                                                    \
	X(MODERATE, "Moderate")                                                \
	X(MINOR, "Minor")
#define FEED_CAP_CERTAINTY_LIST(X)                                             \
	X(UNKNOWN, "Unknown")                                                  \
	X(OBSERVED, "Observed")                                                \
	X(LIKELY, "Likely")                                                    \
	X(POSSIBLE, "Possible")                                                \
	X(UNLIKELY, "Unlikely")
/* clang-format on */

enum feed_cap_status {
#define X(id, name) FEED_CAP_STATUS_##id,
	FEED_CAP_STATUS_LIST(X)
#undef X
};
enum feed_cap_msgtype {
#define X(id, name) FEED_CAP_MSG_##id,
	FEED_CAP_MSGTYPE_LIST(X)
#undef X
};
enum feed_cap_scope {
#define X(id, name) FEED_CAP_SCOPE_##id,
	FEED_CAP_SCOPE_LIST(X)
#undef X
};
enum feed_cap_urgency {
#define X(id, name) FEED_CAP_URGENCY_##id,
	FEED_CAP_URGENCY_LIST(X)
#undef X
};
enum feed_cap_severity {
#define X(id, name) FEED_CAP_SEVERITY_##id,
	FEED_CAP_SEVERITY_LIST(X)
#undef X
};
enum feed_cap_certainty {
#define X(id, name) FEED_CAP_CERTAINTY_##id,
	FEED_CAP_CERTAINTY_LIST(X)
#undef X
};

/* A closed ring of points; pts holds npoints (lat, lon) pairs. */
struct feed_polygon {
	size_t npoints;
	const double *pts;
};

/* A circle: centre (lat, lon) and radius in km. */
struct feed_circle {
	double lat, lon, radius_km;
};

/* A valueName/value pair: <geocode> and <parameter>. */
struct feed_pair {
	const char *name, *value;
};

/* One <references> triple: sender,identifier,sent. */
struct feed_cap_ref {
	const char *sender, *identifier;
	int64_t sent_ms; /* 0 when not parseable */
};

struct feed_cap_info {
	const char *language; /* NULL when absent (CAP: en-US) */
	const char *category; /* first category; NULL when absent */
	const char *event;
	enum feed_cap_urgency urgency;
	enum feed_cap_severity severity;
	enum feed_cap_certainty certainty;
	const char *headline;    /* NULL when absent */
	const char *description; /* NULL when absent */
	const char *area_desc;   /* areaDesc of all areas joined by "; " */
	size_t npolygons;        /* polygons of all areas */
	const struct feed_polygon *polygons;
	size_t ncircles; /* circles of all areas */
	const struct feed_circle *circles;
	size_t ngeocodes; /* geocodes of all areas (GB/T 2260 …) */
	const struct feed_pair *geocodes;
	size_t nparams;
	const struct feed_pair *params;
	int64_t onset_ms, effective_ms; /* 0 when absent */
	int64_t expires_ms;             /* 0 when absent */
};

struct feed_cap {
	const char *identifier;
	const char *sender;
	int64_t sent_ms;
	/* Update/Cancel: "sender,identifier,sent" triples, space separated
	 * as CAP writes them; NULL when absent. */
	const char *references;
	enum feed_cap_status status;
	enum feed_cap_msgtype msg_type;
	enum feed_cap_scope scope;
	size_t ninfo;
	const struct feed_cap_info *info;
	size_t nrefs; /* <references>, in order */
	const struct feed_cap_ref *refs;
};

/*
 * The info block to act on: the first whose language is zh-CN, else zh
 * (any zh-*), else en (any en-*), else the first. NULL when none.
 */
const struct feed_cap_info *feed_cap_pick_info(const struct feed_cap *c);

struct feed_open311 {
	const char *id;     /* service_request_id, numbers written in decimal */
	const char *status; /* "open", "closed" …; NULL when absent */
	const char *service_code;
	const char *service_name;
	const char *description;
	const char *address;
	double lat, lon;      /* NAN when absent */
	int64_t requested_ms; /* 0 when absent */
	int64_t updated_ms;   /* 0 when absent */
};

/*
 * One decoded event. Every pointer in it points into the decoder's scratch
 * space and is valid only until the sink returns: copy what you keep.
 * Optional strings are NULL when absent, never "".
 */
struct feed_event {
	enum feed_event_type type;
	enum feed_format format; /* the decoder that produced it */
	int exercise;            /* drill data: never mix into real queues */
	union {
		struct feed_reading reading;
		struct feed_alarm alarm;
		struct feed_incident incident;
		struct feed_heartbeat heartbeat;
		struct feed_cap cap;
		struct feed_open311 open311;
	} u;
};

typedef void (*feed_sink_fn)(void *arg, const struct feed_event *ev);

enum feed_status {
	FEED_OK,       /* every item was delivered */
	FEED_PARTIAL,  /* delivered some; skipped items counted */
	FEED_REJECTED, /* nothing delivered; see reason */
};

/* What one feed_decode call did. */
struct feed_result {
	enum feed_format format; /* detected, or the hint */
	enum feed_reject reason; /* why rejected, or first skipped item */
	unsigned events;         /* handed to the sink */
	unsigned skipped;        /* items dropped inside the message */
	unsigned cleaned;        /* free-text strings changed by sanitising */
};

/* Running totals kept by a decoder, for health display and logging. */
struct feed_stats {
	uint64_t messages[FEED_FORMAT_COUNT]; /* accepted, by format */
	uint64_t rejected[FEED_REJECT_COUNT]; /* whole messages, by reason */
	uint64_t skipped[FEED_REJECT_COUNT];  /* items, by reason */
	uint64_t events[FEED_EV_COUNT];
	uint64_t cleaned;
	uint64_t fast; /* native messages decoded without cJSON */
};

struct feed_decoder;

/* Returns a new decoder; the caller frees it with feed_decoder_free. */
struct feed_decoder *feed_decoder_new(void);
/* Frees the decoder and sets *dp to NULL. */
void feed_decoder_free(struct feed_decoder **dp);
/* Sets the size cap (bytes); larger messages are rejected as too_large. */
void feed_decoder_set_max(struct feed_decoder *d, size_t max);
/*
 * Turns the native fast path off (1) or on (0, the default). The fast path
 * and the cJSON path must give identical events; fuzz-feed-native checks.
 */
void feed_decoder_set_slow(struct feed_decoder *d, int slow);
/* Returns the decoder's running totals (owned by the decoder). */
const struct feed_stats *feed_decoder_stats(const struct feed_decoder *d);

/*
 * Decodes one message of len bytes (need not be NUL-terminated) in format
 * hint, or detecting it when hint is FEED_FORMAT_AUTO, and calls sink once
 * per event. Returns the status; *res (may be NULL) gets the details.
 */
enum feed_status feed_decode(struct feed_decoder *d, const char *buf,
                             size_t len, enum feed_format hint,
                             feed_sink_fn sink, void *arg,
                             struct feed_result *res);

/*
 * Writes a one-line description of ev into out (always NUL-terminated when
 * outsz > 0), every field named, doubles exact (%.17g), for logs, tests
 * and headless output. Returns the length it needed, as snprintf does.
 */
size_t feed_event_describe(const struct feed_event *ev, char *out,
                           size_t outsz);

/* Names for logs and counters; never NULL. */
const char *feed_format_name(enum feed_format f);
const char *feed_reject_name(enum feed_reject r);
const char *feed_reject_help(enum feed_reject r);
const char *feed_event_name(enum feed_event_type t);
const char *feed_level_name(enum feed_level l);
const char *feed_cap_status_name(enum feed_cap_status s);
const char *feed_cap_msgtype_name(enum feed_cap_msgtype t);
const char *feed_cap_scope_name(enum feed_cap_scope s);
const char *feed_cap_urgency_name(enum feed_cap_urgency u);
const char *feed_cap_severity_name(enum feed_cap_severity s);
const char *feed_cap_certainty_name(enum feed_cap_certainty c);
/* Returns the format named s, or -1. */
int feed_format_from_name(const char *s);

/*
 * Sets the UTC offset in minutes assumed for times without a zone and for
 * bare dates in messages of format f (FEED_FORMAT_AUTO: every format).
 * Defaults: NGSI, Open311 and CAP 0 (UTC, as their specs say), native +480
 * (the centre's zone, Asia/Shanghai).
 */
void feed_decoder_set_zone(struct feed_decoder *d, enum feed_format f,
                           int minutes);
/*
 * Applies a zone spec: "+08:00" (every format) or a comma-separated list
 * "ngsi=+00:00,open311=-05:00,native=+08:00"; offsets as ±HH:MM or ±HHMM,
 * or "UTC". Returns 0, or -1 (nothing changed) when spec is malformed. d
 * may be NULL to only check the spec.
 */
int feed_decoder_set_zones(struct feed_decoder *d, const char *spec);
/*
 * Accepts numbers written with a leading zero ("service_code": 006, as the
 * Open311 spec's own example has) when lenient is 1; by default they are
 * invalid JSON and the message is refused leading_zero.
 */
void feed_decoder_set_lenient(struct feed_decoder *d, int lenient);

/*
 * Parses an ISO 8601 date-time in the forms the standards we read allow:
 * "Z", "+hh:mm", "+hhmm" or "+hh" offsets, fractional seconds (truncated
 * to ms), a space for "T", a date alone (midnight). Without a zone, local
 * is the offset in minutes. Returns 0 and sets *ms (epoch ms, > 0), or -1.
 */
int feed_parse_time(const char *s, size_t len, int local, int64_t *ms);

/*
 * Streaming decode of one XML document (CAP 1.2/1.1 alert, or Open311
 * GeoReport v2 service requests) pushed in chunks as they arrive, with
 * expat: the same events, counters and caps as feed_decode (which takes
 * XML whole through the same path). Begin, push each chunk, end; the
 * sink sees events only at the end (the document is checked whole).
 * Refuses any DOCTYPE, nesting past FEED_XML_DEPTH, more than the size cap.
 */
#define FEED_XML_DEPTH 32
void feed_xml_begin(struct feed_decoder *d, enum feed_format hint);
void feed_xml_push(struct feed_decoder *d, const char *buf, size_t len);
enum feed_status feed_xml_end(struct feed_decoder *d, feed_sink_fn sink,
                              void *arg, struct feed_result *res);

#endif
