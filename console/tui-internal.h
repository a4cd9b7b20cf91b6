/*
 * The console's state, shared by tui.c, prompt.c and the panes (pane-*.c).
 * Not a public header: the rest of the program sees include/cityops/tui.h.
 * Panes read the data here and fill rows; only tui.c changes it.
 */
#ifndef CITYOPS_TUI_INTERNAL_H
#define CITYOPS_TUI_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "cityops/cmd.h"
#include "cityops/config.h"
#include "cityops/db.h"
#include "cityops/draw.h"
#include "cityops/feed-client.h"
#include "cityops/loop.h"
#include "cityops/model-vitals.h"
#include "cityops/theme.h"
#include "cityops/tui.h"
#include "cityops/util.h"

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

/* A pane: a small vtable over the data in struct tui. */
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
    pane_regions;

enum pane_id { P_QUEUE, P_VITALS, P_UNITS, P_EVENTS, P_REGIONS, P_COUNT };

struct tui_pane {
	const struct pane_ops *ops;
	WINDOW *win;
	int y, x, h, w, shown;
	int sel, top; /* in filtered rows */
	char filter[128];
	int *index, nindex, cap; /* rows matching the filter */
	int dirty;
};

/* A vitals row: a category heading or an indicator (row of t->vitals). */
struct vital_row {
	int heading; /* 1: category heading */
	int row;     /* row in t->vitals, or first row of the category */
	int worst;   /* heading: count of alarm+warn */
};

struct tui_event {
	time_t at;
	int slot;
	char *text;
};

#define TUI_EVENTS_MAX 500

enum view_kind { V_TEXT, V_INCIDENT, V_INDICATOR, V_REGION };

/* A drill-down view; the stack's top covers the panes. */
struct tui_view {
	enum view_kind kind;
	char *crumbs;
	char *arg; /* ref, indicator key or region code */
	char **lines;
	int nlines;
	int top, sel;
	int loading;
	/* V_REGION: children (owned), selectable. */
	struct db_table *children;
	/* V_INDICATOR: history values and thresholds. */
	double *hv;
	int hn;
	double warn, alarm;
	char *name, *unit;
	struct tui_view *below;
};

enum tui_mode { MODE_NORMAL, MODE_PROMPT, MODE_FILTER, MODE_QUIT };

/* A query being kept fresh; coalesces requests while one runs. */
struct fetch {
	int inflight, again;
};

struct tui {
	struct loop *loop;
	struct db_async *db;
	struct session *s;
	struct config cfg;
	struct tui_opts opts;
	enum tui_mode mode;
	int quit, rows, cols, too_small, full_repaint, compact;
	int bell;

	WINDOW *w_status, *w_banner, *w_view, *w_msg, *w_prompt;
	struct tui_pane panes[P_COUNT];
	int focus;
	unsigned dirty; /* LOOP_DIRTY_* bits plus TUI_DIRTY_* */
	struct loop_timer *render_timer, *tick_timer, *refetch_timer,
	    *vitals_timer;
	struct loop_watch *tty_watch, *sig_watch;
	int tty_fd, sig_fd;
	unsigned char held[16]; /* an incomplete key or UTF-8 sequence */
	int nheld;

	/* Data, as last fetched. */
	struct db_table *queue, *units, *vitals, *regions, *mode_t, *counts;
	int64_t queue_at; /* when the queue was fetched (monotonic ms) */
	struct fetch f_queue, f_units, f_vitals, f_regions, f_mode, f_counts;
	unsigned want; /* refetches asked for by notifications */
	struct vital_row *vrows;
	int nvrows;
	struct model_vitals *mv;
	char **hist_loaded; /* indicator keys whose history is loaded */
	int nhist_loaded, hist_inflight;
	/* Arrival tracking: refs seen, and new ones with their time. */
	char **seen;
	int nseen, queue_loaded;
	struct {
		char ref[32];
		int64_t until;
	} fresh[64];
	int nfresh;
	/* unit counts by status (index by names order) */
	struct tui_event events[TUI_EVENTS_MAX];
	int nevents, event_head;
	char msg[512];
	int msg_slot;
	char *resume_line; /* a line to put back in the prompt */
	char *region_names[512];
	int nregion_names;
	struct tui_view *view;
	enum db_link link;
	char link_why[256];
	int64_t down_since;
	int64_t started; /* monotonic ms at tui_run, for the first paint */
	int painted;

	/* Live feeds (--feed, "feed" lines): values straight into t->mv. */
	struct feed_live *feeds;
	int nfeeds;
	struct tui_feed {
		enum feed_link link; /* as last seen, for events */
		int was_up;          /* announced up (events once per change) */
		int64_t down_ms;     /* wall ms it went down, 0: up or new */
	} * feed;
	int vrows_stale; /* live states changed: regroup the vitals rows */
	/* CITYOPS_LATENCY_LOG: when feed data and keys reach the screen. */
	FILE *lat;
	int64_t lat_prev_ms; /* wall ms of the last render pass */
	int64_t lat_rd[256]; /* arrival of readings drawn in this pass */
	int nlat_rd;
	struct {
		int64_t sent, arrived;
	} lat_hb[64]; /* heartbeats since the last pass */
	int nlat_hb;
};

enum {
	TUI_DIRTY_VIEW = 1 << 8,
	TUI_DIRTY_MSG = 1 << 9,
	TUI_DIRTY_PROMPT = 1 << 10,
	TUI_DIRTY_LAYOUT = 1 << 11,
};

/* tui.c */
void tui_mark(struct tui *t, unsigned bits);
void tui_message(struct tui *t, int slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tui_event(struct tui *t, int slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tui_run_line(struct tui *t, const char *line, int as_view);
void tui_open_incident(struct tui *t, const char *ref);
void tui_open_indicator(struct tui *t, const char *key);
void tui_open_region(struct tui *t, const char *code);
/* Seconds since the queue was fetched, to keep ages and SLAs live. */
long long tui_queue_elapsed(const struct tui *t);
int tui_is_fresh(struct tui *t, const char *ref);
/* State symbol that survives no-colour terminals, and its slot. */
const char *tui_vital_symbol(const char *state, int *slot);
/*
 * What the vitals pane shows for row i of t->vitals: the live value and
 * state from a feed once one has fed the indicator (stale when that feed
 * has been down a while), else the database's. Writes the value text
 * into value; returns the state name ("alarm", "stale" …) or NULL, and
 * sets *live (may be NULL) to 1 for a feed value.
 */
const char *tui_vital_now(struct tui *t, int i, char *value, size_t valuesz,
                          int *live);
/* The vitals pane drew ind's live value (for CITYOPS_LATENCY_LOG). */
void tui_latency_reading(struct tui *t, const struct model_indicator *ind);

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
