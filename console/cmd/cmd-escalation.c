/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * escalation: the automatic escalation policy (自动督办, migration 050).
 *
 *   escalation [POLICY]                                   the steps
 *   escalation set POLICY CATEGORY|* PRIORITY STEP DELAY  admin
 *   escalation remove POLICY CATEGORY|* PRIORITY STEP     admin
 *
 * The database checks the role, the values and the order of the steps,
 * and audits the edit (cityops.escalation_policy_set).
 */
#include <string.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec cols[] = {
    {"policy", "策略", F_TEXT, 0},
    {"category_code", "类别", F_TEXT, 0},
    {"priority", "优先级", F_PRIORITY, 0},
    {"step", "级", F_NUMBER, 0},
    {"after_s", "超时后", F_DURATION, 0},
    {"in_force", "在用", F_YES, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_escalation(struct cmd_ctx *ctx)
{
	const char *p[5];
	int set = ctx->argc > 0 && strcmp(ctx->argv[0], "set") == 0;
	int rm = ctx->argc > 0 && strcmp(ctx->argv[0], "remove") == 0;

	if (!set && !rm) {
		if (ctx->argc > 1) {
			cmd_usage(ctx,
			          "list one policy, or set or remove a step");
			return;
		}
		p[0] = ctx->argc == 1 ? ctx->argv[0] : NULL;
		cmd_add_query(ctx, Q_ESCALATION_LIST, 1, p);
		return;
	}
	if (ctx->argc != (set ? 6 : 5)) {
		cmd_usage(ctx,
		          set ? "set needs POLICY CATEGORY PRIORITY STEP "
		                "DELAY"
		              : "remove needs POLICY CATEGORY PRIORITY STEP");
		return;
	}
	for (int i = 0; i < 4; i++)
		p[i] = ctx->argv[i + 1];
	p[4] = set ? ctx->argv[5] : NULL;
	cmd_add_query(ctx, Q_ESCALATION_SET, 5, p);
}

static void
finish_escalation(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);
	int edit = ctx->argc > 0 && (strcmp(ctx->argv[0], "set") == 0 ||
	                             strcmp(ctx->argv[0], "remove") == 0);

	if (!edit) {
		result_table(ctx->res, "escalation", NULL, t, cols);
		result_message(ctx->res, "共 %d 级", t->nrows);
		return;
	}
	result_message(
	    ctx->res, "督办策略 %s %s P%s 第 %s 级: %s",
	    db_get(t, 0, "policy") ?: "?", db_get(t, 0, "category_code") ?: "?",
	    db_get(t, 0, "priority") ?: "?", db_get(t, 0, "step") ?: "?",
	    db_get(t, 0, "after") ?: "已删除 removed");
	result_record(ctx->res, "escalation", NULL, t, cols);
}

const struct cmd_entry cmd_escalation_entry = {
    .name = "escalation",
    .usage = "[POLICY] | set POLICY CATEGORY|* PRIORITY STEP DELAY | "
             "remove POLICY CATEGORY|* PRIORITY STEP",
    .help = "Automatic escalation steps (自动督办) per category and "
            "priority; admins set them.",
    .min_args = 0,
    .max_args = 6,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_escalation,
    .finish = finish_escalation,
};
