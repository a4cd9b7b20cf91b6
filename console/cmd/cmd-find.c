/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * find: incidents in the operator's scope whose reference, title,
 * location, description or a note holds the text, open and closed, newest
 * first (cityops.search, sql/functions/77_search.sql). The text is checked
 * there: not empty, at most 64 characters, no control characters.
 */
#include <stdlib.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec cols[] = {
    {"created_at", "时间", F_TIME, 0},   {"ref", "编号", F_TEXT, 0},
    {"priority", "级", F_PRIORITY, 0},   {"category_name", "类别", F_TEXT, 10},
    {"region_name", "区域", F_TEXT, 10}, {"state", "状态", F_STATE, 0},
    {"title", "标题", F_TEXT, 30},       {"location", "地点", F_TEXT, 20},
    {"matched", "匹配", F_MATCH, 0},     {NULL, NULL, 0, 0},
};

static void
prepare_find(struct cmd_ctx *ctx)
{
	char *text = cmd_join(ctx, 0);
	const char *limit = cmd_opt(ctx, "limit");
	const char *p[3] = {text, cmd_opt(ctx, "exercise") ? "true" : "false",
	                    limit ? limit : "50"};

	cmd_add_query(ctx, Q_SEARCH, 3, p);
	free(text);
}

static void
finish_find(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	result_table(ctx->res, "incidents", NULL, t, cols);
	result_message(ctx->res, "共 %d 件", t->nrows);
}

const struct cmd_entry cmd_find_entry = {
    .name = "find",
    .usage = "<text...> [--exercise] [--limit N]",
    .options = "exercise limit:1-1000",
    .help = "Find incidents, open and closed, newest first, by reference, "
            "title, location, description or note.",
    .min_args = 1,
    .max_args = -1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_find,
    .finish = finish_find,
};
