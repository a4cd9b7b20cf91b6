/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Sensors (issue 12; docs/scale.md "Sensors and rollups"): `sensor add`
 * registers one, `sensor generate N` makes N over the demo's district
 * indicators with their rollups (bench and demo data at city scale). Each
 * is a SQL function with its own role check and audit row
 * (sql/functions/48_sensors.sql); `indicator rollup` defines a rollup.
 */
#include <string.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec sensor_cols[] = {
    {"id", "传感器", F_TEXT, 0},
    {"kind", "类型", F_TEXT, 0},
    {"region_code", "区划", F_TEXT, 0},
    {"grp", "分组", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec generate_cols[] = {
    {"sensors", "传感器", F_NUMBER, 0},
    {"rollups", "汇总指标", F_NUMBER, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_sensor(struct cmd_ctx *ctx)
{
	const char *sub = ctx->argv[0];

	if (strcmp(sub, "add") == 0) {
		const char *p[4];

		if (ctx->argc != 4) {
			cmd_usage(ctx, "sensor add ID KIND REGION [--group G]");
			return;
		}
		p[0] = ctx->argv[1];
		p[1] = ctx->argv[2];
		p[2] = ctx->argv[3];
		p[3] = cmd_opt(ctx, "group");
		cmd_add_query(ctx, Q_SENSOR_ADD, 4, p);
	} else if (strcmp(sub, "generate") == 0) {
		const char *p[1];

		if (ctx->argc != 2 ||
		    strspn(ctx->argv[1], "0123456789") !=
		        strlen(ctx->argv[1]) ||
		    strlen(ctx->argv[1]) > 8) {
			cmd_usage(ctx, "sensor generate N (1 to 20000000)");
			return;
		}
		p[0] = ctx->argv[1];
		cmd_add_query(ctx, Q_SENSOR_GENERATE, 1, p);
	} else {
		cmd_usage(ctx, "add or generate");
	}
}

static void
finish_sensor(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	if (strcmp(ctx->argv[0], "add") == 0) {
		result_message(ctx->res, "sensor %s added", ctx->argv[1]);
		result_record(ctx->res, "sensor", NULL, t, sensor_cols);
	} else {
		result_message(ctx->res, "sensors generated (a running ingest "
		                         "reloads them)");
		result_record(ctx->res, "sensors", NULL, t, generate_cols);
	}
}

const struct cmd_entry cmd_sensor_entry = {
    .name = "sensor",
    .usage = "add ID KIND REGION [--group G] | generate N",
    .options = "group:",
    .help = "Register sensors, or generate N over the district indicators "
            "with their rollups (admin).",
    .min_args = 1,
    .max_args = 4,
    .role = ROLE_admin,
    .flags = CMD_DB | CMD_WRITE,
    .prepare = prepare_sensor,
    .finish = finish_sensor,
};
