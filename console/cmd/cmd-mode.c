/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* mode and switch: peace time and emergency levels (平战切换). */
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec cols[] = {
    {"mode", "模式", F_MODE, 0},
    {"level", "响应级别", F_TEXT, 0},
    {"kind", "类型", F_TEXT, 0},
    {"reason", "原因", F_TEXT, 0},
    {"set_by", "决定人", F_TEXT, 0},
    {"set_at", "时间", F_TIME, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_mode(struct cmd_ctx *ctx)
{
	cmd_add_query(ctx, Q_MODE, 0, NULL);
}

static void
finish_mode(struct cmd_ctx *ctx)
{
	result_record(ctx->res, "mode", NULL, cmd_take(ctx, 0), cols);
}

static void
prepare_switch(struct cmd_ctx *ctx)
{
	const char *mode = ctx->argv[0];
	int emergency = strcmp(mode, "emergency") == 0;
	int first_reason = emergency ? 3 : 1;
	char *reason;
	const char *p[4];

	if (!emergency && strcmp(mode, "peace") != 0) {
		cmd_usage(ctx, "mode is peace or emergency");
		return;
	}
	if (ctx->argc <= first_reason) {
		cmd_usage(ctx, emergency ? "emergency needs a level, a kind "
		                           "and a reason"
		                         : "a reason is required");
		return;
	}
	reason = cmd_join(ctx, first_reason);
	p[0] = mode;
	p[1] = emergency ? ctx->argv[1] : NULL;
	p[2] = emergency ? ctx->argv[2] : NULL;
	p[3] = reason;
	cmd_add_query(ctx, Q_MODE_SET, 4, p);
	free(reason);
}

static void
finish_switch(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	if (strcmp(ctx->argv[0], "emergency") == 0)
		result_message(ctx->res, "应急响应 %s级（%s）已启动",
		               db_get(t, 0, "level"), ctx->argv[2]);
	else
		result_message(ctx->res, "应急响应结束，恢复平时");
	result_record(ctx->res, "mode", NULL, t, cols);
}

const struct cmd_entry cmd_mode_entry = {
    .name = "mode",
    .usage = "",
    .help = "Show peace time or the emergency level in force.",
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_mode,
    .finish = finish_mode,
};

const struct cmd_entry cmd_switch_entry = {
    .name = "switch",
    .aliases = "mode-set",
    .usage = "peace <reason...> | emergency <I|II|III|IV> <kind> <reason...>",
    .help = "Switch between peace time and an emergency level (平战切换).",
    .min_args = 2,
    .max_args = -1,
    .role = ROLE_supervisor,
    .flags = CMD_DB | CMD_WRITE,
    .prepare = prepare_switch,
    .finish = finish_switch,
};
