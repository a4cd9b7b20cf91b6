/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Theme files. One line per slot:
 *
 *     alert.crit   fg=196|red  bg=default  bold
 *
 * Colours are a name (black red green yellow blue magenta cyan white,
 * bright-NAME, default) or a number 0-255; "A|B" uses A where the terminal
 * has 256 colours and B otherwise. Attributes: bold dim reverse underline
 * standout blink. A "default-background yes|no" line says whether "default"
 * means the terminal's own background (use_default_colors). Lines starting
 * with '#' are comments. Unknown slots are errors, so typos show.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "cityops/core/datadir.h"
#include "cityops/core/log.h"
#include "cityops/ui/theme.h"
#include "cityops/core/util.h"

static const char *const slot_names[] = {
#define X(id, name, help) name,
    THEME_SLOTS(X)
#undef X
};

struct slot_def {
	int fg, bg; /* -1 = terminal default */
	int attrs;
};

static int slot_attr[SLOT_COUNT];
static char current[64] = "builtin";

/* Used when no theme file can be read: attributes only, always legible. */
static const char builtin_mono[] = "default-background yes\n"
                                   "status reverse\n"
                                   "status.emergency reverse bold blink\n"
                                   "status.exercise bold underline\n"
                                   "banner reverse bold\n"
                                   "pane.title bold\n"
                                   "pane.title.focus reverse bold\n"
                                   "column.header underline\n"
                                   "row.selected reverse\n"
                                   "row.new bold\n"
                                   "alert.crit bold\n"
                                   "alert.warn underline\n"
                                   "feed.stale dim\n"
                                   "sla.breached bold reverse\n"
                                   "text.dim dim\n"
                                   "text.accent bold\n"
                                   "message.error bold\n"
                                   "prompt bold\n";

int
theme_slot_parse(const char *name)
{
	for (int i = 0; i < SLOT_COUNT; i++)
		if (strcmp(slot_names[i], name) == 0)
			return i;
	return -1;
}

int
theme_attr(enum theme_slot slot)
{
	return slot_attr[slot];
}

static int
colour_one(const char *s, int *out)
{
	static const char *const names[] = {"black",  "red",  "green",
	                                    "yellow", "blue", "magenta",
	                                    "cyan",   "white"};
	int bright = 0;
	char *end;
	long n;

	if (strcmp(s, "default") == 0) {
		*out = -1;
		return 0;
	}
	if (strncmp(s, "bright-", 7) == 0) {
		bright = 8;
		s += 7;
	}
	for (int i = 0; i < 8; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i + bright;
			return 0;
		}
	n = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0' && n >= 0 && n <= 255) {
		*out = (int)n;
		return 0;
	}
	return -1;
}

/* "196|red": the first where 256 colours exist, else the second. */
static int
colour(const char *s, int *out)
{
	char buf[64], *bar;

	snprintf(buf, sizeof buf, "%s", s);
	bar = strchr(buf, '|');
	if (bar != NULL) {
		*bar = '\0';
		if (COLORS >= 256)
			return colour_one(buf, out);
		return colour_one(bar + 1, out);
	}
	if (colour_one(buf, out) != 0)
		return -1;
	/* A 256-colour number on a smaller terminal: fold it down. */
	if (*out >= COLORS)
		*out = *out % 8;
	return 0;
}

static int
attr_word(const char *w)
{
	static const struct {
		const char *name;
		int attr;
	} attrs[] = {{"bold", A_BOLD},         {"dim", A_DIM},
	             {"reverse", A_REVERSE},   {"underline", A_UNDERLINE},
	             {"standout", A_STANDOUT}, {"blink", A_BLINK},
	             {"normal", A_NORMAL}};

	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
		if (strcmp(w, attrs[i].name) == 0)
			return attrs[i].attr;
	return -1;
}

