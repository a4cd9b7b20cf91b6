/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * NGSI-LD (and NGSIv2) notifications and entities from FIWARE Smart Data
 * Models. Every numeric attribute of an observation entity becomes a
 * reading keyed by (entity id, attribute); the model's mapping table says
 * which indicator it feeds. Alert entities become alarms or incident
 * reports.
 *
 * Real brokers mix forms: an entity sent as keyValues may carry some
 * attributes normalized and numbers as strings, so each attribute's shape
 * is looked at on its own and the claimed form is never trusted.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cityops/feed/feed-measurand.h"
#include "feed-internal.h"

/*
 * Attributes that are never readings even when they hold a number: the
 * entity's own bookkeeping, and identifiers (a station code is not a
 * measurement, however numeric it looks). See also identifier_like().
 */
static const char *const not_readings[] = {
    "id",
    "type",
    "@context",
    "location",
    "dateObserved",
    "dateCreated",
    "dateModified",
    "createdAt",
    "modifiedAt",
    "observedAt",
    "laneId",
    "address",
    "name",
    "description",
    "source",
    "dataProvider",
    "refDevice",
    "seeAlso",
    "owner",
    "areaServed",
    "stationCode",
    "stationName",
    "dateObservedFrom",
    "dateObservedTo",
    "dateIssued",
    "validFrom",
    "validTo",
    "refPointOfInterest",
    "serialNumber",
    "code",
    "identifier",
    "controlledProperty",
    "mcc",
    "mnc",
};

/* Attributes whose value is the entity's stable identity, in preference. */
static const char *const stable_refs[] = {"refDevice", "refPointOfInterest",
                                          "stationCode"};

/* The part of an expanded name after its last '/' or '#'. */
static const char *
short_name(const char *s)
{
	const char *slash = strrchr(s, '/'), *hash = strrchr(s, '#');
	const char *p = slash > hash ? slash : hash;

	return p != NULL && p[1] != '\0' ? p + 1 : s;
}

static int
in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Named as an identifier: refXxx relationships, and names ending in Code,
 * Id, ID, Identifier or Number (stationCode, sensorId, serialNumber).
 */
static int
identifier_like(const char *name)
{
	static const char *const suffixes[] = {"Code", "Id", "ID", "Identifier",
	                                       "Number"};

	if (strncmp(name, "ref", 3) == 0 && name[3] >= 'A' && name[3] <= 'Z')
		return 1;
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		if (ends_with(name, suffixes[i]))
			return 1;
	return 0;
}

/*
 * The value inside an attribute whatever its form: normalized Property
 * {"type":"Property","value":…}, Relationship {"object":…}, NGSIv2
 * {"type":"Number","value":…}, or the keyValues bare value.
 */
static const cJSON *
attr_value(const cJSON *a)
{
	const cJSON *v;

	if (!cJSON_IsObject(a))
		return a;
	if ((v = feed_get(a, "value")) != NULL)
		return v;
	if ((v = feed_get(a, "object")) != NULL)
		return v;
	return a;
}

/* Strings that strtod would read but no sensor means: NaN, inf, 1e999. */
static int
numberish(const char *s)
{
	static const char *const words[] = {"nan",  "inf",      "infinity",
	                                    "-nan", "-inf",     "-infinity",
	                                    "+inf", "+infinity"};
	int digit = 0;

	while (*s == ' ')
		s++;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (feed_strcaseeq(s, words[i]))
			return 1;
	for (; *s != '\0' && *s != ' '; s++) {
		if (*s >= '0' && *s <= '9')
			digit = 1;
		else if (strchr("+-.eE", *s) == NULL)
			return 0;
	}
	return digit;
}

/*
 * The unit of a normalized attribute: NGSI-LD unitCode, or NGSIv2
 * metadata.unitCode as {"type":"Text","value":"GQ"} or a bare string.
 */
static const char *
attr_unit(const cJSON *a)
{
	const char *u = feed_get_str(a, "unitCode");
	const cJSON *md, *mu;

	if (u == NULL && (md = feed_get(a, "metadata")) != NULL &&
	    (mu = feed_get(md, "unitCode")) != NULL)
		u = cJSON_IsString(mu) ? mu->valuestring
		                       : feed_get_str(mu, "value");
	return u != NULL && u[0] != '\0' ? u : NULL;
}

