/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The console's configuration: theme, bell, layout and key bindings by
 * action name. The defaults are config text parsed by the same parser as
 * the user's $XDG_CONFIG_HOME/cityops/config, so the documented format is
 * the one in force. Owned by the console engineer.
 */
#ifndef CITYOPS_CONFIG_H
#define CITYOPS_CONFIG_H

/* Every action a key can be bound to, with its help text. */
#define CONFIG_ACTIONS(X)                                                      \
	X(QUIT, "quit", "quit (asks to confirm)")                              \
	X(PROMPT, "prompt", "open the command prompt")                         \
	X(FILTER, "filter", "filter the focused pane")                         \
	X(FOCUS_NEXT, "focus-next", "focus the next pane")                     \
	X(FOCUS_PREV, "focus-prev", "focus the previous pane")                 \
	X(UP, "up", "select the row above")                                    \
	X(DOWN, "down", "select the row below")                                \
	X(PAGE_UP, "page-up", "one page up")                                   \
	X(PAGE_DOWN, "page-down", "one page down")                             \
	X(TOP, "top", "first row")                                             \
	X(BOTTOM, "bottom", "last row")                                        \
	X(ENTER, "enter", "drill down into the selected row")                  \
	X(BACK, "back", "back out of a view, or clear the filter")             \
	X(HELP, "help", "show keys and commands")                              \
	X(REDRAW, "redraw", "repaint the whole screen")                        \
	X(BELL, "toggle-bell", "turn the P1 bell on or off")                   \
	X(REGIONS, "regions", "drill down from your scope's regions")          \
	/* On the selection (ui/actions.c, issue 14). */                       \
	X(ACT_ACK, "ack", "acknowledge the selected incident (受理)")          \
	X(ACT_DISPATCH, "dispatch", "dispatch: the unit picker (派单)")        \
	X(ACT_ACCEPT, "accept", "units accepted the order (签收)")             \
	X(ACT_ARRIVE, "arrive", "units on scene (到场)")                       \
	X(ACT_RESOLVE, "resolve", "handled (办结)")                            \
	X(ACT_VERIFY, "verify", "verify a resolved incident (核查)")           \
	X(ACT_CLOSE, "close", "close a verified incident, asks y/n (结案)")    \
	X(ACT_NOTE, "note", "add a note (备注)")                               \
	X(ACT_ESCALATE, "escalate", "raise the escalation level (督办)")       \
	X(ACT_RETURN, "return", "return the order, asks a reason (退单)")      \
	X(ACT_UNFOUNDED, "unfounded", "unfounded, asks a reason (不实)")       \
	X(ACT_CANCEL, "cancel", "cancel, asks a reason (撤销)")                \
	X(ACT_REOPEN, "reopen", "reopen, asks a reason (重新办理)")            \
	X(ALARMS, "alarms", "the alarm board; ack on the selected alarm")      \
	X(UNIT_STATUS, "unit-status", "change the selected unit's status")     \
	X(RAISE_FROM, "raise-from", "raise an incident from the indicator")    \
	X(MAP, "map", "show or hide the district map")                         \
	X(REPORTS, "reports", "the evaluation reports view (评估评价)")        \
	X(SEARCH, "search", "find incidents: the search view (搜索)")

enum config_action {
	ACTION_NONE = -1,
#define X(id, name, help) ACTION_##id,
	CONFIG_ACTIONS(X)
#undef X
	    ACTION_COUNT
};

/* Keys beyond single bytes, decoded from the terminal's sequences. */
enum config_key {
	KEY_C_UP = 0x110000,
	KEY_C_DOWN,
	KEY_C_LEFT,
	KEY_C_RIGHT,
	KEY_C_PGUP,
	KEY_C_PGDN,
	KEY_C_HOME,
	KEY_C_END,
	KEY_C_BTAB,
	KEY_C_ESC,
	KEY_C_DEL,
	KEY_C_MOUSE, /* an SGR mouse report (keys.c decodes it) */
	KEY_C_MAX
};

enum config_layout { LAYOUT_AUTO, LAYOUT_COMPACT, LAYOUT_WIDE };
/* The map pane in wide layouts: auto shows it from 160x45. */
enum config_map { MAP_AUTO, MAP_ON, MAP_OFF };

#define CONFIG_FEEDS_MAX 16
#define CONFIG_URL_MAX   256

struct config {
	char theme[64];
	int bell; /* ring the terminal bell when a P1 arrives */
	enum config_layout layout;
	enum config_map map;
	int map_tiles; /* "map-outline off": always the tile map */
	/* The alarms pane in wide layouts: auto where there is room. */
	enum config_map alarms;
	int mouse;       /* "mouse on": clicks, wheel and double-clicks */
	int queue_limit; /* incidents fetched for the queue pane */
	int history_hours;
	/* Display time zone ("timezone NAME"); "" = $PGTZ, else Shanghai. */
	char timezone[64];
	/* Live feeds ("feed URL" lines, in order); --feed replaces them. */
	char feeds[CONFIG_FEEDS_MAX][CONFIG_URL_MAX];
	int nfeeds;
};

/* Loads defaults then the user's file (path, or the XDG default when NULL).
 * Returns 0, or -1 with a message in err (the defaults stay in force for
 * the lines that failed). */
int config_load(struct config *c, const char *path, char *err, size_t errsz);
/* Applies one config line; 0 or -1 with err filled. */
int config_line(struct config *c, const char *line, char *err, size_t errsz);

/* The action bound to key (a code point or enum config_key), or ACTION_NONE. */
enum config_action config_action_for(int key);
const char *config_action_name(enum config_action a);
const char *config_action_help(enum config_action a);
/* Key name for help: "q", "Tab", "C-l"; the first key bound to a. */
const char *config_key_for(enum config_action a, char *buf, size_t bufsz);

/* $XDG_STATE_HOME/cityops (or ~/.local/state/cityops); caller frees. */
char *config_state_dir(void);

#endif
