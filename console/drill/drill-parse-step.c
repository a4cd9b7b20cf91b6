/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The drill file's `at T …` lines: each step (incident, alert, reading,
 * ramp, as, note) parsed and checked into a struct drill_step. The rest of
 * the parser is in drill-parse.c.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd.h"
#include "drill-parser.h"

/* Commands that change real, shared state the fence does not cover: the
 * escalation policy. (switch is allowed: in a drill session it switches
 * the drill's own mode, never the real one; migration 057.) */
static const char *const refused_commands[] = {"escalation", NULL};

static const char *const sources[] = {
    "12345",  "110",     "119",     "120", "sensor",
    "patrol", "opinion", "officer", NULL,
};

/* Options shared by incident and alert. */
static int
incident_opts(struct parser *p, struct drill_step *s, const struct drill_opt *o,
              int no, const char *default_source)
{
	const char *v;
	long count;
	double lat, lon;

	v = parse_opt_get(o, no, "source");
	s->source = xstrdup(v ? v : default_source);
	if (!parse_one_of(s->source, sources)) {
		parse_error(p,
		            "unknown source %s (one of 12345, 110, 119, 120, "
		            "sensor, patrol, opinion, officer)",
		            s->source);
		return -1;
	}
	s->location = parse_dup(parse_opt_get(o, no, "location"));
	s->desc = parse_dup(parse_opt_get(o, no, "desc"));
	s->dedup = parse_dup(parse_opt_get(o, no, "dedup"));
	if ((v = parse_opt_get(o, no, "count")) != NULL) {
		if ((count = parse_integer(v, 1, MAX_COUNT)) == LONG_MIN) {
			parse_error(p, "--count must be 1 to %d", MAX_COUNT);
			return -1;
		}
		s->count = (int)count;
	}
	if (parse_opt_get(o, no, "lat") || parse_opt_get(o, no, "lon")) {
		lat = parse_number(parse_opt_get(o, no, "lat"));
		lon = parse_number(parse_opt_get(o, no, "lon"));
		if (isnan(lat) || isnan(lon) || lat < -90 || lat > 90 ||
		    lon < -180 || lon > 180) {
			parse_error(p, "--lat and --lon must both be given, as "
			               "degrees");
			return -1;
		}
		s->has_pos = 1;
		s->lat = lat;
		s->lon = lon;
	}
	if ((s->location && !parse_clean_text(p, "--location", s->location)) ||
	    (s->desc && !parse_clean_text(p, "--desc", s->desc)) ||
	    (s->dedup && !parse_clean_text(p, "--dedup", s->dedup)))
		return -1;
	return 0;
}

/* at T incident [$label] <category> <priority> <region> <title...> [opts] */
static void
parse_incident(struct parser *p, long at, int from)
{
	const char *pos[64];
	struct drill_opt o[16];
	int no, np, i = 0;
	long prio;
	struct drill_step *s;

	np = parse_split_opts(p, from,
	                      "source location desc dedup count lat lon", pos,
	                      64, o, 16, &no);
	if (np < 0)
		return;
	if ((s = parse_new_step(p, at, DRILL_INCIDENT)) == NULL)
		return;
	if (np > 0 && pos[0][0] == '$') {
		if (!parse_valid_label(pos[0])) {
			parse_error(p, "bad label %s (letters, digits, _ - .)",
			            pos[0]);
			return;
		}
		s->label = xstrdup(pos[0] + 1);
		i = 1;
	}
	if (np - i < 4) {
		parse_error(
		    p, "usage: at <time> incident [$label] <category> "
		       "<priority 1-4> <region> <title...> [--source S] "
		       "[--location L] [--desc D] [--dedup KEY] [--count N]");
		return;
	}
	if ((prio = parse_integer(pos[i + 1], 1, 4)) == LONG_MIN) {
		parse_error(p, "priority must be 1 to 4, not %s", pos[i + 1]);
		return;
	}
	s->category = xstrdup(pos[i]);
	s->priority = (int)prio;
	s->region = xstrdup(pos[i + 2]);
	s->title = parse_join(pos, i + 3, np);
	if (!parse_clean_text(p, "the title", s->title) ||
	    !parse_clean_text(p, "the category", s->category) ||
	    !parse_clean_text(p, "the region", s->region))
		return;
	incident_opts(p, s, o, no, "12345");
}

