/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* units, unit, unit-status: the response units and their status. */
#include <stdlib.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec list_cols[] = {
    {"callsign", "呼号", F_TEXT, 0},
    {"name", "名称", F_TEXT, 20},
    {"kind", "类型", F_TEXT, 0},
    {"department", "部门", F_TEXT, 10},
    {"region_name", "驻地", F_TEXT, 12},
    {"status", "状态", F_UNIT, 0},
    {"incident_ref", "事件", F_TEXT, 0},
    {"updated_at", "更新", F_TIME, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec one_cols[] = {
    {"callsign", "呼号", F_TEXT, 0},
    {"name", "名称", F_TEXT, 0},
    {"kind", "类型", F_TEXT, 0},
    {"department", "部门", F_TEXT, 0},
    {"region_name", "驻地", F_TEXT, 0},
    {"status", "状态", F_UNIT, 0},
    {"incident_ref", "事件", F_TEXT, 0},
    {"lat", "纬度", F_NUMBER, 0},
    {"lon", "经度", F_NUMBER, 0},
    {"updated_at", "更新", F_TIME, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec set_cols[] = {
    {"callsign", "呼号", F_TEXT, 0},
    {"from_status", "原状态", F_UNIT, 0},
    {"to_status", "新状态", F_UNIT, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_units(struct cmd_ctx *ctx)
{
	const char *p[4] = {
	    cmd_opt(ctx, "kind"),
	    cmd_opt(ctx, "status"),
	    cmd_opt(ctx, "region"),
	    cmd_opt(ctx, "exercise") ? "true" : "false",
	};

	if (ctx->argc == 1 && p[2] == NULL)
		p[2] = ctx->argv[0];
	cmd_add_query(ctx, Q_UNITS, 4, p);
}

static void
finish_units(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	result_table(ctx->res, "units", NULL, t, list_cols);
	result_message(ctx->res, "共 %d 个单位", t->nrows);
}

static void
prepare_unit(struct cmd_ctx *ctx)
{
	const char *p[1] = {ctx->argv[0]};

	cmd_add_query(ctx, Q_UNIT, 1, p);
}

static void
finish_unit(struct cmd_ctx *ctx)
{
	if (ctx->tables[0]->nrows == 0) {
		result_fail(ctx->res, "not_found", "'units' lists call signs",
		            "no unit %s", ctx->argv[0]);
		return;
	}
	result_record(ctx->res, "unit", NULL, cmd_take(ctx, 0), one_cols);
}

static void
prepare_unit_status(struct cmd_ctx *ctx)
{
	char *note = ctx->argc > 2 ? cmd_join(ctx, 2) : NULL;
	const char *p[3] = {ctx->argv[0], ctx->argv[1], note};

	cmd_add_query(ctx, Q_UNIT_SET, 3, p);
	free(note);
}

static void
finish_unit_status(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	result_message(ctx->res, "%s: %s → %s", db_get(t, 0, "callsign"),
	               names_unit_status(db_get(t, 0, "from_status")),
	               names_unit_status(db_get(t, 0, "to_status")));
	result_record(ctx->res, "unit", NULL, t, set_cols);
}

const struct cmd_entry cmd_units_entry = {
    .name = "units",
    .aliases = "u",
    .usage = "[region]",
    .options = "kind: status: region: exercise",
    .help = "List units with their status and current incident.",
    .max_args = 1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_units,
    .finish = finish_units,
};

const struct cmd_entry cmd_unit_entry = {
    .name = "unit",
    .usage = "<unit>",
    .help = "Show one unit.",
    .min_args = 1,
    .max_args = 1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_unit,
    .finish = finish_unit,
};

const struct cmd_entry cmd_unit_status_entry = {
    .name = "unit-status",
    .aliases = "us",
    .usage = "<unit> <available|returning|out_of_service> [note...]",
    .help = "Set a unit's status (not while it is on an incident).",
    .min_args = 2,
    .max_args = -1,
    .role = ROLE_officer,
    .flags = CMD_DB | CMD_WRITE,
    .prepare = prepare_unit_status,
    .finish = finish_unit_status,
};
