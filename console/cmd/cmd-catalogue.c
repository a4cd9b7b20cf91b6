/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The catalogue an admin manages by command (issue 10): indicators
 * (`indicator add|set|retire`), the feed mapping (`feed map add|list|
 * remove`), what ingest could not map (`feed unmapped`), and regions from
 * GeoJSON (`region import FILE`, in cmd-region.c). Every write is a SQL
 * function with its own role check, audit row and NOTIFY
 * (sql/functions/55_catalogue.sql); the role here only spares a round trip.
 */
#include <string.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec indicator_cols[] = {
    {"id", "指标", F_TEXT, 0},
    {"name", "名称", F_TEXT, 0},
    {"unit_code", "单位代码", F_TEXT, 0},
    {"uom", "单位", F_TEXT, 0},
    {"region_code", "区划", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec set_cols[] = {
    {"id", "指标", F_TEXT, 0},
    {"field", "字段", F_TEXT, 0},
    {"value", "值", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec retire_cols[] = {
    {"id", "指标", F_TEXT, 0},
    {"retired_at", "停用时间", F_TIME, 0},
    {"mappings", "删除映射", F_NUMBER, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec rollup_cols[] = {
    {"indicator_id", "指标", F_TEXT, 0}, {"fn", "函数", F_TEXT, 0},
    {"arg", "参数", F_TEXT, 0},          {"window_s", "窗口秒", F_NUMBER, 0},
    {"members", "传感器", F_NUMBER, 0},  {NULL, NULL, 0, 0},
};

static const struct col_spec map_cols[] = {
    {"entity_type", "实体类型", F_TEXT, 0},
    {"entity_id", "实体/模式", F_TEXT, 40},
    {"attribute", "属性", F_TEXT, 0},
    {"indicator_id", "指标", F_TEXT, 0},
    {"indicator_unit", "指标单位", F_TEXT, 0},
    {"source_unit", "来源单位", F_TEXT, 0},
    {"unit_code", "单位", F_TEXT, 0},
    {"retired", "已停用", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec unmapped_cols[] = {
    {"entity_type", "实体类型", F_TEXT, 0},
    {"entity_id", "实体", F_TEXT, 40},
    {"attribute", "属性", F_TEXT, 0},
    {"unit_code", "单位", F_TEXT, 0},
    {"seen", "次数", F_NUMBER, 0},
    {"last_seen", "最近", F_TIME, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec conflict_cols[] = {
    {"indicator_id", "指标", F_TEXT, 0}, {"name", "名称", F_TEXT, 24},
    {"at", "观测时间", F_TIME, 0},       {"value", "冲突值", F_NUMBER, 0},
    {"kept", "保留值", F_NUMBER, 0},     {"seen", "次数", F_NUMBER, 0},
    {"last_seen", "最近", F_TIME, 0},    {NULL, NULL, 0, 0},
};

/* The value of --name, or dflt. */
static const char *
opt_or(const struct cmd_ctx *ctx, const char *name, const char *dflt)
{
	const char *v = cmd_opt(ctx, name);

	return v != NULL && *v != '\0' ? v : dflt;
}

/*
 * indicator add KEY NAME --category C --unit CODE --region R --side
 * high|low --warn W --alarm A [--hysteresis H] [--stale S] [--dept D]
 */
static void
indicator_add(struct cmd_ctx *ctx)
{
	const char *p[11];

	if (ctx->argc < 3) {
		cmd_usage(ctx, "indicator add needs a key and a name");
		return;
	}
	p[0] = ctx->argv[1];
	p[1] = ctx->argv[2];
	p[2] = cmd_opt(ctx, "category");
	p[3] = cmd_opt(ctx, "unit");
	p[4] = cmd_opt(ctx, "region");
	p[5] = opt_or(ctx, "side", "high");
	p[6] = cmd_opt(ctx, "warn");
	p[7] = cmd_opt(ctx, "alarm");
	p[8] = opt_or(ctx, "hysteresis", "0");
	p[9] = opt_or(ctx, "stale", "900");
	p[10] = cmd_opt(ctx, "dept");
	if (p[2] == NULL || p[3] == NULL || p[4] == NULL || p[6] == NULL ||
	    p[7] == NULL) {
		cmd_usage(ctx, "indicator add needs --category, --unit, "
		               "--region, --warn and --alarm");
		return;
	}
	cmd_add_query(ctx, Q_INDICATOR_ADD, 11, p);
}

/*
 * indicator rollup KEY FN [ARG] --window S [--region R] [--kind K]
 * [--group G] [--sensor ID]: the indicator is made by ingest out of the
 * sensors matching every selector (docs/scale.md "Sensors and rollups").
 */
static void
indicator_rollup(struct cmd_ctx *ctx)
{
	const char *p[8];

	if (ctx->argc < 3 || cmd_opt(ctx, "window") == NULL) {
		cmd_usage(ctx, "indicator rollup KEY FN [ARG] --window S "
		               "[--region R] [--kind K] [--group G] "
		               "[--sensor ID]");
		return;
	}
	p[0] = ctx->argv[1];
	p[1] = ctx->argv[2];
	p[2] = ctx->argc > 3 ? ctx->argv[3] : NULL;
	p[3] = cmd_opt(ctx, "window");
	p[4] = cmd_opt(ctx, "region");
	p[5] = cmd_opt(ctx, "kind");
	p[6] = cmd_opt(ctx, "group");
	p[7] = cmd_opt(ctx, "sensor");
	cmd_add_query(ctx, Q_ROLLUP_DEFINE, 8, p);
}

static void
prepare_indicator(struct cmd_ctx *ctx)
{
	const char *sub = ctx->argv[0];

	if (strcmp(sub, "add") == 0) {
		indicator_add(ctx);
	} else if (strcmp(sub, "set") == 0) {
		const char *p[3];

		if (ctx->argc != 4) {
			cmd_usage(ctx, "indicator set KEY FIELD VALUE");
			return;
		}
		p[0] = ctx->argv[1];
		p[1] = ctx->argv[2];
		p[2] = ctx->argv[3];
		cmd_add_query(ctx, Q_INDICATOR_SET, 3, p);
	} else if (strcmp(sub, "rollup") == 0) {
		indicator_rollup(ctx);
	} else if (strcmp(sub, "retire") == 0) {
		const char *p[1];

		if (ctx->argc != 2) {
			cmd_usage(ctx, "indicator retire KEY");
			return;
		}
		p[0] = ctx->argv[1];
		cmd_add_query(ctx, Q_INDICATOR_RETIRE, 1, p);
	} else {
		cmd_usage(ctx, "add, set or retire");
	}
}

static void
finish_indicator(struct cmd_ctx *ctx)
{
	const char *sub = ctx->argv[0];
	struct db_table *t = cmd_take(ctx, 0);

	if (strcmp(sub, "add") == 0) {
		result_message(ctx->res, "indicator %s added", ctx->argv[1]);
		result_record(ctx->res, "indicator", NULL, t, indicator_cols);
	} else if (strcmp(sub, "rollup") == 0) {
		result_message(ctx->res,
		               "indicator %s: rollup defined (a running "
		               "ingest reloads it)",
		               ctx->argv[1]);
		result_record(ctx->res, "rollup", NULL, t, rollup_cols);
	} else if (strcmp(sub, "set") == 0) {
		result_message(ctx->res, "indicator %s: %s set", ctx->argv[1],
		               ctx->argv[2]);
		result_record(ctx->res, "indicator", NULL, t, set_cols);
	} else {
		result_message(ctx->res, "indicator %s retired", ctx->argv[1]);
		result_record(ctx->res, "indicator", NULL, t, retire_cols);
	}
}

const struct cmd_entry cmd_indicator_entry = {
    .name = "indicator",
    .usage = "add KEY NAME --category C --unit CODE --region R --warn W "
             "--alarm A [--side high|low] [--hysteresis H] [--stale S] "
             "[--dept D] | set KEY FIELD VALUE | retire KEY | rollup KEY "
             "FN [ARG] --window S [--region R] [--kind K] [--group G] "
             "[--sensor ID]",
    .options = "category: unit: region: side: warn: alarm: hysteresis: "
               "stale: dept: window: kind: group: sensor:",
    .help = "Add, change or retire an indicator, or define the rollup of "
            "sensors that makes it (admin).",
    .min_args = 1,
    .max_args = 4,
    .role = ROLE_admin,
    .flags = CMD_DB | CMD_WRITE,
    .prepare = prepare_indicator,
    .finish = finish_indicator,
};

/* feed map add TYPE ID|PATTERN|* ATTR INDICATOR [UNIT] */
static void
prepare_feed(struct cmd_ctx *ctx)
{
	const char *sub = ctx->argv[0];
	const char *what = ctx->argc > 1 ? ctx->argv[1] : "";

	if (strcmp(sub, "unmapped") == 0 && ctx->argc == 1) {
		cmd_add_query(ctx, Q_FEED_UNMAPPED, 0, NULL);
		return;
	}
	if (strcmp(sub, "conflicts") == 0 && ctx->argc <= 2) {
		const char *p[1] = {ctx->argc == 2 ? ctx->argv[1] : NULL};
		cmd_add_query(ctx, Q_FEED_CONFLICTS, 1, p);
		return;
	}
	if (strcmp(sub, "map") != 0) {
		cmd_usage(ctx, "map add|list|remove, unmapped or conflicts");
		return;
	}
	if (strcmp(what, "add") == 0 && (ctx->argc == 6 || ctx->argc == 7)) {
		const char *p[5] = {ctx->argv[2], ctx->argv[3], ctx->argv[4],
		                    ctx->argv[5],
		                    ctx->argc == 7 ? ctx->argv[6] : NULL};
		cmd_add_query(ctx, Q_FEED_MAP_ADD, 5, p);
	} else if (strcmp(what, "remove") == 0 && ctx->argc == 5) {
		const char *p[3] = {ctx->argv[2], ctx->argv[3], ctx->argv[4]};
		cmd_add_query(ctx, Q_FEED_MAP_REMOVE, 3, p);
	} else if (strcmp(what, "list") == 0 && ctx->argc <= 3) {
		const char *p[1] = {ctx->argc == 3 ? ctx->argv[2] : NULL};
		cmd_add_query(ctx, Q_FEED_MAP_LIST, 1, p);
	} else {
		cmd_usage(ctx, "feed map add TYPE ID ATTR INDICATOR [UNIT] | "
		               "list [TYPE] | remove TYPE ID ATTR");
	}
}

static void
finish_feed(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);
	const char *what = ctx->argc > 1 ? ctx->argv[1] : "";

	if (strcmp(ctx->argv[0], "unmapped") == 0) {
		result_table(ctx->res, "unmapped", "未映射", t, unmapped_cols);
	} else if (strcmp(ctx->argv[0], "conflicts") == 0) {
		result_table(ctx->res, "conflicts", "读数冲突", t,
		             conflict_cols);
	} else if (strcmp(what, "list") == 0) {
		result_table(ctx->res, "mappings", "映射", t, map_cols);
	} else {
		result_message(ctx->res, "mapping %s: %s %s %s",
		               strcmp(what, "add") == 0 ? "added" : "removed",
		               ctx->argv[2], ctx->argv[3], ctx->argv[4]);
		result_record(ctx->res, "mapping", NULL, t, map_cols);
	}
}

/* `feed map list`, `feed unmapped` and `feed conflicts` only read: a
 * read-only console runs them. */
static int
feed_writes(const struct cmd_ctx *ctx)
{
	return !(strcmp(ctx->argv[0], "unmapped") == 0 ||
	         strcmp(ctx->argv[0], "conflicts") == 0 ||
	         (strcmp(ctx->argv[0], "map") == 0 && ctx->argc > 1 &&
	          strcmp(ctx->argv[1], "list") == 0));
}

const struct cmd_entry cmd_feed_entry = {
    .name = "feed",
    .usage = "map add TYPE ID|PATTERN|* ATTR INDICATOR [UNIT] | map list "
             "[TYPE] | map remove TYPE ID ATTR | unmapped | conflicts "
             "[INDICATOR]",
    .help = "Map feed entity attributes to indicators; list what ingest "
            "could not map, and readings whose sources disagree (admin).",
    .min_args = 1,
    .max_args = 7,
    .role = ROLE_admin,
    .flags = CMD_DB | CMD_WRITE,
    .prepare = prepare_feed,
    .finish = finish_feed,
    .writes = feed_writes,
};