/* The observation time of a normalized attribute, or NULL. */
static const cJSON *
attr_time(const cJSON *a)
{
	const cJSON *t, *md;

	if ((t = feed_get(a, "observedAt")) != NULL)
		return t;
	if ((md = feed_get(a, "metadata")) != NULL &&
	    ((t = feed_get(md, "timestamp")) != NULL ||
	     (t = feed_get(md, "dateObserved")) != NULL))
		return attr_value(t);
	return NULL;
}

struct entity {
	const char *id, *type;
	const char *ref; /* stable identity (stable_refs), or NULL */
	int64_t ts;      /* the entity's observation time, 0: none */
	int ts_bad;      /* its dateObserved was there but malformed */
	int has_pos;
	double lat, lon;
	unsigned numeric;   /* numeric attributes seen */
	const cJSON *props; /* controlledProperty's list (Device), or NULL */
};

/* Emits one reading of entity e. */
static void
reading(struct feed_decoder *d, const struct entity *e, const char *name,
        double value, int64_t ts, const char *unit)
{
	struct feed_event ev;
	struct feed_reading *r = &ev.u.reading;
	enum feed_reject why;

	memset(&ev, 0, sizeof ev);
	ev.type = FEED_EV_READING;
	ev.format = FEED_FORMAT_NGSI;
	r->value = value;
	why = feed_ident(d, name, strlen(name), &r->attr);
	if (why != FEED_REJECT_NONE) {
		feed_skip(d, why);
		return;
	}
	r->entity_id = e->id;
	r->entity_type = e->type;
	r->ref = e->ref;
	r->has_pos = e->has_pos;
	r->lat = e->lat;
	r->lon = e->lon;
	r->ts_ms = ts;
	r->ts_src = FEED_TIME_OBSERVED;
	if (ts == 0 && d->notified_ms > 0) {
		r->ts_ms = d->notified_ms;
		r->ts_src = FEED_TIME_NOTIFIED;
	} else if (ts == 0) {
		r->ts_src = FEED_TIME_NONE;
	}
	r->unit = unit != NULL ? feed_text(d, unit, strlen(unit)) : NULL;
	feed_emit(d, &ev);
}

/*
 * The Device model's packed value ("l%3D0.22%3Bt%3D21.2"): one reading
 * per pair, named by its controlled property (feed_measurand_property) or
 * "value.KEY". Returns 0 when s is no packed string; a malformed one is
 * refused whole (bad_value). The attribute's unitCode, if any, is not
 * applied: one code cannot be the unit of several properties.
 */
static int
packed(struct feed_decoder *d, const struct entity *e, const char *s,
       int64_t ts)
{
	struct feed_measurand m[FEED_MEASURAND_MAX];
	const char *props[FEED_MEASURAND_MAX], *why;
	const cJSON *p;
	int n = feed_measurand_parse(s, m, FEED_MEASURAND_MAX, &why), np = 0;

	if (n == 0)
		return 0;
	if (n < 0) {
		feed_skip(d, FEED_REJECT_BAD_VALUE);
		return 1;
	}
	cJSON_ArrayForEach(p, e->props) if (np < FEED_MEASURAND_MAX)
	    props[np++] = cJSON_IsString(p) ? p->valuestring : NULL;
	for (int i = 0; i < n; i++) {
		const char *prop = feed_measurand_property(m, n, i, props, np);
		char name[FEED_MEASURAND_KEY + 8];

		if (prop == NULL)
			snprintf(name, sizeof name, "value.%.31s", m[i].key);
		reading(d, e, prop != NULL ? prop : name, m[i].value, ts, NULL);
	}
	return 1;
}

