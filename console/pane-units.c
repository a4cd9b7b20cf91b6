/* The units pane: counts by kind and status in the title, then the list. */
#include <stdio.h>
#include <string.h>

#include "tui-internal.h"

static const struct draw_col cols[] = {
    {"呼号", 7, 0, 0}, {"名称", 0, 0, 0},  {"类型", 9, 0, 2},
    {"状态", 4, 0, 0}, {"事件", 11, 0, 1}, {"驻地", 10, 0, 3},
};

static int
count(struct tui *t)
{
	return t->units ? t->units->nrows : 0;
}

static void
row(struct tui *t, int i, struct pane_row *r)
{
	const struct db_table *u = t->units;
	const char *st = db_get(u, i, "status");

	snprintf(r->buf[0], PANE_CELL, "%s", db_get(u, i, "callsign") ?: "");
	snprintf(r->buf[1], PANE_CELL, "%s", db_get(u, i, "name") ?: "");
	snprintf(r->buf[2], PANE_CELL, "%s", db_get(u, i, "kind") ?: "");
	result_cell_text(st, F_UNIT, r->buf[3], PANE_CELL);
	snprintf(r->buf[4], PANE_CELL, "%s",
	         db_get(u, i, "incident_ref") ?: "-");
	snprintf(r->buf[5], PANE_CELL, "%s", db_get(u, i, "region_name") ?: "");
	for (int c = 0; c < 6; c++)
		r->cells[c] = r->buf[c];
	if (st != NULL && strcmp(st, "available") == 0)
		r->slots[3] = SLOT_STATE_OK;
	else if (st != NULL && strcmp(st, "out_of_service") == 0)
		r->slots[3] = SLOT_FEED_STALE;
	else
		r->slots[3] = SLOT_ALERT_WARN;
}

/* "待命 12 · 出动 5 · 停用 1": available, busy, out of service. */
static void
summary(struct tui *t, char *buf, size_t bufsz)
{
	int avail = 0, busy = 0, oos = 0;

	for (int i = 0; i < count(t); i++) {
		const char *st = db_get(t->units, i, "status");
		if (st == NULL)
			continue;
		if (strcmp(st, "available") == 0)
			avail++;
		else if (strcmp(st, "out_of_service") == 0)
			oos++;
		else
			busy++;
	}
	snprintf(buf, bufsz, "待命 %d · 出动 %d · 停用 %d", avail, busy, oos);
}

static void
enter(struct tui *t, int i)
{
	char line[96];

	snprintf(line, sizeof line, "unit %s",
	         db_get(t->units, i, "callsign") ?: "");
	tui_run_line(t, line, 1);
}

const struct pane_ops pane_units = {
    "units", "处置力量", cols,  sizeof cols / sizeof cols[0],
    count,   row,        enter, summary,
};
