/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Keys on the selection (issue 14): on the selected incident (queue pane
 * or incident view) the loop's actions the operator's role allows from its
 * state — forward moves at once, a reason in the prompt (prefilled), a y/n
 * before ending it, the unit picker for dispatch; on a unit its status, on
 * an indicator an incident raised from it, and the alarm board. What is
 * allowed is the desk's (desk-actions.c); this file only asks and runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/desk/desk-actions.h"
#include "tui-internal.h"

static const struct {
	enum config_action a;
	const char *action;
} act_names[] = {
    {ACTION_ACT_ACK, "ack"},
    {ACTION_ACT_DISPATCH, "dispatch"},
    {ACTION_ACT_ACCEPT, "accept"},
    {ACTION_ACT_ARRIVE, "arrive"},
    {ACTION_ACT_RESOLVE, "resolve"},
    {ACTION_ACT_VERIFY, "verify"},
    {ACTION_ACT_CLOSE, "close"},
    {ACTION_ACT_NOTE, "note"},
    {ACTION_ACT_ESCALATE, "escalate"},
    {ACTION_ACT_RETURN, "return"},
    {ACTION_ACT_UNFOUNDED, "unfounded"},
    {ACTION_ACT_CANCEL, "cancel"},
    {ACTION_ACT_REOPEN, "reopen"},
};

/* The incident the keys act on: the incident view's, else the queue's
 * selected row when the queue has the focus. */
static const struct desk_incident *
selected_incident(struct tui *t)
{
	struct tui_pane *p = &t->panes[P_QUEUE];

	if (t->view != NULL)
		return t->view->ops == &view_incident && t->view->arg
		           ? desk_find_incident(t->d, t->view->arg)
		           : NULL;
	if (t->focus != P_QUEUE || p->sel >= p->nindex)
		return NULL;
	return &t->d->queue[pane_data_row(p, p->sel)];
}

static const char *
action_of(enum config_action a)
{
	for (size_t i = 0; i < sizeof act_names / sizeof act_names[0]; i++)
		if (act_names[i].a == a)
			return act_names[i].action;
	return NULL;
}

static enum config_action
key_of(const char *action)
{
	for (size_t i = 0; i < sizeof act_names / sizeof act_names[0]; i++)
		if (strcmp(act_names[i].action, action) == 0)
			return act_names[i].a;
	return ACTION_NONE;
}

/* A key's command: its first line on the message line, never a view. */
static void
key_done(struct tui *t, void *arg, const struct result *r)
{
	struct buf out = {0};
	char *nl;

	(void)arg;
	if (r->failed) {
		tui_message(t, SLOT_MSG_ERROR, "✗ %s%s%s",
		            r->error ? r->error : "failed",
		            r->hint ? " — " : "", r->hint ? r->hint : "");
		tui_event(t, DESK_SEV_ERROR, "✗ %s",
		          r->error ? r->error : "failed");
		return;
	}
	result_render_text(r, &out);
	nl = out.data ? strchr(out.data, '\n') : NULL;
	if (nl != NULL)
		*nl = '\0';
	tui_message(t, SLOT_MSG_OK, "» %s", out.data ? out.data : "ok");
	buf_free(&out);
}

void
actions_run_line(struct tui *t, const char *line)
{
	tui_run_line_then(t, line, key_done, NULL);
}

static void
act_on_incident(struct tui *t, const char *action)
{
	const struct desk_incident *inc = selected_incident(t);
	const struct desk_rule *r;
	char line[160];

	if (inc == NULL || inc->ref == NULL) {
		tui_message(t, SLOT_MSG_ERROR,
		            "没有选中事件: 先在事件队列中选一件");
		return;
	}
	r = desk_rule_for(t->d, inc, action);
	if (r == NULL) {
		char hint[200];
		if (!actions_hint(t, hint, sizeof hint))
			hint[0] = '\0';
		tui_message(t, SLOT_MSG_ERROR, "%s %s: 不可 %s · %s", inc->ref,
		            names_incident_state(inc->state),
		            names_action(action), hint);
		return;
	}
	snprintf(line, sizeof line, "%s %s", action, inc->ref);
	switch (desk_rule_how(r)) {
	case DESK_HOW_NOW:
		actions_run_line(t, line);
		break;
	case DESK_HOW_REASON:
		/* The command and ref typed; the reason is the officer's. */
		strncat(line, " ", sizeof line - strlen(line) - 1);
		prompt_open(t, MODE_PROMPT, line);
		t->prompt_for_key = 1;
		tui_message(t, SLOT_DIM,
		            "%s %s: 请输入%s (Enter 执行, Esc 取消)",
		            r->label ? r->label : action, inc->ref,
		            strcmp(action, "note") == 0 ? "备注" : "理由");
		break;
	case DESK_HOW_CONFIRM:
		free(t->confirm_line);
		t->confirm_line = strdup(line);
		t->mode = MODE_CONFIRM;
		tui_message(t, SLOT_ALERT_CRIT, "%s %s? (y/n)",
		            r->label ? r->label : action, inc->ref);
		break;
	case DESK_HOW_PICKER:
		picker_open(t, inc->ref);
		break;
	}
}

