/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * alarms, alarm ack: the active alarms of the operator's scope, worst and
 * unacknowledged first, and acknowledging one by its id or its indicator's
 * key (cityops.alarm_board, cityops.alarm_ack_ref; audited, NOTIFYed).
 */
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec board_cols[] = {
    {"id", "编号", F_NUMBER, 0},
    {"indicator_id", "指标", F_TEXT, 0},
    {"name", "名称", F_TEXT, 20},
    {"region_name", "区域", F_TEXT, 10},
    {"level", "级别", F_VITAL, 0},
    {"value", "读数", F_NUMBER, 0},
    {"uom", "单位", F_TEXT, 0},
    {"raised_at", "发生", F_TIME, 0},
    {"acknowledged_by", "确认人", F_TEXT, 0},
    {"acknowledged_at", "确认时间", F_TIME, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec ack_cols[] = {
    {"id", "编号", F_NUMBER, 0},  {"indicator_id", "指标", F_TEXT, 0},
    {"state", "状态", F_TEXT, 0}, {"acknowledged_by", "确认人", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_alarms(struct cmd_ctx *ctx)
{
	const char *p[2] = {cmd_opt(ctx, "exercise") ? "true" : "false",
	                    cmd_opt(ctx, "limit")};

	cmd_add_query(ctx, Q_ALARM_BOARD, 2, p);
}

static void
finish_alarms(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);
	int unacked = 0;

	for (int i = 0; i < t->nrows; i++) {
		const char *st = db_get(t, i, "state");
		const char *lv = db_get(t, i, "level");
		unacked += st && lv && strcmp(st, "raised") == 0 &&
		           strcmp(lv, "alarm") == 0;
	}
	result_table(ctx->res, "alarms", NULL, t, board_cols);
	result_message(ctx->res, "共 %d 条告警，%d 条告警级未确认", t->nrows,
	               unacked);
}

static void
prepare_alarm(struct cmd_ctx *ctx)
{
	char *note;
	const char *p[2];

	if (strcmp(ctx->argv[0], "ack") != 0) {
		cmd_usage(ctx, "the only alarm action is 'ack'");
		return;
	}
	if (ctx->argc < 2) {
		cmd_usage(ctx, "which alarm? its id or indicator key");
		return;
	}
	note = ctx->argc > 2 ? cmd_join(ctx, 2) : NULL;
	p[0] = ctx->argv[1];
	p[1] = note;
	cmd_add_query(ctx, Q_ALARM_ACK, 2, p);
	free(note);
}

static void
finish_alarm(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	result_message(ctx->res, "告警 %s %s 已由 %s 确认",
	               db_get(t, 0, "id") ?: "?",
	               db_get(t, 0, "indicator_id") ?: "?",
	               db_get(t, 0, "acknowledged_by") ?: "?");
	result_record(ctx->res, "alarm", NULL, t, ack_cols);
}

const struct cmd_entry cmd_alarms_entry = {
    .name = "alarms",
    .usage = "[--exercise] [--limit N]",
    .options = "exercise limit:1-1000",
    .help = "Active alarms in your scope, unacknowledged and worst first.",
    .min_args = 0,
    .max_args = 0,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_alarms,
    .finish = finish_alarms,
};

const struct cmd_entry cmd_alarm_entry = {
    .name = "alarm",
    .usage = "ack <alarm-id|indicator> [note...]",
    .help = "Acknowledge an alarm (确认告警); every console in scope sees it.",
    .min_args = 1,
    .max_args = -1,
    .role = ROLE_officer,
    .flags = CMD_DB | CMD_WRITE,
    .prepare = prepare_alarm,
    .finish = finish_alarm,
};
