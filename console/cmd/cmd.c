/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd.h"
#include "cityops/db/db.h"
#include "cityops/core/text.h"
#include "cityops/core/util.h"

int
cmd_split(const char *line, int *argc, char ***argv, const char **error)
{
	char **v = NULL;
	int n = 0;
	const char *p = line;
	struct buf word = {0};

	*error = NULL;
	for (;;) {
		int have = 0;
		char quote = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		buf_reset(&word);
		while (*p != '\0') {
			if (quote != 0) {
				if (*p == quote) {
					quote = 0;
					p++;
					continue;
				}
				if (*p == '\\' && quote == '"' && p[1] != '\0')
					p++;
			} else if (*p == ' ' || *p == '\t' || *p == '\n' ||
			           *p == '\r') {
				break;
			} else if (*p == '"' || *p == '\'') {
				quote = *p++;
				have = 1;
				continue;
			} else if (*p == '\\' && p[1] != '\0') {
				p++;
			}
			buf_add(&word, p, 1);
			have = 1;
			p++;
		}
		if (quote != 0) {
			*error = "unterminated quote";
			buf_free(&word);
			for (int i = 0; i < n; i++)
				free(v[i]);
			free(v);
			return -1;
		}
		if (have) {
			v = xrealloc(v, (size_t)(n + 2) * sizeof *v);
			v[n++] = xstrdup(word.data ? word.data : "");
		}
	}
	buf_free(&word);
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	v[n] = NULL;
	*argc = n;
	*argv = v;
	return 0;
}

void
cmd_free_argv(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

/* Returns 1 when word is one of the space-separated words in list. */
static int
in_list(const char *list, const char *word, size_t wlen)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, " ");
		if (n == wlen && strncmp(p, word, n) == 0)
			return 1;
		p += n;
		p += strspn(p, " ");
	}
	return 0;
}

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, name) == 0 ||
		    in_list(cmd_table[i]->aliases, name, len))
			return cmd_table[i];
	return NULL;
}

/* Levenshtein distance, for suggestions; names are short. */
static int
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *
cmd_suggest(const char *name)
{
	const char *best = NULL;
	int best_d = 3;
	size_t len = strlen(name);

	for (int i = 0; cmd_table[i] != NULL; i++) {
		const char *n = cmd_table[i]->name;
		int d = distance(name, n);
		/* A typed prefix of a longer name counts as close. */
		if (len >= 3 && strncmp(n, name, len) == 0)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = n;
		}
	}
	return best;
}

const char *
cmd_opt(const struct cmd_ctx *ctx, const char *name)
{
	for (int i = 0; i < ctx->nopts; i++)
		if (strcmp(ctx->opt_name[i], name) == 0)
			return ctx->opt_value[i];
	return NULL;
}

char *
cmd_join(const struct cmd_ctx *ctx, int from)
{
	struct buf b = {0};

	for (int i = from; i < ctx->argc; i++) {
		if (i > from)
			buf_add(&b, " ", 1);
		buf_adds(&b, ctx->argv[i]);
	}
	return b.data ? b.data : xstrdup("");
}

void
cmd_usage(struct cmd_ctx *ctx, const char *why)
{
	const struct cmd_entry *e = ctx->entry;
	char *usage = xasprintf("usage: %s %s", e->name, e->usage);

	result_fail(ctx->res, "usage", usage, "%s", why);
	free(usage);
}

struct db_table *
cmd_take(struct cmd_ctx *ctx, int i)
{
	struct db_table *t = ctx->tables[i];

	ctx->tables[i] = NULL;
	return t;
}

void
cmd_add_query(struct cmd_ctx *ctx, enum query_id q, int n,
              const char *const *params)
{
	struct cmd_query *cq;

	assert(ctx->nqueries < CMD_MAX_QUERIES && n <= CMD_MAX_PARAMS);
	cq = &ctx->queries[ctx->nqueries++];
	cq->q = q;
	cq->nparams = n;
	for (int i = 0; i < n; i++)
		cq->params[i] = params[i] ? xstrdup(params[i]) : NULL;
}

/*
 * Finds "name" among the command's declared options: "name" is a flag,
 * "name:" takes a value, "name:MIN-MAX" takes a whole number in that
 * range. Returns 1 for a flag, 2 for one that takes a value, 0 if
 * undeclared; *range points at "MIN-MAX" or is NULL.
 */