void
actions_confirm_key(struct tui *t, int key)
{
	char *line = t->confirm_line;

	t->confirm_line = NULL;
	t->mode = MODE_NORMAL;
	if (line != NULL && (key == 'y' || key == 'Y'))
		actions_run_line(t, line);
	else
		tui_message(t, SLOT_DIM, "已取消");
	free(line);
	tui_mark(t, TUI_DIRTY_MSG | TUI_DIRTY_PROMPT);
}

static void
unit_status(struct tui *t)
{
	struct tui_pane *p = &t->panes[P_UNITS];
	char line[160];

	if (t->view != NULL || t->focus != P_UNITS || p->sel >= p->nindex) {
		tui_message(t, SLOT_MSG_ERROR, "没有选中单位");
		return;
	}
	snprintf(line, sizeof line, "unit-status %s ",
	         t->d->units[pane_data_row(p, p->sel)].callsign ?: "");
	prompt_open(t, MODE_PROMPT, line);
	t->prompt_for_key = 1;
	tui_message(t, SLOT_DIM,
	            "可改为 available 待命 · out_of_service 停用 · "
	            "returning 返回 (其余随事件变化)");
}

/* raise-from: the indicator's incident category, region and reading. */
static void
raise_from_loaded(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct tui *t = arg;
	char line[512];

	if (err != NULL || tb == NULL || tb->nrows != 1) {
		tui_message(t, SLOT_MSG_ERROR, "读不到指标: %s",
		            err && err->message ? err->message : "not found");
	} else if (t->mode == MODE_NORMAL) {
		snprintf(line, sizeof line,
		         "raise %s 2 %s %s读数%s%s异常 --source sensor",
		         db_get(tb, 0, "category"), db_get(tb, 0, "region"),
		         db_get(tb, 0, "name"), db_get(tb, 0, "value") ?: "-",
		         db_get(tb, 0, "uom") ?: "");
		prompt_open(t, MODE_PROMPT, line);
		t->prompt_for_key = 1;
		tui_message(t, SLOT_DIM, "由指标立案: 改好后 Enter (Esc 取消)");
	}
	db_table_free(&tb);
}

static void
raise_from(struct tui *t)
{
	struct tui_pane *p = &t->panes[P_VITALS];
	const struct desk_vital_row *vr;
	const char *key;

	if (t->view != NULL && t->view->ops == &view_indicator)
		key = t->view->arg;
	else if (t->view == NULL && t->focus == P_VITALS &&
	         p->sel < p->nindex &&
	         !(vr = &t->d->vrows[pane_data_row(p, p->sel)])->heading)
		key = t->d->vitals[vr->vital].key;
	else {
		tui_message(t, SLOT_MSG_ERROR, "没有选中指标");
		return;
	}
	db_async_submit(t->db, Q_RAISE_FROM, 1, &key, raise_from_loaded, t);
}

int
actions_run(struct tui *t, enum config_action a)
{
	const char *action = action_of(a);

	if (a == ACTION_ACT_ACK && t->view == NULL && t->focus == P_ALARMS) {
		pane_alarms_ack(t);
		return 1;
	}
	if (action != NULL) {
		act_on_incident(t, action);
		return 1;
	}
	switch (a) {
	case ACTION_ALARMS:
		alarms_open(t);
		return 1;
	case ACTION_REPORTS:
		reports_open(t);
		return 1;
	case ACTION_SEARCH:
		search_start(t);
		return 1;
	case ACTION_UNIT_STATUS:
		unit_status(t);
		return 1;
	case ACTION_RAISE_FROM:
		raise_from(t);
		return 1;
	default:
		return 0;
	}
}

int
actions_hint(struct tui *t, char *buf, size_t bufsz)
{
	const struct desk_incident *inc = selected_incident(t);
	const struct desk_rule *r[32];
	size_t len = 0;
	int n;

	if (inc == NULL || t->s->readonly)
		return 0;
	n = desk_allowed(t->d, inc, r, 32);
	if (n == 0)
		return 0;
	buf[0] = '\0';
	for (int i = 0; i < n && len + 40 < bufsz; i++) {
		char k[16];
		enum config_action a = key_of(r[i]->action);
		const char *key =
		    a == ACTION_NONE ? "-" : config_key_for(a, k, sizeof k);
		if (strcmp(key, "-") == 0)
			continue;
		len +=
		    (size_t)snprintf(buf + len, bufsz - len, "%s %s  ", key,
		                     r[i]->label ? r[i]->label : r[i]->action);
	}
	if (len == 0)
		return 0;
	snprintf(buf + len, bufsz - len, "│ %s", inc->ref);
	return 1;
}

void
actions_desk_changed(struct tui *t, unsigned bits)
{
	struct desk_act *a = t->d->act;

	if (a == NULL)
		return;
	/* A new unacknowledged alarm-level alarm rings, when the bell is on. */
	if (a->unacked > a->unacked_seen && t->bell)
		beep();
	a->unacked_seen = a->unacked;
	if (t->view != NULL && t->view->ops == &view_alarms)
		tui_mark(t, TUI_DIRTY_VIEW);
	if (t->view != NULL && t->view->ops == &view_picker &&
	    (bits & DESK_DIRTY_UNITS))
		picker_refresh(t, t->view);
	tui_mark(t, TUI_DIRTY_PROMPT);
}
