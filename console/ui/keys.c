/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Keys: bytes from the terminal decoded into keys (arrows and the like,
 * UTF-8), handed to readline while the prompt is open, else mapped to
 * named actions (config.c's bindings) and run here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/text.h"
#include "cityops/ui/mouse.h"
#include "tui-internal.h"

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
	v = view_push(t, &view_text, "帮助 help", NULL);
	view_set_text(v, b.data);
	buf_free(&b);
}

static void
move_sel(struct tui *t, int delta, int absolute)
{
	struct tui_pane *p = &t->panes[t->focus];
	int n = p->nindex, page = p->h > 3 ? p->h - 3 : 1;

	if (t->view != NULL) {
		view_move(t, delta, absolute);
		return;
	}
	p->dirty = 1;
	if (delta == 2)
		delta = page;
	else if (delta == -2)
		delta = -page;
	if (absolute)
		p->sel = delta < 0 ? 0 : n - 1;
	else
		p->sel += delta;
	if (p->sel >= n)
		p->sel = n - 1;
	if (p->sel < 0)
		p->sel = 0;
	tui_mark(t, 0);
}

/*
 * Runs a named action. Over 80 lines on purpose: one short case per action
 * of config.c's table, so the whole key map reads in one place; the
 * longer ones call a function of their own (move_sel, show_help).
 */
/* Offers a key to the focused pane (the map moves by geography). */
static int
pane_key(struct tui *t, int key)
{
	struct tui_pane *p = &t->panes[t->focus];

	if (t->view != NULL || t->mode != MODE_NORMAL || p->ops != &pane_map ||
	    !p->shown)
		return 0;
	return pane_map_key(t, p, key, (int)config_action_for(key));
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
		else if (t->view->ops == &view_search)
			search_start(t);
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
			if (t->panes[t->focus].shown ||
			    (t->compact && !(t->focus == P_ALARMS &&
			                     t->cfg.alarms == MAP_OFF)))
				break;
		}
		if (t->compact && !t->panes[t->focus].shown)
			tui_layout(t);
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
			if (t->view->ops->enter != NULL)
				t->view->ops->enter(t, t->view);
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
		tui_layout(t);
		break;
	case ACTION_BELL:
		t->bell = !t->bell;
		tui_message(t, SLOT_DIM, "P1 提示音 %s", t->bell ? "开" : "关");
		tui_mark(t, LOOP_DIRTY_STATUS);
		break;
	case ACTION_MAP:
		/* Compact layouts: the map takes the body and the focus, and m
		 * gives them back; wide ones show or hide it. */
		if (t->view != NULL)
			break;
		if (t->compact) {
			t->focus = t->focus == P_MAP ? P_QUEUE : P_MAP;
		} else {
			t->map_on = !tui_map_shown(t);
			if (t->map_on)
				t->focus = P_MAP;
		}
		tui_layout(t);
		break;
	case ACTION_REGIONS:
		if (t->s->scope_code)
			tui_open_region(t, t->s->scope_code);
		break;
	default:
		actions_run(t, a); /* on the selection: actions.c */
		break;
	}
}

/* The last mouse report decoded (KEY_C_MOUSE). */
static struct mouse_report mouse;

/* A report as decode_key returns: its length, 0 while it may still be
 * arriving, KEY_C_MOUSE (-1 when malformed: skipped). */
static size_t
decode_mouse(const unsigned char *p, size_t n, int *key, int final)
{
	int ok;
	size_t len = mouse_decode(p, n, final, &mouse, &ok);

	*key = ok ? KEY_C_MOUSE : -1;
	return len;
}

/* A pane's row under screen row y (0-based), or -1. */
static int
pane_row_at(const struct tui_pane *p, int y)
{
	int k = p->top + (y - p->y - 2);

	return y - p->y >= 2 && k < p->nindex ? k : -1;
}

/* Clicks select (and focus the pane under them), a second click on the
 * same place soon after opens, the wheel scrolls what is under it. */
static void
mouse_event(struct tui *t)
{
	static int64_t last_ms;
	static int last_x, last_y;
	int x = mouse.x - 1, y = mouse.y - 1, wheel = mouse.b & 64;
	int64_t now = loop_now_ms();
	int twice;

	if (!t->cfg.mouse || !mouse.press || (mouse.b & 32) ||
	    (!wheel && (mouse.b & 3) != 0))
		return; /* releases, drags, other buttons */
	twice = !wheel && x == last_x && y == last_y && now - last_ms < 500;
	last_ms = wheel || twice ? 0 : now;
	last_x = x;
	last_y = y;
	if (t->view != NULL) {
		int by = t->w_view ? getbegy(t->w_view) : 0;
		int k = view_list_row_at(t->view, y - by);
		if (wheel)
			view_move(t, mouse.b & 1 ? 3 : -3, 0);
		else if (k >= 0) {
			t->view->sel = k;
			tui_mark(t, TUI_DIRTY_VIEW);
			if (twice)
				do_action(t, ACTION_ENTER);
		}
		return;
	}
	for (int i = 0; i < P_COUNT; i++) {
		struct tui_pane *p = &t->panes[i];
		int k;
		if (!p->shown || y < p->y || y >= p->y + p->h || x < p->x ||
		    x >= p->x + p->w)
			continue;
		if (t->focus != i) {
			t->panes[t->focus].dirty = 1;
			t->focus = i;
		}
		p->dirty = 1;
		if (wheel)
			move_sel(t, mouse.b & 1 ? 3 : -3, 0);
		else if ((k = pane_row_at(p, y)) >= 0) {
			p->sel = k;
			if (twice)
				do_action(t, ACTION_ENTER);
		}
		tui_mark(t, 0);
		return;
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
		if (n >= 3 && p[1] == '[' && p[2] == '<')
			return decode_mouse(p, n, key, final);
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

void
keys_handle(struct tui *t, const unsigned char *p, size_t n)
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
			if (p[i] == 0x1b && n - i >= 3 && p[i + 1] == '[' &&
			    p[i + 2] == '<') {
				/* A click while typing: not text. */
				int key;
				size_t len =
				    decode_mouse(p + i, n - i, &key, 0);
				if (len == 0) {
					memcpy(t->held, p + i, n - i);
					t->nheld = (int)(n - i);
					return;
				}
				i += len;
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
			if (t->mode == MODE_CONFIRM) {
				actions_confirm_key(t, key);
				continue;
			}
			if (key == 0x03) /* Ctrl-C: ask, as q does */
				key = 'q';
			if (key == KEY_C_MOUSE) {
				mouse_event(t);
				continue;
			}
			if (key >= 0 && t->view != NULL &&
			    ((t->view->ops == &view_picker &&
			      picker_key(t, t->view, key)) ||
			     (t->view->ops == &view_alarms &&
			      alarms_key(t, t->view, key)) ||
			     (t->view->ops == &view_reports &&
			      reports_key(t, t->view, key))))
				continue;
			if (key >= 0 && !pane_key(t, key))
				do_action(t, config_action_for(key));
		}
	}
}
