/* region: a region and its children, for drilling down city → grid. */
#include "cityops/cmd/cmd-entries.h"

static const struct col_spec region_cols[] = {
    {"breadcrumb", "位置", F_TEXT, 0},
    {"code", "区划代码", F_TEXT, 0},
    {"level", "层级", F_TEXT, 0},
    {"open_incidents", "未结事件", F_NUMBER, 0},
    {"worst_indicator", "最差体征", F_TEXT, 0},
    {"worst_state", "体征状态", F_VITAL, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec child_cols[] = {
    {"code", "代码", F_TEXT, 0},
    {"name", "名称", F_TEXT, 16},
    {"level", "层级", F_TEXT, 0},
    {"open_incidents", "未结", F_NUMBER, 0},
    {"worst_state", "体征", F_VITAL, 0},
    {"worst_indicator", "最差指标", F_TEXT, 24},
    {"worst_value", "值", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_region(struct cmd_ctx *ctx)
{
	const char *p[1] = {ctx->argc > 0 ? ctx->argv[0] : ctx->s->scope_code};

	cmd_add_query(ctx, Q_REGION, 1, p);
	cmd_add_query(ctx, Q_REGION_CHILDREN, 1, p);
}

static void
finish_region(struct cmd_ctx *ctx)
{
	result_record(ctx->res, "region", NULL, cmd_take(ctx, 0), region_cols);
	result_table(ctx->res, "children", "下辖", cmd_take(ctx, 1),
	             child_cols);
}

const struct cmd_entry cmd_region_entry = {
    .name = "region",
    .aliases = "drill cd",
    .usage = "[region]",
    .help = "Show a region (default: your scope) and its children's rollups.",
    .max_args = 1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_region,
    .finish = finish_region,
};
