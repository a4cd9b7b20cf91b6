/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The command engine without a database: parsing and preconditions. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/cmd/cmd.h"

static void
split_words_and_quotes(void)
{
	const char *err;
	char **v;
	int n;

	CHECK_INT(cmd_split("  dispatch 261121-0001  FX-F01 ", &n, &v, &err),
	          0);
	CHECK_INT(n, 3);
	CHECK_STR(v[0], "dispatch");
	CHECK_STR(v[2], "FX-F01");
	CHECK(v[3] == NULL);
	cmd_free_argv(v);

	CHECK_INT(cmd_split("note 7 \"积水 深 30cm\" 'a \"b\"' c\\ d \"\"", &n,
	                    &v, &err),
	          0);
	CHECK_INT(n, 6);
	CHECK_STR(v[2], "积水 深 30cm");
	CHECK_STR(v[3], "a \"b\"");
	CHECK_STR(v[4], "c d");
	CHECK_STR(v[5], "");
	cmd_free_argv(v);

	CHECK_INT(cmd_split("note 7 \"open", &n, &v, &err), -1);
	CHECK_STR(err, "unterminated quote");
	CHECK_INT(cmd_split("", &n, &v, &err), 0);
	CHECK_INT(n, 0);
	cmd_free_argv(v);
}

static void
find_by_name_and_alias(void)
{
	CHECK_STR(cmd_find("dispatch")->name, "dispatch");
	CHECK_STR(cmd_find("d")->name, "dispatch");
	CHECK_STR(cmd_find("q")->name, "queue");
	CHECK_STR(cmd_find("?")->name, "help");
	CHECK(cmd_find("dis") == NULL);
	CHECK(cmd_find("") == NULL);
}

static void
suggest_nearest(void)
{
	CHECK_STR(cmd_suggest("dispach"), "dispatch");
	CHECK_STR(cmd_suggest("queu"), "queue");
	CHECK_STR(cmd_suggest("esca"), "escalate");
	CHECK(cmd_suggest("xyzzyplugh") == NULL);
}

static void
table_is_consistent(void)
{
	/* Every name and alias is unique, and every entry is complete. */
	for (int i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];
		CHECK(e->help != NULL && e->usage != NULL &&
		      e->prepare != NULL);
		CHECK(cmd_find(e->name) == e);
		CHECK(e->max_args < 0 || e->max_args >= e->min_args);
		if (e->aliases == NULL)
			continue;
		char *copy = strdup(e->aliases);
		for (char *a = strtok(copy, " "); a; a = strtok(NULL, " "))
			CHECK(cmd_find(a) == e);
		free(copy);
	}
}

static struct session offline = {0};

static int
run(const char *line, struct result *res)
{
	const char *name;

	memset(res, 0, sizeof *res);
	return cmd_run(&offline, line, res, &name);
}

static void
preconditions(void)
{
	struct result r;

	CHECK_INT(run("dispach 1 FX-F01", &r), -1);
	CHECK_STR(r.code, "unknown_command");
	CHECK(strstr(r.hint, "dispatch") != NULL);
	result_clear(&r);

	CHECK_INT(run("dispatch 1", &r), -1);
	CHECK_STR(r.code, "usage");
	CHECK_STR(r.hint, "usage: dispatch <incident> <unit>...");
	result_clear(&r);

	CHECK_INT(run("show 1 2", &r), -1);
	CHECK_STR(r.error, "too many arguments");
	result_clear(&r);

	CHECK_INT(run("queue --bogus", &r), -1);
	CHECK_STR(r.error, "unknown option --bogus");
	result_clear(&r);

	CHECK_INT(run("queue --region", &r), -1);
	CHECK_STR(r.error, "--region needs a value");
	result_clear(&r);

	CHECK_INT(run("queue --all=1", &r), -1);
	CHECK_STR(r.error, "--all takes no value");
	result_clear(&r);

	CHECK_INT(run("queue", &r), -1);
	CHECK_STR(r.code, "db_unreachable");
	result_clear(&r);

	offline.readonly = 1;
	CHECK_INT(run("dispatch 1 FX-F01", &r), -1);
	CHECK_STR(r.code, "readonly");
	result_clear(&r);
	offline.readonly = 0;

	CHECK_INT(run("help dispatch", &r), 0);
	CHECK(r.nblocks == 1 && strstr(r.blocks[0].text, "aliases: d send"));
	result_clear(&r);

	CHECK_INT(run("   # only a comment? no: '#' is a word", &r), -1);
	result_clear(&r);
	CHECK_INT(run("   ", &r), 0);
	result_clear(&r);
}

static void
json_of_a_failure(void)
{
	struct result r;
	struct buf b = {0};

	run("frobnicate", &r);
	result_render_json(&r, "frobnicate", &b);
	CHECK_STR(
	    b.data,
	    "{\"command\":\"frobnicate\",\"ok\":false,\"error\":{\"code\":"
	    "\"unknown_command\",\"message\":\"unknown command "
	    "'frobnicate'\",\"hint\":\"'help' lists every command\"}}\n");
	buf_free(&b);
	result_clear(&r);
}

static const struct check_case cases[] = {
    TEST(split_words_and_quotes),
    TEST(find_by_name_and_alias),
    TEST(suggest_nearest),
    TEST(table_is_consistent),
    TEST(preconditions),
    TEST(json_of_a_failure),
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return check_main(cases, argc, argv);
}
