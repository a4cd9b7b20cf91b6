/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The prompt: GNU readline through its callback interface, drawn into the
 * prompt window by our own redisplay function. Readline never touches the
 * terminal: its signal and terminal handling are off, it reads bytes we
 * hand it from the loop (whole UTF-8 sequences only) and writes nothing.
 * History is kept in $XDG_STATE_HOME/cityops/history, without lines that
 * look like they carry a secret.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cityops/core/text.h"
#include "tui-internal.h"

#define HISTORY_MAX 2000

static struct tui *T; /* readline's callbacks carry no context */
static const unsigned char *feed;
static size_t feed_len, feed_pos;
static char *history_path;
static FILE *devnull;

static int
getc_fn(FILE *f)
{
	if (feed_pos < feed_len)
		return feed[feed_pos++];
	/* Readline asked for more than a complete key: there is none. */
	return EOF;
}

static int
input_available(void)
{
	return feed_pos < feed_len;
}

static void
no_term(int meta)
{
}

static void
no_deprep(void)
{
}

/* Lines that may carry a password or a connection string stay out. */
static int
looks_secret(const char *line)
{
	static const char *const words[] = {
	    "password",      "passwd",     "pwd=",   "secret",
	    "token",         "conninfo",   "dsn",    "postgres://",
	    "postgresql://", "pgpassword", "apikey", "api_key"};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcasestr(line, words[i]) != NULL)
			return 1;
	return 0;
}

static void
line_handler(char *line)
{
	struct tui *t = T;
	enum tui_mode was = t->mode;

	prompt_close(t);
	if (line == NULL)
		return;
	if (was == MODE_FILTER) {
		struct tui_pane *p = &t->panes[t->focus];
		snprintf(p->filter, sizeof p->filter, "%s", line);
		p->sel = p->top = 0;
		tui_mark(t, LOOP_DIRTY_ALL);
	} else if (*line != '\0') {
		if (!looks_secret(line)) {
			HIST_ENTRY *last = history_get(history_length);
			if (last == NULL || strcmp(last->line, line) != 0) {
				add_history(line);
				if (history_path != NULL)
					append_history(1, history_path);
			}
		}
		if (t->prompt_for_key)
			actions_run_line(t, line);
		else
			tui_run_line(t, line, 0);
	}
	t->prompt_for_key = 0;
	free(line);
}

/* Completion candidates: commands first, then the words of the domain. */
static char **candidates;
static int ncandidates;

static void
cand_add(const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	candidates = xrealloc(candidates,
	                      (size_t)(ncandidates + 1) * sizeof *candidates);
	candidates[ncandidates++] = xstrdup(s);
}

static void
cand_clear(void)
{
	for (int i = 0; i < ncandidates; i++)
		free(candidates[i]);
	free(candidates);
	candidates = NULL;
	ncandidates = 0;
}

static char *
generator(const char *text, int state)
{
	static int i;
	size_t n = strlen(text);

	if (state == 0)
		i = 0;
	while (i < ncandidates) {
		const char *c = candidates[i++];
		if (strncasecmp(c, text, n) == 0)
			return xstrdup(c);
	}
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	struct tui *t = T;

	rl_attempted_completion_over = 1;
	cand_clear();
	if (start == 0 || strspn(rl_line_buffer, " ") == (size_t)start) {
		for (int i = 0; cmd_table[i] != NULL; i++)
			cand_add(cmd_table[i]->name);
	} else {
		const struct desk *d = t->d;
		for (int i = 0; i < d->nqueue; i++)
			cand_add(d->queue[i].ref);
		for (int i = 0; i < d->nunits; i++)
			cand_add(d->units[i].callsign);
		for (int i = 0; i < d->nregion_names; i++)
			cand_add(d->region_names[i]);
		for (int i = 0; i < d->nvitals; i++)
			cand_add(d->vitals[i].key);
	}
	return rl_completion_matches(text, generator);
}

/* Several matches: list them on the message line, not on the terminal. */
static void
show_matches(char **matches, int n, int maxlen)
{
	struct buf b = {0};

	for (int i = 1; i <= n && b.len < 400; i++) {
		buf_adds(&b, matches[i]);
		buf_adds(&b, "  ");
	}
	tui_message(T, SLOT_DIM, "%s", b.data ? b.data : "");
	buf_free(&b);
	tui_mark(T, TUI_DIRTY_PROMPT);
}

static void
redisplay(void)
{
	tui_mark(T, TUI_DIRTY_PROMPT);
}

