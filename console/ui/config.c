/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Configuration lines:
 *
 *     theme dark              a file in themes/ (or a path)
 *     bell on|off             ring on a new P1
 *     layout auto|compact|wide
 *     alarms auto|on|off      the alarms pane (auto: where there is room)
 *     mouse on|off            click, wheel, double-click (off by default)
 *     queue-limit 1000        incidents fetched for the queue pane
 *     history-hours 24        span of indicator history charts
 *     timezone Asia/Shanghai  display zone: status clock and tables
 *     feed URL                subscribe to a live feed (ws://…); one line
 *                             per feed, "feed none" forgets earlier ones
 *     bind KEY ACTION         KEY: a character, or Tab BTab Enter Esc Up
 *                             Down Left Right PgUp PgDn Home End Del,
 *                             C-x for Ctrl-x
 *     unbind KEY
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cityops/ui/config.h"
#include "cityops/core/text.h"
#include "cityops/core/util.h"

static const char *const action_names[] = {
#define X(id, name, help) name,
    CONFIG_ACTIONS(X)
#undef X
};

static const char *const action_help[] = {
#define X(id, name, help) help,
    CONFIG_ACTIONS(X)
#undef X
};

/* The defaults, parsed exactly as a user's file is. */
static const char defaults[] = "theme dark\n"
                               "bell off\n"
                               "layout auto\n"
                               "map auto\n"
                               "alarms auto\n"
                               "mouse off\n"
                               "queue-limit 1000\n"
                               "history-hours 24\n"
                               "bind q quit\n"
                               "bind : prompt\n"
                               "bind / filter\n"
                               "bind Tab focus-next\n"
                               "bind BTab focus-prev\n"
                               "bind Up up\n"
                               "bind k up\n"
                               "bind Down down\n"
                               "bind j down\n"
                               "bind PgUp page-up\n"
                               "bind PgDn page-down\n"
                               "bind Home top\n"
                               "bind g top\n"
                               "bind End bottom\n"
                               "bind G bottom\n"
                               "bind Enter enter\n"
                               "bind Right enter\n"
                               "bind Esc back\n"
                               "bind Left back\n"
                               "bind ? help\n"
                               "bind C-l redraw\n"
                               "bind b toggle-bell\n"
                               "bind r regions\n"
                               /* ui/actions.c: on the selection */
                               "bind a ack\nbind d dispatch\n"
                               "bind p accept\nbind o arrive\n"
                               "bind v resolve\nbind V verify\n"
                               "bind c close\nbind n note\n"
                               "bind e escalate\nbind R return\n"
                               "bind u unfounded\nbind x cancel\n"
                               "bind A alarms\nbind s unit-status\n"
                               "bind i raise-from\n"
                               "bind m map\n"
                               "bind E reports\n"
                               "bind f search\n";

static const struct {
	const char *name;
	int key;
} key_names[] = {
    {"Tab", '\t'},        {"BTab", KEY_C_BTAB},   {"Enter", '\r'},
    {"Esc", KEY_C_ESC},   {"Up", KEY_C_UP},       {"Down", KEY_C_DOWN},
    {"Left", KEY_C_LEFT}, {"Right", KEY_C_RIGHT}, {"PgUp", KEY_C_PGUP},
    {"PgDn", KEY_C_PGDN}, {"Home", KEY_C_HOME},   {"End", KEY_C_END},
    {"Del", KEY_C_DEL},   {"Space", ' '},
};

/* Bindings: single bytes and special keys; a small table is enough. */
#define MAX_BINDINGS 96
static struct {
	int key;
	enum config_action action;
} bindings[MAX_BINDINGS];
static int nbindings;

static int
key_parse(const char *s)
{
	uint32_t cp;
	size_t n;

	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (strcmp(s, key_names[i].name) == 0)
			return key_names[i].key;
	if (s[0] == 'C' && s[1] == '-' && s[2] != '\0' && s[3] == '\0' &&
	    isalpha((unsigned char)s[2]))
		return tolower((unsigned char)s[2]) - 'a' + 1;
	n = text_utf8_decode(s, strlen(s), &cp);
	if (n > 0 && s[n] == '\0' && cp >= 0x20)
		return (int)cp;
	return -1;
}

static const char *
key_name(int key, char *buf, size_t bufsz)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (key_names[i].key == key)
			return key_names[i].name;
	if (key > 0 && key < 0x20)
		snprintf(buf, bufsz, "C-%c", 'a' + key - 1);
	else if (key < 0x80)
		snprintf(buf, bufsz, "%c", key);
	else
		snprintf(buf, bufsz, "U+%04X", key);
	return buf;
}