static void
attribute(struct feed_decoder *d, const struct entity *e, const cJSON *a)
{
	const char *name = short_name(a->string);
	const cJSON *v = attr_value(a), *t;
	const char *unit = NULL;
	double value;
	int64_t ts = e->ts;
	int own_time = 0;

	if (in_list(name, not_readings,
	            sizeof not_readings / sizeof not_readings[0]) ||
	    identifier_like(name))
		return;
	if (cJSON_IsObject(a)) {
		const char *type = feed_get_str(a, "type");

		if (type != NULL && (strcmp(type, "Relationship") == 0 ||
		                     strcmp(type, "GeoProperty") == 0))
			return;
		unit = attr_unit(a);
		if ((t = attr_time(a)) != NULL) {
			int rc = feed_time(d, t, &ts);

			if (rc < 0) {
				feed_skip(d, FEED_REJECT_BAD_TIME);
				return;
			}
			own_time = rc == 0;
			if (rc > 0)
				ts = e->ts;
		}
	}
	/* Numeric strings with a leading zero are codes ("0042"). */
	if (cJSON_IsString(v) && v->valuestring[0] == '0' &&
	    v->valuestring[1] >= '0' && v->valuestring[1] <= '9')
		return;
	if (!own_time && e->ts_bad) {
		/* The entity's time was malformed and this attribute has no
		 * time of its own: this attribute is refused, not the rest. */
		if (cJSON_IsNumber(v) ||
		    (cJSON_IsString(v) && numberish(v->valuestring)))
			feed_skip(d, FEED_REJECT_BAD_TIME);
		return;
	}
	if (strcmp(name, "value") == 0 && cJSON_IsString(v) &&
	    packed(d, e, v->valuestring, ts))
		return;
	if (cJSON_IsNumber(v)) {
		if (!isfinite(v->valuedouble)) {
			feed_skip(d, FEED_REJECT_BAD_VALUE);
			return;
		}
		value = v->valuedouble;
	} else if (cJSON_IsString(v)) {
		if (feed_parse_number(v->valuestring, strlen(v->valuestring),
		                      &value) != 0) {
			/* Text attributes are fine; broken numbers are not. */
			if (numberish(v->valuestring))
				feed_skip(d, FEED_REJECT_BAD_VALUE);
			return;
		}
	} else {
		return; /* booleans, structures, nulls: not readings */
	}
	reading(d, e, name, value, ts, unit);
}

static void
observed(struct feed_decoder *d, struct entity *e, const cJSON *ent)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, ent)
	{
		struct feed_mark m = feed_mark(d);
		unsigned before = d->res->events + d->res->skipped;

		attribute(d, e, a);
		if (d->res->events + d->res->skipped != before)
			e->numeric++;
		feed_release(d, m);
	}
}

/* The text of an attribute that may be normalized or a bare string. */
static const char *
attr_str(const cJSON *ent, const char *name)
{
	const cJSON *v = attr_value(feed_get(ent, name));

	return cJSON_IsString(v) && v->valuestring[0] != '\0' ? v->valuestring
	                                                      : NULL;
}

static const char *
opt_text(struct feed_decoder *d, const char *s)
{
	return s != NULL ? feed_text(d, s, strlen(s)) : NULL;
}

/* A GeoJSON Point (possibly inside a GeoProperty) as lat, lon. */
static void
point(const cJSON *loc, double *lat, double *lon)
{
	const cJSON *geo = attr_value(loc), *c;
	const char *type = feed_get_str(geo, "type");
	double x, y;

	*lat = *lon = NAN;
	if (type == NULL || strcmp(type, "Point") != 0)
		return;
	c = feed_get(geo, "coordinates");
	if (cJSON_GetArraySize(c) < 2 || feed_number(c->child, &x) != 0 ||
	    feed_number(c->child->next, &y) != 0)
		return;
	/* GeoJSON order is longitude, latitude. A latitude over 90 that
	 * would be a longitude is kept as given: the database tells swapped
	 * coordinates (one order in the city, the other not) and logs it. */
	if (fabs(y) <= 180 && fabs(x) <= 180) {
		*lat = y;
		*lon = x;
	}
}

