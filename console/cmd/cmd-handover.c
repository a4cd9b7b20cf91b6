/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The shift handover (交接班): handover <to-login> [note] records that the
 * outgoing officer handed over, handover accept that the incoming one took
 * it, handover alone shows the last one; note --handover marks a note for
 * the next shift. The database audits each and tells every console
 * (sql/functions/80_reports.sql).
 */
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd-entries.h"
#include "cityops/core/names.h"

static const struct col_spec handover_cols[] = {
    {"id", "编号", F_NUMBER, 0},
    {"at", "时间", F_TIME, 0},
    {"from_login", "交班", F_TEXT, 0},
    {"from_name", "交班人", F_TEXT, 0},
    {"to_login", "接班", F_TEXT, 0},
    {"to_name", "接班人", F_TEXT, 0},
    {"note", "交代", F_TEXT, 0},
    {"accepted_at", "接班时间", F_TIME, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec note_cols[] = {
    {"ref", "编号", F_TEXT, 0},
    {"note", "交班事项", F_TEXT, 0},
    {NULL, NULL, 0, 0},
};

static const struct col_spec act_cols[] = {
    {"ref", "编号", F_TEXT, 0},
    {"to_state", "状态", F_STATE, 0},
    {NULL, NULL, 0, 0},
};

/* Giving and accepting write: refused on a read-only console and below
 * the officer role, as cmd.c refuses a write entry; showing the last
 * handover is a read any role may run (row-level security decides which
 * handovers it sees). Returns 0 when the write may go ahead. */
static int
may_write(struct cmd_ctx *ctx)
{
	struct session *s = ctx->s;

	if (s->readonly) {
		result_fail(ctx->res, "readonly", NULL,
		            "read-only console: handover %s would change data",
		            ctx->argv[0]);
		return -1;
	}
	if (s->login != NULL && s->role < ROLE_officer) {
		result_fail(ctx->res, "forbidden", NULL,
		            "handover %s needs role %s (%s); you are %s (%s)",
		            strcmp(ctx->argv[0], "accept") == 0 ? "accept"
		                                                : "<to-login>",
		            names_role_code(ROLE_officer),
		            names_role_label(ROLE_officer),
		            names_role_code(s->role),
		            names_role_label(s->role));
		return -1;
	}
	return 0;
}

static void
prepare_handover(struct cmd_ctx *ctx)
{
	if (ctx->argc > 0 && may_write(ctx) != 0)
		return;
	if (ctx->argc == 0) {
		cmd_add_query(ctx, Q_HANDOVER_LAST, 0, NULL);
	} else if (strcmp(ctx->argv[0], "accept") == 0) {
		if (ctx->argc > 1) {
			cmd_usage(ctx, "handover accept takes nothing more");
			return;
		}
		cmd_add_query(ctx, Q_HANDOVER_ACCEPT, 0, NULL);
	} else {
		char *note = ctx->argc > 1 ? cmd_join(ctx, 1) : NULL;
		const char *p[2] = {ctx->argv[0], note};
		cmd_add_query(ctx, Q_HANDOVER_GIVE, 2, p);
		free(note);
	}
}

static void
finish_handover(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	if (ctx->argc == 0 && t->nrows == 0)
		result_message(ctx->res, "还没有交接班 no handover yet");
	else if (ctx->argc > 0 && strcmp(ctx->argv[0], "accept") == 0)
		result_message(ctx->res, "已接班 accepted the handover from %s",
		               db_get(t, 0, "from_login"));
	else if (ctx->argc > 0)
		result_message(ctx->res, "已交班 handed over to %s",
		               db_get(t, 0, "to_login"));
	result_record(ctx->res, "handover", NULL, t, handover_cols);
}

/* Not a write entry: only giving and accepting write (may_write). */
const struct cmd_entry cmd_handover_entry = {
    .name = "handover",
    .aliases = "jjb",
    .usage = "[<to-login> [note...] | accept]",
    .help = "Hand the shift over to another officer, accept a handover "
            "given to you, or (alone) show the last one (交接班).",
    .min_args = 0,
    .max_args = -1,
    .role = ROLE_viewer,
    .flags = CMD_DB,
    .prepare = prepare_handover,
    .finish = finish_handover,
};

static void
prepare_note(struct cmd_ctx *ctx)
{
	char *text = cmd_join(ctx, 1);

	if (cmd_opt(ctx, "handover") != NULL) {
		const char *p[2] = {
		    strcmp(ctx->argv[0], "-") == 0 ? NULL : ctx->argv[0], text};
		cmd_add_query(ctx, Q_HANDOVER_NOTE, 2, p);
	} else {
		const char *p[4] = {ctx->argv[0], "note", text, NULL};
		cmd_add_query(ctx, Q_ACT, 4, p);
	}
	free(text);
}

static void
finish_note(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);

	if (cmd_opt(ctx, "handover") != NULL) {
		result_message(ctx->res,
		               "交班事项已记 noted for the next shift");
		result_record(ctx->res, "note", NULL, t, note_cols);
	} else {
		result_message(ctx->res, "%s: note", db_get(t, 0, "ref"));
		result_record(ctx->res, "transition", NULL, t, act_cols);
	}
}

const struct cmd_entry cmd_note_entry = {
    .name = "note",
    .aliases = "n",
    .usage = "<incident> <text...>",
    .options = "handover",
    .help = "Add a note to the incident's timeline; --handover also marks "
            "it for the next shift (incident - for a note on no incident).",
    .min_args = 2,
    .max_args = -1,
    .role = ROLE_officer,
    .flags = CMD_DB | CMD_WRITE,
    .prepare = prepare_note,
    .finish = finish_note,
};
