/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* whoami: the operator, role and scope of this console. */
#include "cityops/cmd/cmd-entries.h"

static const struct col_spec cols[] = {
    {"login", "登录名", F_TEXT, 0},
    {"display_name", "姓名", F_TEXT, 0},
    {"role", "角色", F_ROLE, 0},
    {"scope_name", "管辖范围", F_TEXT, 0},
    {"scope_code", "区划代码", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_whoami(struct cmd_ctx *ctx)
{
	cmd_add_query(ctx, Q_WHOAMI, 0, NULL);
}

static void
finish_whoami(struct cmd_ctx *ctx)
{
	result_record(ctx->res, "operator", NULL, cmd_take(ctx, 0), cols);
}

const struct cmd_entry cmd_whoami_entry = {
    .name = "whoami",
    .usage = "",
    .help = "Show who you are logged in as, your role and your scope.",
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_whoami,
    .finish = finish_whoami,
};
