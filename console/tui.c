/*
 * The live console. One loop (loop.c) drives everything: the terminal's
 * bytes, the database's answers and notifications, a signalfd for resize
 * and termination, and timers. Handlers change the data and mark parts of
 * the screen dirty; one render pass, coalesced by a short timer, draws the
 * dirty windows with wnoutrefresh and sends them with one doupdate, so that
 * in steady state only what changed reaches the terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <langinfo.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "cityops/feed-live.h"
#include "cityops/format.h"
#include "cityops/log.h"
#include "cityops/text.h"
#include "tui-internal.h"

#define MIN_COLS        60
#define MIN_ROWS        15
#define RENDER_DELAY_MS 15
#define REFETCH_MS      30
#define VITALS_EVERY_MS 15000
#define FRESH_MS        120000
#define HISTORY_BATCH   32
/* A feed down this long makes the values it gave stale (a reconnect that
 * resumes its stream within it does not flicker the pane). */
#define FEED_DOWN_STALE_MS 5000

enum want_bits {
	W_QUEUE = 1 << 0,
	W_UNITS = 1 << 1,
	W_VITALS = 1 << 2,
	W_MODE = 1 << 3,
	W_REGIONS = 1 << 4,
	W_COUNTS = 1 << 5,
	W_WHOAMI = 1 << 6,
	W_MAPS = 1 << 7, /* the entity mapping, for NGSI-LD feeds */
	W_ALL = 0xff,
};

static void render(struct tui *t);
static void layout(struct tui *t);
static void fetch_wanted(struct tui *t);
static void load_history(struct tui *t);
static void latency_log(struct tui *t, int status_drawn);

/* ---- small helpers ---------------------------------------------------- */

static unsigned
pane_bit(int pane)
{
	static const unsigned bits[P_COUNT] = {
	    [P_QUEUE] = LOOP_DIRTY_QUEUE,     [P_VITALS] = LOOP_DIRTY_VITALS,
	    [P_UNITS] = LOOP_DIRTY_UNITS,     [P_EVENTS] = LOOP_DIRTY_EVENTS,
	    [P_REGIONS] = LOOP_DIRTY_REGIONS,
	};
	return bits[pane];
}

void
tui_mark(struct tui *t, unsigned bits)
{
	t->dirty |= bits;
	for (int i = 0; i < P_COUNT; i++)
		if (bits & pane_bit(i))
			t->panes[i].dirty = 1;
	if (t->render_timer != NULL)
		loop_timer_start_if_idle(t->render_timer, RENDER_DELAY_MS);
}

/* loop_dirty() from outside (feed clients) lands here. */
static void
dirty_hook(void *arg, unsigned bits)
{
	tui_mark(arg, bits);
}

void
tui_message(struct tui *t, int slot, const char *fmt, ...)
{
	va_list ap;
	char raw[512];

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	text_sanitize(raw, strlen(raw), t->msg, sizeof t->msg);
	t->msg_slot = slot;
	tui_mark(t, TUI_DIRTY_MSG);
}

void
tui_event(struct tui *t, int slot, const char *fmt, ...)
{
	struct tui_event *e = &t->events[t->event_head];
	va_list ap;
	char raw[512];

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	free(e->text);
	e->text = text_sanitize_dup(raw, strlen(raw));
	e->at = time(NULL);
	e->slot = slot;
	t->event_head = (t->event_head + 1) % TUI_EVENTS_MAX;
	if (t->nevents < TUI_EVENTS_MAX)
		t->nevents++;
	if (t->panes[P_EVENTS].sel > 0)
		t->panes[P_EVENTS].sel++;
	tui_mark(t, LOOP_DIRTY_EVENTS);
}

long long
tui_queue_elapsed(const struct tui *t)
{
	return t->queue_at ? (loop_now_ms() - t->queue_at) / 1000 : 0;
}

int
tui_is_fresh(struct tui *t, const char *ref)
{
	int64_t now = loop_now_ms();

	for (int i = 0; ref && i < t->nfresh; i++)
		if (strcmp(t->fresh[i].ref, ref) == 0)
			return t->fresh[i].until > now;
	return 0;
}

const char *
tui_vital_symbol(const char *state, int *slot)
{
	if (state == NULL || strcmp(state, "nodata") == 0) {
		*slot = SLOT_FEED_STALE;
		return "--";
	}
	if (strcmp(state, "alarm") == 0) {
		*slot = SLOT_ALERT_CRIT;
		return "!!";
	}
	if (strcmp(state, "warn") == 0) {
		*slot = SLOT_ALERT_WARN;
		return "! ";
	}
	if (strcmp(state, "stale") == 0) {
		*slot = SLOT_FEED_STALE;
		return "??";
	}
	*slot = SLOT_STATE_OK;
	return "ok";
}

/* The indicator of row i of t->vitals when a feed has fed it, or NULL. */
static struct model_indicator *
live_indicator(struct tui *t, int i, long *feed)
{
	const char *key = db_get(t->vitals, i, "indicator_id");
	struct model_indicator *ind;

	if (t->feeds == NULL || key == NULL)
		return NULL;
	ind = model_vitals_find(t->mv, key);
	*feed = feed_live_source(t->feeds, ind);
	return *feed >= 0 && !isnan(ind->value) ? ind : NULL;
}

