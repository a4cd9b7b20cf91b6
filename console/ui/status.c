/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The status line (scope, peace or emergency level, open counts, database
 * and feed health, operator, clock), the banner shown while the database
 * is down, and the message line.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cityops/core/zone.h"
#include "cityops/desk/desk-actions.h"
#include "cityops/feed/feed-live.h"
#include "tui-internal.h"

/*
 * The feeds' part of the status line: "feed -" without feeds, "feed ●2/2"
 * when all are up, "feed … 0/1 connecting" at the start, and when one is
 * down "feed ✗ 1/2 重连 3s" (reconnecting in 3 s). Returns 1 when a feed
 * is down (drawn as an alarm).
 */
static int
feed_status(struct tui *t, char *buf, size_t bufsz)
{
	const struct desk *d = t->d;
	int up = 0, down = 0, connecting = 0;
	int64_t retry = -1;

	if (d->feeds == NULL) {
		snprintf(buf, bufsz, "feed -");
		return 0;
	}
	for (int i = 0; i < d->nfeeds; i++) {
		const struct feed_health *h =
		    feed_live_health(d->feeds, (size_t)i);
		if (h->link == FEED_LINK_UP)
			up++;
		else if (h->link == FEED_LINK_WAITING ||
		         d->feed[i].down_ms != 0) {
			down++;
			if (h->link == FEED_LINK_WAITING &&
			    (retry < 0 || h->retry_in_ms < retry))
				retry = h->retry_in_ms;
		} else
			connecting++;
	}
	if (down > 0 && retry >= 0)
		snprintf(buf, bufsz, "feed ✗ %d/%d 断开 重连 %llds", up,
		         d->nfeeds, (long long)(retry + 999) / 1000);
	else if (down > 0)
		snprintf(buf, bufsz, "feed ✗ %d/%d 断开 重连中", up, d->nfeeds);
	else if (connecting > 0)
		snprintf(buf, bufsz, "feed … %d/%d 连接中", up, d->nfeeds);
	else
		snprintf(buf, bufsz, "feed ●%d/%d", up, d->nfeeds);
	return down > 0;
}

/*
 * ingest's sources, as it reports them to the database: "" when none
 * reported, " src ●3/3" when all are well, " src ✗ 2/3 cap1" naming the
 * first failing or silent one. Returns 1 when one is not well (drawn as
 * an alarm, like a feed down).
 */
static int
source_status(const struct desk *d, char *buf, size_t bufsz)
{
	buf[0] = '\0';
	if (!d->sources_loaded || d->nsources == 0)
		return 0;
	if (d->sources_ok == d->nsources) {
		snprintf(buf, bufsz, " src ●%d/%d", d->sources_ok, d->nsources);
		return 0;
	}
	snprintf(buf, bufsz, " src ✗ %d/%d %s", d->sources_ok, d->nsources,
	         d->source_bad);
	return 1;
}

/* "P1:2 P2:0 P3:5 P4:1 " once the counts are in, else "". */
static void
counts_text(const struct desk *d, char *buf, size_t bufsz)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!d->counts_loaded)
		return;
	for (int p = 1; p <= 4 && n < bufsz; p++)
		n += (size_t)snprintf(buf + n, bufsz - n, "P%d:%d ", p,
		                      d->counts[p]);
}

static const char *
link_text(int link)
{
	switch (link) {
	case DB_LINK_UP:
		return "DB ●";
	case DB_LINK_CONNECTING:
		return "DB …";
	default:
		return "DB ✗";
	}
}

/* The banner's tail: " · LOGIN 13:20起 已2时05分" (who switched, since
 * when in the display zone, how long); empty when unknown. */
static void
mode_who(const struct desk_mode *m, time_t now, char *buf, size_t bufsz)
{
	char at[16] = "", dur[32] = "";
	long long s = m->since ? (long long)(now - m->since) : -1;

	buf[0] = '\0';
	if (m->set_by == NULL && m->since == 0)
		return;
	if (m->since)
		zone_strftime(m->since, " %H:%M起", at, sizeof at);
	if (s < 0)
		;
	else if (s < 3600)
		snprintf(dur, sizeof dur, " 已%lld分", s / 60);
	else if (s < 86400)
		snprintf(dur, sizeof dur, " 已%lld时%02lld分", s / 3600,
		         s % 3600 / 60);
	else
		snprintf(dur, sizeof dur, " 已%lld天%lld时", s / 86400,
		         s % 86400 / 3600);
	snprintf(buf, bufsz, " · %s%s%s", m->set_by ? m->set_by : "?", at, dur);
}

/* Scope and mode, then the markers; returns the columns used. */
static int
draw_scope(struct tui *t, int slot)
{
	const struct desk_mode *m = &t->d->mode;
	const char *scope = t->s->scope_name ? t->s->scope_name : "上海市";
	WINDOW *w = t->w_status;
	int x, width = t->cols;
	char buf[256];

	if (m->emergency) {
		char who[160];
		mode_who(m, time(NULL), who, sizeof who);
		snprintf(buf, sizeof buf, " %s 【应急响应 %s级 %s%s】", scope,
		         m->level ? m->level : "", m->kind ? m->kind : "", who);
	} else
		snprintf(buf, sizeof buf, " %s 平时", scope);
	x = draw_text(w, 0, 0, width, buf, theme_attr(slot) | A_BOLD, 0);
	if (t->opts.exercise)
		x += draw_text(w, 0, x + 1, width - x - 1, "[演练]",
		               theme_attr(SLOT_STATUS_EXERCISE), 0) +
		     1;
	if (t->s->readonly)
		x += draw_text(w, 0, x + 1, width - x - 1, "[只读]",
		               theme_attr(slot) | A_BOLD, 0) +
		     1;
	return x;
}

