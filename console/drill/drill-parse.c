/*
 * The drill file parser. A drill file is lines of words (quoted as on the
 * command line); '#' starts a comment outside quotes. The whole file is
 * parsed and checked before anything runs, and every error is reported
 * with its line, up to DRILL_MAX_ERRORS. The format is in docs/drills.md.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd.h"
#include "cityops/drill/drill.h"
#include "cityops/core/text.h"
#include "cityops/core/util.h"

#define MAX_LINE    4096
#define MAX_STEPS   20000
#define MAX_EXPECTS 1000
#define MAX_SECS    (7L * 24 * 3600) /* a drill lasts at most a week */
#define MAX_COUNT   200              /* --count of one incident step */

static const char *const m_code[] = {
#define X(code, word, label) #code,
    DRILL_MILESTONES(X)
#undef X
};
static const char *const m_word[] = {
#define X(code, word, label) word,
    DRILL_MILESTONES(X)
#undef X
};

const char *
drill_milestone_code(enum drill_milestone m)
{
	return m_code[m];
}

const char *
drill_milestone_word(enum drill_milestone m)
{
	return m_word[m];
}

/* Commands a drill may not type: they change real, shared state. */
static const char *const refused_commands[] = {"switch", NULL};

struct parser {
	const char *file;
	int line;
	int nerrors;
	struct buf *errors;
	struct drill *d;
	int have_end;
	/* the line's words */
	char **w;
	int n;
	const char *raw; /* the line's text, comment removed */
};

static void error(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
error(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	p->nerrors++;
	if (p->nerrors > DRILL_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	buf_printf(p->errors, "%s:%d: %s\n", p->file, p->line,
	           msg ? msg : "error");
	if (p->nerrors == DRILL_MAX_ERRORS)
		buf_printf(p->errors, "%s: too many errors; stopping\n",
		           p->file);
	free(msg);
}

long
drill_parse_time(const char *s)
{
	long part[3];
	int n = 0;
	const char *q;

	if (s == NULL || *s != '+')
		return -1;
	q = s + 1;
	for (;;) {
		long v = 0;
		int digits = 0;
		while (isdigit((unsigned char)*q) && digits < 4) {
			v = v * 10 + (*q++ - '0');
			digits++;
		}
		if (digits == 0 || (n > 0 && digits != 2) || n == 3)
			return -1;
		if (n > 0 && v > 59)
			return -1;
		part[n++] = v;
		if (*q == '\0')
			break;
		if (*q++ != ':')
			return -1;
	}
	if (n == 2)
		return part[0] * 3600 + part[1] * 60;
	if (n == 3)
		return part[0] * 3600 + part[1] * 60 + part[2];
	return -1;
}

long
drill_parse_duration(const char *s)
{
	long total = 0;
	int parts = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		long v = 0;
		int digits = 0;
		while (isdigit((unsigned char)*s) && digits < 7) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (digits == 0)
			return -1;
		if (strncmp(s, "min", 3) == 0) {
			v *= 60;
			s += 3;
		} else if (*s == 'h') {
			v *= 3600;
			s++;
		} else if (*s == 'm') {
			v *= 60;
			s++;
		} else if (*s == 's') {
			s++;
		} else {
			return -1;
		}
		total += v;
		if (total > MAX_SECS || ++parts > 3)
			return -1;
	}
	return total;
}

void
drill_format_time(long secs, char *out, size_t outsz)
{
	long s = secs < 0 ? -secs : secs;

	if (s % 60 == 0)
		snprintf(out, outsz, "%s%02ld:%02ld", secs < 0 ? "-" : "+",
		         s / 3600, s / 60 % 60);
	else
		snprintf(out, outsz, "%s%02ld:%02ld:%02ld",
		         secs < 0 ? "-" : "+", s / 3600, s / 60 % 60, s % 60);
}

int
drill_is_human(const struct drill *d, const char *login)
{
	for (int i = 0; i < d->nhumans; i++)
		if (strcmp(d->humans[i], login) == 0)
			return 1;
	return 0;
}

static int
valid_label(const char *s)
{
	if (s[0] != '$' || s[1] == '\0' || strlen(s) > 63)
		return 0;
	for (const char *q = s + 1; *q != '\0'; q++)
		if (!isalnum((unsigned char)*q) && *q != '_' && *q != '-' &&
		    *q != '.')
			return 0;
	return 1;
}

static int
valid_login(const char *s)
{
	if (*s == '\0' || strlen(s) > 63)
		return 0;
	for (const char *q = s; *q != '\0'; q++)
		if (!isalnum((unsigned char)*q) && *q != '_' && *q != '-' &&
		    *q != '.')
			return 0;
	return 1;
}

static int
valid_indicator(const char *s)
{
	int dots = 0;

	if (*s == '\0' || *s == '.' || strlen(s) > 120)
		return 0;
	for (const char *q = s; *q != '\0'; q++) {
		if (*q == '.') {
			if (q[1] == '.' || q[1] == '\0')
				return 0;
			dots++;
		} else if (!islower((unsigned char)*q) &&
		           !isdigit((unsigned char)*q) && *q != '_') {
			return 0;
		}
	}
	return dots > 0;
}

/* A finite number, or NAN. */
static double
number(const char *s)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return NAN;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v))
		return NAN;
	return v;
}

