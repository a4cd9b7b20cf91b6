/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stddef.h>
#include <string.h>

#include "cityops/core/names.h"

struct name {
	const char *code, *label;
};

static const struct name incident_states[] = {
#define X(code, label, help) {#code, label},
    INCIDENT_STATES(X)
#undef X
};

static const struct name unit_statuses[] = {
#define X(code, label, help) {#code, label},
    UNIT_STATUSES(X)
#undef X
};

static const struct name vital_states[] = {
#define X(code, label, help) {#code, label},
    VITAL_STATES(X)
#undef X
};

static const struct name roles[] = {
#define X(code, label, help) {#code, label},
    ROLES(X)
#undef X
};

#define PAIR(code, label) {#code, label},
static const struct name actions[] = {ACTIONS(PAIR)};
static const struct name sources[] = {SOURCES(PAIR)};
static const struct name alarm_states[] = {ALARM_STATES(PAIR)};
static const struct name region_levels[] = {REGION_LEVELS(PAIR)};
static const struct name match_fields[] = {MATCH_FIELDS(PAIR)};
#undef PAIR

static const char *
lookup(const struct name *t, size_t n, const char *code)
{
	if (code == NULL)
		return "";
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].code, code) == 0)
			return t[i].label;
	return code;
}

#define LOOKUP(table, code) lookup(table, sizeof table / sizeof table[0], code)

const char *
names_incident_state(const char *code)
{
	return LOOKUP(incident_states, code);
}

const char *
names_unit_status(const char *code)
{
	return LOOKUP(unit_statuses, code);
}

const char *
names_vital_state(const char *code)
{
	return LOOKUP(vital_states, code);
}

const char *
names_action(const char *code)
{
	return LOOKUP(actions, code);
}

const char *
names_source(const char *code)
{
	return LOOKUP(sources, code);
}

const char *
names_alarm_state(const char *code)
{
	return LOOKUP(alarm_states, code);
}

const char *
names_region_level(const char *code)
{
	return LOOKUP(region_levels, code);
}

const char *
names_match_field(const char *code)
{
	return LOOKUP(match_fields, code);
}

const char *
names_role_label(enum role r)
{
	return r < ROLE_COUNT ? roles[r].label : "";
}

const char *
names_role_code(enum role r)
{
	return r < ROLE_COUNT ? roles[r].code : "";
}

int
names_role_parse(const char *code)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (code != NULL && strcmp(roles[i].code, code) == 0)
			return i;
	return -1;
}
