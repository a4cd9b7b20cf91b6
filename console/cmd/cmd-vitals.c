/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* vitals and history: the city's vital signs and one indicator's past. */
#include <stdlib.h>

#include "cityops/cmd/cmd-entries.h"
#include "cityops/core/format.h"

static const struct col_spec vital_cols[] = {
    {"state", "状态", F_VITAL, 0},
    {"category", "类别", F_TEXT, 0},
    {"name", "指标", F_TEXT, 20},
    {"region_name", "区域", F_TEXT, 10},
    {"value", "值", F_NUMBER, 0},
    {"unit", "单位", F_TEXT, 0},
    {"at", "时间", F_TIME, 0},
    {"warn", "预警", F_TEXT, 0},
    {"alarm", "告警", F_TEXT, 0},
    {"indicator_id", "编码", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec history_cols[] = {
    {"at", "时间", F_TIME, 0},
    {"value", "值", F_NUMBER, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_vitals(struct cmd_ctx *ctx)
{
	const char *limit = cmd_opt(ctx, "limit");
	const char *p[3] = {cmd_opt(ctx, "region"), cmd_opt(ctx, "category"),
	                    limit ? limit : "40"};

	if (ctx->argc == 1 && p[0] == NULL)
		p[0] = ctx->argv[0];
	cmd_add_query(ctx, Q_VITALS, 3, p);
}

static void
finish_vitals(struct cmd_ctx *ctx)
{
	result_table(ctx->res, "vitals", NULL, cmd_take(ctx, 0), vital_cols);
}

static void
prepare_history(struct cmd_ctx *ctx)
{
	const char *hours = cmd_opt(ctx, "hours");
	const char *p[2] = {ctx->argv[0], hours ? hours : "24"};

	cmd_add_query(ctx, Q_HISTORY, 2, p);
}

static void
finish_history(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);
	double *v;
	char spark[512];

	if (t->nrows > 0) {
		v = xcalloc((size_t)t->nrows, sizeof *v);
		for (int i = 0; i < t->nrows; i++)
			v[i] = atof(db_get(t, i, "value") ?: "0");
		format_sparkline(v, t->nrows, 60, spark, sizeof spark);
		free(v);
		result_message(ctx->res, "%s", spark);
	}
	result_table(ctx->res, "history", NULL, t, history_cols);
}

const struct cmd_entry cmd_vitals_entry = {
    .name = "vitals",
    .aliases = "vs",
    .usage = "[region]",
    .options = "region: category: limit:1-10000",
    .help = "Show vital signs (城市运行生命体征), worst first.",
    .max_args = 1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_vitals,
    .finish = finish_vitals,
};

const struct cmd_entry cmd_history_entry = {
    .name = "history",
    .aliases = "hist",
    .usage = "<indicator>",
    .options = "hours:1-8784",
    .help = "Show an indicator's readings over the last hours (default 24).",
    .min_args = 1,
    .max_args = 1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_history,
    .finish = finish_history,
};
