/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
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

#include "cityops/core/format.h"
#include "cityops/core/log.h"
#include "cityops/core/text.h"
#include "tui-internal.h"

#define MIN_COLS        60
#define MIN_ROWS        15
#define RENDER_DELAY_MS 15

_Static_assert((unsigned)DESK_DIRTY_STATUS == LOOP_DIRTY_STATUS &&
                   (unsigned)DESK_DIRTY_VITALS == LOOP_DIRTY_VITALS &&
                   (unsigned)DESK_DIRTY_QUEUE == LOOP_DIRTY_QUEUE &&
                   (unsigned)DESK_DIRTY_UNITS == LOOP_DIRTY_UNITS &&
                   (unsigned)DESK_DIRTY_EVENTS == LOOP_DIRTY_EVENTS &&
                   (unsigned)DESK_DIRTY_REGIONS == LOOP_DIRTY_REGIONS,
               "desk and loop dirty bits agree");

static void render(struct tui *t);

/* ---- small helpers ---------------------------------------------------- */

static unsigned
pane_bit(int pane)
{
	static const unsigned bits[P_COUNT] = {
	    [P_QUEUE] = LOOP_DIRTY_QUEUE,     [P_VITALS] = LOOP_DIRTY_VITALS,
	    [P_UNITS] = LOOP_DIRTY_UNITS,     [P_EVENTS] = LOOP_DIRTY_EVENTS,
	    [P_REGIONS] = LOOP_DIRTY_REGIONS, [P_MAP] = LOOP_DIRTY_REGIONS,
	    [P_ALARMS] = LOOP_DIRTY_VITALS, /* alarms come with the vitals */
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

void
tui_take_desk(struct tui *t)
{
	unsigned bits = t->d->dirty;

	t->d->dirty = 0;
	if (bits & DESK_DIRTY_EVENTS && t->panes[P_EVENTS].sel > 0)
		t->panes[P_EVENTS].sel++;
	tui_mark(t, bits);
	if (bits != 0)
		actions_desk_changed(t, bits);
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
tui_event(struct tui *t, enum desk_sev sev, const char *fmt, ...)
{
	va_list ap;
	char raw[512];

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	desk_event(t->d, time(NULL), sev, raw);
	tui_take_desk(t);
}

int
tui_sev_slot(enum desk_sev sev)
{
	static const int slots[] = {
	    [DESK_SEV_NORMAL] = SLOT_NORMAL,
	    [DESK_SEV_DIM] = SLOT_DIM,
	    [DESK_SEV_NEW] = SLOT_ROW_NEW,
	    [DESK_SEV_OK] = SLOT_STATE_OK,
	    [DESK_SEV_WARN] = SLOT_ALERT_WARN,
	    [DESK_SEV_CRIT] = SLOT_ALERT_CRIT,
	    [DESK_SEV_ERROR] = SLOT_MSG_ERROR,
	};
	return (unsigned)sev < sizeof slots / sizeof slots[0] ? slots[sev]
	                                                      : SLOT_NORMAL;
}

long long
tui_queue_elapsed(const struct tui *t)
{
	return t->d->queue_at_ms ? (loop_now_ms() - t->d->queue_at_ms) / 1000
	                         : 0;
}

int
tui_is_fresh(struct tui *t, const char *ref)
{
	return desk_is_fresh(t->d, ref, loop_now_ms());
}

const char *
tui_vital_symbol(const char *state, int *slot)
{
	static const struct {
		const char *state, *symbol;
		int slot;
	} map[] = {
	    {"alarm", "!!", SLOT_ALERT_CRIT},
	    {"warn", "! ", SLOT_ALERT_WARN},
	    {"stale", "??", SLOT_FEED_STALE},
	};

	if (state == NULL || strcmp(state, "nodata") == 0) {
		*slot = SLOT_FEED_STALE;
		return "--";
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(state, map[i].state) == 0) {
			*slot = map[i].slot;
			return map[i].symbol;
		}
	*slot = SLOT_STATE_OK;
	return "ok";
}

const char *
tui_vital_now(struct tui *t, int i, char *value, size_t valuesz, int *live)
{
	return desk_vital_now(t->d, i, feed_wall_ms(), DESK_FEED_DOWN_STALE_MS,
	                      value, valuesz, live);
}

/* ---- the render pass --------------------------------------------------- */

static void
load_history(struct tui *t)
{
	int max = t->panes[P_VITALS].h > 0 ? t->panes[P_VITALS].h : 1;
	int *vitals = xcalloc((size_t)max, sizeof *vitals);
	int n = pane_visible_vitals(t, vitals, max);

	desk_sync_history(t->sync, vitals, n);
	free(vitals);
}

static void
render_panes(struct tui *t)
{
	int drawn = 0;

	for (int i = 0; i < P_COUNT; i++) {
		struct tui_pane *p = &t->panes[i];
		if (p->shown && p->dirty) {
			pane_draw(t, p, i == t->focus);
			drawn = 1;
		}
		p->dirty = 0;
	}
	if (drawn)
		load_history(t);
}

static void
render(struct tui *t)
{
	int status_drawn;

	if (t->dirty & TUI_DIRTY_LAYOUT) {
		int banner_needed = t->d->link != DB_LINK_UP;
		if (banner_needed != (t->w_banner != NULL))
			tui_layout(t);
		t->dirty &= ~(unsigned)TUI_DIRTY_LAYOUT;
	}
	if (t->full_repaint) {
		clearok(curscr, TRUE);
		t->full_repaint = 0;
	}
	if (t->too_small) {
		status_too_small(t, MIN_COLS, MIN_ROWS);
		doupdate();
		t->dirty = 0;
		return;
	}
	status_drawn = (t->dirty & LOOP_DIRTY_STATUS) != 0;
	if (status_drawn) {
		status_draw(t);
		status_banner(t);
	}
	if (t->d->vrows_stale)
		desk_build_vital_rows(t->d, feed_wall_ms(),
		                      DESK_FEED_DOWN_STALE_MS);
	if (t->view != NULL) {
		if (t->dirty & TUI_DIRTY_VIEW)
			view_draw(t);
	} else {
		render_panes(t);
	}
	if (t->dirty & (TUI_DIRTY_MSG | TUI_DIRTY_PROMPT))
		status_msg(t);
	/* The prompt goes last: its cursor is the one the terminal shows. */
	prompt_draw(t);
	doupdate();
	t->dirty = 0;
	latency_pass(t->lat, status_drawn);
	if (!t->painted && t->d->queue_loaded && t->d->vitals_loaded &&
	    t->d->units_loaded && t->d->counts_loaded) {
		t->painted = 1;
		log_msg(LOG_INFO, "first full paint %lld ms after start",
		        (long long)(loop_now_ms() - t->started));
	}
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
	p->wingen++;
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

/* The events' place, shared with the alarms pane (above) when the config
 * asks for it and there is room: auto from 16 rows, on from 6. */
static void
place_events(struct tui *t, int y, int x, int h, int w)
{
	int room = t->cfg.alarms == MAP_ON ? 6 : 16;

	if (t->cfg.alarms != MAP_OFF && h >= room) {
		place(t, P_ALARMS, y, x, h / 2, w);
		place(t, P_EVENTS, y + h / 2, x, h - h / 2, w);
	} else {
		place(t, P_EVENTS, y, x, h, w);
	}
}

int
tui_map_shown(const struct tui *t)
{
	if (t->map_on >= 0)
		return t->map_on;
	return t->cfg.map == MAP_ON ||
	       (t->cfg.map == MAP_AUTO && t->cols >= 160 && t->rows >= 45);
}

/* The wide layout with the map: queue over map on the left; vital signs,
 * units and events on the right. */
static void
tui_layout_map(struct tui *t, int y, int h)
{
	int lw = t->cols * 11 / 20, rw = t->cols - lw - 1;
	int mh = h * 2 / 5 > pane_map_rows() ? pane_map_rows() : h * 2 / 5;
	int vh = h * 11 / 20, uh = (h - vh) / 2;

	if (mh < 8)
		mh = 8;
	place(t, P_QUEUE, y, 0, h - mh, lw);
	place(t, P_MAP, y + h - mh, 0, mh, lw);
	place(t, P_VITALS, y, lw + 1, vh, rw);
	place(t, P_UNITS, y + vh, lw + 1, uh, rw);
	place_events(t, y + vh + uh, lw + 1, h - vh - uh, rw);
	for (int r = y; r < y + h; r++)
		mvwaddch(stdscr, r, lw, ' ');
	wnoutrefresh(stdscr);
}

/*
 * 80x24 shows the essentials: the queue over one more pane (vital signs,
 * or whichever the operator tabbed to; the map takes the whole body). From
 * 120 columns two columns of panes; from 160x45 the regions pane joins.
 * From 160x45 the map (config "map auto") takes the regions pane's place;
 * on smaller wide screens m puts it under the queue, and the events join
 * the right column.
 */
void
tui_layout(struct tui *t)
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
	if (t->d->link != DB_LINK_UP) {
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
	if (!wide && t->focus == P_MAP) {
		place(t, P_MAP, y, 0, h, cols);
	} else if (!wide) {
		int qh = h / 2 + 1,
		    other = t->focus == P_QUEUE ? P_VITALS : t->focus;
		place(t, P_QUEUE, y, 0, qh, cols);
		place(t, other, y + qh, 0, h - qh, cols);
	} else if (tui_map_shown(t) && !(cols >= 160 && rows >= 45)) {
		tui_layout_map(t, y, h);
	} else {
		int lw = cols * 11 / 20, rw = cols - lw - 1;
		int qh = h * 3 / 5, vh = h * 11 / 20;
		int big = cols >= 160 && rows >= 45;
		place(t, P_QUEUE, y, 0, qh, lw);
		place_events(t, y + qh, 0, h - qh, lw);
		if (big) {
			/* With the map, vital signs and units give it
			 * two fifths of the column for its outlines. */
			int map = tui_map_shown(t);
			int uh = map ? h / 5 : (h - vh) / 2;
			vh = map ? h * 2 / 5 : vh;
			place(t, P_VITALS, y, lw + 1, vh, rw);
			place(t, P_UNITS, y + vh, lw + 1, uh, rw);
			/* The map, when on, is the regions pane's
			 * superset and takes its place. */
			place(t, map ? P_MAP : P_REGIONS, y + vh + uh, lw + 1,
			      h - vh - uh, rw);
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

/* ---- the terminal, signals and the clock ------------------------------ */

static void
tty_event(void *arg, unsigned events)
{
	struct tui *t = arg;
	unsigned char buf[4096 + 32];
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
	keys_handle(t, buf, have + (size_t)n);
}

static void
resize(struct tui *t)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	t->full_repaint = 1;
	tui_layout(t);
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
	struct timespec ts;

	/* Clock, ages and SLA countdowns move every second. */
	desk_expire_fresh(t->d, loop_now_ms());
	tui_take_desk(t);
	tui_mark(t, LOOP_DIRTY_STATUS | LOOP_DIRTY_QUEUE);
	/* A feed down long enough turns its values stale: look again. */
	for (int i = 0; i < t->d->nfeeds; i++)
		if (t->d->feed[i].down_ms != 0) {
			t->d->vrows_stale = 1;
			tui_mark(t, LOOP_DIRTY_VITALS);
			break;
		}
	latency_tick(t->lat, t->d);
	/* Next tick on the next second boundary, so the clock is even. */
	clock_gettime(CLOCK_REALTIME, &ts);
	loop_timer_start(t->tick_timer, 1000 - ts.tv_nsec / 1000000 + 5);
}

/* ---- the desk's hooks -------------------------------------------------- */

static void
desk_changed(void *arg)
{
	struct tui *t = arg;
	unsigned bits = t->d->dirty;

	tui_take_desk(t);
	if (bits & DESK_DIRTY_STATUS)
		tui_mark(t, TUI_DIRTY_LAYOUT);
	if (t->d->p1_arrived) {
		t->d->p1_arrived = 0;
		if (t->bell)
			beep();
	}
	/* Automatic escalations alert supervisors (and admins). */
	if (t->d->escalation_arrived) {
		t->d->escalation_arrived = 0;
		if (t->bell && t->s->role >= ROLE_supervisor)
			beep();
	}
}

static void
desk_incident(void *arg, const char *ref)
{
	tui_incident_changed(arg, ref);
}

static void
desk_error(void *arg, const char *message)
{
	tui_message(arg, SLOT_MSG_ERROR, "%s", message);
}

static void
desk_heartbeat(void *arg, int64_t sent_ms, int64_t arrived_ms)
{
	struct tui *t = arg;

	latency_heartbeat(t->lat, sent_ms, arrived_ms);
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

/* The feeds to follow: --feed URLs, else the config's "feed" lines. */
static void
feed_urls(const struct tui *t, const char *const **urls, int *n)
{
	static const char *cfg[CONFIG_FEEDS_MAX];

	*urls = t->opts.feeds;
	*n = t->opts.nfeeds;
	if (*n > 0)
		return;
	for (int i = 0; i < t->cfg.nfeeds; i++)
		cfg[i] = t->cfg.feeds[i];
	*urls = cfg;
	*n = t->cfg.nfeeds;
}

static void
start_sync(struct tui *t)
{
	const struct desk_sync_hooks h = {desk_changed, desk_incident,
	                                  desk_error, desk_heartbeat, t};
	struct desk_sync_opts so = {0};

	so.dsn = t->opts.dsn;
	so.exercise = t->opts.exercise;
	so.queue_limit = t->cfg.queue_limit;
	feed_urls(t, &so.feeds, &so.nfeeds);
	so.relay = t->opts.relay;
	t->sync = desk_sync_new(t->loop, t->d, t->s, &so, &h);
	t->db = desk_sync_db(t->sync);
	t->s->db = db_async_db(t->db);
	if (desk_sync_bad_feed(t->sync) != NULL)
		tui_message(t, SLOT_MSG_ERROR, "feed %s: bad URL",
		            desk_sync_bad_feed(t->sync));
}

/* Signals arrive as data on a descriptor; no handler does work. */
static int
signal_fd(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGWINCH);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, mask, NULL);
	return signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* "mouse on": the terminal reports presses, releases and the wheel in
 * SGR form (ESC [ < b ; x ; y M), which tmux and SSH pass through. */
static void
mouse_reports(const struct tui *t, int on)
{
	if (!t->cfg.mouse)
		return;
	fputs(on ? "\033[?1000h\033[?1006h" : "\033[?1006l\033[?1000l", stdout);
	fflush(stdout);
}

static int
start_screen(struct tui *t)
{
	const char *terr = NULL;

	ensure_utf8();
	if (newterm(NULL, stdout, stdin) == NULL) {
		fprintf(stderr, "cityops: cannot start the screen (TERM=%s)\n",
		        getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	raw();
	noecho();
	nonl();
	/* We read the terminal ourselves; ncurses must not abandon an update
	 * because it sees typeahead on stdin. */
	typeahead(-1);
	curs_set(0);
	leaveok(stdscr, TRUE);
	mouse_reports(t, 1);
	if (theme_load(t->cfg.theme, t->opts.no_color, &terr) != 0)
		tui_message(t, SLOT_MSG_ERROR, "%s (monochrome in use)", terr);
	return 0;
}

static void
run_screen(struct tui *t)
{
	t->panes[P_QUEUE].ops = &pane_queue;
	t->panes[P_VITALS].ops = &pane_vitals;
	t->panes[P_UNITS].ops = &pane_units;
	t->panes[P_EVENTS].ops = &pane_events;
	t->panes[P_REGIONS].ops = &pane_regions;
	t->panes[P_MAP].ops = &pane_map;
	t->panes[P_ALARMS].ops = &pane_alarms;
	t->map_on = -1; /* as the config says, until m */
	t->render_timer = loop_timer_new(t->loop, render_cb, t);
	t->tick_timer = loop_timer_new(t->loop, tick_cb, t);
	loop_set_dirty_hook(t->loop, dirty_hook, t);
	prompt_init(t);
	t->d->link = DB_LINK_CONNECTING;
	tui_layout(t);
	t->tty_watch = loop_watch_fd(t->loop, t->tty_fd, tty_event, t);
	if (t->sig_fd >= 0)
		t->sig_watch =
		    loop_watch_fd(t->loop, t->sig_fd, signal_event, t);
	tui_event(t, DESK_SEV_DIM, "控制台启动");
	t->lat = latency_open();
	start_sync(t);
	tui_show_last_handover(t);
	tick_cb(t);
	render(t);
	log_msg(LOG_INFO, "console up: %dx%d", t->cols, t->rows);

	loop_run(t->loop);

	prompt_done(t);
	free_windows(t);
	mouse_reports(t, 0);
	endwin();
}

static void
tui_free(struct tui *t)
{
	if (t->sync != NULL)
		desk_sync_log_feeds(t->sync);
	latency_close(&t->lat);
	t->s->db = NULL;
	desk_sync_free(&t->sync);
	loop_unwatch(&t->tty_watch);
	loop_unwatch(&t->sig_watch);
	loop_timer_free(&t->render_timer);
	loop_timer_free(&t->tick_timer);
	loop_free(&t->loop);
	if (t->tty_fd >= 0)
		close(t->tty_fd);
	if (t->sig_fd >= 0)
		close(t->sig_fd);
	while (t->view != NULL)
		view_pop(t);
	desk_free(&t->d);
	for (int i = 0; i < P_COUNT; i++) {
		free(t->panes[i].index);
		if (t->panes[i].ops == &pane_map)
			pane_map_free(&t->panes[i]);
	}
	free(t->resume_line);
	free(t);
}

int
tui_run(struct session *s, const struct tui_opts *o)
{
	struct tui *t = xcalloc(1, sizeof *t);
	char cerr[256] = "";
	sigset_t mask;
	int status = 0;

	sigemptyset(&mask);
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
	tui_clock_zone(&t->cfg);
	t->d = desk_new();
	t->loop = loop_new();
	if (t->loop == NULL) {
		fprintf(stderr, "cityops: cannot start the event loop\n");
		tui_free(t);
		return 1;
	}
	t->tty_fd = open_tty();
	if (t->tty_fd < 0) {
		fprintf(stderr, "cityops: cannot open the terminal\n");
		tui_free(t);
		return 1;
	}
	t->sig_fd = signal_fd(&mask);
	if (start_screen(t) != 0) {
		status = 1;
	} else {
		if (cerr[0] != '\0')
			tui_message(t, SLOT_MSG_ERROR, "config: %s", cerr);
		if (s->readonly)
			tui_message(t, SLOT_DIM, "只读模式: 不能修改");
		run_screen(t);
	}
	tui_free(t);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	return status;
}