static int
action_parse(const char *s)
{
	for (int i = 0; i < ACTION_COUNT; i++)
		if (strcmp(action_names[i], s) == 0)
			return i;
	return -1;
}

static void
unbind(int key)
{
	for (int i = 0; i < nbindings; i++)
		if (bindings[i].key == key) {
			bindings[i] = bindings[--nbindings];
			i--;
		}
}

/* Over 80 lines on purpose: one short branch per config keyword (the
 * file format in docs/console.md), read top to bottom like the format. */
int
config_line(struct config *c, const char *line, char *err, size_t errsz)
{
	char buf[1024], *save = NULL, *w, *a1, *a2;

	snprintf(buf, sizeof buf, "%s", line);
	w = strtok_r(buf, " \t\r\n", &save);
	if (w == NULL || w[0] == '#')
		return 0;
	a1 = strtok_r(NULL, " \t\r\n", &save);
	a2 = strtok_r(NULL, " \t\r\n", &save);
	if (a1 == NULL)
		goto missing;
	if (strcmp(w, "theme") == 0) {
		snprintf(c->theme, sizeof c->theme, "%s", a1);
	} else if (strcmp(w, "bell") == 0) {
		if (strcmp(a1, "on") != 0 && strcmp(a1, "off") != 0)
			goto bad;
		c->bell = strcmp(a1, "on") == 0;
	} else if (strcmp(w, "layout") == 0) {
		if (strcmp(a1, "auto") == 0)
			c->layout = LAYOUT_AUTO;
		else if (strcmp(a1, "compact") == 0)
			c->layout = LAYOUT_COMPACT;
		else if (strcmp(a1, "wide") == 0)
			c->layout = LAYOUT_WIDE;
		else
			goto bad;
	} else if (strcmp(w, "map") == 0) {
		if (strcmp(a1, "auto") == 0)
			c->map = MAP_AUTO;
		else if (strcmp(a1, "on") == 0)
			c->map = MAP_ON;
		else if (strcmp(a1, "off") == 0)
			c->map = MAP_OFF;
		else
			goto bad;
	} else if (strcmp(w, "alarms") == 0) {
		if (strcmp(a1, "auto") == 0)
			c->alarms = MAP_AUTO;
		else if (strcmp(a1, "on") == 0)
			c->alarms = MAP_ON;
		else if (strcmp(a1, "off") == 0)
			c->alarms = MAP_OFF;
		else
			goto bad;
	} else if (strcmp(w, "mouse") == 0) {
		if (strcmp(a1, "on") != 0 && strcmp(a1, "off") != 0)
			goto bad;
		c->mouse = strcmp(a1, "on") == 0;
	} else if (strcmp(w, "map-outline") == 0) {
		if (strcmp(a1, "on") == 0)
			c->map_tiles = 0;
		else if (strcmp(a1, "off") == 0)
			c->map_tiles = 1;
		else
			goto bad;
	} else if (strcmp(w, "queue-limit") == 0) {
		c->queue_limit = atoi(a1);
		if (c->queue_limit < 10 || c->queue_limit > 100000)
			goto bad;
	} else if (strcmp(w, "history-hours") == 0) {
		c->history_hours = atoi(a1);
		if (c->history_hours < 1 || c->history_hours > 24 * 31)
			goto bad;
	} else if (strcmp(w, "timezone") == 0) {
		/* An IANA name: letters, digits, / _ + - only. */
		if (strlen(a1) >= sizeof c->timezone ||
		    strspn(
		        a1,
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		        "0123456789/_+-") != strlen(a1))
			goto bad;
		snprintf(c->timezone, sizeof c->timezone, "%s", a1);
	} else if (strcmp(w, "feed") == 0 || strcmp(w, "feeds") == 0) {
		/* "feeds URL URL…" is the same as one "feed" line each. */
		if (strcmp(a1, "none") == 0) {
			c->nfeeds = 0;
			return 0;
		}
		for (const char *u = a1; u != NULL && u[0] != '#';
		     u = u == a1 ? a2 : strtok_r(NULL, " \t\r\n", &save)) {
			if (strncmp(u, "ws://", 5) != 0 ||
			    strlen(u) >= CONFIG_URL_MAX) {
				snprintf(
				    err, errsz,
				    "%s: cannot use '%s' (ws://…, under %d "
				    "bytes)",
				    w, u, CONFIG_URL_MAX);
				return -1;
			}
			if (c->nfeeds == CONFIG_FEEDS_MAX) {
				snprintf(err, errsz, "more than %d feeds",
				         CONFIG_FEEDS_MAX);
				return -1;
			}
			snprintf(c->feeds[c->nfeeds++], CONFIG_URL_MAX, "%s",
			         u);
		}
	} else if (strcmp(w, "bind") == 0 || strcmp(w, "unbind") == 0) {
		int key = key_parse(a1), act;
		if (key < 0)
			goto bad;
		unbind(key);
		if (strcmp(w, "unbind") == 0)
			return 0;
		if (a2 == NULL)
			goto missing;
		if ((act = action_parse(a2)) < 0) {
			snprintf(err, errsz, "unknown action '%s'", a2);
			return -1;
		}
		if (nbindings == MAX_BINDINGS) {
			snprintf(err, errsz, "too many bindings");
			return -1;
		}
		bindings[nbindings].key = key;
		bindings[nbindings].action = (enum config_action)act;
		nbindings++;
	} else {
		snprintf(err, errsz, "unknown setting '%s'", w);
		return -1;
	}
	return 0;
missing:
	snprintf(err, errsz, "%s: missing value", w);
	return -1;
bad:
	snprintf(err, errsz, "%s: cannot use '%s'", w, a1);
	return -1;
}

