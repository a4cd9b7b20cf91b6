/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The screen's state, shared by the console's screen files (tui.c, pane*.c,
 * view*.c, keys.c, status.c, prompt.c). Not a public header: the rest of
 * the program sees include/cityops/tui.h. What the screen shows is the desk
 * (desk.h); panes and views read it and fill rows, and never change it.
 */
#ifndef CITYOPS_TUI_INTERNAL_H
#define CITYOPS_TUI_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "cityops/cmd/cmd.h"
#include "cityops/ui/config.h"
#include "cityops/db/db.h"
#include "cityops/desk/desk-sync.h"
#include "cityops/desk/desk.h"
#include "cityops/ui/draw.h"
#include "cityops/feed/feed-client.h"
#include "cityops/core/loop.h"
#include "cityops/ui/theme.h"
#include "cityops/ui/tui.h"
#include "cityops/core/util.h"

struct tui;

#define PANE_MAX_COLS 12
#define PANE_CELL     160

/* One row as a pane fills it; draw.c renders it. */
struct pane_row {
	const char *cells[PANE_MAX_COLS];
	int slots[PANE_MAX_COLS]; /* theme slot per cell, -1 = row's */
	int slot;                 /* the row's theme slot */
	char buf[PANE_MAX_COLS][PANE_CELL];
};

/* A pane: a small vtable over the desk (t->d). */
struct pane_ops {
	const char *name;  /* "queue" */
	const char *title; /* "事件队列" */
	const struct draw_col *cols;
	int ncols;
	int (*count)(struct tui *t);
	void (*row)(struct tui *t, int i, struct pane_row *r);
	void (*enter)(struct tui *t, int i); /* NULL: nothing to drill into */
	/* A summary after the title ("12 open"), into buf. */
	void (*summary)(struct tui *t, char *buf, size_t bufsz);
};

extern const struct pane_ops pane_queue, pane_vitals, pane_units, pane_events,
    pane_regions, pane_map, pane_alarms;

enum pane_id {
	P_QUEUE,
	P_VITALS,
	P_UNITS,
	P_EVENTS,
	P_REGIONS,
	P_MAP,
	P_ALARMS,
	P_COUNT
};

struct tui_pane {
	const struct pane_ops *ops;
	WINDOW *win;
	/* Bumped for each new window: a pane that caches what it drew keys
	 * the cache by this, not by win, as a new window may get the address
	 * of the one freed before it and is blank all the same. */
	unsigned wingen;
	int y, x, h, w, shown;
	int sel, top; /* in filtered rows */
	char filter[128];
	int *index, nindex, cap; /* rows matching the filter */
	int dirty;
	void *data; /* the pane's own (ops->free frees it) */
};

struct tui_view;

/* A drill-down view: a small vtable, as panes have (view-*.c). */
struct view_ops {
	const char *name;
	/* Draws the body (below the breadcrumbs) from row y0, h rows. */
	void (*draw)(struct tui *t, struct tui_view *v, int y0, int h);
	/* Rows that a selection moves over; NULL: the lines scroll. */
	int (*count)(const struct tui_view *v);
	/* Enter on the selected row; NULL: nothing to drill into. */
	void (*enter)(struct tui *t, struct tui_view *v);
	/* Frees v->data. */
	void (*free)(void *data);
};

extern const struct view_ops view_text, view_incident, view_indicator,
    view_region, view_picker, view_alarms, view_reports, view_search;
/* pane-alarms.c: the ack key on the alarms pane's selected alarm. */
void pane_alarms_ack(struct tui *t);
/* view-search.c: `find TEXT` as a view (issue 14). */
void search_open(struct tui *t, const char *text);
/* The search key: an empty search view and the prompt at "find ". */
void search_start(struct tui *t);

/* view-list.c: the body shared by the list views. */
struct view_list {
	const struct draw_col *cols;
	int ncols;
	const char *head;  /* the line above the column labels */
	int n;             /* rows */
	const char *empty; /* shown when n == 0 */
	int empty_slot;
	/* Draws row i at window row y in the given column widths. */
	void (*row)(struct tui *t, struct tui_view *v, int i, int y,
	            int selected, const int *widths);
};
void view_list_draw(struct tui *t, struct tui_view *v, int y0, int h,
                    const struct view_list *l);
/* The row at window row y of a list view as last drawn, or -1. */
int view_list_row_at(const struct tui_view *v, int y);