static const char *const severities[] = {"Extreme", "Severe",  "Moderate",
                                         "Minor",   "Unknown", NULL};
static const char *const urgencies[] = {"Immediate", "Expected", "Future",
                                        "Past",      "Unknown",  NULL};
static const char *const certainties[] = {"Observed", "Likely",  "Possible",
                                          "Unlikely", "Unknown", NULL};

/* at T alert [$label] <category> <region> <headline...> --event E
 * --severity S [--urgency U] [--certainty C] [--sender S] [opts] */
static void
parse_alert(struct parser *p, long at, int from)
{
	const char *pos[64];
	struct drill_opt o[20];
	int no, np, i = 0;
	const char *v;
	struct drill_step *s;

	np = parse_split_opts(p, from,
	                      "event severity urgency certainty sender source "
	                      "location desc dedup lat lon",
	                      pos, 64, o, 20, &no);
	if (np < 0)
		return;
	if ((s = parse_new_step(p, at, DRILL_ALERT)) == NULL)
		return;
	if (np > 0 && pos[0][0] == '$') {
		if (!parse_valid_label(pos[0])) {
			parse_error(p, "bad label %s", pos[0]);
			return;
		}
		s->label = xstrdup(pos[0] + 1);
		i = 1;
	}
	if (np - i < 3 || parse_opt_get(o, no, "event") == NULL ||
	    parse_opt_get(o, no, "severity") == NULL) {
		parse_error(
		    p, "usage: at <time> alert [$label] <category> <region> "
		       "<headline...> --event E --severity "
		       "Extreme|Severe|Moderate|Minor [--urgency U] "
		       "[--certainty C] [--sender S]");
		return;
	}
	s->category = xstrdup(pos[i]);
	s->region = xstrdup(pos[i + 1]);
	s->title = parse_join(pos, i + 2, np);
	s->event = xstrdup(parse_opt_get(o, no, "event"));
	s->severity = xstrdup(parse_opt_get(o, no, "severity"));
	if (!parse_one_of(s->severity, severities)) {
		parse_error(
		    p,
		    "unknown CAP severity %s (Extreme, Severe, Moderate, "
		    "Minor, Unknown)",
		    s->severity);
		return;
	}
	v = parse_opt_get(o, no, "urgency");
	s->urgency = xstrdup(v ? v : "Immediate");
	if (!parse_one_of(s->urgency, urgencies)) {
		parse_error(p, "unknown CAP urgency %s", s->urgency);
		return;
	}
	v = parse_opt_get(o, no, "certainty");
	s->certainty = xstrdup(v ? v : "Observed");
	if (!parse_one_of(s->certainty, certainties)) {
		parse_error(p, "unknown CAP certainty %s", s->certainty);
		return;
	}
	v = parse_opt_get(o, no, "sender");
	s->sender = xstrdup(v ? v : "cityops-drill");
	/* Extreme → 1 … Minor/Unknown → 4 */
	s->priority = strcmp(s->severity, "Extreme") == 0    ? 1
	              : strcmp(s->severity, "Severe") == 0   ? 2
	              : strcmp(s->severity, "Moderate") == 0 ? 3
	                                                     : 4;
	if (!parse_clean_text(p, "the headline", s->title) ||
	    !parse_clean_text(p, "the event", s->event) ||
	    !parse_clean_text(p, "the sender", s->sender) ||
	    !parse_clean_text(p, "the category", s->category) ||
	    !parse_clean_text(p, "the region", s->region))
		return;
	incident_opts(p, s, o, no, "sensor");
}

static void
add_reading(struct parser *p, long at, const char *ind, double v)
{
	struct drill_step *s = parse_new_step(p, at, DRILL_READING);

	if (s == NULL)
		return;
	s->indicator = xstrdup(ind);
	s->value = v;
}

