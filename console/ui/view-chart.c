/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The indicator view: an indicator's history as a bar chart, with its
 * warning and alarm thresholds marked and its time axis in the display
 * zone (the one clock: core/zone.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/zone.h"
#include "tui-internal.h"

struct chart {
	double *hv;  /* history values, oldest first */
	time_t *hat; /* their times */
	int hn;
	double warn, alarm; /* NAN: none */
	char *name, *unit;
};

static void
chart_free(void *data)
{
	struct chart *c = data;

	free(c->hv);
	free(c->hat);
	free(c->name);
	free(c->unit);
	free(c);
}

/* The slot of a column whose highest value is m. */
static int
bar_slot(const struct chart *c, double m)
{
	int high = !isnan(c->alarm) && !isnan(c->warn) && c->alarm >= c->warn;

	if (!isnan(c->alarm) && (high ? m >= c->alarm : m <= c->alarm))
		return SLOT_ALERT_CRIT;
	if (!isnan(c->warn) && (high ? m >= c->warn : m <= c->warn))
		return SLOT_ALERT_WARN;
	return SLOT_SPARK;
}

/* The chart's columns: right of the 9-cell label margin. */
static int
chart_width(const struct tui *t)
{
	return t->cols - 10;
}

/* The first point column x shows (each column shows a span of points). */
static int
column_point(const struct chart *c, int x, int width)
{
	return (int)((long long)x * c->hn / width);
}

static void
draw_bars(struct tui *t, const struct chart *c, int y0, int h, double lo,
          double hi)
{
	static const char *const blocks[] = {" ", "▁", "▂", "▃", "▄",
	                                     "▅", "▆", "▇", "█"};
	int width = chart_width(t);

	for (int x = 0; x < width; x++) {
		/* Each column shows the maximum of its span of points. */
		int a = column_point(c, x, width);
		int b = column_point(c, x + 1, width);
		double m = -INFINITY;
		int slot;
		if (b <= a)
			b = a + 1;
		if (a >= c->hn)
			break;
		for (int i = a; i < b && i < c->hn; i++)
			m = fmax(m, c->hv[i]);
		slot = bar_slot(c, m);
		for (int r = 0; r < h; r++) {
			double cell_lo = lo + (hi - lo) * (h - 1 - r) / h;
			double frac = (m - cell_lo) / ((hi - lo) / h);
			int idx = frac >= 1   ? 8
			          : frac <= 0 ? 0
			                      : (int)(frac * 8);
			if (idx > 0)
				draw_text(t->w_view, y0 + r, 9 + x, 1,
				          blocks[idx],
				          theme_attr((enum theme_slot)slot), 0);
		}
	}
}

/* The time axis under the bars: the zone in the margin, then a tick and
 * the time of the column's first point every 12 or more columns — hours
 * and minutes for a day and a half or less, else month and day. */
static void
draw_axis(struct tui *t, const struct chart *c, int y)
{
	int width = chart_width(t);
	int step = width / 6 > 12 ? width / 6 : 12;
	int daily = c->hat[c->hn - 1] - c->hat[0] > 36 * 3600;
	char label[32];

	zone_strftime(c->hat[c->hn - 1], "%Z", label, sizeof label);
	draw_text(t->w_view, y, 0, 9, label, theme_attr(SLOT_DIM), 0);
	for (int x = 0; x + 6 <= width; x += step) {
		int a = column_point(c, x, width);
		if (a >= c->hn)
			break;
		label[0] = '\0';
		zone_strftime(c->hat[a], daily ? "╵%m-%d" : "╵%H:%M", label,
		              sizeof label);
		draw_text(t->w_view, y, 9 + x, 7, label, theme_attr(SLOT_DIM),
		          0);
	}
}

static void
draw_chart(struct tui *t, const struct tui_view *v, int y0, int h)
{
	const struct chart *c = v->data;
	double lo = INFINITY, hi = -INFINITY;
	char label[32];

	if (c->hn == 0 || h < 3 || t->cols < 20) {
		draw_text(t->w_view, y0, 2, t->cols - 2,
		          v->loading ? "载入中…" : "(无历史)",
		          theme_attr(SLOT_DIM), 0);
		return;
	}
	for (int i = 0; i < c->hn; i++) {
		lo = fmin(lo, c->hv[i]);
		hi = fmax(hi, c->hv[i]);
	}
	for (int k = 0; k < 2; k++) {
		double th = k ? c->alarm : c->warn;
		if (!isnan(th)) {
			lo = fmin(lo, th);
			hi = fmax(hi, th);
		}
	}
	if (hi - lo < 1e-9)
		hi = lo + 1;
	h--; /* the last row is the time axis */
	draw_axis(t, c, y0 + h);
	draw_bars(t, c, y0, h, lo, hi);
	/* Threshold rows, labelled at the left. */
	for (int k = 0; k < 2; k++) {
		double th = k ? c->alarm : c->warn;
		int r;
		if (isnan(th))
			continue;
		r = (int)((hi - th) / (hi - lo) * (h - 1) + 0.5);
		snprintf(label, sizeof label, "%s%.6g", k ? "告" : "预", th);
		draw_text(t->w_view, y0 + r, 0, 9, label,
		          theme_attr(k ? SLOT_ALERT_CRIT : SLOT_ALERT_WARN), 0);
	}
	snprintf(label, sizeof label, "%.6g", hi);
	if (isnan(c->alarm) && isnan(c->warn))
		draw_text(t->w_view, y0, 0, 9, label, theme_attr(SLOT_DIM), 0);
}

static void
indicator_draw(struct tui *t, struct tui_view *v, int y0, int h)
{
	const struct chart *c = v->data;
	int ch = h > 14 ? h - 4 : h - 2;
	double last = c->hn ? c->hv[c->hn - 1] : NAN;
	char buf[300];

	snprintf(buf, sizeof buf,
	         " %s  最新 %.6g %s  预警 %.6g  告警 %.6g  %d 点 / %dh",
	         c->name ? c->name : "", last, c->unit ? c->unit : "", c->warn,
	         c->alarm, c->hn, t->cfg.history_hours);
	draw_text(t->w_view, y0, 0, t->cols, buf, theme_attr(SLOT_HEADER), 1);
	draw_chart(t, v, y0 + 1, ch);
}

const struct view_ops view_indicator = {"indicator", indicator_draw, NULL, NULL,
                                        chart_free};

struct hist_req {
	struct tui *t;
	struct tui_view *view;
};

static void
history_got(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct hist_req *h = arg;
	struct tui *t = h->t;
	struct tui_view *v = h->view;

	free(h);
	if (!view_alive(t, v)) {
		db_table_free(&tb);
		return;
	}
	if (err != NULL) {
		view_set_text(v, err->message);
	} else {
		struct chart *c = v->data;
		c->hn = tb->nrows;
		c->hv = xcalloc((size_t)tb->nrows + 1, sizeof *c->hv);
		c->hat = xcalloc((size_t)tb->nrows + 1, sizeof *c->hat);
		for (int i = 0; i < tb->nrows; i++) {
			c->hv[i] = atof(db_get(tb, i, "value") ?: "0");
			c->hat[i] =
			    (time_t)(atoll(db_get(tb, i, "ms") ?: "0") / 1000);
		}
		v->loading = 0;
	}
	db_table_free(&tb);
	tui_mark(t, TUI_DIRTY_VIEW);
}

static const struct desk_vital *
find_vital(const struct desk *d, const char *key)
{
	for (int i = 0; i < d->nvitals; i++)
		if (d->vitals[i].key && strcmp(d->vitals[i].key, key) == 0)
			return &d->vitals[i];
	return NULL;
}

void
tui_open_indicator(struct tui *t, const char *key)
{
	const struct desk_vital *dv = find_vital(t->d, key);
	struct chart *c = xcalloc(1, sizeof *c);
	struct hist_req *h = xcalloc(1, sizeof *h);
	char crumbs[256], hours[16];
	const char *p[2] = {key, hours};
	struct tui_view *v;

	if (dv != NULL)
		snprintf(crumbs, sizeof crumbs, "生命体征 › %s › %s",
		         dv->category ? dv->category : "",
		         dv->name ? dv->name : key);
	else
		snprintf(crumbs, sizeof crumbs, "生命体征 › %s", key);
	c->warn = dv ? dv->warn : NAN;
	c->alarm = dv ? dv->alarm : NAN;
	c->name = xstrdup(dv && dv->name ? dv->name : key);
	c->unit = xstrdup(dv && dv->unit ? dv->unit : "");
	v = view_push(t, &view_indicator, crumbs, key);
	v->data = c;
	snprintf(hours, sizeof hours, "%d", t->cfg.history_hours);
	h->t = t;
	h->view = v;
	db_async_submit(t->db, Q_TUI_HISTORY, 2, p, history_got, h);
}