void
status_draw(struct tui *t)
{
	WINDOW *w = t->w_status;
	int slot = t->d->mode.emergency ? SLOT_STATUS_EMERGENCY : SLOT_STATUS;
	int x, down, width = t->cols;
	char buf[512], clock[16], counts[96], fb[160];
	time_t now = time(NULL);

	zone_strftime(now, "%H:%M:%S", clock, sizeof clock);
	counts_text(t->d, counts, sizeof counts);
	werase(w);
	wbkgdset(w, ' ' | theme_attr(slot));
	wattrset(w, theme_attr(slot));
	for (int i = 0; i < width; i++)
		mvwaddch(w, 0, i, ' ');
	x = draw_scope(t, slot);
	{
		/* Which node the console is on (issue 11): after a failover
		 * the officer sees the link come back on the other one. */
		char node[128] = "";
		if (t->d->link == DB_LINK_UP)
			db_node(db_async_db(t->db), node, sizeof node);
		snprintf(buf, sizeof buf, " │ %s │ %s%s%s │ ", counts,
		         link_text(t->d->link), node[0] ? " " : "", node);
	}
	x += draw_text(w, 0, x, width - x, buf, theme_attr(slot), 0);
	/* A feed down is drawn as an alarm, so that it cannot be missed, in
	 * colour or not. */
	down = feed_status(t, fb, sizeof fb);
	x += draw_text(w, 0, x, width - x, fb,
	               down ? (int)(theme_attr(SLOT_ALERT_CRIT) | A_BOLD)
	                    : theme_attr(slot),
	               0);
	down = source_status(t->d, fb, sizeof fb);
	x += draw_text(w, 0, x, width - x, fb,
	               down ? (int)(theme_attr(SLOT_ALERT_CRIT) | A_BOLD)
	                    : theme_attr(slot),
	               0);
	snprintf(buf, sizeof buf, " │ %s %s%s",
	         t->s->display_name ? t->s->display_name : "-",
	         t->s->login ? names_role_label(t->s->role) : "",
	         t->bell ? " │ 🔔" : "");
	x += draw_text(w, 0, x, width - x, buf, theme_attr(slot), 0);
	/* Unacknowledged alarm-level alarms, until someone acknowledges. */
	if (t->d->act != NULL && t->d->act->unacked > 0) {
		snprintf(buf, sizeof buf, " 告警未确认 %d ",
		         t->d->act->unacked);
		x += 1 +
		     draw_text(w, 0, x + 1, width - x - 1, buf,
		               theme_attr(SLOT_ALERT_CRIT) | A_BOLD | A_REVERSE,
		               0);
	}
	/* Automatic escalations (自动督办) seen, for supervisors. */
	if (t->d->auto_escalations > 0 && t->s->role >= ROLE_supervisor) {
		snprintf(buf, sizeof buf, " 自动督办 %d ",
		         t->d->auto_escalations);
		x += 1 +
		     draw_text(w, 0, x + 1, width - x - 1, buf,
		               theme_attr(SLOT_ALERT_CRIT) | A_BOLD | A_REVERSE,
		               0);
	}
	/* The clock sits at the right edge when there is room. */
	if (width - x > 10)
		draw_text(w, 0, width - 9, 9, clock, theme_attr(slot), 0);
	wbkgdset(w, ' ');
	wnoutrefresh(w);
}

void
status_banner(struct tui *t)
{
	char buf[400];
	long long in;

	if (t->w_banner == NULL)
		return;
	in = db_async_retry_in(t->db);
	/* How long the outage (a failover, a restart) has lasted. */
	long long lasted =
	    t->d->down_since_ms != 0
	        ? (long long)((loop_now_ms() - t->d->down_since_ms) / 1000)
	        : 0;
	if (t->d->link == DB_LINK_CONNECTING)
		snprintf(buf, sizeof buf, " 数据库切换/重连中 %lld 秒 — %s",
		         lasted, t->d->link_why);
	else
		snprintf(buf, sizeof buf,
		         " 数据库断开 %lld 秒: %s — "
		         "%lld 秒后重连; 输入不会丢失",
		         lasted, t->d->link_why,
		         in >= 0 ? (in + 999) / 1000 : 0);
	werase(t->w_banner);
	draw_text(t->w_banner, 0, 0, t->cols, buf, theme_attr(SLOT_BANNER), 1);
	wnoutrefresh(t->w_banner);
}

void
status_msg(struct tui *t)
{
	const char *text = t->msg;

	if (t->mode == MODE_QUIT)
		text = "退出控制台? (y/n)";
	werase(t->w_msg);
	draw_text(t->w_msg, 0, 0, t->cols, text,
	          theme_attr(t->mode == MODE_QUIT || t->mode == MODE_CONFIRM
	                         ? SLOT_ALERT_CRIT
	                         : (enum theme_slot)t->msg_slot),
	          0);
	wnoutrefresh(t->w_msg);
}

void
status_too_small(struct tui *t, int min_cols, int min_rows)
{
	char buf[128];

	werase(stdscr);
	draw_text(stdscr, 0, 0, t->cols, "终端太小", A_BOLD, 0);
	snprintf(buf, sizeof buf, "至少 %dx%d, 现在 %dx%d", min_cols, min_rows,
	         t->cols, t->rows);
	if (t->rows > 1)
		draw_text(stdscr, 1, 0, t->cols, buf, A_NORMAL, 0);
	wnoutrefresh(stdscr);
}
