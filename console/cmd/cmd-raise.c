/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* raise: an officer raises an incident by hand. */
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec cols[] = {
    {"ref", "编号", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static void
prepare_raise(struct cmd_ctx *ctx)
{
	const char *source = cmd_opt(ctx, "source");
	char *title = cmd_join(ctx, 3);
	const char *p[9] = {
	    ctx->argv[0],
	    ctx->argv[1],
	    ctx->argv[2],
	    title,
	    cmd_opt(ctx, "location"),
	    cmd_opt(ctx, "desc"),
	    source ? source : "officer",
	    cmd_opt(ctx, "dedup"),
	    cmd_opt(ctx, "exercise") ? "true" : "false",
	};

	cmd_add_query(ctx, Q_RAISE, 9, p);
	free(title);
}

static void
finish_raise(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	if (strcmp(db_get(t, 0, "merged") ?: "f", "t") == 0)
		result_message(ctx->res, "merged into %s (same dedup key)",
		               db_get(t, 0, "ref"));
	else
		result_message(ctx->res, "raised %s", db_get(t, 0, "ref"));
	result_record(ctx->res, "incident", NULL, t, cols);
}

const struct cmd_entry cmd_raise_entry = {
    .name = "raise",
    .aliases = "new r",
    .usage = "<category> <priority 1-4> <region> <title...>",
    .options = "location: desc: source: dedup: exercise",
    .int_args = "2:1-4",
    .help = "Raise an incident (source officer unless --source says).",
    .min_args = 4,
    .max_args = -1,
    .role = ROLE_officer,
    .flags = CMD_DB | CMD_WRITE,
    .prepare = prepare_raise,
    .finish = finish_raise,
};
