/* The incident queue pane: open incidents, most urgent first (SQL order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-internal.h"

static const struct draw_col cols[] = {
    {"级", 2, 0, 0},    {"编号", 11, 0, 0}, {"类别", 8, 0, 3},
    {"区域", 10, 0, 1}, {"状态", 6, 0, 0},  {"时长", 6, 1, 4},
    {"时限", 10, 0, 0}, {"标题", 0, 0, 0},  {"单位", 14, 0, 5},
};

static int
count(struct tui *t)
{
	return t->queue ? t->queue->nrows : 0;
}

static void
cell(struct pane_row *r, int i, const char *value, enum col_fmt fmt)
{
	result_cell_text(value, fmt, r->buf[i], sizeof r->buf[i]);
	r->cells[i] = r->buf[i];
}

static void
row(struct tui *t, int i, struct pane_row *r)
{
	const struct db_table *q = t->queue;
	long long el = tui_queue_elapsed(t);
	const char *v;
	char num[32];
	int breached = 0;

	cell(r, 0, db_get(q, i, "priority"), F_PRIORITY);
	cell(r, 1, db_get(q, i, "ref"), F_TEXT);
	cell(r, 2, db_get(q, i, "category_name"), F_TEXT);
	cell(r, 3, db_get(q, i, "region_name"), F_TEXT);
	cell(r, 4, db_get(q, i, "state"), F_STATE);
	v = db_get(q, i, "age_s");
	snprintf(num, sizeof num, "%lld", (v ? atoll(v) : 0) + el);
	cell(r, 5, num, F_DURATION);
	v = db_get(q, i, "sla_left_s");
	if (v != NULL) {
		long long left = atoll(v) - el;
		snprintf(num, sizeof num, "%lld", left);
		cell(r, 6, num, F_SLA);
		breached = left < 0;
	} else {
		cell(r, 6, NULL, F_SLA);
	}
	v = db_get(q, i, "exercise");
	if (v != NULL && v[0] == 't') {
		snprintf(r->buf[7], sizeof r->buf[7], "[演练] %s",
		         db_get(q, i, "title") ?: "");
		r->cells[7] = r->buf[7];
	} else {
		cell(r, 7, db_get(q, i, "title"), F_TEXT);
	}
	cell(r, 8, db_get(q, i, "units"), F_TEXT);
	v = db_get(q, i, "priority");
	if (v != NULL && strcmp(v, "1") == 0)
		r->slots[0] = SLOT_ALERT_CRIT;
	else if (v != NULL && strcmp(v, "2") == 0)
		r->slots[0] = SLOT_ALERT_WARN;
	if (breached)
		r->slots[6] = SLOT_SLA_BREACHED;
	if (tui_is_fresh(t, db_get(q, i, "ref")))
		r->slot = SLOT_ROW_NEW;
}

static void
enter(struct tui *t, int i)
{
	const char *ref = db_get(t->queue, i, "ref");

	if (ref != NULL)
		tui_open_incident(t, ref);
}

static void
summary(struct tui *t, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%d 件未结", count(t));
}

const struct pane_ops pane_queue = {
    "queue", "事件队列", cols,  sizeof cols / sizeof cols[0],
    count,   row,        enter, summary,
};