static long
integer(const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return LONG_MIN;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < lo || v > hi)
		return LONG_MIN;
	return v;
}

/* Text from a drill file goes to the database and the report: it must be
 * valid UTF-8 without control characters. */
static int
clean_text(struct parser *p, const char *what, const char *s)
{
	char *clean;
	int ok;

	if (!text_utf8_valid(s, strlen(s))) {
		error(p, "%s is not valid UTF-8", what);
		return 0;
	}
	clean = text_sanitize_dup(s, strlen(s));
	ok = strcmp(clean, s) == 0;
	free(clean);
	if (!ok)
		error(p, "%s has control characters", what);
	return ok;
}

static struct drill_step *
new_step(struct parser *p, long at, enum drill_step_kind kind)
{
	struct drill *d = p->d;
	struct drill_step *s;

	if (d->nsteps >= MAX_STEPS) {
		error(p, "too many steps (at most %d)", MAX_STEPS);
		return NULL;
	}
	d->steps = xrealloc(d->steps, (size_t)(d->nsteps + 1) * sizeof *s);
	s = &d->steps[d->nsteps++];
	memset(s, 0, sizeof *s);
	s->line = p->line;
	s->at = at;
	s->kind = kind;
	s->count = 1;
	return s;
}

static void
step_clear(struct drill_step *s)
{
	free(s->label);
	free(s->category);
	free(s->region);
	free(s->title);
	free(s->source);
	free(s->location);
	free(s->desc);
	free(s->dedup);
	free(s->event);
	free(s->severity);
	free(s->urgency);
	free(s->certainty);
	free(s->sender);
	free(s->indicator);
	free(s->login);
	free(s->command);
}

/*
 * Splits words[from..n) into positionals and --options. Each option in
 * names (space separated) takes one value. Returns the count of
 * positionals (copied to pos) or -1 after reporting an error.
 */
struct opt {
	const char *name;
	const char *value;
};

static int
split_opts(struct parser *p, int from, const char *names, const char **pos,
           int maxpos, struct opt *opts, int maxopts, int *nopts)
{
	int npos = 0;

	*nopts = 0;
	for (int i = from; i < p->n; i++) {
		const char *w = p->w[i];
		if (strncmp(w, "--", 2) == 0 && w[2] != '\0') {
			size_t len = strlen(w + 2);
			const char *q = names;
			int found = 0;
			while (*q != '\0') {
				size_t k = strcspn(q, " ");
				if (k == len && strncmp(q, w + 2, k) == 0)
					found = 1;
				q += k;
				q += strspn(q, " ");
			}
			if (!found) {
				error(p, "unknown option %s", w);
				return -1;
			}
			if (i + 1 >= p->n) {
				error(p, "%s needs a value", w);
				return -1;
			}
			if (*nopts == maxopts) {
				error(p, "too many options");
				return -1;
			}
			opts[*nopts].name = w + 2;
			opts[*nopts].value = p->w[++i];
			(*nopts)++;
			continue;
		}
		if (npos == maxpos) {
			error(p, "too many words");
			return -1;
		}
		pos[npos++] = w;
	}
	return npos;
}

