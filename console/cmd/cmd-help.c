/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* help [command]: lists every command, or one in full. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd-entries.h"

static void
help_one(struct cmd_ctx *ctx, const struct cmd_entry *e)
{
	struct buf b = {0};

	buf_printf(&b, "%s %s\n  %s\n", e->name, e->usage, e->help);
	if (e->aliases != NULL)
		buf_printf(&b, "  aliases: %s\n", e->aliases);
	if (e->options != NULL && *e->options != '\0')
		buf_printf(&b, "  options: %s\n", e->options);
	buf_printf(&b, "  needs: %s (%s)%s", names_role_code(e->role),
	           names_role_label(e->role),
	           (e->flags & CMD_WRITE) ? ", changes data" : ", read-only");
	result_message(ctx->res, "%s", b.data);
	buf_free(&b);
}

static void
exec_help(struct cmd_ctx *ctx)
{
	struct buf b = {0};

	if (ctx->argc == 1) {
		const struct cmd_entry *e = cmd_find(ctx->argv[0]);
		if (e == NULL) {
			const char *near = cmd_suggest(ctx->argv[0]);
			char *hint =
			    near ? xasprintf("did you mean '%s'?", near) : NULL;
			result_fail(ctx->res, "unknown_command", hint,
			            "unknown command '%s'", ctx->argv[0]);
			free(hint);
			return;
		}
		help_one(ctx, e);
		return;
	}
	for (int i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];
		char head[96];
		snprintf(head, sizeof head, "%s %s", e->name, e->usage);
		buf_printf(&b, "%-38s %s\n", head, e->help);
	}
	buf_adds(&b, "Incidents are named by id or reference (261121-0007); "
	             "'help COMMAND' for aliases and options.");
	result_message(ctx->res, "%s", b.data);
	buf_free(&b);
}

const struct cmd_entry cmd_help_entry = {
    .name = "help",
    .aliases = "h ?",
    .usage = "[command]",
    .help = "List the commands, or explain one.",
    .max_args = 1,
    .role = ROLE_viewer,
    .prepare = exec_help,
};
