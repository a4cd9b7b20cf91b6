/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * UN/CEFACT unit codes, their conversion factors, and the Smart Data Model
 * defaults. A value in unit u is base = v * scale + offset in its
 * dimension's base unit (metre, m/s, kelvin, pascal, µg/m³, watt …).
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "cityops/feed/feed-unit.h"

struct unit {
	const char *code, *symbol, *dim;
	double scale, offset;
};

static const struct unit units[] = {
    {"MTR", "m", "length", 1, 0},
    {"CMT", "cm", "length", 0.01, 0},
    {"MMT", "mm", "length", 0.001, 0},
    {"KMT", "km", "length", 1000, 0},
    {"MTS", "m/s", "speed", 1, 0},
    {"KMH", "km/h", "speed", 1 / 3.6, 0},
    {"KNT", "kn", "speed", 1852.0 / 3600.0, 0},
    {"CEL", "°C", "temperature", 1, 273.15},
    {"KEL", "K", "temperature", 1, 0},
    {"FAH", "°F", "temperature", 5.0 / 9.0, 273.15 - 32 * 5.0 / 9.0},
    {"PAL", "Pa", "pressure", 1, 0},
    {"KPA", "kPa", "pressure", 1000, 0},
    {"A97", "hPa", "pressure", 100, 0},
    {"MBR", "mbar", "pressure", 100, 0},
    {"GQ", "μg/m³", "concentration", 1, 0},
    {"GP", "mg/m³", "concentration", 1000, 0},
    {"KWT", "kW", "power", 1000, 0},
    {"MAW", "MW", "power", 1e6, 0},
    {"2N", "dB(A)", "sound_level", 1, 0},
    {"P1", "%", "ratio", 1, 0},
    {"C62", "", "count", 1, 0},
    {"H87", "件/小时", "rate", 1, 0},
    {"E50", "人/小时", "flow", 1, 0},
};

static const struct unit *
find(const char *code)
{
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcasecmp(code, units[i].code) == 0)
			return &units[i];
	return NULL;
}

enum feed_unit_rc
feed_unit_convert(const char *from, const char *to, double v, double *out)
{
	const struct unit *f, *t;

	if (strcasecmp(from, to) == 0) {
		*out = v;
		return FEED_UNIT_OK;
	}
	if ((f = find(from)) == NULL || (t = find(to)) == NULL)
		return FEED_UNIT_UNKNOWN;
	if (strcmp(f->dim, t->dim) != 0)
		return FEED_UNIT_MISMATCH;
	*out = ((v * f->scale + f->offset) - t->offset) / t->scale;
	return FEED_UNIT_OK;
}

const char *
feed_unit_symbol(const char *code)
{
	const struct unit *u = find(code);

	return u != NULL ? u->symbol : NULL;
}

/* Symbols beside the table's own, as cityops.uom_symbol has them. */
static const struct {
	const char *symbol, *code;
} aliases[] = {
    {"℃", "CEL"}, {"µg/m³", "GQ"}, {"ug/m3", "GQ"}, {"mg/m3", "GP"},
    {"dB", "2N"}, {"人", "C62"},   {"指数", "C62"}, {"件", "C62"},
};

const char *
feed_unit_code(const char *s)
{
	const struct unit *u = find(s);

	if (u != NULL)
		return u->code;
	if (*s == '\0')
		return NULL;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(s, units[i].symbol) == 0)
			return units[i].code;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(s, aliases[i].symbol) == 0)
			return aliases[i].code;
	return NULL;
}

/*
 * Documented units of Smart Data Model attributes (smart-data-models
 * GitHub, each model's schema.json "description" "Units: …"); "*" matches
 * any model that uses the attribute with the same meaning.
 */
static const struct {
	const char *model, *attr, *unit, *source;
} defaults[] = {
    {"WeatherObserved", "windSpeed", "MTS",
     "dataModel.Weather/WeatherObserved"},
    {"WeatherObserved", "temperature", "CEL",
     "dataModel.Weather/WeatherObserved"},
    {"WeatherObserved", "streamGauge", "CMT",
     "dataModel.Weather/WeatherObserved"},
    {"WeatherObserved", "snowHeight", "CMT",
     "dataModel.Weather/WeatherObserved"},
    {"WeatherObserved", "precipitation", "MMT",
     "dataModel.Weather/WeatherObserved (l/m² = mm)"},
    {"WeatherObserved", "atmosphericPressure", "A97",
     "dataModel.Weather/WeatherObserved"},
    {"AirQualityObserved", "pm25", "GQ",
     "dataModel.Environment/AirQualityObserved"},
    {"AirQualityObserved", "pm10", "GQ",
     "dataModel.Environment/AirQualityObserved"},
    {"AirQualityObserved", "no2", "GQ",
     "dataModel.Environment/AirQualityObserved"},
    {"AirQualityObserved", "NO2", "GQ",
     "dataModel.Environment/AirQualityObserved"},
    {"AirQualityObserved", "o3", "GQ",
     "dataModel.Environment/AirQualityObserved"},
    {"AirQualityObserved", "so2", "GQ",
     "dataModel.Environment/AirQualityObserved"},
    {"AirQualityObserved", "temperature", "CEL",
     "dataModel.Environment/AirQualityObserved"},
    {"NoiseLevelObserved", "LAeq", "2N",
     "dataModel.Environment/NoiseLevelObserved"},
    {"NoiseLevelObserved", "LAmax", "2N",
     "dataModel.Environment/NoiseLevelObserved"},
    {"NoiseLevelObserved", "LAS", "2N",
     "dataModel.Environment/NoiseLevelObserved"},
    {"TrafficFlowObserved", "averageVehicleSpeed", "KMH",
     "dataModel.Transportation/TrafficFlowObserved"},
    {"TrafficFlowObserved", "intensity", "C62",
     "dataModel.Transportation/TrafficFlowObserved"},
    {"CrowdFlowObserved", "peopleCount", "C62",
     "dataModel.Transportation/CrowdFlowObserved"},
};

const char *
feed_unit_default(const char *model, const char *attr, const char **source)
{
	if (source != NULL)
		*source = NULL;
	if (model == NULL || attr == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (strcmp(defaults[i].model, model) == 0 &&
		    strcmp(defaults[i].attr, attr) == 0) {
			if (source != NULL)
				*source = defaults[i].source;
			return defaults[i].unit;
		}
	return NULL;
}