static int
parse_text(struct config *c, const char *text, const char *origin, char *err,
           size_t errsz)
{
	const char *p = text;
	int lineno = 0, rc = 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], e[400];

		lineno++;
		snprintf(line, sizeof line, "%.*s", (int)n, p);
		p += n + (nl ? 1 : 0);
		if (config_line(c, line, e, sizeof e) != 0 && rc == 0) {
			snprintf(err, errsz, "%s:%d: %s", origin, lineno, e);
			rc = -1;
		}
	}
	return rc;
}

int
config_load(struct config *c, const char *path, char *err, size_t errsz)
{
	char *def = NULL;
	struct buf b = {0};
	FILE *f;
	int rc;

	memset(c, 0, sizeof *c);
	nbindings = 0;
	parse_text(c, defaults, "defaults", err, errsz);
	if (path == NULL) {
		const char *xdg = getenv("XDG_CONFIG_HOME");
		const char *home = getenv("HOME");
		if (xdg != NULL && *xdg != '\0')
			def = xasprintf("%s/cityops/config", xdg);
		else if (home != NULL)
			def = xasprintf("%s/.config/cityops/config", home);
		path = def;
	}
	if (path == NULL)
		return 0;
	f = fopen(path, "r");
	if (f == NULL) {
		rc = def != NULL ? 0 : -1; /* a named file must exist */
		if (rc != 0)
			snprintf(err, errsz, "cannot read %s", path);
		free(def);
		return rc;
	}
	{
		char chunk[4096];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&b, chunk, n);
	}
	fclose(f);
	rc = b.data ? parse_text(c, b.data, path, err, errsz) : 0;
	buf_free(&b);
	free(def);
	if (rc != 0 && errsz > 0) {
		/* The message quotes the file's text: no raw control bytes
		 * (an ESC in a value) may reach a terminal. */
		char *clean = text_sanitize_dup(err, strlen(err));
		snprintf(err, errsz, "%s", clean);
		free(clean);
	}
	return rc;
}

enum config_action
config_action_for(int key)
{
	for (int i = nbindings - 1; i >= 0; i--)
		if (bindings[i].key == key)
			return bindings[i].action;
	return ACTION_NONE;
}

const char *
config_action_name(enum config_action a)
{
	return a >= 0 && a < ACTION_COUNT ? action_names[a] : "none";
}

const char *
config_action_help(enum config_action a)
{
	return a >= 0 && a < ACTION_COUNT ? action_help[a] : "";
}

const char *
config_key_for(enum config_action a, char *buf, size_t bufsz)
{
	for (int i = 0; i < nbindings; i++)
		if (bindings[i].action == a)
			return key_name(bindings[i].key, buf, bufsz);
	return "-";
}

char *
config_state_dir(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (xdg != NULL && *xdg != '\0')
		return xasprintf("%s/cityops", xdg);
	if (home != NULL)
		return xasprintf("%s/.local/state/cityops", home);
	return NULL;
}