static int
option_kind(const char *options, const char *name, size_t len,
            const char **range)
{
	const char *p = options;

	*range = NULL;
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, " ");
		size_t nl = strcspn(p, ": ");
		if (nl == len && strncmp(p, name, len) == 0) {
			if (nl == n)
				return 1;
			if (n > nl + 1)
				*range = p + nl + 1;
			return 2;
		}
		p += n;
		p += strspn(p, " ");
	}
	return 0;
}

int
cmd_parse_int(const char *s, long long min, long long max, long long *out)
{
	const char *p = s;
	long long v = 0;

	/* Plain decimal digits only: no blanks, signs other than a leading
	 * minus, hex, exponents or trailing text; overflow is refused
	 * before it happens. */
	if (*p == '-')
		p++;
	if (*p == '\0')
		return -1;
	for (; *p != '\0'; p++) {
		int d = *p - '0';
		if (d < 0 || d > 9)
			return -1;
		if (v > (LLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*s == '-')
		v = -v;
	if (v < min || v > max)
		return -1;
	if (out != NULL)
		*out = v;
	return 0;
}

/*
 * Checks value against a "MIN-MAX" range spec; 0, or -1 with res failed
 * as invalid_argument naming what (an option or argument).
 */
static int
check_int(struct cmd_ctx *ctx, const char *what, const char *value,
          const char *range)
{
	long long min = 0, max = 0;
	char *end, shown[41];

	min = strtoll(range, &end, 10);
	assert(*end == '-');
	max = strtoll(end + 1, &end, 10);
	assert(*end == '\0' || *end == ' ');
	if (cmd_parse_int(value, min, max, NULL) == 0)
		return 0;
	/* What was typed, shortened on a character boundary and cleaned. */
	text_sanitize(value, strlen(value), shown, sizeof shown);
	result_fail(ctx->res, "invalid_argument", NULL,
	            "%s must be a whole number from %lld to %lld; got '%s%s'",
	            what, min, max, shown,
	            strlen(value) >= sizeof shown - 1 ? "…" : "");
	return -1;
}

/*
 * The name of positional argument i (0-based) from the usage line, e.g.
 * "priority" from "<category> <priority 1-4> ...", into buf.
 */
static const char *
arg_name(const struct cmd_entry *e, int i, char *buf, size_t size)
{
	const char *p = e->usage;

	for (int k = 0; p != NULL && (p = strpbrk(p, "<[")) != NULL; k++, p++)
		if (k == i) {
			size_t n = strcspn(p + 1, " >]");
			snprintf(buf, size, "%.*s", (int)n, p + 1);
			return buf;
		}
	snprintf(buf, size, "argument %d", i + 1);
	return buf;
}

/* Checks the positional whole numbers the entry declares ("2:1-4"). */
static int
check_int_args(struct cmd_ctx *ctx)
{
	const char *p = ctx->entry->int_args;
	char name[64];

	while (p != NULL && *p != '\0') {
		char *end;
		long pos = strtol(p, &end, 10);
		assert(pos >= 1 && *end == ':');
		if (pos <= ctx->argc &&
		    check_int(
		        ctx,
		        arg_name(ctx->entry, (int)pos - 1, name, sizeof name),
		        ctx->argv[pos - 1], end + 1) != 0)
			return -1;
		p = end + strcspn(end, " ");
		p += strspn(p, " ");
	}
	return 0;
}

/*
 * Separates --options from positional words into ctx->argv (an array of
 * pointers into argv, which stays intact for freeing); 0, or -1 with res
 * failed.
 */
static int
parse_options(struct cmd_ctx *ctx, int argc, char **argv)
{
	static char empty[] = "";
	int out = 0;

	ctx->argv = xcalloc((size_t)argc + 1, sizeof *ctx->argv);

	for (int i = 0; i < argc; i++) {
		char *w = argv[i];
		if (strcmp(w, "--") == 0) {
			while (++i < argc)
				ctx->argv[out++] = argv[i];
			break;
		}
		if (strncmp(w, "--", 2) != 0 || w[2] == '\0') {
			ctx->argv[out++] = w;
			continue;
		}
		char *eq = strchr(w + 2, '=');
		size_t len = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
		const char *range;
		int kind = option_kind(ctx->entry->options, w + 2, len, &range);
		if (kind == 0) {
			char *msg = xasprintf("unknown option %s", w);
			cmd_usage(ctx, msg);
			free(msg);
			return -1;
		}
		if (ctx->nopts == CMD_MAX_OPTS) {
			cmd_usage(ctx, "too many options");
			return -1;
		}
		if (eq != NULL)
			*eq = '\0';
		ctx->opt_name[ctx->nopts] = w + 2;
		if (kind == 1) {
			if (eq != NULL) {
				char *msg =
				    xasprintf("--%s takes no value", w + 2);
				cmd_usage(ctx, msg);
				free(msg);
				return -1;
			}
			ctx->opt_value[ctx->nopts] = empty;
		} else if (eq != NULL) {
			ctx->opt_value[ctx->nopts] = eq + 1;
		} else if (i + 1 < argc) {
			ctx->opt_value[ctx->nopts] = argv[++i];
		} else {
			char *msg = xasprintf("--%s needs a value", w + 2);
			cmd_usage(ctx, msg);
			free(msg);
			return -1;
		}
		if (range != NULL) {
			char *what = xasprintf("--%s", w + 2);
			int rc = check_int(ctx, what,
			                   ctx->opt_value[ctx->nopts], range);
			free(what);
			if (rc != 0)
				return -1;
		}
		ctx->nopts++;
	}
	ctx->argc = out;
	return 0;
}

/* Every precondition a command has, checked before it runs. */
static int
check(struct cmd_ctx *ctx)
{
	const struct cmd_entry *e = ctx->entry;
	struct session *s = ctx->s;

	if (ctx->argc < e->min_args) {
		cmd_usage(ctx, "missing arguments");
		return -1;
	}
	if (e->max_args >= 0 && ctx->argc > e->max_args) {
		cmd_usage(ctx, "too many arguments");
		return -1;
	}
	if (check_int_args(ctx) != 0)
		return -1;
	if ((e->flags & CMD_WRITE) && s->readonly &&
	    (e->writes == NULL || e->writes(ctx))) {
		result_fail(ctx->res, "readonly", NULL,
		            "read-only console: %s would change data", e->name);
		return -1;
	}
	if ((e->flags & CMD_DB) && !db_ok(s->db)) {
		result_fail(ctx->res, "db_unreachable",
		            "check PGHOST/PGDATABASE or --dsn",
		            "database unreachable: %s needs the database",
		            e->name);
		return -1;
	}
	if ((e->flags & CMD_DB) && s->login != NULL && s->role < e->role) {
		/* In the centre's words: the action as it is called (结案),
		 * other commands by their name, which is what one types. */
		result_fail(ctx->res, "forbidden", NULL,
		            "%s 需要%s权限; 当前角色 %s", names_action(e->name),
		            names_role_label(e->role),
		            names_role_label(s->role));
		return -1;
	}
	return 0;
}

static void
ctx_free(struct cmd_ctx *ctx)
{
	for (int i = 0; i < ctx->nqueries; i++) {
		for (int j = 0; j < ctx->queries[i].nparams; j++)
			free(ctx->queries[i].params[j]);
		db_table_free(&ctx->tables[i]);
	}
	cmd_free_argv(ctx->words);
	free(ctx->argv);
	free(ctx);
}

struct cmd_ctx *
cmd_prepare(struct session *s, const char *line, struct result *res,
            const char **name)
{
	struct cmd_ctx *ctx;
	const char *error;
	char **argv;
	int argc;

	*name = "";
	/* The database takes UTF-8 only; refuse anything else here, as the
	 * caller's mistake, before a word of it is used. */
	for (size_t at = 0, len = strlen(line); at < len;) {
		uint32_t cp;
		size_t n = text_utf8_decode(line + at, len - at, &cp);
		if (n == 0) {
			result_fail(res, "parse",
			            "commands are UTF-8 text; check the "
			            "script's or terminal's encoding",
			            "invalid UTF-8 at byte %zu of the line; "
			            "refused, nothing was run",
			            at + 1);
			return NULL;
		}
		at += n;
	}
	if (cmd_split(line, &argc, &argv, &error) != 0) {
		result_fail(res, "parse", NULL, "%s", error);
		return NULL;
	}
	if (argc == 0) {
		cmd_free_argv(argv);
		return NULL;
	}
	*name = argv[0];
	ctx = xcalloc(1, sizeof *ctx);
	ctx->s = s;
	ctx->res = res;
	ctx->words = argv;
	ctx->entry = cmd_find(argv[0]);
	if (ctx->entry == NULL) {
		const char *near = cmd_suggest(argv[0]);
		char *hint = near ? xasprintf("did you mean '%s'? "
		                              "('help' lists every command)",
		                              near)
		                  : xstrdup("'help' lists every command");
		result_fail(res, "unknown_command", hint,
		            "unknown command '%s'", argv[0]);
		free(hint);
		*name = "";
		ctx_free(ctx);
		return NULL;
	}
	*name = ctx->entry->name;
	if (parse_options(ctx, argc - 1, argv + 1) == 0 && check(ctx) == 0)
		ctx->entry->prepare(ctx);
	if (res->failed) {
		ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * What to look at when a change's outcome is unknown (the link dropped
 * while it ran), named for the change: the operator decides whether to
 * repeat it; the console never does. The caller frees.
 */
static char *
unknown_hint(const struct cmd_ctx *ctx)
{
	for (int i = 0; i < ctx->nqueries; i++) {
		const struct cmd_query *q = &ctx->queries[i];
		switch (q->q) {
		case Q_ACT:
			return xasprintf("check with 'show %s' whether the %s "
			                 "was applied before repeating it",
			                 q->params[0], q->params[1]);
		case Q_RAISE:
			return xstrdup("check with 'queue' whether it was "
			               "raised before repeating it (a raise "
			               "with the same --dedup key merges)");
		case Q_UNIT_SET:
			return xasprintf("check with 'unit %s' whether the "
			                 "status was set before repeating it",
			                 q->params[0]);
		case Q_MODE_SET:
			return xstrdup("check with 'mode' whether the mode "
			               "changed before repeating it");
		default:
			break;
		}
	}
	return xstrdup("check whether it was applied before repeating it");
}

/*
 * Tells the officer how a change whose link was lost was settled by its
 * request id (db.h): never silently.
 */
static void
say_settled(struct cmd_ctx *ctx)
{
	for (int i = 0; i < ctx->nqueries; i++) {
		const struct db_table *t = ctx->tables[i];
		const char *verb = ctx->entry->name;
		if (t == NULL || t->settled == DB_SETTLED_NONE)
			continue;
		if (t->settled == DB_SETTLED_CONFIRMED)
			result_message(ctx->res,
			               "%s confirmed after reconnect "
			               "(request %s)",
			               verb, t->request_id);
		else
			result_message(ctx->res,
			               "%s not applied: sent again after "
			               "reconnect (request %s)",
			               verb, t->request_id);
	}
}

void
cmd_finish(struct cmd_ctx **ctxp, const struct db_error *err)
{
	struct cmd_ctx *ctx = *ctxp;

	if (err != NULL && err->unknown) {
		struct db_error e = *err;
		e.hint = unknown_hint(ctx);
		result_fail_db(ctx->res, &e);
		free(e.hint);
	} else if (err != NULL &&
	           (err->message != NULL || err->sqlstate[0] != '\0'))
		result_fail_db(ctx->res, err);
	else {
		say_settled(ctx);
		if (ctx->entry->finish != NULL)
			ctx->entry->finish(ctx);
	}
	ctx_free(ctx);
	*ctxp = NULL;
}

int
cmd_run(struct session *s, const char *line, struct result *res,
        const char **name)
{
	struct cmd_ctx *ctx = cmd_prepare(s, line, res, name);
	struct db_error err = {0};

	if (ctx == NULL)
		return res->failed ? -1 : 0;
	for (int i = 0; i < ctx->nqueries; i++) {
		const struct cmd_query *q = &ctx->queries[i];
		if (db_run(s->db, q->q, q->nparams,
		           (const char *const *)q->params, &ctx->tables[i],
		           &err) != 0)
			break;
	}
	cmd_finish(&ctx, &err);
	db_error_clear(&err);
	return res->failed ? -1 : 0;
}

int
session_identify(struct session *s, struct db_error *err)
{
	struct db_table *t = NULL;
	int role;

	if (db_run(s->db, Q_WHOAMI, 0, NULL, &t, err) != 0)
		return -1;
	if (t->nrows != 1) {
		db_table_free(&t);
		db_error_set(err, "not a cityops operator");
		return -1;
	}
	session_clear(s);
	s->login = xstrdup(db_get(t, 0, "login"));
	s->display_name = xstrdup(db_get(t, 0, "display_name") ?: "");
	s->scope_code = xstrdup(db_get(t, 0, "scope_code") ?: "");
	s->scope_name = xstrdup(db_get(t, 0, "scope_name") ?: "");
	role = names_role_parse(db_get(t, 0, "role"));
	s->role = role < 0 ? ROLE_viewer : (enum role)role;
	db_table_free(&t);
	return 0;
}

void
session_clear(struct session *s)
{
	free(s->login);
	free(s->display_name);
	free(s->scope_code);
	free(s->scope_name);
	s->login = s->display_name = s->scope_code = s->scope_name = NULL;
}