/* Parses theme text into defs; returns 0 or -1 with a message in err. */
static int
parse(const char *text, struct slot_def *defs, int *default_bg, char *err,
      size_t errsz)
{
	const char *p = text;
	int lineno = 0;

	for (int i = 0; i < SLOT_COUNT; i++)
		defs[i] = (struct slot_def){-1, -1, 0};
	*default_bg = 1;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[256], *save = NULL, *w;
		int slot;

		lineno++;
		snprintf(line, sizeof line, "%.*s", (int)n, p);
		p += n + (nl ? 1 : 0);
		w = strtok_r(line, " \t\r", &save);
		if (w == NULL || w[0] == '#')
			continue;
		if (strcmp(w, "default-background") == 0) {
			w = strtok_r(NULL, " \t\r", &save);
			*default_bg = w != NULL && strcmp(w, "yes") == 0;
			continue;
		}
		slot = theme_slot_parse(w);
		if (slot < 0) {
			snprintf(err, errsz, "line %d: unknown slot '%s'",
			         lineno, w);
			return -1;
		}
		while ((w = strtok_r(NULL, " \t\r", &save)) != NULL) {
			int a;
			if (strncmp(w, "fg=", 3) == 0) {
				if (colour(w + 3, &defs[slot].fg) != 0)
					goto bad;
			} else if (strncmp(w, "bg=", 3) == 0) {
				if (colour(w + 3, &defs[slot].bg) != 0)
					goto bad;
			} else if ((a = attr_word(w)) >= 0) {
				defs[slot].attrs |= a;
			} else {
				goto bad;
			}
			continue;
		bad:
			snprintf(err, errsz, "line %d: cannot read '%s'",
			         lineno, w);
			return -1;
		}
	}
	return 0;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = {0};
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.data == NULL)
		buf_add(&b, "", 0);
	return b.data;
}

static char *
find_theme(const char *name)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	const char *dirs[2];
	char *path, *text = NULL;
	int n = 0;

	if (strchr(name, '/') != NULL)
		return read_file(name);
	path = NULL;
	if (xdg != NULL && *xdg != '\0')
		path = xasprintf("%s/cityops/themes", xdg);
	else if (home != NULL)
		path = xasprintf("%s/.config/cityops/themes", home);
	if (path != NULL)
		dirs[n++] = path;
	if (getenv("CITYOPS_THEMES") != NULL)
		dirs[n++] = getenv("CITYOPS_THEMES");
	for (int i = 0; i < n && text == NULL; i++) {
		char *file = xasprintf("%s/%s.theme", dirs[i], name);
		text = read_file(file);
		free(file);
	}
	free(path);
	/* The shipped themes: build tree, XDG data dirs, install prefix. */
	if (text == NULL && (path = datadir_find("themes", name, ".theme"))) {
		text = read_file(path);
		free(path);
	}
	return text;
}

static void
apply(const struct slot_def *defs, int default_bg, int no_color)
{
	int pair = 1;

	if (!no_color && has_colors()) {
		start_color();
		if (default_bg)
			use_default_colors();
	}
	for (int i = 0; i < SLOT_COUNT; i++) {
		slot_attr[i] = defs[i].attrs;
		if (no_color || !has_colors() || pair >= COLOR_PAIRS)
			continue;
		if (defs[i].fg == -1 && defs[i].bg == -1)
			continue;
		{
			int fg = defs[i].fg, bg = defs[i].bg;
			/* Without default colours, -1 means white on black. */
			if (!default_bg) {
				if (fg < 0)
					fg = COLOR_WHITE;
				if (bg < 0)
					bg = COLOR_BLACK;
			}
			init_pair((short)pair, (short)fg, (short)bg);
			slot_attr[i] |= COLOR_PAIR(pair);
			pair++;
		}
	}
}

int
theme_load(const char *name, int no_color, const char **error)
{
	static char err[160];
	struct slot_def defs[SLOT_COUNT];
	int default_bg;
	char *text = NULL;

	*error = NULL;
	if (no_color)
		name = "monochrome";
	text = find_theme(name);
	if (text == NULL) {
		snprintf(err, sizeof err, "theme '%s' not found", name);
		*error = err;
	} else if (parse(text, defs, &default_bg, err, sizeof err) != 0) {
		char msg[sizeof err];
		snprintf(msg, sizeof msg, "%s", err);
		snprintf(err, sizeof err, "theme %.40s: %.100s", name, msg);
		*error = err;
	}
	free(text);
	if (*error != NULL) {
		char e2[8];
		log_msg(LOG_WARN, "%s; using the built-in monochrome theme",
		        *error);
		parse(builtin_mono, defs, &default_bg, e2, sizeof e2);
		apply(defs, default_bg, 1);
		snprintf(current, sizeof current, "builtin");
		return -1;
	}
	apply(defs, default_bg, no_color);
	snprintf(current, sizeof current, "%s", name);
	return 0;
}
