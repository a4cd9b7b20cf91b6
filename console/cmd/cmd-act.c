/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The incident loop: ack, dispatch, accept, return, arrive, resolve, verify,
 * close, reopen, unfounded, cancel, escalate (note: cmd-handover.c). Each is an
 * entry whose datum is the action; they share one prepare and one finish, and
 * the database (cityops.incident_act) checks role, scope and transition.
 */
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd-entries.h"

static const struct col_spec cols[] = {
    {"ref", "编号", F_TEXT, 0},
    {"from_state", "原状态", F_STATE, 0},
    {"to_state", "新状态", F_STATE, 0},
    {NULL, NULL, 0, 0},
};

/* Builds a PostgreSQL array literal of unit call signs, quoted. */
static char *
units_literal(char *const *units, int n)
{
	struct buf b = {0};

	buf_add(&b, "{", 1);
	for (int i = 0; i < n; i++) {
		if (i > 0)
			buf_add(&b, ",", 1);
		buf_add(&b, "\"", 1);
		for (const char *c = units[i]; *c != '\0'; c++) {
			if (*c == '"' || *c == '\\')
				buf_add(&b, "\\", 1);
			buf_add(&b, c, 1);
		}
		buf_add(&b, "\"", 1);
	}
	buf_add(&b, "}", 1);
	return b.data;
}

static void
act(struct cmd_ctx *ctx, const char *note, const char *units)
{
	const char *p[4] = {ctx->argv[0], ctx->entry->data, note, units};

	cmd_add_query(ctx, Q_ACT, 4, p);
}

static void
prepare_act(struct cmd_ctx *ctx)
{
	const char *unit = cmd_opt(ctx, "unit");
	char *note = ctx->argc > 1 ? cmd_join(ctx, 1) : NULL;
	char *units = unit ? units_literal((char *const *)&unit, 1) : NULL;

	act(ctx, note, units);
	free(note);
	free(units);
}

static void
prepare_dispatch(struct cmd_ctx *ctx)
{
	char *units = units_literal(ctx->argv + 1, ctx->argc - 1);

	act(ctx, cmd_opt(ctx, "note"), units);
	free(units);
}

static void
finish_act(struct cmd_ctx *ctx)
{
	struct db_table *t = cmd_take(ctx, 0);
	const char *from = db_get(t, 0, "from_state");
	const char *to = db_get(t, 0, "to_state");

	if (from != NULL && to != NULL && strcmp(from, to) != 0)
		result_message(ctx->res, "%s: %s → %s", db_get(t, 0, "ref"),
		               names_incident_state(from),
		               names_incident_state(to));
	else
		result_message(ctx->res, "%s: %s (%s)", db_get(t, 0, "ref"),
		               ctx->entry->name, names_incident_state(to));
	result_record(ctx->res, "transition", NULL, t, cols);
}

/* An action on one incident, with an optional note or a required reason. */
#define ACT(id, alias, args, min, role_, text)                                 \
	const struct cmd_entry cmd_##id##_entry = {                            \
	    .name = #id,                                                       \
	    .aliases = alias,                                                  \
	    .usage = args,                                                     \
	    .options = "unit:",                                                \
	    .help = text,                                                      \
	    .min_args = min,                                                   \
	    .max_args = -1,                                                    \
	    .role = role_,                                                     \
	    .flags = CMD_DB | CMD_WRITE,                                       \
	    .prepare = prepare_act,                                            \
	    .finish = finish_act,                                              \
	    .data = #id,                                                       \
	}

ACT(ack, "a", "<incident> [note...]", 1, ROLE_officer,
    "Acknowledge a new incident (确认).");
ACT(accept, "acc", "<incident> [note...]", 1, ROLE_officer,
    "Record that the dispatched units accepted the order (签收).");
ACT(return, "ret", "<incident> <reason...>", 2, ROLE_officer,
          "Return a dispatched order with a reason (退单); units are "
          "released.");
ACT(arrive, "onscene", "<incident> [note...]", 1, ROLE_officer,
    "Record arrival on scene (处置).");
ACT(resolve, "res done", "<incident> [note...]", 1, ROLE_officer,
    "Record the incident handled (办结); units are released.");
ACT(verify, "ver", "<incident> [note...]", 1, ROLE_supervisor,
    "Verify a resolved incident (核查).");
ACT(close, "cl", "<incident> [note...]", 1, ROLE_supervisor,
    "Close a verified incident (结案).");
ACT(reopen, NULL, "<incident> <reason...>", 2, ROLE_supervisor,
    "Reopen a resolved, verified or closed incident.");
ACT(unfounded, "unf", "<incident> <reason...>", 2, ROLE_officer,
    "Mark a new or acknowledged incident unfounded (不属实).");
ACT(cancel, NULL, "<incident> <reason...>", 2, ROLE_supervisor,
    "Cancel an open incident; units are released.");
ACT(escalate, "esc", "<incident> [reason...]", 1, ROLE_officer,
    "Raise the escalation level (督办), at most 3.");
/* note is in cmd-handover.c: it also marks notes for the next shift. */

const struct cmd_entry cmd_dispatch_entry = {
    .name = "dispatch",
    .aliases = "d send",
    .usage = "<incident> <unit>...",
    .options = "note:",
    .help = "Dispatch one or more units (派单); see 'recommend'.",
    .min_args = 2,
    .max_args = -1,
    .role = ROLE_supervisor,
    .flags = CMD_DB | CMD_WRITE,
    .prepare = prepare_dispatch,
    .finish = finish_act,
    .data = "dispatch",
};