/* A view on the stack; the top one covers the panes. */
struct tui_view {
	const struct view_ops *ops;
	char *crumbs;
	char *arg;    /* ref, indicator key or region code */
	char **lines; /* text views */
	int nlines;
	int top, sel;
	int list_y, list_rows; /* a list view's rows in w_view (view-list.c) */
	int loading;
	void *data; /* the view's own (ops->free frees it) */
	struct tui_view *below;
};

enum tui_mode {
	MODE_NORMAL,
	MODE_PROMPT,
	MODE_FILTER,
	MODE_QUIT,
	MODE_CONFIRM, /* y/n for t->confirm_line (actions.c) */
};

struct tui {
	struct loop *loop;
	struct desk *d;         /* what the screen shows */
	struct desk_sync *sync; /* keeps d live */
	struct db_async *db;    /* commands run here (sync's) */
	struct session *s;
	struct config cfg;
	struct tui_opts opts;
	enum tui_mode mode;
	int quit, rows, cols, too_small, full_repaint, compact;
	int bell;
	/* The map pane in wide layouts: -1 as the config says (tui_map_shown),
	 * else as the m key last set it. */
	int map_on;

	WINDOW *w_status, *w_banner, *w_view, *w_msg, *w_prompt;
	struct tui_pane panes[P_COUNT];
	int focus;
	unsigned dirty; /* LOOP_DIRTY_* bits plus TUI_DIRTY_* */
	struct loop_timer *render_timer, *tick_timer;
	struct loop_watch *tty_watch, *sig_watch;
	int tty_fd, sig_fd;
	unsigned char held[32]; /* an incomplete key or UTF-8 sequence */
	int nheld;

	char msg[512];
	int msg_slot;
	char *resume_line; /* a line to put back in the prompt */
	struct tui_view *view;
	int64_t started; /* monotonic ms at tui_run, for the first paint */
	int painted;

	char *confirm_line; /* MODE_CONFIRM: the command y runs */
	int prompt_for_key; /* the prompt was opened by a key (actions.c) */

	/* CITYOPS_LATENCY_LOG: when feed data and keys reach the screen. */
	struct latency *lat;
};

enum {
	TUI_DIRTY_VIEW = 1 << 8,
	TUI_DIRTY_MSG = 1 << 9,
	TUI_DIRTY_PROMPT = 1 << 10,
	TUI_DIRTY_LAYOUT = 1 << 11,
};

