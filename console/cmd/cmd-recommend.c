/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* recommend: suitable available units for an incident, nearest first. */
#include "cityops/cmd/cmd-entries.h"

static const struct col_spec cols[] = {
    {"callsign", "呼号", F_TEXT, 0},     {"name", "名称", F_TEXT, 20},
    {"kind", "类型", F_TEXT, 0},         {"department", "部门", F_TEXT, 10},
    {"region_name", "驻地", F_TEXT, 12}, {"distance_km", "距离km", F_NUMBER, 0},
    {"status", "状态", F_UNIT, 0},       {NULL, NULL, 0, 0},
};

static void
prepare_recommend(struct cmd_ctx *ctx)
{
	const char *limit = cmd_opt(ctx, "limit");
	const char *p[2] = {ctx->argv[0], limit ? limit : "5"};

	cmd_add_query(ctx, Q_RECOMMEND, 2, p);
}

static void
finish_recommend(struct cmd_ctx *ctx)
{
	int n = ctx->tables[0]->nrows;

	result_table(ctx->res, "units", NULL, cmd_take(ctx, 0), cols);
	if (n == 0)
		result_message(ctx->res, "no suitable unit is available");
}

const struct cmd_entry cmd_recommend_entry = {
    .name = "recommend",
    .aliases = "rec",
    .usage = "<incident>",
    .options = "limit:1-100",
    .help = "Recommend available units of a suitable kind, nearest first.",
    .min_args = 1,
    .max_args = 1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_recommend,
    .finish = finish_recommend,
};
