/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * report: the evaluation report (评估评价) over a period and the shift
 * report (交接班). The database computes every figure
 * (sql/functions/80_reports.sql); this file only chooses the columns and
 * renders them: as a table (text for the desk, JSON with --json), as CSV
 * for spreadsheets (--csv), and the shift as a printable page
 * (--printable). Durations use the same formatting as the drill report.
 */
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd-entries.h"
#include "cityops/core/text.h"

static const struct col_spec period_cols[] = {
    {"grp", "分组", F_TEXT, 16},
    {"raised", "新增", F_NUMBER, 0},
    {"closed", "结案", F_NUMBER, 0},
    {"ack_pct", "受理%", F_NUMBER, 0},
    {"dispatch_pct", "派单%", F_NUMBER, 0},
    {"arrive_pct", "到场%", F_NUMBER, 0},
    {"close_pct", "结案%", F_NUMBER, 0},
    {"ack_median_s", "受理中位", F_DURATION, 0},
    {"ack_p90_s", "受理P90", F_DURATION, 0},
    {"dispatch_median_s", "派单中位", F_DURATION, 0},
    {"dispatch_p90_s", "派单P90", F_DURATION, 0},
    {"arrive_median_s", "到场中位", F_DURATION, 0},
    {"arrive_p90_s", "到场P90", F_DURATION, 0},
    {"close_median_s", "结案中位", F_DURATION, 0},
    {"close_p90_s", "结案P90", F_DURATION, 0},
    {"returns", "退单", F_NUMBER, 0},
    {"return_reasons", "退单原因", F_TEXT, 30},
    {"reopens", "重办", F_NUMBER, 0},
    {"unfounded_pct", "不实%", F_NUMBER, 0},
    {"escalations", "升级", F_NUMBER, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec shift_cols[] = {
    {"section", "类", F_TEXT, 0},        {"at", "时间", F_TIME, 0},
    {"ref", "编号", F_TEXT, 0},          {"priority", "级", F_PRIORITY, 0},
    {"state", "状态", F_TEXT, 0},        {"sla_left_s", "时限", F_SLA, 0},
    {"escalation", "升级", F_NUMBER, 0}, {"units", "单位", F_TEXT, 20},
    {"detail", "内容", F_TEXT, 40},      {NULL, NULL, 0, 0},
};

/* The shift report's sections, in order, with their headings. */
static const struct {
	const char *key, *title;
} sections[] = {
    {"raised", "本班新增事件 incidents raised"},
    {"closed", "本班结案事件 incidents closed"},
    {"open", "未结事件 still open"},
    {"alarm_raised", "新增告警 alarms raised"},
    {"alarm_cleared", "解除告警 alarms cleared"},
    {"alarm_active", "在册告警 alarms active"},
    {"mode", "模式变更 mode changes"},
    {"out_of_service", "停用力量 units out of service"},
    {"note", "交班事项 handover notes"},
    {"handover", "交接记录 handovers"},
};
#define NSECTIONS ((int)(sizeof sections / sizeof sections[0]))

static void
prepare_report(struct cmd_ctx *ctx)
{
	const char *kind = ctx->argv[0];
	const char *from = cmd_opt(ctx, "from"), *to = cmd_opt(ctx, "to");

	if (strcmp(kind, "period") == 0) {
		const char *p[3] = {from, to, cmd_opt(ctx, "by")};
		if (from == NULL || to == NULL) {
			cmd_usage(ctx, "report period needs --from and --to");
			return;
		}
		if (cmd_opt(ctx, "printable") != NULL) {
			cmd_usage(ctx, "--printable is for report shift");
			return;
		}
		cmd_add_query(ctx, Q_REPORT_PERIOD, 3, p);
	} else if (strcmp(kind, "shift") == 0) {
		const char *p[2] = {from, to};
		if (cmd_opt(ctx, "by") != NULL) {
			cmd_usage(ctx, "--by is for report period");
			return;
		}
		cmd_add_query(ctx, Q_REPORT_SHIFT, 2, p);
	} else {
		cmd_usage(ctx, "a report is period or shift");
	}
}

/* One CSV field (RFC 4180): quoted when it holds a comma, quote or line
 * break; a leading = + - @ is prefixed with ' so that a spreadsheet does
 * not run it as a formula. */
static void
csv_field(struct buf *b, const char *v)
{
	char *clean;

	if (v == NULL)
		return;
	clean = text_sanitize_dup(v, strlen(v));
	if (strchr("=+-@", clean[0]) != NULL && clean[0] != '\0' &&
	    !(clean[0] == '-' && clean[1] >= '0' && clean[1] <= '9'))
		buf_adds(b, "'");
	if (strpbrk(clean, ",\"\r\n") == NULL) {
		buf_adds(b, clean);
	} else {
		buf_adds(b, "\"");
		for (const char *c = clean; *c; c++) {
			if (*c == '"')
				buf_adds(b, "\"");
			buf_add(b, c, 1);
		}
		buf_adds(b, "\"");
	}
	free(clean);
}

static char *
csv_of(const struct db_table *t, const struct col_spec *cols)
{
	struct buf b = {0};

	for (int c = 0; cols[c].name != NULL; c++) {
		if (c > 0)
			buf_adds(&b, ",");
		csv_field(&b, cols[c].name);
	}
	for (int i = 0; i < t->nrows; i++) {
		buf_adds(&b, "\n");
		for (int c = 0; cols[c].name != NULL; c++) {
			if (c > 0)
				buf_adds(&b, ",");
			csv_field(&b, db_get(t, i, cols[c].name));
		}
	}
	return b.data ? b.data : xstrdup("");
}

/* How many rows of the shift report are in each section: "新增 3 · …". */
static void
shift_summary(struct cmd_ctx *ctx, const struct db_table *t)
{
	struct buf b = {0};

	for (int s = 0; s < NSECTIONS; s++) {
		int n = 0;
		for (int i = 0; i < t->nrows; i++)
			if (strcmp(db_get(t, i, "section") ?: "",
			           sections[s].key) == 0)
				n++;
		buf_printf(&b, "%s%s %d", s ? " · " : "", sections[s].key, n);
	}
	result_message(ctx->res, "%s", b.data ? b.data : "");
	buf_free(&b);
}

/* The shift as a page to print and sign: a heading per section, one line
 * per item, and the two signatures. */
static char *
shift_page(struct cmd_ctx *ctx, const struct db_table *t)
{
	struct buf b = {0};
	char cell[160];

	buf_printf(&b, "交接班报告 SHIFT HANDOVER REPORT\n范围 scope: %s\n",
	           ctx->s->scope_name ? ctx->s->scope_name : "");
	buf_printf(&b, "值班 officer: %s (%s)\n",
	           ctx->s->display_name ? ctx->s->display_name : "",
	           ctx->s->login ? ctx->s->login : "");
	for (int s = 0; s < NSECTIONS; s++) {
		int n = 0;
		buf_printf(&b, "\n== %s ==\n", sections[s].title);
		for (int i = 0; i < t->nrows; i++) {
			if (strcmp(db_get(t, i, "section") ?: "",
			           sections[s].key) != 0)
				continue;
			buf_printf(&b, "%3d. ", ++n);
			for (int c = 1; shift_cols[c].name != NULL; c++) {
				const char *v =
				    db_get(t, i, shift_cols[c].name);
				if (v == NULL || v[0] == '\0')
					continue;
				result_cell_text(v, shift_cols[c].fmt, cell,
				                 sizeof cell);
				buf_printf(&b, "%s  ", cell);
			}
			buf_adds(&b, "\n");
		}
		if (n == 0)
			buf_adds(&b, "     (无 none)\n");
	}
	buf_adds(&b, "\n交班人 handed over by: ______________    "
	             "接班人 taken over by: ______________\n");
	return b.data;
}

static void
finish_report(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);
	int period = strcmp(ctx->argv[0], "period") == 0;
	const struct col_spec *cols = period ? period_cols : shift_cols;

	if (cmd_opt(ctx, "csv") != NULL) {
		char *csv = csv_of(t, cols);
		result_message(ctx->res, "%s", csv);
		free(csv);
		db_table_free(&t);
		return;
	}
	if (!period && cmd_opt(ctx, "printable") != NULL) {
		char *page = shift_page(ctx, t);
		result_message(ctx->res, "%s", page);
		free(page);
		db_table_free(&t);
		return;
	}
	if (!period)
		shift_summary(ctx, t);
	result_table(ctx->res, period ? "groups" : "items",
	             period ? "评估评价 evaluation" : "交接班 shift", t, cols);
}

const struct cmd_entry cmd_report_entry = {
    .name = "report",
    .aliases = "rep",
    .usage = "period|shift",
    .options = "from: to: by: csv printable",
    .help = "Evaluation over a period (--from --to [--by district|street|"
            "department|category|unit]) or the shift handover report "
            "([--from] [--to]); --csv, --printable.",
    .min_args = 1,
    .max_args = 1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_report,
    .finish = finish_report,
};
