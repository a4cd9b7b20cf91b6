/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* show: one incident with its timeline and assigned units. */
#include "cityops/cmd/cmd-entries.h"

static const struct col_spec incident_cols[] = {
    {"ref", "编号", F_TEXT, 0},
    {"title", "标题", F_TEXT, 0},
    {"priority", "优先级", F_PRIORITY, 0},
    {"category_name", "类别", F_TEXT, 0},
    {"state", "状态", F_STATE, 0},
    {"escalation", "升级", F_NUMBER, 0},
    {"source", "来源", F_SOURCE, 0},
    {"breadcrumb", "区域", F_TEXT, 0},
    {"location", "地点", F_TEXT, 0},
    {"description", "描述", F_TEXT, 0},
    {"created_at", "发现时间", F_TIME, 0},
    {"created_by", "上报人", F_TEXT, 0},
    {"sla_stage", "时限环节", F_ACTION, 0},
    {"sla_due", "时限截止", F_TIME, 0},
    {"sla_left_s", "剩余", F_SLA, 0},
    {"exercise", "演练", F_EXERCISE, 0},
    {"allowed", "可执行", F_ACTION, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec timeline_cols[] = {
    {"at", "时间", F_TIME, 0},          {"actor", "操作员", F_TEXT, 14},
    {"action", "动作", F_ACTION, 0},    {"from_state", "原状态", F_STATE, 0},
    {"to_state", "新状态", F_STATE, 0}, {"unit", "单位", F_TEXT, 0},
    {"note", "说明", F_NOTE, 40},       {NULL, NULL, 0, 0},
};

static const struct col_spec unit_cols[] = {
    {"callsign", "呼号", F_TEXT, 0},
    {"name", "名称", F_TEXT, 20},
    {"kind", "类型", F_TEXT, 0},
    {"status", "状态", F_UNIT, 0},
    {"assigned_at", "派遣", F_TIME, 0},
    {"released_at", "释放", F_TIME, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_show(struct cmd_ctx *ctx)
{
	const char *p[1] = {ctx->argv[0]};

	cmd_add_query(ctx, Q_INCIDENT, 1, p);
	cmd_add_query(ctx, Q_TIMELINE, 1, p);
	cmd_add_query(ctx, Q_INCIDENT_UNITS, 1, p);
}

static void
finish_show(struct cmd_ctx *ctx)
{
	if (ctx->tables[0]->nrows == 0) {
		result_fail(ctx->res, "not_found", NULL, "no incident %s",
		            ctx->argv[0]);
		return;
	}
	result_record(ctx->res, "incident", NULL, cmd_take(ctx, 0),
	              incident_cols);
	result_table(ctx->res, "timeline", "处置时间线", cmd_take(ctx, 1),
	             timeline_cols);
	result_table(ctx->res, "units", "处置单位", cmd_take(ctx, 2),
	             unit_cols);
}

const struct cmd_entry cmd_show_entry = {
    .name = "show",
    .aliases = "s inc",
    .usage = "<incident>",
    .help = "Show an incident: details, SLA, timeline, units, next actions.",
    .min_args = 1,
    .max_args = 1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_show,
    .finish = finish_show,
};