const char *
tui_vital_now(struct tui *t, int i, char *value, size_t valuesz, int *live)
{
	long feed = -1;
	struct model_indicator *ind = live_indicator(t, i, &feed);
	const struct tui_feed *f;

	if (live != NULL)
		*live = ind != NULL;
	if (ind == NULL) {
		if (value != NULL)
			result_cell_text(db_get(t->vitals, i, "value"),
			                 F_NUMBER, value, valuesz);
		return db_get(t->vitals, i, "state");
	}
	if (value != NULL) {
		if (fabs(ind->value) < 1e6)
			snprintf(value, valuesz, "%.6g", ind->value);
		else
			snprintf(value, valuesz, "%.0f", ind->value);
	}
	f = &t->feed[feed];
	if (f->down_ms != 0 &&
	    feed_wall_ms() - f->down_ms >= FEED_DOWN_STALE_MS)
		return model_state_name(MODEL_STATE_STALE);
	return model_state_name(ind->state);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
set_has(char **set, int n, const char *s)
{
	return s != NULL && n > 0 &&
	       bsearch(&s, set, (size_t)n, sizeof *set, cmp_str) != NULL;
}

/* Adds a copy of s to the sorted set, keeping it sorted. */
static void
set_add(char ***set, int *n, const char *s)
{
	int lo = 0, hi = *n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (strcmp((*set)[mid], s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*set = xrealloc(*set, (size_t)(*n + 1) * sizeof **set);
	memmove(*set + lo + 1, *set + lo, (size_t)(*n - lo) * sizeof **set);
	(*set)[lo] = xstrdup(s);
	(*n)++;
}

static void
set_free(char ***set, int *n)
{
	for (int i = 0; i < *n; i++)
		free((*set)[i]);
	free(*set);
	*set = NULL;
	*n = 0;
}

static void
add_region_name(struct tui *t, const char *name)
{
	if (name == NULL || *name == '\0')
		return;
	for (int i = 0; i < t->nregion_names; i++)
		if (strcmp(t->region_names[i], name) == 0)
			return;
	if (t->nregion_names <
	    (int)(sizeof t->region_names / sizeof t->region_names[0]))
		t->region_names[t->nregion_names++] = xstrdup(name);
}

/* ---- views (drill-down) ----------------------------------------------- */

static void
view_free(struct tui_view *v)
{
	for (int i = 0; i < v->nlines; i++)
		free(v->lines[i]);
	free(v->lines);
	free(v->crumbs);
	free(v->arg);
	free(v->hv);
	free(v->name);
	free(v->unit);
	db_table_free(&v->children);
	free(v);
}

static struct tui_view *
view_push(struct tui *t, enum view_kind kind, const char *crumbs,
          const char *arg)
{
	struct tui_view *v = xcalloc(1, sizeof *v);

	v->kind = kind;
	v->crumbs = xstrdup(crumbs ? crumbs : "");
	v->arg = arg ? xstrdup(arg) : NULL;
	v->loading = 1;
	v->warn = v->alarm = NAN;
	v->below = t->view;
	t->view = v;
	tui_mark(t, TUI_DIRTY_VIEW | LOOP_DIRTY_STATUS);
	return v;
}

static void
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

/* Is v still on the stack? Answers may arrive after Esc. */
static int
view_alive(struct tui *t, struct tui_view *v)
{
	for (struct tui_view *p = t->view; p != NULL; p = p->below)
		if (p == v)
			return 1;
	return 0;
}

static void
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

/* ---- running commands asynchronously ---------------------------------- */

struct run {
	struct tui *t;
	struct cmd_ctx *ctx;
	struct result res;
	char *line;
	const char *name;
	int qi;
	struct tui_view *view; /* where the output goes, or NULL */
};

static void run_next(struct run *r);

static void
run_done(struct run *r)
{
	struct tui *t = r->t;
	struct buf out = {0}, err = {0};

	result_render_text(&r->res, &out);
	result_render_error(&r->res, &err);
	if (r->view != NULL && view_alive(t, r->view)) {
		struct buf all = {0};
		if (out.data)
			buf_adds(&all, out.data);
		if (err.data)
			buf_adds(&all, err.data);
		view_set_text(r->view, all.data);
		buf_free(&all);
		tui_mark(t, TUI_DIRTY_VIEW);
	} else if (r->view == NULL) {
		int lines = 0;
		for (const char *p = out.data; p && *p; p++)
			lines += *p == '\n';
		if (r->res.failed) {
			char *nl = err.data ? strchr(err.data, '\n') : NULL;
			if (nl != NULL && nl[1] != '\0')
				*nl = ' ';
			tui_message(t, SLOT_MSG_ERROR, "%s",
			            err.data ? err.data : "failed");
			tui_event(t, SLOT_MSG_ERROR, "✗ %s: %s", r->line,
			          r->res.error ? r->res.error : "failed");
			/* Nothing typed is lost: a command the database
			 * could not take goes back into the prompt. */
			if (r->res.code != NULL &&
			    strcmp(r->res.code, "db_unreachable") == 0) {
				free(t->resume_line);
				t->resume_line = xstrdup(r->line);
			}
		} else if (lines <= 1) {
			tui_message(t, SLOT_MSG_OK, "» %s  %s", r->line,
			            out.data ? out.data : "ok");
		} else {
			char crumbs[300];
			struct tui_view *v;
			snprintf(crumbs, sizeof crumbs, "» %s", r->line);
			v = view_push(t, V_TEXT, crumbs, NULL);
			view_set_text(v, out.data);
			tui_message(t, SLOT_MSG_OK, "» %s  (Esc 返回)",
			            r->line);
		}
		if (r->ctx == NULL && !r->res.failed && r->name != NULL) {
			const struct cmd_entry *e = cmd_find(r->name);
			if (e != NULL && (e->flags & CMD_WRITE))
				tui_event(t, SLOT_MSG_OK, "✓ %s", r->line);
		}
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
tui_run_line(struct tui *t, const char *line, int as_view)
{
	struct tui_view *v = NULL;

	if (strcmp(line, "quit") == 0 || strcmp(line, "exit") == 0) {
		t->quit = 1;
		loop_quit(t->loop);
		return;
	}
	if (as_view) {
		char crumbs[300];
		snprintf(crumbs, sizeof crumbs, "» %s", line);
		v = view_push(t, V_TEXT, crumbs, NULL);
	}
	run_line_into(t, line, v);
}

void
tui_open_incident(struct tui *t, const char *ref)
{
	char crumbs[200], line[96];
	struct tui_view *v;
	const char *region = NULL;

	for (int i = 0; t->queue && i < t->queue->nrows; i++)
		if (strcmp(db_get(t->queue, i, "ref") ?: "", ref) == 0)
			region = db_get(t->queue, i, "region_name");
	snprintf(crumbs, sizeof crumbs, "%s › %s%s%s",
	         t->s->scope_name ? t->s->scope_name : "上海市",
	         region ? region : "", region ? " › " : "", ref);
	v = view_push(t, V_INCIDENT, crumbs, ref);
	snprintf(line, sizeof line, "show %s", ref);
	run_line_into(t, line, v);
}

static void history_loaded(void *arg, struct db_table *tb,
                           const struct db_error *err);

struct hist_req {
	struct tui *t;
	struct tui_view *view; /* NULL: for the model's sparkline */
	char *key;
};

void
tui_open_indicator(struct tui *t, const char *key)
{
	char crumbs[256], hours[16];
	struct tui_view *v;
	struct hist_req *h = xcalloc(1, sizeof *h);
	const char *p[2] = {key, hours};

	for (int i = 0; t->vitals && i < t->vitals->nrows; i++)
		if (strcmp(db_get(t->vitals, i, "indicator_id") ?: "", key) ==
		    0) {
			snprintf(crumbs, sizeof crumbs, "生命体征 › %s › %s",
			         db_get(t->vitals, i, "category") ?: "",
			         db_get(t->vitals, i, "name") ?: key);
			v = view_push(t, V_INDICATOR, crumbs, key);
			v->warn = db_get(t->vitals, i, "warn")
			              ? atof(db_get(t->vitals, i, "warn"))
			              : NAN;
			v->alarm = db_get(t->vitals, i, "alarm")
			               ? atof(db_get(t->vitals, i, "alarm"))
			               : NAN;
			v->name = xstrdup(db_get(t->vitals, i, "name") ?: key);
			v->unit = xstrdup(db_get(t->vitals, i, "unit") ?: "");
			goto found;
		}
	snprintf(crumbs, sizeof crumbs, "生命体征 › %s", key);
	v = view_push(t, V_INDICATOR, crumbs, key);
	v->name = xstrdup(key);
	v->unit = xstrdup("");
found:
	snprintf(hours, sizeof hours, "%d", t->cfg.history_hours);
	h->t = t;
	h->view = v;
	h->key = xstrdup(key);
	db_async_submit(t->db, Q_TUI_HISTORY, 2, p, history_loaded, h);
}

struct region_req {
	struct tui *t;
	struct tui_view *view;
	int step;
};

static void
region_got(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct region_req *rq = arg;
	struct tui *t = rq->t;
	struct tui_view *v = rq->view;

	if (!view_alive(t, v)) {
		db_table_free(&tb);
		free(rq);
		return;
	}
	if (err != NULL) {
		view_set_text(v, err->message ? err->message : "error");
		free(rq);
		tui_mark(t, TUI_DIRTY_VIEW);
		return;
	}
	if (rq->step == 0) {
		const char *bc = db_get(tb, 0, "breadcrumb");
		if (bc != NULL) {
			free(v->crumbs);
			v->crumbs = text_sanitize_dup(bc, strlen(bc));
		}
		db_table_free(&tb);
	} else {
		db_table_free(&v->children);
		v->children = tb;
		v->loading = 0;
		for (int i = 0; i < tb->nrows; i++)
			add_region_name(t, db_get(tb, i, "name"));
	}
	free(rq);
	tui_mark(t, TUI_DIRTY_VIEW);
}

void
tui_open_region(struct tui *t, const char *code)
{
	struct tui_view *v = view_push(t, V_REGION, code, code);
	const char *p[1] = {code};

	for (int step = 0; step < 2; step++) {
		struct region_req *rq = xcalloc(1, sizeof *rq);
		rq->t = t;
		rq->view = v;
		rq->step = step;
		db_async_submit(t->db, step ? Q_REGION_CHILDREN : Q_REGION, 1,
		                p, region_got, rq);
	}
}

/* ---- data: fetching and notifications --------------------------------- */

struct fetch_req {
	struct tui *t;
	unsigned what;
};

static void
replace(struct db_table **slot, struct db_table *tb)
{
	db_table_free(slot);
	*slot = tb;
}

static int
state_rank(const char *st)
{
	if (st == NULL)
		return 4;
	if (strcmp(st, "alarm") == 0)
		return 0;
	if (strcmp(st, "warn") == 0)
		return 1;
	if (strcmp(st, "stale") == 0)
		return 2;
	if (strcmp(st, "normal") == 0)
		return 3;
	return 4;
}

/*
 * Groups vitals by category: worst group first, and within a group the
 * worst first (SQL's order among equals). States are the ones shown, so a
 * live value crossing into alarm moves up as it happens.
 */
static void
build_vital_rows(struct tui *t)
{
	const struct db_table *v = t->vitals;
	struct {
		const char *cat;
		int rank, worst;
	} groups[64];
	int ng = 0, n = 0, *grp, *rank;

	free(t->vrows);
	t->vrows = NULL;
	t->nvrows = 0;
	t->vrows_stale = 0;
	if (v == NULL)
		return;
	grp = xcalloc((size_t)v->nrows + 1, sizeof *grp);
	rank = xcalloc((size_t)v->nrows + 1, sizeof *rank);
	for (int i = 0; i < v->nrows; i++) {
		const char *cat = db_get(v, i, "category") ?: "";
		int g;
		rank[i] = state_rank(tui_vital_now(t, i, NULL, 0, NULL));
		for (g = 0; g < ng; g++)
			if (strcmp(groups[g].cat, cat) == 0)
				break;
		if (g == ng) {
			if (ng == 64)
				g = 63;
			else {
				groups[ng].cat = cat;
				groups[ng].rank = 9;
				groups[ng].worst = 0;
				ng++;
			}
		}
		grp[i] = g;
		if (rank[i] < groups[g].rank)
			groups[g].rank = rank[i];
		if (rank[i] <= 1)
			groups[g].worst++;
	}
	t->vrows = xcalloc((size_t)(v->nrows + ng), sizeof *t->vrows);
	/* Groups by rank, then rows by rank: few ranks, so a pass per rank
	 * keeps both orders stable without sorting. */
	for (int gr = 0; gr <= 9; gr++)
		for (int g = 0; g < ng; g++) {
			int first = 1;
			if (groups[g].rank != gr)
				continue;
			for (int r = 0; r <= 4; r++)
				for (int i = 0; i < v->nrows; i++) {
					if (grp[i] != g || rank[i] != r)
						continue;
					if (first) {
						t->vrows[n].heading = 1;
						t->vrows[n].row = i;
						t->vrows[n].worst =
						    groups[g].worst;
						n++;
						first = 0;
					}
					t->vrows[n++].row = i;
				}
		}
	t->nvrows = n;
	free(grp);
	free(rank);
}

/* Defines every indicator in the model, thresholds on the right side. */
static void
define_indicators(struct tui *t)
{
	const struct db_table *v = t->vitals;

	for (int i = 0; v && i < v->nrows; i++) {
		struct model_indicator_def d = {0};
		const char *w = db_get(v, i, "warn"),
		           *a = db_get(v, i, "alarm");
		double wv = w ? atof(w) : NAN, av = a ? atof(a) : NAN;

		d.key = db_get(v, i, "indicator_id");
		if (d.key == NULL)
			continue;
		d.category = db_get(v, i, "category") ?: "";
		d.name = db_get(v, i, "name") ?: "";
		d.unit = db_get(v, i, "unit") ?: "";
		d.warn_high = d.alarm_high = d.warn_low = d.alarm_low = NAN;
		/* The catalogue's staleness limit and hysteresis, when the
		 * vitals query carries them; without a limit only a feed
		 * that goes down makes its values stale (tui_vital_now). */
		if (db_get(v, i, "stale_s") != NULL)
			d.stale_ms = atoll(db_get(v, i, "stale_s")) * 1000;
		if (db_get(v, i, "hysteresis") != NULL)
			d.hysteresis = atof(db_get(v, i, "hysteresis"));
		if (!isnan(wv) && !isnan(av) && av < wv) {
			d.warn_low = wv;
			d.alarm_low = av;
		} else {
			d.warn_high = wv;
			d.alarm_high = av;
		}
		model_vitals_define(t->mv, &d);
	}
}

static void
on_queue(struct tui *t, struct db_table *tb)
{
	char **seen = xcalloc((size_t)tb->nrows + 1, sizeof *seen);
	int n = 0, p1 = 0;

	for (int i = 0; i < tb->nrows; i++) {
		const char *ref = db_get(tb, i, "ref");
		if (ref == NULL)
			continue;
		seen[n++] = xstrdup(ref);
		if (t->queue_loaded && !set_has(t->seen, t->nseen, ref)) {
			int k = t->nfresh < 64 ? t->nfresh++ : 63;
			snprintf(t->fresh[k].ref, sizeof t->fresh[k].ref, "%s",
			         ref);
			t->fresh[k].until = loop_now_ms() + FRESH_MS;
			if (strcmp(db_get(tb, i, "priority") ?: "", "1") == 0)
				p1 = 1;
		}
	}
	qsort(seen, (size_t)n, sizeof *seen, cmp_str);
	set_free(&t->seen, &t->nseen);
	t->seen = seen;
	t->nseen = n;
	t->queue_loaded = 1;
	replace(&t->queue, tb);
	t->queue_at = loop_now_ms();
	if (p1 && t->bell)
		beep();
	tui_mark(t, LOOP_DIRTY_QUEUE | LOOP_DIRTY_STATUS);
}

static void
on_whoami(struct tui *t, struct db_table *tb)
{
	int role;

	if (tb->nrows == 1) {
		session_clear(t->s);
		t->s->login = xstrdup(db_get(tb, 0, "login") ?: "");
		t->s->display_name =
		    xstrdup(db_get(tb, 0, "display_name") ?: "");
		t->s->scope_code = xstrdup(db_get(tb, 0, "scope_code") ?: "");
		t->s->scope_name = xstrdup(db_get(tb, 0, "scope_name") ?: "");
		role = names_role_parse(db_get(tb, 0, "role"));
		t->s->role = role < 0 ? ROLE_viewer : (enum role)role;
		add_region_name(t, t->s->scope_name);
	}
	db_table_free(&tb);
	tui_mark(t, LOOP_DIRTY_STATUS | LOOP_DIRTY_REGIONS);
}

static struct fetch *
fetch_of(struct tui *t, unsigned what)
{
	switch (what) {
	case W_QUEUE:
		return &t->f_queue;
	case W_UNITS:
		return &t->f_units;
	case W_VITALS:
		return &t->f_vitals;
	case W_MODE:
		return &t->f_mode;
	case W_REGIONS:
		return &t->f_regions;
	case W_COUNTS:
		return &t->f_counts;
	default:
		return NULL;
	}
}

static void
fetched(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct fetch_req *fr = arg;
	struct tui *t = fr->t;
	unsigned what = fr->what;
	struct fetch *f = fetch_of(t, what);

	free(fr);
	if (f != NULL)
		f->inflight = 0;
	if (err != NULL) {
		log_msg(LOG_WARN, "fetch %u failed: %s", what,
		        err->message ? err->message : "?");
		if (err->message != NULL && what != W_WHOAMI)
			tui_message(t, SLOT_MSG_ERROR, "%s", err->message);
		if (f != NULL && f->again) {
			f->again = 0;
			t->want |= what;
			fetch_wanted(t);
		}
		return;
	}
	switch (what) {
	case W_QUEUE:
		on_queue(t, tb);
		break;
	case W_UNITS:
		replace(&t->units, tb);
		tui_mark(t, LOOP_DIRTY_UNITS);
		break;
	case W_VITALS:
		replace(&t->vitals, tb);
		define_indicators(t);
		build_vital_rows(t);
		tui_mark(t, LOOP_DIRTY_VITALS | LOOP_DIRTY_STATUS);
		load_history(t);
		break;
	case W_MODE:
		replace(&t->mode_t, tb);
		tui_mark(t, LOOP_DIRTY_STATUS | TUI_DIRTY_LAYOUT);
		break;
	case W_REGIONS:
		replace(&t->regions, tb);
		for (int i = 0; i < tb->nrows; i++)
			add_region_name(t, db_get(tb, i, "name"));
		tui_mark(t, LOOP_DIRTY_REGIONS);
		break;
	case W_COUNTS:
		replace(&t->counts, tb);
		tui_mark(t, LOOP_DIRTY_STATUS);
		break;
	case W_WHOAMI:
		on_whoami(t, tb);
		/* The regions pane needs the scope. */
		t->want |= W_REGIONS;
		break;
	case W_MAPS:
		feed_live_map_clear(t->feeds);
		for (int i = 0; i < tb->nrows; i++)
			if (db_get(tb, i, "indicator_id") != NULL)
				feed_live_map_add(
				    t->feeds, db_get(tb, i, "entity_type"),
				    db_get(tb, i, "entity_id"),
				    db_get(tb, i, "attribute"),
				    db_get(tb, i, "indicator_id"));
		log_msg(LOG_INFO, "feeds: %d entity mappings", tb->nrows);
		db_table_free(&tb);
		break;
	default:
		db_table_free(&tb);
	}
	if (f != NULL && f->again) {
		f->again = 0;
		t->want |= what;
	}
	fetch_wanted(t);
}

static void
submit_fetch(struct tui *t, unsigned what)
{
	struct fetch *f = fetch_of(t, what);
	struct fetch_req *fr;
	char limit[16];
	const char *ex = t->opts.exercise ? "true" : "false";

	if (f != NULL && f->inflight) {
		f->again = 1;
		return;
	}
	if (f != NULL)
		f->inflight = 1;
	fr = xcalloc(1, sizeof *fr);
	fr->t = t;
	fr->what = what;
	snprintf(limit, sizeof limit, "%d", t->cfg.queue_limit);
	switch (what) {
	case W_QUEUE: {
		const char *p[7] = {NULL, NULL, NULL, NULL, "false", ex, limit};
		db_async_submit(t->db, Q_QUEUE, 7, p, fetched, fr);
		break;
	}
	case W_UNITS: {
		const char *p[4] = {NULL, NULL, NULL, ex};
		db_async_submit(t->db, Q_UNITS, 4, p, fetched, fr);
		break;
	}
	case W_VITALS: {
		const char *p[3] = {NULL, NULL, "10000"};
		db_async_submit(t->db, Q_VITALS, 3, p, fetched, fr);
		break;
	}
	case W_MODE:
		db_async_submit(t->db, Q_MODE, 0, NULL, fetched, fr);
		break;
	case W_REGIONS: {
		const char *p[1] = {t->s->scope_code};
		db_async_submit(t->db, Q_REGION_CHILDREN, 1, p, fetched, fr);
		break;
	}
	case W_COUNTS: {
		const char *p[1] = {ex};
		db_async_submit(t->db, Q_TUI_COUNTS, 1, p, fetched, fr);
		break;
	}
	case W_WHOAMI:
		db_async_submit(t->db, Q_WHOAMI, 0, NULL, fetched, fr);
		break;
	case W_MAPS:
		db_async_submit(t->db, Q_ENTITY_MAPPINGS, 0, NULL, fetched, fr);
		break;
	default:
		free(fr);
	}
}

static void
fetch_wanted(struct tui *t)
{
	static const unsigned order[] = {W_WHOAMI,  W_MODE,  W_QUEUE,
	                                 W_COUNTS,  W_UNITS, W_VITALS,
	                                 W_REGIONS, W_MAPS};

	if (t->link != DB_LINK_UP)
		return;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (t->want & order[i]) {
			/* Regions need the scope from whoami first. */
			if (order[i] == W_REGIONS && t->s->scope_code == NULL)
				continue;
			if (order[i] == W_MAPS && t->feeds == NULL) {
				t->want &= ~order[i];
				continue;
			}
			t->want &= ~order[i];
			submit_fetch(t, order[i]);
		}
}

static void
refetch_cb(void *arg)
{
	fetch_wanted(arg);
}

static void
want(struct tui *t, unsigned bits)
{
	t->want |= bits;
	loop_timer_start_if_idle(t->refetch_timer, REFETCH_MS);
}

static void
history_loaded(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct hist_req *h = arg;
	struct tui *t = h->t;

	if (h->view == NULL)
		t->hist_inflight--;
	if (err == NULL && h->view == NULL) {
		/* Into the model: oldest first, so each one applies. */
		struct feed_reading r = {0};
		for (int i = 0; i < tb->nrows; i++) {
			r.key = h->key;
			r.value = atof(db_get(tb, i, "value") ?: "0");
			r.ts_ms = atoll(db_get(tb, i, "ms") ?: "0");
			if (isfinite(r.value))
				model_vitals_apply(t->mv, &r, r.ts_ms, NULL);
		}
		tui_mark(t, LOOP_DIRTY_VITALS);
	} else if (h->view != NULL && view_alive(t, h->view)) {
		struct tui_view *v = h->view;
		if (err != NULL) {
			view_set_text(v, err->message);
		} else {
			v->hn = tb->nrows;
			v->hv = xcalloc((size_t)tb->nrows + 1, sizeof *v->hv);
			for (int i = 0; i < tb->nrows; i++)
				v->hv[i] = atof(db_get(tb, i, "value") ?: "0");
			v->loading = 0;
		}
		tui_mark(t, TUI_DIRTY_VIEW);
	}
	db_table_free(&tb);
	if (h->view == NULL)
		load_history(t);
	free(h->key);
	free(h);
}

/*
 * Loads sparkline history for the vital rows on screen, a few at a time,
 * so that 5,000 indicators do not mean 5,000 queries at start.
 */
static void
load_history(struct tui *t)
{
	struct tui_pane *p = &t->panes[P_VITALS];
	int first = p->top, last = p->top + (p->h > 2 ? p->h - 2 : 20);
	char hours[8] = "1";

	if (t->vitals == NULL || t->link != DB_LINK_UP)
		return;
	for (int k = first; k < last && k < t->nvrows; k++) {
		int i = p->index ? (k < p->nindex ? p->index[k] : -1) : k;
		const char *key;
		struct hist_req *h;
		const char *params[2];

		if (t->hist_inflight >= 4)
			return;
		if (i < 0 || i >= t->nvrows || t->vrows[i].heading)
			continue;
		key = db_get(t->vitals, t->vrows[i].row, "indicator_id");
		if (key == NULL ||
		    set_has(t->hist_loaded, t->nhist_loaded, key))
			continue;
		set_add(&t->hist_loaded, &t->nhist_loaded, key);
		h = xcalloc(1, sizeof *h);
		h->t = t;
		h->key = xstrdup(key);
		params[0] = key;
		params[1] = hours;
		t->hist_inflight++;
		db_async_submit(t->db, Q_TUI_HISTORY, 2, params, history_loaded,
		                h);
	}
}

/* Pulls "key":"value" or "key":number out of a small flat JSON object. */
static int
json_field(const char *js, const char *key, char *out, size_t outsz)
{
	char pat[48];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof pat, "\"%s\"", key);
	p = strstr(js, pat);
	if (p == NULL)
		return -1;
	p += strlen(pat);
	p += strspn(p, " \t:");
	if (*p == '"') {
		p++;
		while (*p && *p != '"' && n + 1 < outsz) {
			if (*p == '\\' && p[1])
				p++;
			out[n++] = *p++;
		}
	} else {
		while (*p && *p != ',' && *p != '}' && n + 1 < outsz)
			out[n++] = *p++;
	}
	out[n] = '\0';
	return 0;
}

struct last_event {
	struct tui *t;
	char ref[64];
};

/* Who did what: the newest timeline row of a changed incident. */
static void
last_event_got(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct last_event *le = arg;
	struct tui *t = le->t;

	if (err == NULL && tb->nrows > 0) {
		const char *to = db_get(tb, 0, "to_state");
		const char *unit = db_get(tb, 0, "unit");
		const char *note = db_get(tb, 0, "note");
		const char *action = db_get(tb, 0, "action") ?: "";
		int slot =
		    strcmp(action, "raise") == 0 ? SLOT_ROW_NEW : SLOT_NORMAL;
		tui_event(t, slot, "%s %s%s%s · %s%s%s%s%s", le->ref, action,
		          to ? " → " : "", to ? names_incident_state(to) : "",
		          db_get(tb, 0, "actor") ?: "?", unit ? " · " : "",
		          unit ? unit : "", note ? " · " : "",
		          note ? note : "");
	}
	db_table_free(&tb);
	free(le);
}

static void
on_notify(void *arg, const char *payload)
{
	struct tui *t = arg;
	char type[16] = "", ref[32] = "", id[64] = "", st[32] = "";

	log_msg(LOG_DEBUG, "notify %s", payload);
	json_field(payload, "t", type, sizeof type);
	if (strcmp(type, "incident") == 0) {
		struct last_event *le = xcalloc(1, sizeof *le);
		const char *p[1];
		json_field(payload, "ref", ref, sizeof ref);
		json_field(payload, "id", id, sizeof id);
		char key[64];
		le->t = t;
		snprintf(key, sizeof key, "%s", ref[0] ? ref : id);
		snprintf(le->ref, sizeof le->ref, "%s", key);
		p[0] = key;
		db_async_submit(t->db, Q_TUI_LAST_EVENT, 1, p, last_event_got,
		                le);
		want(t, W_QUEUE | W_COUNTS | W_REGIONS);
		/* An open incident view follows its incident. */
		if (t->view && t->view->kind == V_INCIDENT && t->view->arg &&
		    strcmp(t->view->arg, key) == 0) {
			char line[96];
			snprintf(line, sizeof line, "show %s", key);
			run_line_into(t, line, t->view);
		}
	} else if (strcmp(type, "unit") == 0) {
		json_field(payload, "id", id, sizeof id);
		json_field(payload, "status", st, sizeof st);
		tui_event(t, SLOT_DIM, "单位 %s → %s", id,
		          names_unit_status(st));
		want(t, W_UNITS);
	} else if (strcmp(type, "mode") == 0) {
		tui_event(t, SLOT_ALERT_WARN, "模式变更 (mode changed)");
		want(t, W_MODE);
	} else if (strcmp(type, "alarm") == 0) {
		json_field(payload, "indicator", id, sizeof id);
		json_field(payload, "state", st, sizeof st);
		tui_event(t,
		          strcmp(st, "raised") == 0 ? SLOT_ALERT_CRIT
		                                    : SLOT_STATE_OK,
		          "告警 %s %s", id, st);
		want(t, W_VITALS | W_REGIONS);
	} else {
		want(t, W_ALL);
	}
}

static void
on_link(void *arg, enum db_link link, const char *why)
{
	struct tui *t = arg;
	enum db_link was = t->link;

	t->link = link;
	if (link == DB_LINK_UP) {
		if (was != DB_LINK_UP && t->down_since != 0)
			tui_event(t, SLOT_STATE_OK,
			          "数据库已恢复, 全量同步 (database back, "
			          "resync)");
		t->down_since = 0;
		t->link_why[0] = '\0';
		/* Full resync: everything may have changed meanwhile. */
		t->want |= W_ALL;
		fetch_wanted(t);
	} else if (link == DB_LINK_DOWN) {
		if (t->down_since == 0) {
			t->down_since = loop_now_ms();
			tui_event(t, SLOT_ALERT_CRIT, "数据库断开: %s",
			          why ? why : "");
		}
		snprintf(t->link_why, sizeof t->link_why, "%s", why ? why : "");
		/* Fetches in flight are resent by db.c; forget ours. */
	}
	tui_mark(t, LOOP_DIRTY_STATUS | TUI_DIRTY_LAYOUT);
}

/* ---- drawing ----------------------------------------------------------- */

/*
 * The feeds' part of the status line: "feed -" without feeds, "feed ●2/2"
 * when all are up, "feed … 0/1 connecting" at the start, and when one is
 * down "feed ✗ 1/2 重连 3s" (reconnecting in 3 s). Returns 1 when a feed
 * is down (drawn as an alarm).
 */
static int
feed_status(struct tui *t, char *buf, size_t bufsz)
{
	int up = 0, down = 0, connecting = 0;
	int64_t retry = -1;

	if (t->feeds == NULL) {
		snprintf(buf, bufsz, "feed -");
		return 0;
	}
	for (int i = 0; i < t->nfeeds; i++) {
		const struct feed_health *h =
		    feed_live_health(t->feeds, (size_t)i);
		if (h->link == FEED_LINK_UP)
			up++;
		else if (h->link == FEED_LINK_WAITING ||
		         t->feed[i].down_ms != 0) {
			down++;
			if (h->link == FEED_LINK_WAITING &&
			    (retry < 0 || h->retry_in_ms < retry))
				retry = h->retry_in_ms;
		} else
			connecting++;
	}
	if (down > 0 && retry >= 0)
		snprintf(buf, bufsz, "feed ✗ %d/%d 断开 重连 %llds", up,
		         t->nfeeds, (long long)(retry + 999) / 1000);
	else if (down > 0)
		snprintf(buf, bufsz, "feed ✗ %d/%d 断开 重连中", up, t->nfeeds);
	else if (connecting > 0)
		snprintf(buf, bufsz, "feed … %d/%d 连接中", up, t->nfeeds);
	else
		snprintf(buf, bufsz, "feed ●%d/%d", up, t->nfeeds);
	return down > 0;
}

static void
draw_status(struct tui *t)
{
	WINDOW *w = t->w_status;
	char buf[512], clock[16], counts[96] = "", who[128];
	const char *mode = t->mode_t ? db_get(t->mode_t, 0, "mode") : NULL;
	int emergency = mode && strcmp(mode, "emergency") == 0;
	int slot = emergency ? SLOT_STATUS_EMERGENCY : SLOT_STATUS;
	int x, width = t->cols;
	time_t now = time(NULL);
	struct tm tm;
	const char *db;

	localtime_r(&now, &tm);
	strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	if (t->counts != NULL) {
		size_t n = 0;
		for (int p = 1; p <= 4; p++) {
			const char *c = "0";
			for (int i = 0; i < t->counts->nrows; i++)
				if (atoi(db_get(t->counts, i, "priority")
				             ?: "0") == p)
					c = db_get(t->counts, i, "n") ?: "0";
			n += (size_t)snprintf(counts + n, sizeof counts - n,
			                      "P%d:%s ", p, c);
		}
	}
	switch (t->link) {
	case DB_LINK_UP:
		db = "DB ●";
		break;
	case DB_LINK_CONNECTING:
		db = "DB …";
		break;
	default:
		db = "DB ✗";
	}
	snprintf(who, sizeof who, "%s %s",
	         t->s->display_name ? t->s->display_name : "-",
	         t->s->login ? names_role_label(t->s->role) : "");
	werase(w);
	wbkgdset(w, ' ' | theme_attr(slot));
	wattrset(w, theme_attr(slot));
	for (int i = 0; i < width; i++)
		mvwaddch(w, 0, i, ' ');
	if (emergency)
		snprintf(buf, sizeof buf, " %s 【应急响应 %s级 %s】",
		         t->s->scope_name ? t->s->scope_name : "上海市",
		         db_get(t->mode_t, 0, "level") ?: "",
		         db_get(t->mode_t, 0, "kind") ?: "");
	else
		snprintf(buf, sizeof buf, " %s 平时",
		         t->s->scope_name ? t->s->scope_name : "上海市");
	x = draw_text(w, 0, 0, width, buf, theme_attr(slot) | A_BOLD, 0);
	if (t->opts.exercise)
		x += draw_text(w, 0, x + 1, width - x - 1, "[演练]",
		               theme_attr(SLOT_STATUS_EXERCISE), 0) +
		     1;
	if (t->s->readonly)
		x += draw_text(w, 0, x + 1, width - x - 1, "[只读]",
		               theme_attr(slot) | A_BOLD, 0) +
		     1;
	snprintf(buf, sizeof buf, " │ %s │ %s │ ", counts, db);
	x += draw_text(w, 0, x, width - x, buf, theme_attr(slot), 0);
	{
		char fb[160];
		int down = feed_status(t, fb, sizeof fb);
		/* A feed down is drawn as an alarm, so that it cannot be
		 * missed, in colour or not. */
		x +=
		    draw_text(w, 0, x, width - x, fb,
		              down ? (int)(theme_attr(SLOT_ALERT_CRIT) | A_BOLD)
		                   : theme_attr(slot),
		              0);
	}
	snprintf(buf, sizeof buf, " │ %s%s", who, t->bell ? " │ 🔔" : "");
	x += draw_text(w, 0, x, width - x, buf, theme_attr(slot), 0);
	/* The clock sits at the right edge when there is room. */
	if (width - x > 10)
		draw_text(w, 0, width - 9, 9, clock, theme_attr(slot), 0);
	wbkgdset(w, ' ');
	wnoutrefresh(w);
}

static void
draw_banner(struct tui *t)
{
	char buf[400];
	long long in;

	if (t->w_banner == NULL)
		return;
	in = db_async_retry_in(t->db);
	if (t->link == DB_LINK_CONNECTING)
		snprintf(buf, sizeof buf, " 数据库重连中… (reconnecting) — %s",
		         t->link_why);
	else
		snprintf(buf, sizeof buf,
		         " 数据库断开 (database down): %s — %s%lld s 后重连; "
		         "输入不会丢失",
		         t->link_why, in >= 0 ? "" : "",
		         in >= 0 ? (in + 999) / 1000 : 0);
	werase(t->w_banner);
	draw_text(t->w_banner, 0, 0, t->cols, buf, theme_attr(SLOT_BANNER), 1);
	wnoutrefresh(t->w_banner);
}

static int
row_matches(struct tui *t, struct tui_pane *p, int i)
{
	struct pane_row r;
	char joined[PANE_MAX_COLS * PANE_CELL];
	size_t n = 0;

	memset(&r, 0, sizeof r);
	for (int c = 0; c < PANE_MAX_COLS; c++)
		r.slots[c] = -1;
	p->ops->row(t, i, &r);
	for (int c = 0; c < p->ops->ncols; c++)
		n += (size_t)snprintf(joined + n, sizeof joined - n, "%s ",
		                      r.cells[c] ? r.cells[c] : "");
	return strcasestr(joined, p->filter) != NULL;
}

static void
refilter(struct tui *t, struct tui_pane *p)
{
	int n = p->ops->count(t);

	p->nindex = 0;
	if (p->filter[0] == '\0') {
		free(p->index);
		p->index = NULL;
		p->cap = 0;
		p->nindex = n;
	} else {
		if (p->cap < n) {
			p->index = xrealloc(p->index, (size_t)n * sizeof(int));
			p->cap = n;
		}
		for (int i = 0; i < n; i++)
			if (row_matches(t, p, i))
				p->index[p->nindex++] = i;
	}
	if (p->sel >= p->nindex)
		p->sel = p->nindex > 0 ? p->nindex - 1 : 0;
}

static int
pane_data_row(struct tui_pane *p, int k)
{
	return p->index ? p->index[k] : k;
}

static int
pane_loaded(const struct tui *t, const struct tui_pane *p)
{
	if (p->ops == &pane_queue)
		return t->queue != NULL;
	if (p->ops == &pane_vitals)
		return t->vitals != NULL;
	if (p->ops == &pane_units)
		return t->units != NULL;
	if (p->ops == &pane_regions)
		return t->regions != NULL;
	return 1;
}

static void
draw_pane(struct tui *t, struct tui_pane *p, int focused)
{
	WINDOW *w = p->win;
	int widths[PANE_MAX_COLS], body = p->h - 2;
	char title[320], sum[160] = "";
	const char *labels[PANE_MAX_COLS];

	refilter(t, p);
	if (p->sel < p->top)
		p->top = p->sel;
	if (body > 0 && p->sel >= p->top + body)
		p->top = p->sel - body + 1;
	if (p->top > 0 && p->top > p->nindex - body)
		p->top = p->nindex - body > 0 ? p->nindex - body : 0;
	werase(w);
	if (p->ops->summary)
		p->ops->summary(t, sum, sizeof sum);
	snprintf(title, sizeof title, " %s  %s%s%s%s ", p->ops->title, sum,
	         p->filter[0] ? "  /" : "", p->filter,
	         p->filter[0] ? " (Esc 清除)" : "");
	draw_text(w, 0, 0, p->w, title,
	          theme_attr(focused ? SLOT_TITLE_FOCUS : SLOT_TITLE), 1);
	draw_widths(p->ops->cols, p->ops->ncols, p->w, widths);
	for (int c = 0; c < p->ops->ncols; c++)
		labels[c] = p->ops->cols[c].label;
	if (p->h > 1)
		draw_row(w, 1, p->w, p->ops->cols, widths, p->ops->ncols,
		         labels, NULL, theme_attr(SLOT_HEADER));
	for (int y = 0; y < body; y++) {
		int k = p->top + y, attrs[PANE_MAX_COLS], row_attr;
		struct pane_row r;

		if (k >= p->nindex)
			break;
		memset(&r, 0, sizeof r);
		r.slot = SLOT_NORMAL;
		for (int c = 0; c < PANE_MAX_COLS; c++)
			r.slots[c] = -1;
		p->ops->row(t, pane_data_row(p, k), &r);
		row_attr = theme_attr((enum theme_slot)r.slot);
		if (focused && k == p->sel) {
			row_attr = theme_attr(SLOT_ROW_SELECTED);
			for (int c = 0; c < PANE_MAX_COLS; c++)
				attrs[c] = -1;
		} else {
			for (int c = 0; c < PANE_MAX_COLS; c++)
				attrs[c] =
				    r.slots[c] >= 0
				        ? theme_attr(
				              (enum theme_slot)r.slots[c])
				        : -1;
		}
		draw_row(w, y + 2, p->w, p->ops->cols, widths, p->ops->ncols,
		         r.cells, attrs, row_attr);
	}
	if (p->nindex == 0 && body > 0) {
		const char *why = "(空 empty)";
		if (p->filter[0])
			why = "(无匹配 no match)";
		else if (t->link != DB_LINK_UP)
			why = "(等待数据库… waiting for the database)";
		else if (!pane_loaded(t, p))
			why = "(载入中… loading)";
		draw_text(w, 2, 1, p->w - 1, why, theme_attr(SLOT_DIM), 0);
	}
	wnoutrefresh(w);
}

/* An indicator's history as a bar chart with its thresholds marked. */
static void
draw_chart(struct tui *t, struct tui_view *v, int y0, int h)
{
	WINDOW *w = t->w_view;
	int width = t->cols - 10;
	double lo = INFINITY, hi = -INFINITY;
	static const char *const blocks[] = {" ", "▁", "▂", "▃", "▄",
	                                     "▅", "▆", "▇", "█"};
	char label[32];

	if (v->hn == 0 || h < 3 || width < 10) {
		draw_text(w, y0, 2, t->cols - 2,
		          v->loading ? "载入中… (loading)"
		                     : "(无历史 no history)",
		          theme_attr(SLOT_DIM), 0);
		return;
	}
	for (int i = 0; i < v->hn; i++) {
		lo = fmin(lo, v->hv[i]);
		hi = fmax(hi, v->hv[i]);
	}
	if (!isnan(v->warn)) {
		lo = fmin(lo, v->warn);
		hi = fmax(hi, v->warn);
	}
	if (!isnan(v->alarm)) {
		lo = fmin(lo, v->alarm);
		hi = fmax(hi, v->alarm);
	}
	if (hi - lo < 1e-9)
		hi = lo + 1;
	for (int x = 0; x < width; x++) {
		/* Each column shows the maximum of its span of points. */
		int a = (int)((long long)x * v->hn / width);
		int b = (int)((long long)(x + 1) * v->hn / width);
		double m = -INFINITY;
		int slot = SLOT_SPARK;
		if (b <= a)
			b = a + 1;
		if (a >= v->hn)
			break;
		for (int i = a; i < b && i < v->hn; i++)
			m = fmax(m, v->hv[i]);
		{
			int high = !isnan(v->alarm) && !isnan(v->warn) &&
			           v->alarm >= v->warn;
			if (!isnan(v->alarm) &&
			    (high ? m >= v->alarm : m <= v->alarm))
				slot = SLOT_ALERT_CRIT;
			else if (!isnan(v->warn) &&
			         (high ? m >= v->warn : m <= v->warn))
				slot = SLOT_ALERT_WARN;
		}
		for (int r = 0; r < h; r++) {
			double cell_lo = lo + (hi - lo) * (h - 1 - r) / h;
			double frac = (m - cell_lo) / ((hi - lo) / h);
			int idx = frac >= 1   ? 8
			          : frac <= 0 ? 0
			                      : (int)(frac * 8);
			if (idx > 0)
				draw_text(w, y0 + r, 9 + x, 1, blocks[idx],
				          theme_attr((enum theme_slot)slot), 0);
		}
	}
	/* Threshold rows, labelled at the left. */
	for (int k = 0; k < 2; k++) {
		double th = k ? v->alarm : v->warn;
		int r;
		if (isnan(th))
			continue;
		r = (int)((hi - th) / (hi - lo) * (h - 1) + 0.5);
		snprintf(label, sizeof label, "%s%.6g", k ? "告" : "预", th);
		draw_text(w, y0 + r, 0, 9, label,
		          theme_attr(k ? SLOT_ALERT_CRIT : SLOT_ALERT_WARN), 0);
	}
	snprintf(label, sizeof label, "%.6g", hi);
	if (isnan(v->alarm) && isnan(v->warn))
		draw_text(w, y0, 0, 9, label, theme_attr(SLOT_DIM), 0);
}

static void
draw_view(struct tui *t)
{
	struct tui_view *v = t->view;
	WINDOW *w = t->w_view;
	int h, body;
	char buf[300];

	if (w == NULL || v == NULL)
		return;
	h = getmaxy(w);
	werase(w);
	draw_text(w, 0, 0, t->cols, v->crumbs, theme_attr(SLOT_TITLE_FOCUS), 1);
	body = h - 1;
	if (v->kind == V_INDICATOR) {
		int ch = body > 14 ? body - 4 : body - 2;
		double last = v->hn ? v->hv[v->hn - 1] : NAN;
		snprintf(buf, sizeof buf,
		         " %s  最新 %.6g %s  预警 %.6g  告警 %.6g  %d 点 / %dh",
		         v->name ? v->name : "", last, v->unit ? v->unit : "",
		         v->warn, v->alarm, v->hn, t->cfg.history_hours);
		draw_text(w, 1, 0, t->cols, buf, theme_attr(SLOT_HEADER), 1);
		draw_chart(t, v, 2, ch);
	} else if (v->kind == V_REGION) {
		static const struct draw_col cols[] = {
		    {"代码", 10, 0, 2}, {"名称", 0, 0, 0},
		    {"层级", 9, 0, 3},  {"未结", 4, 1, 0},
		    {"体征", 9, 0, 0},  {"最差指标", 20, 0, 1},
		    {"值", 9, 1, 1},
		};
		static const char *const labels[] = {
		    "代码", "名称", "层级", "未结", "体征", "最差指标", "值"};
		int widths[7], n = v->children ? v->children->nrows : 0;
		draw_widths(cols, 7, t->cols, widths);
		draw_row(w, 1, t->cols, cols, widths, 7, labels, NULL,
		         theme_attr(SLOT_HEADER));
		if (v->sel >= n)
			v->sel = n > 0 ? n - 1 : 0;
		if (v->sel < v->top)
			v->top = v->sel;
		if (v->sel >= v->top + body - 1)
			v->top = v->sel - (body - 2);
		for (int y = 0; y < body - 1 && v->top + y < n; y++) {
			int i = v->top + y, slot, attrs[7];
			const struct db_table *c = v->children;
			const char *st = db_get(c, i, "worst_state");
			const char *sym = tui_vital_symbol(st, &slot);
			char state[48], value[32];
			const char *cells[7];
			snprintf(state, sizeof state, "%s %s", sym,
			         st ? names_vital_state(st) : "");
			result_cell_text(db_get(c, i, "worst_value"), F_NUMBER,
			                 value, sizeof value);
			cells[0] = db_get(c, i, "code");
			cells[1] = db_get(c, i, "name");
			cells[2] = db_get(c, i, "level");
			cells[3] = db_get(c, i, "open_incidents");
			cells[4] = state;
			cells[5] = db_get(c, i, "worst_indicator");
			cells[6] = value;
			for (int k = 0; k < 7; k++)
				attrs[k] = -1;
			attrs[4] = theme_attr((enum theme_slot)slot);
			draw_row(w, 2 + y, t->cols, cols, widths, 7, cells,
			         i == v->sel ? NULL : attrs,
			         theme_attr(i == v->sel ? SLOT_ROW_SELECTED
			                                : SLOT_NORMAL));
		}
		if (n == 0)
			draw_text(w, 2, 1, t->cols - 1,
			          v->loading ? "载入中… (loading)"
			                     : "(无下级 no children)",
			          theme_attr(SLOT_DIM), 0);
	} else {
		if (v->top > v->nlines - body)
			v->top = v->nlines - body > 0 ? v->nlines - body : 0;
		for (int y = 0; y < body && v->top + y < v->nlines; y++)
			draw_text(w, 1 + y, 0, t->cols, v->lines[v->top + y],
			          theme_attr(SLOT_NORMAL), 0);
		if (v->loading)
			draw_text(w, 1, 0, t->cols, "载入中… (loading)",
			          theme_attr(SLOT_DIM), 0);
	}
	wnoutrefresh(w);
}

static void
draw_msg(struct tui *t)
{
	const char *text = t->msg;
	char buf[160];

	if (t->mode == MODE_QUIT) {
		snprintf(buf, sizeof buf, "退出控制台? Quit? (y/n)");
		text = buf;
	}
	werase(t->w_msg);
	draw_text(t->w_msg, 0, 0, t->cols, text,
	          theme_attr(t->mode == MODE_QUIT
	                         ? SLOT_ALERT_CRIT
	                         : (enum theme_slot)t->msg_slot),
	          0);
	wnoutrefresh(t->w_msg);
}

static void
draw_too_small(struct tui *t)
{
	char buf[128];

	werase(stdscr);
	snprintf(buf, sizeof buf, "终端太小 terminal too small");
	draw_text(stdscr, 0, 0, t->cols, buf, A_BOLD, 0);
	snprintf(buf, sizeof buf, "need %dx%d, have %dx%d", MIN_COLS, MIN_ROWS,
	         t->cols, t->rows);
	if (t->rows > 1)
		draw_text(stdscr, 1, 0, t->cols, buf, A_NORMAL, 0);
	wnoutrefresh(stdscr);
}

static void
render(struct tui *t)
{
	int panes_dirty = 0, status_drawn;

	if (t->dirty & TUI_DIRTY_LAYOUT) {
		int banner_needed = t->link != DB_LINK_UP;
		if (banner_needed != (t->w_banner != NULL))
			layout(t);
		t->dirty &= ~(unsigned)TUI_DIRTY_LAYOUT;
	}
	if (t->full_repaint) {
		clearok(curscr, TRUE);
		t->full_repaint = 0;
	}
	if (t->too_small) {
		draw_too_small(t);
		doupdate();
		t->dirty = 0;
		return;
	}
	status_drawn = (t->dirty & LOOP_DIRTY_STATUS) != 0;
	if (status_drawn) {
		draw_status(t);
		draw_banner(t);
	}
	if (t->vrows_stale)
		build_vital_rows(t);
	if (t->view != NULL) {
		if (t->dirty & TUI_DIRTY_VIEW)
			draw_view(t);
	} else {
		for (int i = 0; i < P_COUNT; i++) {
			struct tui_pane *p = &t->panes[i];
			if (p->shown && p->dirty) {
				draw_pane(t, p, i == t->focus);
				panes_dirty = 1;
			}
			p->dirty = 0;
		}
	}
	if (t->dirty & (TUI_DIRTY_MSG | TUI_DIRTY_PROMPT))
		draw_msg(t);
	/* The prompt goes last: its cursor is the one the terminal shows. */
	prompt_draw(t);
	doupdate();
	t->dirty = 0;
	latency_log(t, status_drawn);
	if (!t->painted && t->queue && t->vitals && t->units && t->counts) {
		t->painted = 1;
		log_msg(LOG_INFO, "first full paint %lld ms after start",
		        (long long)(loop_now_ms() - t->started));
	}
	if (panes_dirty)
		load_history(t);
}

static void
render_cb(void *arg)
{
	render(arg);
}

/* ---- layout ------------------------------------------------------------ */

static void
place(struct tui *t, int id, int y, int x, int h, int w)
{
	struct tui_pane *p = &t->panes[id];

	if (h < 3 || w < 20)
		return;
	p->y = y;
	p->x = x;
	p->h = h;
	p->w = w;
	p->shown = 1;
	p->win = newwin(h, w, y, x);
	leaveok(p->win, TRUE);
	p->dirty = 1;
}

static void
free_windows(struct tui *t)
{
	WINDOW **ws[] = {&t->w_status, &t->w_banner, &t->w_view, &t->w_msg,
	                 &t->w_prompt};

	for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
		if (*ws[i] != NULL) {
			delwin(*ws[i]);
			*ws[i] = NULL;
		}
	for (int i = 0; i < P_COUNT; i++) {
		if (t->panes[i].win != NULL)
			delwin(t->panes[i].win);
		t->panes[i].win = NULL;
		t->panes[i].shown = 0;
	}
}

/*
 * 80x24 shows the essentials: the queue over one more pane (vital signs,
 * or whichever the operator tabbed to). From 120 columns two columns of
 * panes; from 160x45 the regions pane joins.
 */
static void
layout(struct tui *t)
{
	int y, h, rows, cols, wide;

	getmaxyx(stdscr, rows, cols);
	t->rows = rows;
	t->cols = cols;
	free_windows(t);
	werase(stdscr);
	wnoutrefresh(stdscr);
	t->too_small = rows < MIN_ROWS || cols < MIN_COLS;
	tui_mark(t, LOOP_DIRTY_ALL | TUI_DIRTY_VIEW | TUI_DIRTY_MSG |
	                TUI_DIRTY_PROMPT);
	if (t->too_small)
		return;
	t->w_status = newwin(1, cols, 0, 0);
	y = 1;
	if (t->link != DB_LINK_UP) {
		t->w_banner = newwin(1, cols, 1, 0);
		y = 2;
	}
	t->w_msg = newwin(1, cols, rows - 2, 0);
	t->w_prompt = newwin(1, cols, rows - 1, 0);
	leaveok(t->w_status, TRUE);
	leaveok(t->w_msg, TRUE);
	h = rows - 2 - y;
	t->w_view = newwin(h, cols, y, 0);
	leaveok(t->w_view, TRUE);
	wide = t->cfg.layout == LAYOUT_WIDE ||
	       (t->cfg.layout == LAYOUT_AUTO && cols >= 120 && rows >= 30);
	t->compact = !wide;
	if (!wide) {
		int qh = h / 2 + 1,
		    other = t->focus == P_QUEUE ? P_VITALS : t->focus;
		place(t, P_QUEUE, y, 0, qh, cols);
		place(t, other, y + qh, 0, h - qh, cols);
	} else {
		int lw = cols * 11 / 20, rw = cols - lw - 1;
		int qh = h * 3 / 5, vh = h * 11 / 20;
		int big = cols >= 160 && rows >= 45;
		place(t, P_QUEUE, y, 0, qh, lw);
		place(t, P_EVENTS, y + qh, 0, h - qh, lw);
		if (big) {
			int uh = (h - vh) / 2;
			place(t, P_VITALS, y, lw + 1, vh, rw);
			place(t, P_UNITS, y + vh, lw + 1, uh, rw);
			place(t, P_REGIONS, y + vh + uh, lw + 1, h - vh - uh,
			      rw);
		} else {
			place(t, P_VITALS, y, lw + 1, vh, rw);
			place(t, P_UNITS, y + vh, lw + 1, h - vh, rw);
		}
		/* The one-column gap between the halves. */
		for (int r = y; r < y + h; r++)
			mvwaddch(stdscr, r, lw, ' ');
		wnoutrefresh(stdscr);
	}
	if (!t->panes[t->focus].shown)
		t->focus = P_QUEUE;
}

/* ---- input ------------------------------------------------------------- */

static void
show_help(struct tui *t)
{
	struct buf b = {0};
	struct tui_view *v;
	char key[16];

	buf_adds(&b, "按键 KEYS (bind KEY ACTION in the config file)\n");
	for (int a = 0; a < ACTION_COUNT; a++)
		buf_printf(
		    &b, "  %-8s %-12s %s\n",
		    config_key_for((enum config_action)a, key, sizeof key),
		    config_action_name((enum config_action)a),
		    config_action_help((enum config_action)a));
	buf_adds(&b, "\n提示符 PROMPT: Tab completes commands, incident refs, "
	             "unit call signs, regions; Ctrl-R searches history; "
	             "Esc or Ctrl-C cancels.\n\n命令 COMMANDS\n");
	for (int i = 0; cmd_table[i] != NULL; i++)
		buf_printf(&b, "  %s %s\n      %s%s\n", cmd_table[i]->name,
		           cmd_table[i]->usage ? cmd_table[i]->usage : "",
		           cmd_table[i]->help,
		           (cmd_table[i]->flags & CMD_WRITE) && t->s->readonly
		               ? " (只读: refused)"
		               : "");
	buf_adds(&b, "\n状态符号 SYMBOLS: !! 告警 alarm  ! 预警 warn  ?? 失联 "
	             "stale  -- 无数据 no data  ok 正常\n");
	v = view_push(t, V_TEXT, "帮助 help", NULL);
	view_set_text(v, b.data);
	buf_free(&b);
}

static void
move_sel(struct tui *t, int delta, int absolute)
{
	struct tui_view *v = t->view;
	int *sel, n, page;

	if (v != NULL) {
		if (v->kind == V_REGION) {
			sel = &v->sel;
			n = v->children ? v->children->nrows : 0;
		} else {
			sel = &v->top;
			n = v->nlines;
		}
		page = t->w_view ? getmaxy(t->w_view) - 2 : 10;
	} else {
		struct tui_pane *p = &t->panes[t->focus];
		sel = &p->sel;
		n = p->nindex;
		page = p->h > 3 ? p->h - 3 : 1;
		p->dirty = 1;
	}
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
	tui_mark(t, TUI_DIRTY_VIEW | pane_bit(t->focus));
}

static void
do_action(struct tui *t, enum config_action a)
{
	struct tui_pane *p = &t->panes[t->focus];

	switch (a) {
	case ACTION_QUIT:
		t->mode = MODE_QUIT;
		tui_mark(t, TUI_DIRTY_MSG);
		break;
	case ACTION_PROMPT:
		prompt_open(t, MODE_PROMPT, t->resume_line);
		free(t->resume_line);
		t->resume_line = NULL;
		break;
	case ACTION_FILTER:
		if (t->view == NULL)
			prompt_open(t, MODE_FILTER, p->filter);
		break;
	case ACTION_FOCUS_NEXT:
	case ACTION_FOCUS_PREV: {
		int d = a == ACTION_FOCUS_NEXT ? 1 : P_COUNT - 1;
		int old = t->focus;
		if (t->view != NULL)
			break;
		/* Compact layouts show the focused pane under the queue. */
		for (int k = 0; k < P_COUNT; k++) {
			t->focus = (t->focus + d) % P_COUNT;
			if (t->panes[t->focus].shown || t->compact)
				break;
		}
		if (t->compact && !t->panes[t->focus].shown)
			layout(t);
		t->panes[old].dirty = t->panes[t->focus].dirty = 1;
		tui_mark(t, 0);
		break;
	}
	case ACTION_UP:
		move_sel(t, -1, 0);
		break;
	case ACTION_DOWN:
		move_sel(t, 1, 0);
		break;
	case ACTION_PAGE_UP:
		move_sel(t, -2, 0);
		break;
	case ACTION_PAGE_DOWN:
		move_sel(t, 2, 0);
		break;
	case ACTION_TOP:
		move_sel(t, -1, 1);
		break;
	case ACTION_BOTTOM:
		move_sel(t, 1, 1);
		break;
	case ACTION_ENTER:
		if (t->view != NULL) {
			struct tui_view *v = t->view;
			if (v->kind == V_REGION && v->children &&
			    v->sel < v->children->nrows)
				tui_open_region(
				    t, db_get(v->children, v->sel, "code"));
		} else if (p->ops->enter && p->sel < p->nindex) {
			p->ops->enter(t, pane_data_row(p, p->sel));
		}
		break;
	case ACTION_BACK:
		if (t->view != NULL)
			view_pop(t);
		else if (p->filter[0]) {
			p->filter[0] = '\0';
			p->dirty = 1;
			tui_mark(t, 0);
		}
		break;
	case ACTION_HELP:
		show_help(t);
		break;
	case ACTION_REDRAW:
		t->full_repaint = 1;
		layout(t);
		break;
	case ACTION_BELL:
		t->bell = !t->bell;
		tui_message(t, SLOT_DIM, "P1 提示音 bell %s",
		            t->bell ? "on" : "off");
		tui_mark(t, LOOP_DIRTY_STATUS);
		break;
	case ACTION_REGIONS:
		if (t->s->scope_code)
			tui_open_region(t, t->s->scope_code);
		break;
	default:
		break;
	}
}

/*
 * Decodes one key at p (n bytes). Returns its length, 0 when the bytes may
 * be the start of a longer sequence (wait for more), and the key in *key.
 */
static size_t
decode_key(const unsigned char *p, size_t n, int *key, int final)
{
	static const struct {
		const char *seq;
		int key;
	} seqs[] = {
	    {"\033[A", KEY_C_UP},    {"\033[B", KEY_C_DOWN},
	    {"\033[C", KEY_C_RIGHT}, {"\033[D", KEY_C_LEFT},
	    {"\033OA", KEY_C_UP},    {"\033OB", KEY_C_DOWN},
	    {"\033OC", KEY_C_RIGHT}, {"\033OD", KEY_C_LEFT},
	    {"\033[5~", KEY_C_PGUP}, {"\033[6~", KEY_C_PGDN},
	    {"\033[H", KEY_C_HOME},  {"\033[F", KEY_C_END},
	    {"\033OH", KEY_C_HOME},  {"\033OF", KEY_C_END},
	    {"\033[1~", KEY_C_HOME}, {"\033[4~", KEY_C_END},
	    {"\033[7~", KEY_C_HOME}, {"\033[8~", KEY_C_END},
	    {"\033[3~", KEY_C_DEL},  {"\033[Z", KEY_C_BTAB},
	};
	uint32_t cp;
	size_t len;

	if (p[0] == 0x1b) {
		if (n == 1) {
			*key = KEY_C_ESC;
			return final ? 1 : 0;
		}
		for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
			size_t sl = strlen(seqs[i].seq);
			if (n >= sl && memcmp(p, seqs[i].seq, sl) == 0) {
				*key = seqs[i].key;
				return sl;
			}
			if (n < sl && memcmp(p, seqs[i].seq, n) == 0 && !final)
				return 0;
		}
		/* Unknown sequence: skip ESC [ ... final byte. */
		if (n >= 2 && (p[1] == '[' || p[1] == 'O')) {
			size_t i = 2;
			while (i < n && (p[i] < 0x40 || p[i] > 0x7e))
				i++;
			*key = -1;
			return i < n ? i + 1 : n;
		}
		*key = KEY_C_ESC;
		return 1;
	}
	if (p[0] == '\n')
		p = (const unsigned char *)"\r";
	if (p[0] < 0x80) {
		*key = p[0];
		return 1;
	}
	len = text_utf8_decode((const char *)p, n, &cp);
	if (len == 0) {
		/* Incomplete at the end: wait; invalid: drop a byte. */
		if (n < 4 && !final)
			return 0;
		*key = -1;
		return 1;
	}
	*key = (int)cp;
	return len;
}

/* Bytes to readline stop before an incomplete UTF-8 sequence. */
static size_t
complete_utf8(const unsigned char *p, size_t n)
{
	size_t i = n, back = 0;

	while (i > 0 && back < 4 && (p[i - 1] & 0xc0) == 0x80) {
		i--;
		back++;
	}
	if (i > 0 && p[i - 1] >= 0xc0) {
		size_t need = p[i - 1] >= 0xf0 ? 4 : p[i - 1] >= 0xe0 ? 3 : 2;
		if (back + 1 < need)
			return i - 1;
	}
	return n;
}

static void
handle_bytes(struct tui *t, const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && !t->quit) {
		if (t->mode == MODE_PROMPT || t->mode == MODE_FILTER) {
			size_t end, used;
			/* A lone Esc, Ctrl-C or Ctrl-G cancels the prompt. */
			if ((p[i] == 0x1b && i + 1 == n) || p[i] == 0x03 ||
			    p[i] == 0x07) {
				prompt_close(t);
				i++;
				continue;
			}
			end = i + complete_utf8(p + i, n - i);
			if (end == i) {
				memcpy(t->held, p + i, n - i);
				t->nheld = (int)(n - i);
				return;
			}
			used = prompt_feed(t, p + i, end - i);
			i += used ? used : 1;
			if (end < n && i == end &&
			    (t->mode == MODE_PROMPT ||
			     t->mode == MODE_FILTER)) {
				memcpy(t->held, p + end, n - end);
				t->nheld = (int)(n - end);
				return;
			}
			continue;
		}
		{
			int key = -1;
			size_t len = decode_key(p + i, n - i, &key, 0);
			if (len == 0) {
				/* Escape at the end of this read: a lone Esc
				 * key unless more arrives in the same read. */
				if (p[i] == 0x1b && n - i == 1)
					len = decode_key(p + i, n - i, &key, 1);
				else {
					size_t keep = n - i;
					if (keep > sizeof t->held)
						keep = sizeof t->held;
					memcpy(t->held, p + i, keep);
					t->nheld = (int)keep;
					return;
				}
			}
			i += len;
			if (t->mode == MODE_QUIT) {
				t->mode = MODE_NORMAL;
				tui_mark(t, TUI_DIRTY_MSG);
				if (key == 'y' || key == 'Y') {
					t->quit = 1;
					loop_quit(t->loop);
					return;
				}
				continue;
			}
			if (key == 0x03) /* Ctrl-C: ask, as q does */
				key = 'q';
			if (key >= 0)
				do_action(t, config_action_for(key));
		}
	}
}

static void
tty_event(void *arg, unsigned events)
{
	struct tui *t = arg;
	unsigned char buf[4096 + 16];
	ssize_t n;
	size_t have = (size_t)t->nheld;

	memcpy(buf, t->held, have);
	t->nheld = 0;
	n = read(t->tty_fd, buf + have, 4096);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		/* The terminal went away (SSH dropped): leave cleanly. */
		log_msg(LOG_WARN, "terminal closed");
		t->quit = 1;
		loop_quit(t->loop);
		return;
	}
	if (n < 0)
		n = 0;
	handle_bytes(t, buf, have + (size_t)n);
}

static void
resize(struct tui *t)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	t->full_repaint = 1;
	layout(t);
}