/* tui.c */
void tui_mark(struct tui *t, unsigned bits);
/* Takes the desk's dirty bits into the screen's. */
void tui_take_desk(struct tui *t);
void tui_message(struct tui *t, int slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tui_event(struct tui *t, enum desk_sev sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tui_layout(struct tui *t);
/* Is the map pane in the wide layout? */
int tui_map_shown(const struct tui *t);
/* Seconds since the queue was fetched, to keep ages and SLAs live. */
long long tui_queue_elapsed(const struct tui *t);
int tui_is_fresh(struct tui *t, const char *ref);
/* State symbol that survives no-colour terminals, and its slot. */
const char *tui_vital_symbol(const char *state, int *slot);
/* desk_vital_now at this moment (see desk.h). */
const char *tui_vital_now(struct tui *t, int i, char *value, size_t valuesz,
                          int *live);
/* The theme slot of an event line. */
int tui_sev_slot(enum desk_sev sev);

/* view.c: the view stack, text views, and commands run from the screen. */
struct tui_view *view_push(struct tui *t, const struct view_ops *ops,
                           const char *crumbs, const char *arg);
void view_pop(struct tui *t);
/* Is v still on the stack? Answers may arrive after Esc. */
int view_alive(struct tui *t, struct tui_view *v);
void view_set_text(struct tui_view *v, const char *text);
void view_draw(struct tui *t);
/* Moves the view's selection (or scroll) by delta rows, or to an end. */
void view_move(struct tui *t, int delta, int absolute);
void tui_run_line(struct tui *t, const char *line, int as_view);
void tui_open_incident(struct tui *t, const char *ref);
/* Incident ref changed: an open view of it is run again. */
void tui_incident_changed(struct tui *t, const char *ref);
/* view-chart.c, view-region.c */
void tui_open_indicator(struct tui *t, const char *key);
void tui_open_region(struct tui *t, const char *code);

/* pane.c */
void pane_draw(struct tui *t, struct tui_pane *p, int focused);
/* The data row of filtered row k. */
int pane_data_row(const struct tui_pane *p, int k);
/* The vitals rows on screen (indexes in d->vitals), for their history. */
int pane_visible_vitals(struct tui *t, int *out, int max);

/* status.c: the status line, the outage banner, the message line. */
void status_draw(struct tui *t);
void status_banner(struct tui *t);
void status_msg(struct tui *t);
void status_too_small(struct tui *t, int min_cols, int min_rows);

/* pane-map.c: the map is not rows, so pane.c hands it its drawing and
 * keys.c its keys (arrows move by geography; 1 when it took the key). */
void pane_map_draw(struct tui *t, struct tui_pane *p, int focused);
int pane_map_key(struct tui *t, struct tui_pane *p, int key, int action);
void pane_map_free(struct tui_pane *p);
/* The rows the map needs at its best (tiles three rows high). */
int pane_map_rows(void);

/* pane-map-outline.c: the map from the regions' shapes in braille. */
struct map_outline;
struct map_layout;
struct map_outline *map_outline_new(void);
void map_outline_free(struct map_outline **o);
/* 1 when the terminal and the data allow outlines in cw columns of p. */
int map_outline_usable(const struct tui *t, const struct tui_pane *p, int cw);
/* Draws the outlines into p's first cw columns below its title, only the
 * cells that changed unless full; -1 (nothing drawn) when no child's
 * shape could be drawn. */
int map_outline_draw(struct map_outline *o, struct tui *t, struct tui_pane *p,
                     int cw, int focused, int full);
/* The labels' places for moving by geography; NULL when not drawn. */
const struct map_layout *map_outline_layout(const struct map_outline *o);

/* tui-handover.c: the last handover on the message line and in the log. */
void tui_show_last_handover(struct tui *t);

/* keys.c */
void keys_handle(struct tui *t, const unsigned char *p, size_t n);

/* actions.c: keys on the selected incident, unit, indicator or alarm. */
/* Runs a selection action (ACTION_ACT_* and the like); 0 if a is not one. */
int actions_run(struct tui *t, enum config_action a);
/* Runs a command for a key: one line on the message line, never a view. */
void actions_run_line(struct tui *t, const char *line);
/* MODE_CONFIRM: y runs t->confirm_line, anything else drops it. */
void actions_confirm_key(struct tui *t, int key);
/* The footer for the selection ("a 受理  d 派单 …"); 0: none. */
int actions_hint(struct tui *t, char *buf, size_t bufsz);
/* After the desk changed: the unacknowledged-alarm bell, a picker's rows. */
void actions_desk_changed(struct tui *t, unsigned bits);
/* A command line run for the screen, its result handed to done (the
 * result is freed after it returns). */
typedef void (*tui_done_fn)(struct tui *t, void *arg, const struct result *r);
void tui_run_line_then(struct tui *t, const char *line, tui_done_fn done,
                       void *arg);
/* view-picker.c, view-alarms.c */
void picker_open(struct tui *t, const char *ref);
/* A key the picker or alarm view takes before the bindings (1: taken). */
int picker_key(struct tui *t, struct tui_view *v, int key);
int alarms_key(struct tui *t, struct tui_view *v, int key);
/* Asks again for the picker's recommendation (units changed). */
void picker_refresh(struct tui *t, struct tui_view *v);
void alarms_open(struct tui *t);
/* view-reports.c */
int reports_key(struct tui *t, struct tui_view *v, int key);
void reports_open(struct tui *t);
int reports_open_line(struct tui *t, const char *line);

/* clock.c: the display zone (config timezone) for clock and tables. */
void tui_clock_zone(const struct config *c);

/* latency.c (CITYOPS_LATENCY_LOG) */
struct latency *latency_open(void);
void latency_close(struct latency **lp);
void latency_heartbeat(struct latency *l, int64_t sent_ms, int64_t arrived_ms);
void latency_reading(struct latency *l, const struct model_indicator *ind);
void latency_pass(struct latency *l, int status_drawn);
void latency_tick(struct latency *l, struct desk *d);

/* prompt.c */
void prompt_init(struct tui *t);
void prompt_done(struct tui *t);
void prompt_open(struct tui *t, enum tui_mode mode, const char *initial);
void prompt_close(struct tui *t);
/* Feeds bytes to readline; returns how many were used (it stops when the
 * prompt closes, so the rest go to the key handler). */
size_t prompt_feed(struct tui *t, const unsigned char *p, size_t n);
void prompt_draw(struct tui *t);

#endif
