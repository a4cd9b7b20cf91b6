/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Emergency mode on the desk (issue 14): the mode in force, who switched it
 * and since when, and the categories its policy (mode_policy) puts first
 * in the queue and the vital signs. A switch after the first load writes
 * an event-log line, so every console in scope records it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/desk/desk.h"
#include "cityops/core/util.h"

static void
list_free(char ***list, int *n)
{
	for (int i = 0; i < *n; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*n = 0;
}

/* "a\x1fb" → {"a", "b"}; NULL or "" → none. */
static void
list_set(char ***list, int *n, const char *joined)
{
	const char *p = joined;

	list_free(list, n);
	if (p == NULL || *p == '\0')
		return;
	for (;;) {
		const char *e = strchr(p, '\x1f');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		*list = xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
		(*list)[(*n)++] = xstrndup(p, len);
		if (e == NULL)
			break;
		p = e + 1;
	}
}

static int
list_rank(char *const *list, int n, const char *s)
{
	for (int i = 0; s != NULL && i < n; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return INT_MAX;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

void
desk_mode_clear(struct desk_mode *m)
{
	free(m->level);
	free(m->kind);
	free(m->set_by);
	list_free(&m->vitals_first, &m->nvitals_first);
	list_free(&m->incidents_first, &m->nincidents_first);
	m->level = m->kind = m->set_by = NULL;
}

void
desk_set_mode(struct desk *d, int emergency, const char *level,
              const char *kind)
{
	struct desk_mode *m = &d->mode;

	m->changed = m->emergency != emergency || !same(m->level, level) ||
	             !same(m->kind, kind);
	free(m->level);
	free(m->kind);
	m->emergency = emergency;
	m->level = level ? xstrdup(level) : NULL;
	m->kind = kind ? xstrdup(kind) : NULL;
	d->dirty |= DESK_DIRTY_STATUS;
}

int
desk_mode_vital_rank(const struct desk *d, const char *category)
{
	return list_rank(d->mode.vitals_first, d->mode.nvitals_first, category);
}

static const struct desk *sort_desk; /* qsort has no argument */

static int
cmp_incident(const void *a, const void *b)
{
	const struct desk_incident *x = a, *y = b;
	const struct desk_mode *m = &sort_desk->mode;
	int rx =
	    list_rank(m->incidents_first, m->nincidents_first, x->category);
	int ry =
	    list_rank(m->incidents_first, m->nincidents_first, y->category);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

void
desk_mode_sort_queue(struct desk *d)
{
	if (d->nqueue < 2)
		return;
	sort_desk = d;
	qsort(d->queue, (size_t)d->nqueue, sizeof *d->queue, cmp_incident);
	sort_desk = NULL;
	d->dirty |= DESK_DIRTY_QUEUE;
}

static void
log_switch(struct desk *d)
{
	const struct desk_mode *m = &d->mode;
	char buf[256];

	if (m->emergency)
		snprintf(buf, sizeof buf, "应急响应 %s级 %s 启动 · %s",
		         m->level ? m->level : "?", m->kind ? m->kind : "?",
		         m->set_by ? m->set_by : "?");
	else
		snprintf(buf, sizeof buf, "应急响应结束，恢复平时 · %s",
		         m->set_by ? m->set_by : "?");
	desk_event(d, m->since ? m->since : time(NULL),
	           m->emergency ? DESK_SEV_CRIT : DESK_SEV_OK, buf);
}

void
desk_set_mode_desk(struct desk *d, const char *set_by, time_t since,
                   const char *vitals_first, const char *incidents_first)
{
	struct desk_mode *m = &d->mode;

	free(m->set_by);
	m->set_by = set_by ? xstrdup(set_by) : NULL;
	m->since = since;
	list_set(&m->vitals_first, &m->nvitals_first, vitals_first);
	list_set(&m->incidents_first, &m->nincidents_first, incidents_first);
	if (m->loaded && m->changed)
		log_switch(d);
	m->loaded = 1;
	m->changed = 0;
	desk_mode_sort_queue(d);
	d->vrows_stale = 1;
	d->dirty |= DESK_DIRTY_STATUS | DESK_DIRTY_VITALS | DESK_DIRTY_QUEUE;
}
