/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The command engine. Commands are data (one cmd_entry each, in the manner
 * of tmux's cmd-*.c): name, aliases, usage, options, help, the role they
 * need and whether they change anything. cmd_run checks every precondition
 * in one place before a command runs; the TUI and headless mode both
 * run commands through it.
 */
#ifndef CITYOPS_CMD_H
#define CITYOPS_CMD_H

#include "cityops/core/names.h"
#include "cityops/cmd/result.h"

struct db;

/* Who is at the console and what it is connected to. */
struct session {
	struct db *db;
	char *login, *display_name, *scope_code, *scope_name;
	enum role role;
	int readonly; /* --readonly: every changing command is refused */
};

enum cmd_flag {
	CMD_DB = 1 << 0,    /* needs the database */
	CMD_WRITE = 1 << 1, /* changes something: refused when read-only */
};

#define CMD_MAX_OPTS    12
#define CMD_MAX_QUERIES 4
#define CMD_MAX_PARAMS  12

/* A query a command needs, with its parameters (owned copies). */
struct cmd_query {
	enum query_id q;
	int nparams;
	char *params[CMD_MAX_PARAMS];
};

/*
 * One command being run. A command runs in two steps so that the database
 * work between them can be synchronous (headless) or asynchronous (the
 * console's event loop): prepare() checks its arguments and lists the
 * queries it needs; the runner runs them in order, stopping at the first
 * error; finish() turns their tables into the result.
 */
struct cmd_ctx {
	struct session *s;
	const struct cmd_entry *entry;
	char **words; /* all words typed, owned */
	int argc;     /* positional arguments, options removed */
	char **argv;
	const char *opt_name[CMD_MAX_OPTS]; /* options given, --name[=value] */
	const char *opt_value[CMD_MAX_OPTS];
	int nopts;
	struct cmd_query queries[CMD_MAX_QUERIES];
	int nqueries;
	struct db_table *tables[CMD_MAX_QUERIES]; /* one per query, once run */
	struct result *res;
};

struct cmd_entry {
	const char *name;
	const char *aliases; /* space separated, or NULL */
	const char *usage;   /* arguments, e.g. "<incident> <unit>..." */
	/* "region: all limit:1-1000": a colon means it takes a value, a
	 * range after it a whole number in that range */
	const char *options;
	/* positional whole numbers: "2:1-4" (argument 2 is 1 to 4), or NULL */
	const char *int_args;
	const char *help;       /* one sentence */
	int min_args, max_args; /* max -1: any number */
	enum role role;
	unsigned flags;
	/* Checks arguments, adds queries with cmd_add_query, or fails res. */
	void (*prepare)(struct cmd_ctx *ctx);
	/* Renders tables[] into res; NULL when prepare said everything. */
	void (*finish)(struct cmd_ctx *ctx);
	const char *data; /* per-entry datum, e.g. the incident action */
	/* For an entry with CMD_WRITE whose subcommands differ: nonzero when
	 * this invocation writes (a read-only console refuses only those);
	 * NULL: every invocation writes. */
	int (*writes)(const struct cmd_ctx *ctx);
};

/* Every command, in help order; ends with NULL. */
extern const struct cmd_entry *const cmd_table[];

/*
 * Splits a line into words: blanks separate, '...' and "..." quote, a
 * backslash escapes the next character. Returns 0 with a NULL-terminated
 * *argv the caller frees with cmd_free_argv, or -1 with *error set (static).
 */
int cmd_split(const char *line, int *argc, char ***argv, const char **error);
void cmd_free_argv(char **argv);

/* The command named or aliased name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);
/* The command name nearest to name (edit distance), or NULL if none is close.
 */
const char *cmd_suggest(const char *name);

/*
 * Parses a line and prepares its command: returns a context whose queries
 * are still to run (the caller runs them, then calls cmd_finish), or NULL
 * when there is nothing to run: an empty line, or a failure already in res.
 * *name gets the canonical command name (or the word typed) for reports.
 */
struct cmd_ctx *cmd_prepare(struct session *s, const char *line,
                            struct result *res, const char **name);

/*
 * Completes a prepared command once its queries have run: tables[i] holds
 * query i's result (the context takes ownership), or err the first error.
 * Frees the context and sets *ctx to NULL.
 */
void cmd_finish(struct cmd_ctx **ctx, const struct db_error *err);

/*
 * Runs one command line to the end, its queries synchronously. Returns 0,
 * or -1 when the command failed (res says why).
 */
int cmd_run(struct session *s, const char *line, struct result *res,
            const char **name);

/*
 * Parses s as a whole number in [min, max]: decimal digits with an
 * optional leading minus, nothing else, no overflow. 0 with *out set (out
 * may be NULL), or -1.
 */
int cmd_parse_int(const char *s, long long min, long long max, long long *out);

/* An option's value (or "" for a flag given without one), or NULL. */
const char *cmd_opt(const struct cmd_ctx *ctx, const char *name);

/* Joins positional arguments from..argc-1 with spaces; the caller frees. */
char *cmd_join(const struct cmd_ctx *ctx, int from);

/* Adds a query for the runner, with copies of its parameters (NULL = SQL NULL).
 */
void cmd_add_query(struct cmd_ctx *ctx, enum query_id q, int n,
                   const char *const *params);

/* Takes query i's table out of the context (for a result to own). */
struct db_table *cmd_take(struct cmd_ctx *ctx, int i);

/* Fails the command with its usage line. */
void cmd_usage(struct cmd_ctx *ctx, const char *why);

/* Loads the operator's identity (whoami) into the session; 0 or -1. */
int session_identify(struct session *s, struct db_error *err);
void session_clear(struct session *s);

#endif
