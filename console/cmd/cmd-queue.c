/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* queue: the incident queue, most urgent first, with filters. */
#include <stdlib.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec cols[] = {
    {"priority", "级", F_PRIORITY, 0},
    {"ref", "编号", F_TEXT, 0},
    {"category_name", "类别", F_TEXT, 10},
    {"region_name", "区域", F_TEXT, 12},
    {"state", "状态", F_STATE, 0},
    {"age_s", "时长", F_DURATION, 0},
    {"sla_left_s", "时限", F_SLA, 0},
    {"title", "标题", F_TEXT, 30},
    {"units", "单位", F_TEXT, 18},
    {"exercise", "", F_EXERCISE, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_queue(struct cmd_ctx *ctx)
{
	const char *limit = cmd_opt(ctx, "limit");
	const char *p[7] = {
	    cmd_opt(ctx, "state"),
	    cmd_opt(ctx, "region"),
	    cmd_opt(ctx, "priority"),
	    cmd_opt(ctx, "source"),
	    cmd_opt(ctx, "all") ? "true" : "false",
	    cmd_opt(ctx, "exercise") ? "true" : "false",
	    limit ? limit : "50",
	};

	/* "queue 奉贤" is the common case: a bare word is the region. */
	if (ctx->argc == 1 && p[1] == NULL)
		p[1] = ctx->argv[0];
	cmd_add_query(ctx, Q_QUEUE, 7, p);
}

static void
finish_queue(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	result_table(ctx->res, "incidents", NULL, t, cols);
	result_message(ctx->res, "共 %d 件", t->nrows);
}

const struct cmd_entry cmd_queue_entry = {
    .name = "queue",
    .aliases = "q ls",
    .usage = "[region]",
    .options = "state: region: priority:1-4 source: all exercise limit:1-1000",
    .help = "List open incidents, most urgent first.",
    .max_args = 1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_queue,
    .finish = finish_queue,
};