/* at T reading <indicator> <value> [<indicator> <value>]... */
static void
parse_reading(struct parser *p, long at, int from)
{
	if (p->n - from < 2 || (p->n - from) % 2 != 0) {
		parse_error(p, "usage: at <time> reading <indicator> <value> "
		               "[<indicator> <value>]...");
		return;
	}
	for (int i = from; i + 1 < p->n; i += 2) {
		double v = parse_number(p->w[i + 1]);
		if (!parse_valid_indicator(p->w[i])) {
			parse_error(p, "bad indicator id %s", p->w[i]);
			return;
		}
		if (isnan(v)) {
			parse_error(p, "reading value %s is not a number",
			            p->w[i + 1]);
			return;
		}
		add_reading(p, at, p->w[i], v);
	}
}

/* at T ramp <indicator> <from> <to> over <dur> [every <dur>] */
static void
parse_ramp(struct parser *p, long at, int from)
{
	double a, b;
	long over, every = 60, steps;

	if (!(p->n - from == 5 || p->n - from == 7) ||
	    strcmp(p->w[from + 3], "over") != 0 ||
	    (p->n - from == 7 && strcmp(p->w[from + 5], "every") != 0)) {
		parse_error(
		    p, "usage: at <time> ramp <indicator> <from> <to> over "
		       "<duration> [every <duration>]");
		return;
	}
	if (!parse_valid_indicator(p->w[from])) {
		parse_error(p, "bad indicator id %s", p->w[from]);
		return;
	}
	a = parse_number(p->w[from + 1]);
	b = parse_number(p->w[from + 2]);
	over = drill_parse_duration(p->w[from + 4]);
	if (p->n - from == 7)
		every = drill_parse_duration(p->w[from + 6]);
	if (isnan(a) || isnan(b)) {
		parse_error(p, "ramp values must be numbers");
		return;
	}
	if (over <= 0 || every <= 0) {
		parse_error(p, "bad duration (use e.g. 90s, 10m, 1h30m)");
		return;
	}
	steps = over / every;
	if (steps < 1 || steps > 1000) {
		parse_error(p, "a ramp has 1 to 1000 steps; this one has %ld",
		            steps);
		return;
	}
	for (long k = 0; k <= steps; k++)
		add_reading(p, at + k * every, p->w[from],
		            a + (b - a) * (double)k / (double)steps);
}

/*
 * at T [try] as <login>: <command...> [=> $label]
 * The command is kept as written (from the raw line) so that its quoting
 * reaches the command engine unchanged.
 */
/* The login of "at T as LOGIN: COMMAND" into login; the command after the
 * ':', or NULL (reported). */