static void
signal_event(void *arg, unsigned events)
{
	struct tui *t = arg;
	struct signalfd_siginfo si;
	int winch = 0;

	while (read(t->sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGWINCH)
			winch = 1;
		else {
			log_msg(LOG_INFO, "signal %u: quitting", si.ssi_signo);
			t->quit = 1;
			loop_quit(t->loop);
		}
	}
	if (winch)
		resize(t);
}

static void
tick_cb(void *arg)
{
	struct tui *t = arg;
	int64_t now = loop_now_ms();
	int fresh_changed = 0;

	/* Clock, ages and SLA countdowns move every second. */
	for (int i = 0; i < t->nfresh; i++)
		if (t->fresh[i].until <= now) {
			t->fresh[i] = t->fresh[--t->nfresh];
			i--;
			fresh_changed = 1;
		}
	(void)fresh_changed;
	tui_mark(t, LOOP_DIRTY_STATUS | LOOP_DIRTY_QUEUE);
	/* A feed down long enough turns its values stale: look again. */
	for (int i = 0; i < t->nfeeds; i++)
		if (t->feed[i].down_ms != 0) {
			t->vrows_stale = 1;
			tui_mark(t, LOOP_DIRTY_VITALS);
			break;
		}
	if (t->lat != NULL) {
		for (int i = 0; i < t->nfeeds; i++) {
			const struct feed_health *h =
			    feed_live_health(t->feeds, (size_t)i);
			fprintf(t->lat, "s %lld %d %llu %llu\n",
			        (long long)feed_wall_ms(), i,
			        (unsigned long long)h->messages,
			        feed_live_applied(t->feeds));
		}
		fflush(t->lat);
	}
	/* Next tick on the next second boundary, so the clock is even. */
	{
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		loop_timer_start(t->tick_timer,
		                 1000 - ts.tv_nsec / 1000000 + 5);
	}
}