void
prompt_draw(struct tui *t)
{
	WINDOW *w = t->w_prompt;
	const char *pr = rl_display_prompt ? rl_display_prompt : "";
	char before[1024];
	int width, pw, cw, x, off = 0, cols;

	if (w == NULL)
		return;
	getmaxyx(w, cols, width);
	(void)cols;
	werase(w);
	if (t->mode != MODE_PROMPT && t->mode != MODE_FILTER) {
		char hint[320], k1[16], k2[16], k3[16], k4[16];
		if (!actions_hint(t, hint, sizeof hint))
			snprintf(
			    hint, sizeof hint,
			    "%s 命令  %s 过滤  %s 切换  Enter 详情  %s 帮助  "
			    "%s 退出",
			    config_key_for(ACTION_PROMPT, k1, sizeof k1),
			    config_key_for(ACTION_FILTER, k2, sizeof k2),
			    config_key_for(ACTION_FOCUS_NEXT, k3, sizeof k3),
			    config_key_for(ACTION_HELP, k4, sizeof k4), "q");
		draw_text(w, 0, 0, width, hint, theme_attr(SLOT_DIM), 0);
		leaveok(w, TRUE);
		wnoutrefresh(w);
		return;
	}
	/* Scroll horizontally so the cursor stays visible. */
	snprintf(before, sizeof before, "%.*s", rl_point, rl_line_buffer);
	pw = text_width(pr);
	cw = text_width(before);
	if (pw + cw >= width - 1)
		off = pw + cw - (width - 2);
	x = draw_text(w, 0, 0, width, pr, theme_attr(SLOT_PROMPT), 0);
	if (off == 0) {
		draw_text(w, 0, x, width - x, rl_line_buffer,
		          theme_attr(SLOT_NORMAL), 0);
		wmove(w, 0, pw + cw);
	} else {
		/* Skip whole characters until off columns are gone. */
		size_t skip = text_fit(rl_line_buffer, off - pw + 1, NULL);
		int used = 0;
		text_fit(rl_line_buffer, off - pw + 1, &used);
		draw_text(w, 0, x, width - x, rl_line_buffer + skip,
		          theme_attr(SLOT_NORMAL), 0);
		wmove(w, 0, x + cw - used);
	}
	leaveok(w, FALSE);
	wnoutrefresh(w);
}

void
prompt_init(struct tui *t)
{
	char *dir = config_state_dir();

	T = t;
	devnull = fopen("/dev/null", "r+");
	rl_instream = devnull;
	rl_outstream = devnull;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = no_term;
	rl_deprep_term_function = no_deprep;
	rl_getc_function = getc_fn;
	rl_input_available_hook = input_available;
	rl_redisplay_function = redisplay;
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_readline_name = "cityops";
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("horizontal-scroll-mode", "on");
	using_history();
	stifle_history(HISTORY_MAX);
	if (dir != NULL) {
		char *p = dir;
		/* mkdir -p for the state directory. */
		for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
		mkdir(p, 0700);
		history_path = xasprintf("%s/history", dir);
		read_history(history_path);
		free(dir);
	}
	rl_callback_handler_install("", line_handler);
}

void
prompt_done(struct tui *t)
{
	rl_callback_handler_remove();
	if (history_path != NULL)
		history_truncate_file(history_path, HISTORY_MAX);
	free(history_path);
	history_path = NULL;
	cand_clear();
	clear_history();
	if (devnull != NULL)
		fclose(devnull);
	devnull = NULL;
}

void
prompt_open(struct tui *t, enum tui_mode mode, const char *initial)
{
	t->mode = mode;
	t->prompt_for_key = 0;
	rl_set_prompt(mode == MODE_FILTER ? "/" : ":");
	rl_replace_line(initial ? initial : "", 0);
	rl_point = rl_end;
	curs_set(1);
	tui_mark(t, TUI_DIRTY_PROMPT);
}

void
prompt_close(struct tui *t)
{
	t->mode = MODE_NORMAL;
	rl_set_prompt("");
	curs_set(0);
	tui_mark(t, TUI_DIRTY_PROMPT);
}

size_t
prompt_feed(struct tui *t, const unsigned char *p, size_t n)
{
	feed = p;
	feed_len = n;
	feed_pos = 0;
	while (feed_pos < feed_len &&
	       (t->mode == MODE_PROMPT || t->mode == MODE_FILTER))
		rl_callback_read_char();
	feed = NULL;
	return feed_pos;
}
