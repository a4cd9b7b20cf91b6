/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The view stack (drill-down), the text views, and commands run from the
 * screen. A command's answer goes into a view when it was asked for one
 * (Enter on a row, ":" lines that print much), else onto the message line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/result.h"
#include "cityops/core/text.h"
#include "tui-internal.h"

static void
view_free(struct tui_view *v)
{
	for (int i = 0; i < v->nlines; i++)
		free(v->lines[i]);
	free(v->lines);
	free(v->crumbs);
	free(v->arg);
	if (v->ops->free != NULL)
		v->ops->free(v->data);
	free(v);
}

struct tui_view *
view_push(struct tui *t, const struct view_ops *ops, const char *crumbs,
          const char *arg)
{
	struct tui_view *v = xcalloc(1, sizeof *v);

	v->ops = ops;
	v->crumbs = xstrdup(crumbs ? crumbs : "");
	v->arg = arg ? xstrdup(arg) : NULL;
	v->loading = 1;
	v->below = t->view;
	t->view = v;
	tui_mark(t, TUI_DIRTY_VIEW | LOOP_DIRTY_STATUS);
	return v;
}

void
view_pop(struct tui *t)
{
	struct tui_view *v = t->view;

	if (v == NULL)
		return;
	t->view = v->below;
	view_free(v);
	if (t->view == NULL) {
		for (int i = 0; i < P_COUNT; i++)
			if (t->panes[i].win != NULL)
				touchwin(t->panes[i].win);
		tui_mark(t, LOOP_DIRTY_ALL);
	}
	tui_mark(t, TUI_DIRTY_VIEW | LOOP_DIRTY_STATUS);
}

int
view_alive(struct tui *t, struct tui_view *v)
{
	for (struct tui_view *p = t->view; p != NULL; p = p->below)
		if (p == v)
			return 1;
	return 0;
}

void
view_set_text(struct tui_view *v, const char *text)
{
	const char *p = text ? text : "";

	for (int i = 0; i < v->nlines; i++)
		free(v->lines[i]);
	free(v->lines);
	v->lines = NULL;
	v->nlines = 0;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		v->lines = xrealloc(v->lines,
		                    (size_t)(v->nlines + 1) * sizeof *v->lines);
		v->lines[v->nlines++] = text_sanitize_dup(p, n);
		p += n + (nl ? 1 : 0);
	}
	v->loading = 0;
}

static void
text_draw(struct tui *t, struct tui_view *v, int y0, int h)
{
	if (v->top > v->nlines - h)
		v->top = v->nlines - h > 0 ? v->nlines - h : 0;
	for (int y = 0; y < h && v->top + y < v->nlines; y++)
		draw_text(t->w_view, y0 + y, 0, t->cols, v->lines[v->top + y],
		          theme_attr(SLOT_NORMAL), 0);
	if (v->loading)
		draw_text(t->w_view, y0, 0, t->cols, "载入中…",
		          theme_attr(SLOT_DIM), 0);
}

const struct view_ops view_text = {"text", text_draw, NULL, NULL, NULL};
/* An incident's "show": text that follows its incident's changes. */
const struct view_ops view_incident = {"incident", text_draw, NULL, NULL, NULL};

void
view_draw(struct tui *t)
{
	struct tui_view *v = t->view;
	WINDOW *w = t->w_view;

	if (w == NULL || v == NULL)
		return;
	werase(w);
	draw_text(w, 0, 0, t->cols, v->crumbs, theme_attr(SLOT_TITLE_FOCUS), 1);
	v->ops->draw(t, v, 1, getmaxy(w) - 1);
	wnoutrefresh(w);
}

void
view_move(struct tui *t, int delta, int absolute)
{
	struct tui_view *v = t->view;
	int *sel = v->ops->count ? &v->sel : &v->top;
	int n = v->ops->count ? v->ops->count(v) : v->nlines;
	int page = t->w_view ? getmaxy(t->w_view) - 2 : 10;

	if (delta == 2)
		delta = page;
	else if (delta == -2)
		delta = -page;
	if (absolute)
		*sel = delta < 0 ? 0 : n - 1;
	else
		*sel += delta;
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	tui_mark(t, TUI_DIRTY_VIEW);
}

/* ---- running commands asynchronously ---------------------------------- */

struct run {
	struct tui *t;
	struct cmd_ctx *ctx;
	struct result res;
	char *line;
	const char *name;
	int qi;
	struct tui_view *view; /* where the output goes, or NULL */
	tui_done_fn done;      /* or handed here (tui_run_line_then) */
	void *done_arg;
};

static void run_next(struct run *r);

/* A command that changes something: it goes into the event log; reads
 * (a report, a show) do not. */
static int
writes(const struct run *r)
{
	const struct cmd_entry *e = r->name ? cmd_find(r->name) : NULL;

	return e != NULL && (e->flags & CMD_WRITE);
}

/* A failed command: on the message line and in the event log; a line the
 * database could not take goes back into the prompt. */
static void
run_failed(struct tui *t, struct run *r)
{
	/* Like a key's command (actions.c): the sentence, then the hint. */
	tui_message(t, SLOT_MSG_ERROR, "✗ %s%s%s",
	            r->res.error ? r->res.error : "失败",
	            r->res.hint ? " — " : "", r->res.hint ? r->res.hint : "");
	tui_event(t, DESK_SEV_ERROR, "✗ %s: %s", r->line,
	          r->res.error ? r->res.error : "failed");
	if (r->res.code != NULL && strcmp(r->res.code, "db_unreachable") == 0) {
		free(t->resume_line);
		t->resume_line = xstrdup(r->line);
	}
}