static void
vitals_cb(void *arg)
{
	struct tui *t = arg;

	want(t, W_VITALS);
	loop_timer_start(t->vitals_timer, VITALS_EVERY_MS);
}

/* ---- live feeds -------------------------------------------------------- */

static const char *
feed_label(const struct feed_health *h)
{
	const char *n = h->name ? h->name : "";

	return strncmp(n, "ws://", 5) == 0 ? n + 5 : n;
}

/* Link changes become events, once per change (not per retry). */
static void
feed_links(struct tui *t)
{
	for (int i = 0; i < t->nfeeds; i++) {
		const struct feed_health *h =
		    feed_live_health(t->feeds, (size_t)i);
		struct tui_feed *f = &t->feed[i];

		if (h->link == f->link)
			continue;
		f->link = h->link;
		if (h->link == FEED_LINK_UP) {
			tui_event(t, SLOT_STATE_OK, "馈送已连接 feed up: %s",
			          feed_label(h));
			f->was_up = 1;
			f->down_ms = 0;
		} else if (h->link == FEED_LINK_WAITING &&
		           (f->was_up || f->down_ms == 0)) {
			tui_event(t, SLOT_ALERT_CRIT,
			          "馈送断开 feed down: %s — %s", feed_label(h),
			          h->why[0] ? h->why : "?");
			f->was_up = 0;
			f->down_ms = feed_wall_ms();
		}
	}
}

