/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * region: a region and its children, for drilling down city → grid;
 * `region import FILE` loads region extents from GeoJSON (admin, issue 10).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd-entries.h"
#include "cityops/core/names.h"

/* The largest GeoJSON file region import reads. */
#define IMPORT_MAX (16 * 1024 * 1024)

static const struct col_spec import_cols[] = {
    {"code", "代码", F_TEXT, 0},
    {"action", "操作", F_TEXT, 0},
    {"level", "层级", F_LEVEL, 0},
    {"parent_code", "上级", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

/* The whole file, NUL-terminated, or NULL with res failed. */
static char *
read_file(struct cmd_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t n;

	if (f == NULL) {
		result_fail(ctx->res, "file", NULL, "cannot open %s: %s", path,
		            strerror(errno));
		return NULL;
	}
	data = malloc(IMPORT_MAX + 1);
	n = data != NULL ? fread(data, 1, IMPORT_MAX + 1, f) : 0;
	fclose(f);
	if (data == NULL || n > IMPORT_MAX || n == 0 ||
	    memchr(data, '\0', n) != NULL) {
		result_fail(ctx->res, "file", NULL,
		            "%s: empty, binary or over %d MiB", path,
		            IMPORT_MAX / (1024 * 1024));
		free(data);
		return NULL;
	}
	data[n] = '\0';
	return data;
}

/* region import FILE: a write for admins, checked here as cmd_run would. */
static void
prepare_import(struct cmd_ctx *ctx)
{
	char *data;
	const char *p[1];

	if (ctx->argc != 2) {
		cmd_usage(ctx, "region import FILE");
		return;
	}
	if (ctx->s->readonly) {
		result_fail(
		    ctx->res, "readonly", NULL,
		    "read-only console: region import would change data");
		return;
	}
	if (ctx->s->login != NULL && ctx->s->role < ROLE_admin) {
		result_fail(ctx->res, "forbidden", NULL,
		            "region import needs role admin (%s); you are %s",
		            names_role_label(ROLE_admin),
		            names_role_code(ctx->s->role));
		return;
	}
	if ((data = read_file(ctx, ctx->argv[1])) == NULL)
		return;
	p[0] = data;
	cmd_add_query(ctx, Q_REGION_IMPORT, 1, p);
	free(data);
}

static const struct col_spec region_cols[] = {
    {"breadcrumb", "位置", F_TEXT, 0},
    {"code", "区划代码", F_TEXT, 0},
    {"level", "层级", F_LEVEL, 0},
    {"open_incidents", "未结事件", F_NUMBER, 0},
    {"worst_indicator", "最差体征", F_TEXT, 0},
    {"worst_state", "体征状态", F_VITAL, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec child_cols[] = {
    {"code", "代码", F_TEXT, 0},
    {"name", "名称", F_TEXT, 16},
    {"level", "层级", F_LEVEL, 0},
    {"open_incidents", "未结", F_NUMBER, 0},
    {"worst_state", "体征", F_VITAL, 0},
    {"worst_indicator", "最差指标", F_TEXT, 24},
    {"worst_value", "值", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_region(struct cmd_ctx *ctx)
{
	if (ctx->argc > 0 && strcmp(ctx->argv[0], "import") == 0) {
		prepare_import(ctx);
		return;
	}
	if (ctx->argc > 1) {
		cmd_usage(ctx, "region [region] | region import FILE");
		return;
	}
	const char *p[1] = {ctx->argc > 0 ? ctx->argv[0] : ctx->s->scope_code};

	cmd_add_query(ctx, Q_REGION, 1, p);
	cmd_add_query(ctx, Q_REGION_CHILDREN, 1, p);
}

static void
finish_region(struct cmd_ctx *ctx)
{
	if (ctx->argc > 0 && strcmp(ctx->argv[0], "import") == 0) {
		struct db_table *t = cmd_take(ctx, 0);
		result_message(ctx->res, "%d region(s) imported from %s",
		               t != NULL ? t->nrows : 0, ctx->argv[1]);
		result_table(ctx->res, "imported", "导入", t, import_cols);
		return;
	}
	result_record(ctx->res, "region", NULL, cmd_take(ctx, 0), region_cols);
	result_table(ctx->res, "children", "下辖", cmd_take(ctx, 1),
	             child_cols);
}

const struct cmd_entry cmd_region_entry = {
    .name = "region",
    .aliases = "drill cd",
    .usage = "[region] | import FILE",
    .help = "Show a region (default: your scope) and its children's "
            "rollups; import region extents from GeoJSON (admin).",
    .max_args = 2,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_region,
    .finish = finish_region,
};