static const char *
opt_get(const struct opt *opts, int n, const char *name)
{
	const char *v = NULL;

	for (int i = 0; i < n; i++)
		if (strcmp(opts[i].name, name) == 0)
			v = opts[i].value;
	return v;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static char *
join(const char **w, int from, int n)
{
	struct buf b = {0};

	for (int i = from; i < n; i++) {
		if (i > from)
			buf_adds(&b, " ");
		buf_adds(&b, w[i]);
	}
	return b.data ? b.data : xstrdup("");
}

static const char *const sources[] = {
    "12345",  "110",     "119",     "120", "sensor",
    "patrol", "opinion", "officer", NULL,
};

static int
one_of(const char *s, const char *const *list)
{
	for (int i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Options shared by incident and alert. */
static int
incident_opts(struct parser *p, struct drill_step *s, const struct opt *o,
              int no, const char *default_source)
{
	const char *v;
	long count;
	double lat, lon;

	v = opt_get(o, no, "source");
	s->source = xstrdup(v ? v : default_source);
	if (!one_of(s->source, sources)) {
		error(p,
		      "unknown source %s (one of 12345, 110, 119, 120, "
		      "sensor, patrol, opinion, officer)",
		      s->source);
		return -1;
	}
	s->location = dup_or_null(opt_get(o, no, "location"));
	s->desc = dup_or_null(opt_get(o, no, "desc"));
	s->dedup = dup_or_null(opt_get(o, no, "dedup"));
	if ((v = opt_get(o, no, "count")) != NULL) {
		if ((count = integer(v, 1, MAX_COUNT)) == LONG_MIN) {
			error(p, "--count must be 1 to %d", MAX_COUNT);
			return -1;
		}
		s->count = (int)count;
	}
	if (opt_get(o, no, "lat") || opt_get(o, no, "lon")) {
		lat = number(opt_get(o, no, "lat"));
		lon = number(opt_get(o, no, "lon"));
		if (isnan(lat) || isnan(lon) || lat < -90 || lat > 90 ||
		    lon < -180 || lon > 180) {
			error(p, "--lat and --lon must both be given, as "
			         "degrees");
			return -1;
		}
		s->has_pos = 1;
		s->lat = lat;
		s->lon = lon;
	}
	if ((s->location && !clean_text(p, "--location", s->location)) ||
	    (s->desc && !clean_text(p, "--desc", s->desc)) ||
	    (s->dedup && !clean_text(p, "--dedup", s->dedup)))
		return -1;
	return 0;
}

/* at T incident [$label] <category> <priority> <region> <title...> [opts] */
static void
parse_incident(struct parser *p, long at, int from)
{
	const char *pos[64];
	struct opt o[16];
	int no, np, i = 0;
	long prio;
	struct drill_step *s;

	np = split_opts(p, from, "source location desc dedup count lat lon",
	                pos, 64, o, 16, &no);
	if (np < 0)
		return;
	if ((s = new_step(p, at, DRILL_INCIDENT)) == NULL)
		return;
	if (np > 0 && pos[0][0] == '$') {
		if (!valid_label(pos[0])) {
			error(p, "bad label %s (letters, digits, _ - .)",
			      pos[0]);
			return;
		}
		s->label = xstrdup(pos[0] + 1);
		i = 1;
	}
	if (np - i < 4) {
		error(p, "usage: at <time> incident [$label] <category> "
		         "<priority 1-4> <region> <title...> [--source S] "
		         "[--location L] [--desc D] [--dedup KEY] [--count N]");
		return;
	}
	if ((prio = integer(pos[i + 1], 1, 4)) == LONG_MIN) {
		error(p, "priority must be 1 to 4, not %s", pos[i + 1]);
		return;
	}
	s->category = xstrdup(pos[i]);
	s->priority = (int)prio;
	s->region = xstrdup(pos[i + 2]);
	s->title = join(pos, i + 3, np);
	if (!clean_text(p, "the title", s->title) ||
	    !clean_text(p, "the category", s->category) ||
	    !clean_text(p, "the region", s->region))
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
	struct opt o[20];
	int no, np, i = 0;
	const char *v;
	struct drill_step *s;

	np = split_opts(p, from,
	                "event severity urgency certainty sender source "
	                "location desc dedup lat lon",
	                pos, 64, o, 20, &no);
	if (np < 0)
		return;
	if ((s = new_step(p, at, DRILL_ALERT)) == NULL)
		return;
	if (np > 0 && pos[0][0] == '$') {
		if (!valid_label(pos[0])) {
			error(p, "bad label %s", pos[0]);
			return;
		}
		s->label = xstrdup(pos[0] + 1);
		i = 1;
	}
	if (np - i < 3 || opt_get(o, no, "event") == NULL ||
	    opt_get(o, no, "severity") == NULL) {
		error(p, "usage: at <time> alert [$label] <category> <region> "
		         "<headline...> --event E --severity "
		         "Extreme|Severe|Moderate|Minor [--urgency U] "
		         "[--certainty C] [--sender S]");
		return;
	}
	s->category = xstrdup(pos[i]);
	s->region = xstrdup(pos[i + 1]);
	s->title = join(pos, i + 2, np);
	s->event = xstrdup(opt_get(o, no, "event"));
	s->severity = xstrdup(opt_get(o, no, "severity"));
	if (!one_of(s->severity, severities)) {
		error(p,
		      "unknown CAP severity %s (Extreme, Severe, Moderate, "
		      "Minor, Unknown)",
		      s->severity);
		return;
	}
	v = opt_get(o, no, "urgency");
	s->urgency = xstrdup(v ? v : "Immediate");
	if (!one_of(s->urgency, urgencies)) {
		error(p, "unknown CAP urgency %s", s->urgency);
		return;
	}
	v = opt_get(o, no, "certainty");
	s->certainty = xstrdup(v ? v : "Observed");
	if (!one_of(s->certainty, certainties)) {
		error(p, "unknown CAP certainty %s", s->certainty);
		return;
	}
	v = opt_get(o, no, "sender");
	s->sender = xstrdup(v ? v : "cityops-drill");
	/* Extreme → 1 … Minor/Unknown → 4 */
	s->priority = strcmp(s->severity, "Extreme") == 0    ? 1
	              : strcmp(s->severity, "Severe") == 0   ? 2
	              : strcmp(s->severity, "Moderate") == 0 ? 3
	                                                     : 4;
	if (!clean_text(p, "the headline", s->title) ||
	    !clean_text(p, "the event", s->event) ||
	    !clean_text(p, "the sender", s->sender) ||
	    !clean_text(p, "the category", s->category) ||
	    !clean_text(p, "the region", s->region))
		return;
	incident_opts(p, s, o, no, "sensor");
}

static void
add_reading(struct parser *p, long at, const char *ind, double v)
{
	struct drill_step *s = new_step(p, at, DRILL_READING);

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
		error(p, "usage: at <time> reading <indicator> <value> "
		         "[<indicator> <value>]...");
		return;
	}
	for (int i = from; i + 1 < p->n; i += 2) {
		double v = number(p->w[i + 1]);
		if (!valid_indicator(p->w[i])) {
			error(p, "bad indicator id %s", p->w[i]);
			return;
		}
		if (isnan(v)) {
			error(p, "reading value %s is not a number",
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
		error(p, "usage: at <time> ramp <indicator> <from> <to> over "
		         "<duration> [every <duration>]");
		return;
	}
	if (!valid_indicator(p->w[from])) {
		error(p, "bad indicator id %s", p->w[from]);
		return;
	}
	a = number(p->w[from + 1]);
	b = number(p->w[from + 2]);
	over = drill_parse_duration(p->w[from + 4]);
	if (p->n - from == 7)
		every = drill_parse_duration(p->w[from + 6]);
	if (isnan(a) || isnan(b)) {
		error(p, "ramp values must be numbers");
		return;
	}
	if (over <= 0 || every <= 0) {
		error(p, "bad duration (use e.g. 90s, 10m, 1h30m)");
		return;
	}
	steps = over / every;
	if (steps < 1 || steps > 1000) {
		error(p, "a ramp has 1 to 1000 steps; this one has %ld", steps);
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
static void
parse_as(struct parser *p, long at, int from, int try_)
{
	const char *colon, *cmdtext, *arrow;
	char login[64], *cmd;
	size_t len;
	int argc;
	char **argv;
	const char *err;
	const struct cmd_entry *e;
	struct drill_step *s;
	char *label = NULL;

	(void)from;
	/* The login runs from after the word "as" to the first ':'. */
	cmdtext = NULL;
	for (const char *q = p->raw; *q != '\0'; q++)
		if (q > p->raw && (q[-1] == ' ' || q[-1] == '\t') &&
		    strncmp(q, "as", 2) == 0 && (q[2] == ' ' || q[2] == '\t')) {
			cmdtext = q + 3;
			break;
		}
	colon = cmdtext ? strchr(cmdtext, ':') : NULL;
	if (cmdtext == NULL || colon == NULL) {
		error(p, "usage: at <time> as <login>: <command...>");
		return;
	}
	cmdtext += strspn(cmdtext, " \t");
	len = (size_t)(colon - cmdtext);
	while (len > 0 && (cmdtext[len - 1] == ' ' || cmdtext[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof login) {
		error(p, "usage: at <time> as <login>: <command...>");
		return;
	}
	memcpy(login, cmdtext, len);
	login[len] = '\0';
	if (!valid_login(login)) {
		error(p, "bad login '%s'", login);
		return;
	}
	cmd = xstrdup(colon + 1 + strspn(colon + 1, " \t"));
	/* "=> $label" at the end binds the incident a raise creates. */
	if ((arrow = strstr(cmd, "=>")) != NULL) {
		const char *l = arrow + 2 + strspn(arrow + 2, " \t");
		size_t k = strcspn(l, " \t");
		if (l[k + strspn(l + k, " \t")] != '\0' || k == 0) {
			error(p, "'=> $label' must end the line");
			free(cmd);
			return;
		}
		label = xstrndup(l, k);
		if (!valid_label(label)) {
			error(p, "bad label %s", label);
			free(label);
			free(cmd);
			return;
		}
		cmd[arrow - cmd] = '\0';
		len = strlen(cmd);
		while (len > 0 && (cmd[len - 1] == ' ' || cmd[len - 1] == '\t'))
			cmd[--len] = '\0';
	}
	if (cmd_split(cmd, &argc, &argv, &err) != 0) {
		error(p, "%s", err);
		goto fail;
	}
	if (argc == 0) {
		error(p, "as %s: no command", login);
		cmd_free_argv(argv);
		goto fail;
	}
	e = cmd_find(argv[0]);
	if (e == NULL) {
		const char *near = cmd_suggest(argv[0]);
		if (near != NULL)
			error(p, "unknown command '%s' (did you mean '%s'?)",
			      argv[0], near);
		else
			error(p, "unknown command '%s'", argv[0]);
		cmd_free_argv(argv);
		goto fail;
	}
	if (one_of(e->name, refused_commands)) {
		error(p,
		      "a drill may not run '%s': it changes real, shared "
		      "state",
		      e->name);
		cmd_free_argv(argv);
		goto fail;
	}
	if (label != NULL && strcmp(e->name, "raise") != 0) {
		error(p, "only raise can bind a label with '=>'");
		cmd_free_argv(argv);
		goto fail;
	}
	cmd_free_argv(argv);
	if (!clean_text(p, "the command", cmd))
		goto fail;
	if ((s = new_step(p, at, DRILL_AS)) == NULL)
		goto fail;
	s->login = xstrdup(login);
	s->command = cmd;
	s->try_ = try_;
	s->label = label ? xstrdup(label + 1) : NULL;
	free(label);
	return;
fail:
	free(label);
	free(cmd);
}

static void
parse_at(struct parser *p)
{
	long at;
	const char *what;
	int try_ = 0, from = 3;

	if (p->n < 3) {
		error(p, "usage: at <+HH:MM[:SS]> <incident|alert|reading|"
		         "ramp|as|note> ...");
		return;
	}
	at = drill_parse_time(p->w[1]);
	if (at < 0 || at > MAX_SECS) {
		error(p, "bad time '%s' (write +HH:MM or +HH:MM:SS)", p->w[1]);
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
		char *t = join((const char **)p->w, 3, p->n);
		if (!clean_text(p, "the note", t) ||
		    (s = new_step(p, at, DRILL_NOTE)) == NULL) {
			free(t);
			return;
		}
		s->title = t;
	} else
		error(p,
		      "unknown step '%s' (incident, alert, reading, ramp, "
		      "as, note)",
		      what);
}

/* "by +T", "at +T", "within D", "throughout"; returns words used or -1. */
static int
parse_when(struct parser *p, int i, struct drill_expect *x, int allow_within,
           int allow_throughout)
{
	if (i >= p->n) {
		error(p,
		      "the expectation needs a deadline: within <duration>, "
		      "by <+time>%s",
		      allow_throughout ? ", at <+time> or throughout" : "");
		return -1;
	}
	if (strcmp(p->w[i], "throughout") == 0 && allow_throughout) {
		x->when = DRILL_THROUGHOUT;
		return 1;
	}
	if (strcmp(p->w[i], "end") == 0 ||
	    (strcmp(p->w[i], "at") == 0 && i + 1 < p->n &&
	     strcmp(p->w[i + 1], "end") == 0)) {
		x->when = DRILL_AT_END;
		return strcmp(p->w[i], "end") == 0 ? 1 : 2;
	}
	if (i + 1 >= p->n) {
		error(p, "'%s' needs a value", p->w[i]);
		return -1;
	}
	if (strcmp(p->w[i], "within") == 0 && allow_within) {
		x->when = DRILL_WITHIN;
		x->secs = drill_parse_duration(p->w[i + 1]);
		if (x->secs < 0) {
			error(p, "bad duration '%s' (e.g. 90s, 2m, 1h30m)",
			      p->w[i + 1]);
			return -1;
		}
		return 2;
	}
	if (strcmp(p->w[i], "by") == 0 ||
	    (strcmp(p->w[i], "at") == 0 && allow_throughout)) {
		x->when = strcmp(p->w[i], "by") == 0 ? DRILL_BY : DRILL_AT;
		x->secs = drill_parse_time(p->w[i + 1]);
		if (x->secs < 0 || x->secs > MAX_SECS) {
			error(p, "bad time '%s' (write +HH:MM or +HH:MM:SS)",
			      p->w[i + 1]);
			return -1;
		}
		return 2;
	}
	error(p, "unknown deadline '%s' (within <duration>, by <+time>%s)",
	      p->w[i], allow_throughout ? ", at <+time>, throughout" : "");
	return -1;
}

static int
parse_cmp(const char *s, enum drill_cmp *c)
{
	static const struct {
		const char *op;
		enum drill_cmp c;
	} ops[] = {{"=", DRILL_EQ},  {"==", DRILL_EQ}, {"!=", DRILL_NE},
	           {"<", DRILL_LT},  {"<=", DRILL_LE}, {">", DRILL_GT},
	           {">=", DRILL_GE}, {NULL, DRILL_EQ}};

	for (int i = 0; ops[i].op != NULL; i++)
		if (strcmp(s, ops[i].op) == 0) {
			*c = ops[i].c;
			return 0;
		}
	return -1;
}

static int
milestone_of(const char *w)
{
	for (int m = 0; m < DRILL_M_COUNT; m++)
		if (strcmp(w, m_code[m]) == 0 || strcmp(w, m_word[m]) == 0)
			return m;
	if (strcmp(w, "on_scene") == 0)
		return DRILL_M_arrive;
	return -1;
}

static void
parse_expect(struct parser *p)
{
	struct drill *d = p->d;
	struct drill_expect x = {0};
	int i = 1, k;

	x.line = p->line;
	if (p->n < 2) {
		error(p, "usage: expect $label <milestone> within <duration> | "
		         "expect alarm <indicator> <raised|alarm|acknowledged|"
		         "cleared> by <+time> | expect available <kind> in "
		         "<region> <op> <n> at|by <+time>|throughout");
		return;
	}
	if (d->nexpects >= MAX_EXPECTS) {
		error(p, "too many expectations (at most %d)", MAX_EXPECTS);
		return;
	}
	if (p->w[1][0] == '$') {
		int m;
		if (!valid_label(p->w[1])) {
			error(p, "bad label %s", p->w[1]);
			return;
		}
		if (p->n < 3) {
			error(p,
			      "expect %s what? (acknowledged, dispatched, "
			      "accepted, arrived, resolved, verified, "
			      "closed, sla, reports)",
			      p->w[1]);
			return;
		}
		if (strcmp(p->w[2], "sla") == 0) {
			x.kind = DRILL_X_SLA;
			x.when = DRILL_AT_END;
			i = 3;
			if (i < p->n && strcmp(p->w[i], "met") == 0)
				i++;
		} else if (strcmp(p->w[2], "reports") == 0) {
			x.kind = DRILL_X_REPORTS;
			if (p->n < 5 || parse_cmp(p->w[3], &x.cmp) != 0 ||
			    (x.n = integer(p->w[4], 0, 100000)) == LONG_MIN) {
				error(p,
				      "usage: expect $label reports <op> <n> "
				      "by <+time>");
				return;
			}
			if ((k = parse_when(p, 5, &x, 0, 0)) < 0)
				return;
			i = 5 + k;
		} else if ((m = milestone_of(p->w[2])) >= 0) {
			x.kind = DRILL_X_MILESTONE;
			x.milestone = (enum drill_milestone)m;
			if ((k = parse_when(p, 3, &x, 1, 0)) < 0)
				return;
			i = 3 + k;
		} else {
			error(p,
			      "unknown milestone '%s' (acknowledged, "
			      "dispatched, accepted, arrived, resolved, "
			      "verified, closed, sla, reports)",
			      p->w[2]);
			return;
		}
		x.label = xstrdup(p->w[1] + 1);
	} else if (strcmp(p->w[1], "alarm") == 0) {
		static const char *const whats[] = {
		    "raised", "alarm", "acknowledged", "cleared", NULL};
		int what = -1;
		x.kind = DRILL_X_ALARM;
		if (p->n < 4 || !valid_indicator(p->w[2])) {
			error(p, "usage: expect alarm <indicator> "
			         "<raised|alarm|acknowledged|cleared> by "
			         "<+time>");
			return;
		}
		for (int j = 0; whats[j] != NULL; j++)
			if (strcmp(p->w[3], whats[j]) == 0)
				what = j;
		if (what < 0) {
			error(p,
			      "unknown alarm state '%s' (raised, alarm, "
			      "acknowledged, cleared)",
			      p->w[3]);
			return;
		}
		x.alarm = (enum drill_alarm_what)what;
		if ((k = parse_when(p, 4, &x, 0, 0)) < 0)
			return;
		i = 4 + k;
		x.indicator = xstrdup(p->w[2]);
	} else if (strcmp(p->w[1], "available") == 0) {
		x.kind = DRILL_X_UNITS;
		if (p->n < 7 || strcmp(p->w[3], "in") != 0 ||
		    parse_cmp(p->w[5], &x.cmp) != 0 ||
		    (x.n = integer(p->w[6], 0, 100000)) == LONG_MIN) {
			error(p, "usage: expect available <unit kind> in "
			         "<region> <op> <n> at|by <+time> | "
			         "throughout  (op: = != < <= > >=)");
			return;
		}
		if (!clean_text(p, "the unit kind", p->w[2]) ||
		    !clean_text(p, "the region", p->w[4]))
			return;
		if ((k = parse_when(p, 7, &x, 0, 1)) < 0)
			return;
		i = 7 + k;
		x.unit_kind = xstrdup(p->w[2]);
		x.region = xstrdup(p->w[4]);
	} else {
		error(p, "unknown expectation '%s' ($label, alarm, available)",
		      p->w[1]);
		return;
	}
	if (i < p->n) {
		error(p, "unexpected '%s' at the end of the expectation",
		      p->w[i]);
		free(x.label);
		free(x.indicator);
		free(x.unit_kind);
		free(x.region);
		return;
	}
	x.text = join((const char **)p->w, 1, p->n);
	d->expects = xrealloc(d->expects, (size_t)(d->nexpects + 1) * sizeof x);
	d->expects[d->nexpects++] = x;
}

static void
parse_line(struct parser *p)
{
	struct drill *d = p->d;
	const char *w0 = p->w[0];

	if (strcmp(w0, "at") == 0) {
		parse_at(p);
	} else if (strcmp(w0, "expect") == 0) {
		parse_expect(p);
	} else if (strcmp(w0, "drill") == 0) {
		if (d->title != NULL)
			error(p, "the drill already has a title");
		else if (p->n < 2)
			error(p, "usage: drill <title...>");
		else {
			char *t = join((const char **)p->w, 1, p->n);
			if (clean_text(p, "the title", t))
				d->title = t;
			else
				free(t);
		}
	} else if (strcmp(w0, "speed") == 0) {
		double v = p->n == 2 ? number(p->w[1]) : NAN;
		if (p->n == 2 && strcmp(p->w[1], "max") == 0)
			d->speed = -1;
		else if (isnan(v) || v <= 0 || v > 1e6)
			error(p, "usage: speed <N|max> (N > 0)");
		else
			d->speed = v;
	} else if (strcmp(w0, "end") == 0) {
		long t = p->n == 2 ? drill_parse_time(p->w[1]) : -1;
		if (t < 0 || t > MAX_SECS)
			error(p, "usage: end <+HH:MM[:SS]>");
		else if (p->have_end)
			error(p, "the drill already has an end");
		else {
			d->end = t;
			p->have_end = 1;
		}
	} else if (strcmp(w0, "injector") == 0) {
		if (p->n != 2 || !valid_login(p->w[1]))
			error(p, "usage: injector <login>");
		else {
			free(d->injector);
			d->injector = xstrdup(p->w[1]);
		}
	} else if (strcmp(w0, "human") == 0) {
		if (p->n < 2)
			error(p, "usage: human <login>...");
		for (int i = 1; i < p->n; i++) {
			if (!valid_login(p->w[i])) {
				error(p, "bad login '%s'", p->w[i]);
				continue;
			}
			if (drill_is_human(d, p->w[i]))
				continue;
			d->humans =
			    xrealloc(d->humans, (size_t)(d->nhumans + 1) *
			                            sizeof *d->humans);
			d->humans[d->nhumans++] = xstrdup(p->w[i]);
		}
	} else {
		error(p,
		      "unknown line '%s' (drill, speed, end, injector, human, "
		      "at, expect)",
		      w0);
	}
}

/* Removes a '#' comment that is outside quotes; returns a new string. */
static char *
strip_comment(const char *line)
{
	char quote = 0;
	const char *q;

	for (q = line; *q != '\0'; q++) {
		if (quote != 0) {
			if (*q == '\\' && quote == '"' && q[1] != '\0')
				q++;
			else if (*q == quote)
				quote = 0;
		} else if (*q == '\\' && q[1] != '\0') {
			q++;
		} else if (*q == '"' || *q == '\'') {
			quote = *q;
		} else if (*q == '#' &&
		           (q == line || q[-1] == ' ' || q[-1] == '\t')) {
			break;
		}
	}
	return xstrndup(line, (size_t)(q - line));
}

/* The labels a command line uses: each "$name" word part. */
static void
check_command_labels(struct parser *p, const struct drill_step *s,
                     const struct drill *d)
{
	const char *q = s->command;

	while ((q = strchr(q, '$')) != NULL) {
		size_t k = 1;
		char name[64];
		int found = 0;
		while (isalnum((unsigned char)q[k]) || q[k] == '_' ||
		       q[k] == '-' || q[k] == '.')
			k++;
		if (k == 1 || k > sizeof name) {
			q += k;
			continue;
		}
		memcpy(name, q + 1, k - 1);
		name[k - 1] = '\0';
		for (int i = 0; i < d->nsteps; i++) {
			const struct drill_step *t = &d->steps[i];
			if (t->label != NULL && strcmp(t->label, name) == 0) {
				found = 1;
				if (t->at > s->at ||
				    (t->at == s->at && t->line > s->line)) {
					p->line = s->line;
					error(p,
					      "$%s is used before line %d "
					      "raises it",
					      name, t->line);
				}
			}
		}
		if (!found) {
			p->line = s->line;
			error(p, "unknown label $%s (no step raises it)", name);
		}
		q += k;
	}
}

static int
by_time(const void *a, const void *b)
{
	const struct drill_step *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Whole-file checks, once every line is read. */
static void
check_drill(struct parser *p)
{
	struct drill *d = p->d;
	long last = 0;

	p->line = 0;
	if (d->title == NULL) {
		p->line = 1;
		error(p, "the drill has no title (a line 'drill <title>')");
	}
	if (d->nsteps == 0 && p->nerrors == 0) {
		p->line = 1;
		error(p, "the drill has no steps ('at <+time> ...')");
	}
	if (d->nsteps > 1)
		qsort(d->steps, (size_t)d->nsteps, sizeof *d->steps, by_time);
	for (int i = 0; i < d->nsteps; i++) {
		struct drill_step *s = &d->steps[i];
		if (s->label != NULL)
			for (int j = 0; j < i; j++)
				if (d->steps[j].label != NULL &&
				    strcmp(d->steps[j].label, s->label) == 0) {
					p->line = s->line;
					error(p,
					      "label $%s is already raised at "
					      "line %d",
					      s->label, d->steps[j].line);
				}
		if (s->at > last)
			last = s->at;
	}
	for (int i = 0; i < d->nsteps; i++)
		if (d->steps[i].kind == DRILL_AS)
			check_command_labels(p, &d->steps[i], d);
	for (int i = 0; i < d->nexpects; i++) {
		struct drill_expect *x = &d->expects[i];
		long t = x->secs;
		if (x->label != NULL) {
			const struct drill_step *def = NULL;
			for (int j = 0; j < d->nsteps; j++)
				if (d->steps[j].label != NULL &&
				    strcmp(d->steps[j].label, x->label) == 0)
					def = &d->steps[j];
			if (def == NULL) {
				p->line = x->line;
				error(p,
				      "unknown label $%s (no step raises it)",
				      x->label);
				continue;
			}
			if (x->when == DRILL_WITHIN)
				t = def->at + x->secs;
		}
		if (x->when == DRILL_THROUGHOUT || x->when == DRILL_AT_END)
			t = 0;
		if (t > last)
			last = t;
	}
	if (!p->have_end)
		d->end = last;
	else if (d->end < last) {
		p->line = 0;
		for (int i = 0; i < d->nexpects; i++)
			if (d->expects[i].when == DRILL_BY ||
			    d->expects[i].when == DRILL_AT)
				if (d->expects[i].secs > d->end)
					p->line = d->expects[i].line;
		for (int i = 0; i < d->nsteps; i++)
			if (d->steps[i].at > d->end)
				p->line = d->steps[i].line;
		if (p->line == 0)
			p->line = 1;
		error(p, "this comes after the drill's end");
	}
	if (d->injector == NULL)
		d->injector = xstrdup("cityops_ingest");
}

int
drill_parse(const char *text, size_t len, const char *file, struct drill **out,
            struct buf *errors)
{
	struct parser p = {.file = file ? file : "drill", .errors = errors};
	size_t off = 0;

	*out = NULL;
	p.d = xcalloc(1, sizeof *p.d);
	if (len > 0 && memchr(text, '\0', len) != NULL) {
		p.line = 1;
		error(&p, "the file has NUL bytes; a drill file is text");
		drill_free(&p.d);
		return p.nerrors;
	}
	while (off < len && p.nerrors < DRILL_MAX_ERRORS) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		char *line, *raw;
		const char *err;

		p.line++;
		if (n > MAX_LINE) {
			error(&p, "line longer than %d bytes", MAX_LINE);
			off += n + 1;
			continue;
		}
		line = xstrndup(text + off, n);
		off += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (!text_utf8_valid(line, strlen(line))) {
			error(&p, "not valid UTF-8");
			free(line);
			continue;
		}
		raw = strip_comment(line);
		free(line);
		if (cmd_split(raw, &p.n, &p.w, &err) != 0) {
			error(&p, "%s", err);
			free(raw);
			continue;
		}
		p.raw = raw;
		if (p.n > 0)
			parse_line(&p);
		cmd_free_argv(p.w);
		p.w = NULL;
		free(raw);
	}
	/* The whole-file checks run even after line errors, so that one
	 * pass reports as much as it can. */
	if (p.nerrors < DRILL_MAX_ERRORS)
		check_drill(&p);
	if (p.nerrors > 0) {
		drill_free(&p.d);
		return p.nerrors;
	}
	*out = p.d;
	return 0;
}

void
drill_free(struct drill **dp)
{
	struct drill *d = *dp;

	if (d == NULL)
		return;
	for (int i = 0; i < d->nsteps; i++)
		step_clear(&d->steps[i]);
	for (int i = 0; i < d->nexpects; i++) {
		free(d->expects[i].text);
		free(d->expects[i].label);
		free(d->expects[i].indicator);
		free(d->expects[i].unit_kind);
		free(d->expects[i].region);
	}
	for (int i = 0; i < d->nhumans; i++)
		free(d->humans[i]);
	free(d->humans);
	free(d->steps);
	free(d->expects);
	free(d->title);
	free(d->injector);
	free(d);
	*dp = NULL;
}