/* An address object (schema.org PostalAddress) or string, as one line. */
static const char *
address(struct feed_decoder *d, const cJSON *ent)
{
	const cJSON *a = attr_value(feed_get(ent, "address"));
	static const char *const parts[] = {"addressRegion", "addressLocality",
	                                    "district", "streetAddress"};
	char *buf;
	size_t n = 0, cap = 0;

	if (cJSON_IsString(a))
		return opt_text(d, a->valuestring[0] ? a->valuestring : NULL);
	if (!cJSON_IsObject(a))
		return NULL;
	/* Every part whole, however long: cutting is for whoever stores it
	 * (ingest cuts on a character boundary to the database's limit). */
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		const char *s = feed_get_str(a, parts[i]);
		cap += s != NULL ? strlen(s) + 1 : 0;
	}
	if (cap == 0)
		return NULL;
	buf = feed_alloc(d, cap);
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		const char *s = feed_get_str(a, parts[i]);
		size_t len = s != NULL ? strlen(s) : 0;

		if (len == 0)
			continue;
		if (n > 0)
			buf[n++] = ' ';
		memcpy(buf + n, s, len);
		n += len;
	}
	return n > 0 ? feed_text(d, buf, n) : NULL;
}

static const struct {
	const char *name;
	int priority; /* 0: an alarm, not an incident */
	enum feed_level level;
} severities[] = {
    {"informational", 0, FEED_LEVEL_INFO}, {"low", 0, FEED_LEVEL_WARN},
    {"medium", 3, FEED_LEVEL_ALARM},       {"high", 2, FEED_LEVEL_ALARM},
    {"critical", 1, FEED_LEVEL_CRIT},
};

/*
 * Informational and low Alerts are signals on a device (alarms); medium and
 * above are things someone must handle (incident reports, merged by the
 * entity id). Alerts without a known severity are reported as incidents of
 * unknown priority rather than lost.
 */
static enum feed_reject
alert(struct feed_decoder *d, const struct entity *e, const cJSON *ent)
{
	struct feed_event ev;
	const char *sev = attr_str(ent, "severity");
	const char *cat = attr_str(ent, "category");
	const char *sub = attr_str(ent, "subCategory");
	const char *desc = attr_str(ent, "description");
	const char *src = attr_str(ent, "alertSource");
	int priority = 0, known = 0;
	enum feed_level lvl = FEED_LEVEL_ALARM;
	int64_t ts = e->ts;
	const cJSON *issued = feed_get(ent, "dateIssued");

	if (issued != NULL) {
		int rc = feed_time(d, attr_value(issued), &ts);

		if (rc < 0)
			return FEED_REJECT_BAD_TIME;
		if (rc > 0)
			ts = e->ts;
	}
	for (size_t i = 0;
	     sev != NULL && i < sizeof severities / sizeof severities[0]; i++)
		if (feed_strcaseeq(sev, severities[i].name)) {
			priority = severities[i].priority;
			lvl = severities[i].level;
			known = 1;
		}
	memset(&ev, 0, sizeof ev);
	ev.format = FEED_FORMAT_NGSI;
	if (known && priority == 0) {
		struct feed_alarm *a = &ev.u.alarm;

		ev.type = FEED_EV_ALARM;
		a->key = e->id;
		if (src != NULL && feed_ident(d, src, strlen(src), &a->key) !=
		                       FEED_REJECT_NONE)
			return FEED_REJECT_INVALID_UTF8;
		a->level = lvl;
		a->value = NAN;
		a->message = opt_text(d, desc != NULL ? desc : sub);
		a->ts_ms = ts;
	} else {
		struct feed_incident *in = &ev.u.incident;
		char catbuf[256];

		ev.type = FEED_EV_INCIDENT;
		in->source = "ngsi";
		if (cat != NULL && sub != NULL &&
		    strlen(cat) + strlen(sub) + 2 <= sizeof catbuf) {
			size_t n = strlen(cat);

			memcpy(catbuf, cat, n);
			catbuf[n] = '/';
			strcpy(catbuf + n + 1, sub);
			in->category = feed_text(d, catbuf, strlen(catbuf));
		} else {
			in->category = opt_text(d, cat != NULL ? cat : sub);
		}
		in->priority = priority;
		in->title = attr_str(ent, "name");
		if (in->title == NULL)
			in->title = sub != NULL   ? sub
			            : cat != NULL ? cat
			                          : "Alert";
		in->title = feed_text(d, in->title, strlen(in->title));
		in->description = opt_text(d, desc);
		in->location = address(d, ent);
		point(feed_get(ent, "location"), &in->lat, &in->lon);
		in->dedup_key = e->id;
		in->ts_ms = ts;
	}
	feed_emit(d, &ev);
	return FEED_REJECT_NONE;
}