static void
feeds_changed(void *arg, unsigned what)
{
	struct tui *t = arg;
	unsigned bits = 0;

	if (what & FEED_LIVE_VALUES)
		bits |= LOOP_DIRTY_VITALS;
	/* Regrouping every row is for a changed state or a feed going up
	 * or down (its values turn stale or live), not for every value. */
	if (what & (FEED_LIVE_STATES | FEED_LIVE_HEALTH))
		t->vrows_stale = 1;
	if (what & FEED_LIVE_HEALTH) {
		feed_links(t);
		bits |= LOOP_DIRTY_STATUS | LOOP_DIRTY_VITALS;
	}
	tui_mark(t, bits);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* Alarms, reports, CAP warnings and Open311 requests into the event log.
 * Readings went to the model already; heartbeats only time the screen. */
static void
feeds_event(void *arg, size_t feed, const struct feed_event *ev)
{
	struct tui *t = arg;
	const char *ex = ev->exercise ? "[演练] " : "";

	switch (ev->type) {
	case FEED_EV_HEARTBEAT:
		if (t->lat != NULL && ev->u.heartbeat.ts_ms > 0 &&
		    t->nlat_hb <
		        (int)(sizeof t->lat_hb / sizeof t->lat_hb[0])) {
			t->lat_hb[t->nlat_hb].sent = ev->u.heartbeat.ts_ms;
			t->lat_hb[t->nlat_hb].arrived = feed_wall_ms();
			t->nlat_hb++;
		}
		break;
	case FEED_EV_ALARM: {
		const struct feed_alarm *a = &ev->u.alarm;
		char val[32] = "";
		if (!isnan(a->value))
			snprintf(val, sizeof val, " %.6g", a->value);
		tui_event(t,
		          a->cleared                     ? SLOT_STATE_OK
		          : a->level >= FEED_LEVEL_ALARM ? SLOT_ALERT_CRIT
		                                         : SLOT_ALERT_WARN,
		          "%s⇣告警 %s %s%s%s %s", ex, nz(a->key),
		          a->cleared ? "cleared" : feed_level_name(a->level),
		          val, a->message ? " ·" : "", nz(a->message));
		break;
	}
	case FEED_EV_INCIDENT: {
		const struct feed_incident *in = &ev->u.incident;
		tui_event(t, in->priority == 1 ? SLOT_ALERT_CRIT : SLOT_ROW_NEW,
		          "%s⇣上报 %s P%d %s%s%s", ex, nz(in->source),
		          in->priority, nz(in->title), in->region ? " · " : "",
		          nz(in->region));
		break;
	}
	case FEED_EV_CAP: {
		const struct feed_cap *c = &ev->u.cap;
		const struct feed_cap_info *inf = c->ninfo ? &c->info[0] : NULL;
		tui_event(t,
		          inf && inf->severity <= FEED_CAP_SEVERITY_SEVERE &&
		                  inf->severity != FEED_CAP_SEVERITY_UNKNOWN
		              ? SLOT_ALERT_CRIT
		              : SLOT_ALERT_WARN,
		          "%s⇣预警 CAP %s %s %s%s%s", ex,
		          feed_cap_msgtype_name(c->msg_type),
		          inf ? feed_cap_severity_name(inf->severity) : "",
		          inf ? nz(inf->headline ? inf->headline : inf->event)
		              : "",
		          inf && inf->area_desc ? " · " : "",
		          inf ? nz(inf->area_desc) : "");
		break;
	}
	case FEED_EV_OPEN311: {
		const struct feed_open311 *o = &ev->u.open311;
		tui_event(
		    t, SLOT_NORMAL, "%s⇣12345 #%s %s %s%s%s", ex, nz(o->id),
		    nz(o->status),
		    nz(o->service_name ? o->service_name : o->service_code),
		    o->description ? " · " : "", nz(o->description));
		break;
	}
	default:
		break;
	}
	(void)feed;
}

static void
feeds_start(struct tui *t)
{
	const struct feed_live_hooks h = {feeds_changed, feeds_event, t};
	const char *const *urls = t->opts.feeds;
	int n = t->opts.nfeeds;
	const char *path = getenv("CITYOPS_LATENCY_LOG");

	if (n == 0) {
		static const char *cfg[CONFIG_FEEDS_MAX];
		for (int i = 0; i < t->cfg.nfeeds; i++)
			cfg[i] = t->cfg.feeds[i];
		urls = cfg;
		n = t->cfg.nfeeds;
	}
	if (n == 0)
		return;
	if (path != NULL && *path != '\0') {
		t->lat = fopen(path, "w");
		if (t->lat == NULL)
			log_msg(LOG_WARN, "cannot write %s", path);
	}
	t->feeds = feed_live_new(loop_lws(t->loop), t->mv, &h);
	t->feed = xcalloc((size_t)n, sizeof *t->feed);
	for (int i = 0; i < n; i++) {
		if (feed_live_add(t->feeds, urls[i]) != 0) {
			tui_message(t, SLOT_MSG_ERROR, "feed %s: bad URL",
			            urls[i]);
			continue;
		}
		t->feed[t->nfeeds].link = FEED_LINK_IDLE;
		t->nfeeds++;
	}
	log_msg(LOG_INFO, "feeds: %d subscribed", t->nfeeds);
}

/* After a render pass: what it put on the screen, and when. */
static void
latency_log(struct tui *t, int status_drawn)
{
	int64_t now;

	if (t->lat == NULL)
		return;
	now = feed_wall_ms();
	for (int i = 0; i < t->nlat_rd; i++)
		fprintf(t->lat, "r %lld %lld\n", (long long)t->lat_rd[i],
		        (long long)now);
	t->nlat_rd = 0;
	if (status_drawn) {
		for (int i = 0; i < t->nlat_hb; i++)
			fprintf(t->lat, "h %lld %lld %lld\n",
			        (long long)t->lat_hb[i].sent,
			        (long long)t->lat_hb[i].arrived,
			        (long long)now);
		t->nlat_hb = 0;
	}
	t->lat_prev_ms = now;
}

void
tui_latency_reading(struct tui *t, const struct model_indicator *ind)
{
	if (t->lat != NULL && ind->seen_ms > t->lat_prev_ms &&
	    t->nlat_rd < (int)(sizeof t->lat_rd / sizeof t->lat_rd[0]))
		t->lat_rd[t->nlat_rd++] = ind->seen_ms;
}

/* ---- start and stop ---------------------------------------------------- */

static int
open_tty(void)
{
	const char *name = ttyname(STDIN_FILENO);
	int fd;

	/* A fresh open file description for the read side: adopting stdin
	 * itself would make stdout non-blocking too (they share one). */
	fd = name ? open(name, O_RDONLY | O_NOCTTY | O_CLOEXEC) : -1;
	if (fd < 0)
		fd = open("/proc/self/fd/0", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	return fd;
}

static void
ensure_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	if (cs == NULL || strcasecmp(cs, "UTF-8") != 0)
		if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
			log_msg(LOG_WARN, "no UTF-8 locale; CJK text may show "
			                  "wrongly");
}

int
tui_run(struct session *s, const struct tui_opts *o)
{
	struct tui *t = xcalloc(1, sizeof *t);
	struct db_async_hooks hooks = {on_link, on_notify, t};
	const char *terr = NULL;
	char cerr[256] = "";
	sigset_t mask;
	int status = 0;

	t->started = loop_now_ms();
	t->s = s;
	t->opts = *o;
	t->tty_fd = t->sig_fd = -1;
	if (config_load(&t->cfg, o->config, cerr, sizeof cerr) != 0 &&
	    o->config != NULL) {
		fprintf(stderr, "cityops: %s\n", cerr);
		free(t);
		return 2;
	}
	if (o->theme != NULL)
		snprintf(t->cfg.theme, sizeof t->cfg.theme, "%s", o->theme);
	t->bell = t->cfg.bell;
	t->loop = loop_new();
	if (t->loop == NULL) {
		fprintf(stderr, "cityops: cannot start the event loop\n");
		free(t);
		return 1;
	}
	t->tty_fd = open_tty();
	if (t->tty_fd < 0) {
		fprintf(stderr, "cityops: cannot open the terminal\n");
		loop_free(&t->loop);
		free(t);
		return 1;
	}
	/* Signals arrive as data on a descriptor; no handler does work. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	t->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

	ensure_utf8();
	if (newterm(NULL, stdout, stdin) == NULL) {
		fprintf(stderr, "cityops: cannot start the screen (TERM=%s)\n",
		        getenv("TERM") ? getenv("TERM") : "");
		status = 1;
		goto out;
	}
	raw();
	noecho();
	nonl();
	/* We read the terminal ourselves; ncurses must not abandon an update
	 * because it sees typeahead on stdin. */
	typeahead(-1);
	curs_set(0);
	leaveok(stdscr, TRUE);
	if (theme_load(t->cfg.theme, o->no_color, &terr) != 0)
		tui_message(t, SLOT_MSG_ERROR, "%s (monochrome in use)", terr);
	if (cerr[0] != '\0')
		tui_message(t, SLOT_MSG_ERROR, "config: %s", cerr);
	if (s->readonly)
		tui_message(t, SLOT_DIM,
		            "只读模式 read-only: changes are refused");

	t->panes[P_QUEUE].ops = &pane_queue;
	t->panes[P_VITALS].ops = &pane_vitals;
	t->panes[P_UNITS].ops = &pane_units;
	t->panes[P_EVENTS].ops = &pane_events;
	t->panes[P_REGIONS].ops = &pane_regions;
	t->mv = model_vitals_new(0);
	t->render_timer = loop_timer_new(t->loop, render_cb, t);
	t->tick_timer = loop_timer_new(t->loop, tick_cb, t);
	t->refetch_timer = loop_timer_new(t->loop, refetch_cb, t);
	t->vitals_timer = loop_timer_new(t->loop, vitals_cb, t);
	loop_set_dirty_hook(t->loop, dirty_hook, t);
	prompt_init(t);
	t->link = DB_LINK_CONNECTING;
	layout(t);
	t->tty_watch = loop_watch_fd(t->loop, t->tty_fd, tty_event, t);
	if (t->sig_fd >= 0)
		t->sig_watch =
		    loop_watch_fd(t->loop, t->sig_fd, signal_event, t);
	tui_event(t, SLOT_DIM, "控制台启动 console started");
	feeds_start(t);
	t->db = db_async_new(t->loop, o->dsn, &hooks);
	s->db = db_async_db(t->db);
	tick_cb(t);
	loop_timer_start(t->vitals_timer, VITALS_EVERY_MS);
	render(t);
	log_msg(LOG_INFO, "console up: %dx%d", t->cols, t->rows);

	loop_run(t->loop);

	prompt_done(t);
	free_windows(t);
	endwin();
out:
	for (int i = 0; i < t->nfeeds; i++) {
		const struct feed_health *h =
		    feed_live_health(t->feeds, (size_t)i);
		log_msg(LOG_INFO,
		        "feed %s: %llu messages, %llu connects, %llu failures",
		        h->name, (unsigned long long)h->messages,
		        (unsigned long long)h->connects,
		        (unsigned long long)h->failures);
	}
	feed_live_free(&t->feeds);
	free(t->feed);
	if (t->lat != NULL)
		fclose(t->lat);
	s->db = NULL;
	db_async_free(&t->db);
	loop_unwatch(&t->tty_watch);
	loop_unwatch(&t->sig_watch);
	loop_timer_free(&t->render_timer);
	loop_timer_free(&t->tick_timer);
	loop_timer_free(&t->refetch_timer);
	loop_timer_free(&t->vitals_timer);
	loop_free(&t->loop);
	if (t->tty_fd >= 0)
		close(t->tty_fd);
	if (t->sig_fd >= 0)
		close(t->sig_fd);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	while (t->view != NULL)
		view_pop(t);
	db_table_free(&t->queue);
	db_table_free(&t->units);
	db_table_free(&t->vitals);
	db_table_free(&t->regions);
	db_table_free(&t->mode_t);
	db_table_free(&t->counts);
	free(t->vrows);
	model_vitals_free(&t->mv);
	set_free(&t->hist_loaded, &t->nhist_loaded);
	set_free(&t->seen, &t->nseen);
	for (int i = 0; i < TUI_EVENTS_MAX; i++)
		free(t->events[i].text);
	for (int i = 0; i < t->nregion_names; i++)
		free(t->region_names[i]);
	for (int i = 0; i < P_COUNT; i++)
		free(t->panes[i].index);
	free(t->resume_line);
	free(t);
	return status;
}