/* A command typed at the prompt: one line on the message line, more in a
 * text view; a change it made goes into the event log. */
static void
run_shown(struct tui *t, struct run *r, struct buf *out)
{
	int lines = 0;

	for (const char *p = out->data; p && *p; p++)
		lines += *p == '\n';
	if (r->res.failed) {
		run_failed(t, r);
	} else if (lines <= 1) {
		tui_message(t, SLOT_MSG_OK, "» %s  %s", r->line,
		            out->data ? out->data : "ok");
	} else {
		char crumbs[300];
		struct tui_view *v;
		snprintf(crumbs, sizeof crumbs, "» %s", r->line);
		v = view_push(t, &view_text, crumbs, NULL);
		view_set_text(v, out->data);
		tui_message(t, SLOT_MSG_OK, "» %s  (Esc 返回)", r->line);
	}
	if (r->ctx == NULL && !r->res.failed && writes(r))
		tui_event(t, DESK_SEV_OK, "✓ %s", r->line);
}

static void
run_done(struct run *r)
{
	struct tui *t = r->t;
	struct buf out = {0}, err = {0};

	result_render_text(&r->res, &out);
	result_render_error(&r->res, &err);
	if (r->done != NULL) {
		r->done(t, r->done_arg, &r->res);
		if (r->ctx == NULL && !r->res.failed && writes(r))
			tui_event(t, DESK_SEV_OK, "✓ %s", r->line);
	} else if (r->view != NULL && view_alive(t, r->view)) {
		struct buf all = {0};
		if (out.data)
			buf_adds(&all, out.data);
		if (err.data)
			buf_adds(&all, err.data);
		view_set_text(r->view, all.data);
		buf_free(&all);
		tui_mark(t, TUI_DIRTY_VIEW);
	} else if (r->view == NULL) {
		run_shown(t, r, &out);
	}
	buf_free(&out);
	buf_free(&err);
	result_clear(&r->res);
	free(r->line);
	free(r);
}

static void
run_query_done(void *arg, struct db_table *table, const struct db_error *err)
{
	struct run *r = arg;

	if (err != NULL) {
		cmd_finish(&r->ctx, err);
		run_done(r);
		return;
	}
	r->ctx->tables[r->qi++] = table;
	run_next(r);
}

static void
run_next(struct run *r)
{
	if (r->qi < r->ctx->nqueries) {
		const struct cmd_query *q = &r->ctx->queries[r->qi];
		db_async_submit(r->t->db, q->q, q->nparams,
		                (const char *const *)q->params, run_query_done,
		                r);
		return;
	}
	cmd_finish(&r->ctx, NULL);
	run_done(r);
}

static void
run_line_into(struct tui *t, const char *line, struct tui_view *view)
{
	struct run *r = xcalloc(1, sizeof *r);

	r->t = t;
	r->line = xstrdup(line);
	r->view = view;
	r->ctx = cmd_prepare(t->s, line, &r->res, &r->name);
	if (r->ctx == NULL) {
		run_done(r);
		return;
	}
	tui_message(t, SLOT_DIM, "» %s …", line);
	run_next(r);
}

void
tui_run_line_then(struct tui *t, const char *line, tui_done_fn done, void *arg)
{
	struct run *r = xcalloc(1, sizeof *r);

	r->t = t;
	r->line = xstrdup(line);
	r->done = done;
	r->done_arg = arg;
	r->ctx = cmd_prepare(t->s, line, &r->res, &r->name);
	if (r->ctx == NULL) {
		run_done(r);
		return;
	}
	tui_message(t, SLOT_DIM, "» %s …", line);
	run_next(r);
}

void
tui_run_line(struct tui *t, const char *line, int as_view)
{
	struct tui_view *v = NULL;

	if (strcmp(line, "quit") == 0 || strcmp(line, "exit") == 0) {
		t->quit = 1;
		loop_quit(t->loop);
		return;
	}
	if (!as_view && reports_open_line(t, line))
		return;
	if (strncmp(line, "find ", 5) == 0 && strstr(line, "--") == NULL) {
		search_open(t, line + 5);
		return;
	}
	if (as_view) {
		char crumbs[300];
		snprintf(crumbs, sizeof crumbs, "» %s", line);
		v = view_push(t, &view_text, crumbs, NULL);
	}
	run_line_into(t, line, v);
}

void
tui_open_incident(struct tui *t, const char *ref)
{
	char crumbs[200], line[96];
	const struct desk_incident *inc = desk_find_incident(t->d, ref);
	const char *region = inc ? inc->region_name : NULL;
	struct tui_view *v;

	snprintf(crumbs, sizeof crumbs, "%s › %s%s%s",
	         t->s->scope_name ? t->s->scope_name : "上海市",
	         region ? region : "", region ? " › " : "", ref);
	v = view_push(t, &view_incident, crumbs, ref);
	snprintf(line, sizeof line, "show %s", ref);
	run_line_into(t, line, v);
}

void
tui_incident_changed(struct tui *t, const char *ref)
{
	struct tui_view *v = t->view;
	char line[96];

	if (v && v->ops == &view_incident && v->arg &&
	    strcmp(v->arg, ref) == 0) {
		snprintf(line, sizeof line, "show %s", ref);
		run_line_into(t, line, v);
	}
}