static enum feed_reject
entity(struct feed_decoder *d, const cJSON *ent)
{
	struct entity e = {0};
	const cJSON *id = feed_get(ent, "id"), *type = feed_get(ent, "type");
	const cJSON *when;
	enum feed_reject why;

	if (!cJSON_IsObject(ent))
		return FEED_REJECT_WRONG_TYPE;
	if (id == NULL || type == NULL)
		return FEED_REJECT_MISSING_FIELD;
	/* NGSI-LD 1.6 allows several types; the first names the model. */
	if (cJSON_IsArray(type))
		type = type->child;
	if (!cJSON_IsString(id) || !cJSON_IsString(type))
		return FEED_REJECT_WRONG_TYPE;
	why = feed_ident(d, id->valuestring, strlen(id->valuestring), &e.id);
	if (why != FEED_REJECT_NONE)
		return why;
	e.type = short_name(type->valuestring);
	why = feed_ident(d, e.type, strlen(e.type), &e.type);
	if (why != FEED_REJECT_NONE)
		return why;
	/* The entity's time: dateObserved, else the end of the interval
	 * dateObservedFrom/dateObservedTo, else an entity-level observedAt. */
	if ((when = feed_get(ent, "dateObserved")) == NULL &&
	    (when = feed_get(ent, "dateObservedTo")) == NULL)
		when = feed_get(ent, "observedAt");
	if (when != NULL && feed_time(d, attr_value(when), &e.ts) < 0) {
		e.ts = 0;
		e.ts_bad = 1;
	}
	if (strcmp(e.type, "Alert") == 0) {
		if (e.ts_bad)
			return FEED_REJECT_BAD_TIME;
		return alert(d, &e, ent);
	}
	for (size_t i = 0; i < sizeof stable_refs / sizeof stable_refs[0];
	     i++) {
		const char *ref = attr_str(ent, stable_refs[i]);

		if (ref != NULL && e.ref == NULL &&
		    feed_ident(d, ref, strlen(ref), &e.ref) != FEED_REJECT_NONE)
			e.ref = NULL;
	}
	point(feed_get(ent, "location"), &e.lat, &e.lon);
	e.has_pos = !isnan(e.lat) && !isnan(e.lon);
	e.props = attr_value(feed_get(ent, "controlledProperty"));
	/* Any entity type: whatever numeric Property it has is a reading
	 * candidate, and the mapping decides which indicator it feeds. */
	observed(d, &e, ent);
	if (e.numeric == 0)
		return FEED_REJECT_NO_READINGS;
	return FEED_REJECT_NONE;
}

enum feed_reject
feed_ngsi_tree(struct feed_decoder *d, const cJSON *root)
{
	const char *type = feed_get_str(root, "type");
	const cJSON *data = feed_get(root, "data");

	if (cJSON_IsArray(root)) {
		feed_each(d, root, entity);
		return FEED_REJECT_NONE;
	}
	if (!cJSON_IsObject(root))
		return FEED_REJECT_WRONG_TYPE;
	/* NGSI-LD says type Notification; NGSIv2 sends subscriptionId. */
	if ((type != NULL && strcmp(type, "Notification") == 0) ||
	    (type == NULL && data != NULL)) {
		if (data == NULL)
			return FEED_REJECT_MISSING_FIELD;
		if (!cJSON_IsArray(data))
			return FEED_REJECT_WRONG_TYPE;
		/* The last fallback for an entity's observation time. */
		if (feed_time(d, feed_get(root, "notifiedAt"),
		              &d->notified_ms) < 0)
			d->notified_ms = 0;
		feed_each(d, data, entity);
		return FEED_REJECT_NONE;
	}
	return entity(d, root);
}