static const char *
as_login(struct parser *p, char *login, size_t loginsz)
{
	const char *colon, *cmdtext = NULL;
	size_t len;

	/* The login runs from after the word "as" to the first ':'. */
	for (const char *q = p->raw; *q != '\0'; q++)
		if (q > p->raw && (q[-1] == ' ' || q[-1] == '\t') &&
		    strncmp(q, "as", 2) == 0 && (q[2] == ' ' || q[2] == '\t')) {
			cmdtext = q + 3;
			break;
		}
	colon = cmdtext ? strchr(cmdtext, ':') : NULL;
	if (cmdtext == NULL || colon == NULL) {
		parse_error(p, "usage: at <time> as <login>: <command...>");
		return NULL;
	}
	cmdtext += strspn(cmdtext, " \t");
	len = (size_t)(colon - cmdtext);
	while (len > 0 && (cmdtext[len - 1] == ' ' || cmdtext[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= loginsz) {
		parse_error(p, "usage: at <time> as <login>: <command...>");
		return NULL;
	}
	memcpy(login, cmdtext, len);
	login[len] = '\0';
	if (!parse_valid_login(login)) {
		parse_error(p, "bad login '%s'", login);
		return NULL;
	}
	return colon + 1;
}

/* Cuts "=> $label" off the end of cmd into *label; 0, or -1 (reported). */
static int
as_label(struct parser *p, char *cmd, char **label)
{
	const char *arrow = strstr(cmd, "=>"), *l;
	size_t k, len;

	*label = NULL;
	if (arrow == NULL)
		return 0;
	l = arrow + 2 + strspn(arrow + 2, " \t");
	k = strcspn(l, " \t");
	if (l[k + strspn(l + k, " \t")] != '\0' || k == 0) {
		parse_error(p, "'=> $label' must end the line");
		return -1;
	}
	*label = xstrndup(l, k);
	if (!parse_valid_label(*label)) {
		parse_error(p, "bad label %s", *label);
		free(*label);
		*label = NULL;
		return -1;
	}
	cmd[arrow - cmd] = '\0';
	len = strlen(cmd);
	while (len > 0 && (cmd[len - 1] == ' ' || cmd[len - 1] == '\t'))
		cmd[--len] = '\0';
	return 0;
}

/* Whether cmd is a command a drill may run as login (else reported). */
static int
as_command_ok(struct parser *p, const char *login, const char *cmd,
              const char *label)
{
	const struct cmd_entry *e;
	const char *err;
	char **argv;
	int argc, ok = 0;

	if (cmd_split(cmd, &argc, &argv, &err) != 0) {
		parse_error(p, "%s", err);
		return 0;
	}
	if (argc == 0) {
		parse_error(p, "as %s: no command", login);
	} else if ((e = cmd_find(argv[0])) == NULL) {
		const char *near = cmd_suggest(argv[0]);
		if (near != NULL)
			parse_error(p,
			            "unknown command '%s' (did you mean '%s'?)",
			            argv[0], near);
		else
			parse_error(p, "unknown command '%s'", argv[0]);
	} else if (parse_one_of(e->name, refused_commands)) {
		parse_error(p,
		            "a drill may not run '%s': it changes real, shared "
		            "state",
		            e->name);
	} else if (label != NULL && strcmp(e->name, "raise") != 0) {
		parse_error(p, "only raise can bind a label with '=>'");
	} else {
		ok = 1;
	}
	cmd_free_argv(argv);
	return ok;
}

static void
parse_as(struct parser *p, long at, int from, int try_)
{
	const char *rest;
	char login[64], *cmd, *label = NULL;
	struct drill_step *s;

	(void)from;
	if ((rest = as_login(p, login, sizeof login)) == NULL)
		return;
	cmd = xstrdup(rest + strspn(rest, " \t"));
	/* "=> $label" at the end binds the incident a raise creates. */
	if (as_label(p, cmd, &label) != 0 ||
	    !as_command_ok(p, login, cmd, label) ||
	    !parse_clean_text(p, "the command", cmd) ||
	    (s = parse_new_step(p, at, DRILL_AS)) == NULL) {
		free(label);
		free(cmd);
		return;
	}
	s->login = xstrdup(login);
	s->command = cmd;
	s->try_ = try_;
	s->label = label ? xstrdup(label + 1) : NULL;
	free(label);
}

void
parse_at(struct parser *p)
{
	long at;
	const char *what;
	int try_ = 0, from = 3;

	if (p->n < 3) {
		parse_error(p,
		            "usage: at <+HH:MM[:SS]> <incident|alert|reading|"
		            "ramp|as|note> ...");
		return;
	}
	at = drill_parse_time(p->w[1]);
	if (at < 0 || at > MAX_SECS) {
		parse_error(p, "bad time '%s' (write +HH:MM or +HH:MM:SS)",
		            p->w[1]);
		return;
	}
	what = p->w[2];
	if (strcmp(what, "try") == 0 && p->n > 3 &&
	    strcmp(p->w[3], "as") == 0) {
		try_ = 1;
		what = "as";
		from = 4;
	}
	if (strcmp(what, "incident") == 0)
		parse_incident(p, at, from);
	else if (strcmp(what, "alert") == 0)
		parse_alert(p, at, from);
	else if (strcmp(what, "reading") == 0)
		parse_reading(p, at, from);
	else if (strcmp(what, "ramp") == 0)
		parse_ramp(p, at, from);
	else if (strcmp(what, "as") == 0)
		parse_as(p, at, from, try_);
	else if (strcmp(what, "note") == 0) {
		struct drill_step *s;
		char *t = parse_join((const char **)p->w, 3, p->n);
		if (!parse_clean_text(p, "the note", t) ||
		    (s = parse_new_step(p, at, DRILL_NOTE)) == NULL) {
			free(t);
			return;
		}
		s->title = t;
	} else
		parse_error(
		    p,
		    "unknown step '%s' (incident, alert, reading, ramp, "
		    "as, note)",
		    what);
}
