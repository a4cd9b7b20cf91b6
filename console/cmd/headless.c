/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/cmd.h"
#include "cityops/cmd/headless.h"

/* Prints a command's result (stdout) and error (stderr); 0, or 1 if it
 * failed. */
static int
report(struct result *res, const char *name, long lineno,
       const struct headless_opts *o)
{
	struct buf out = {0}, err = {0};
	int failed = res->failed;

	if (o->json) {
		result_render_json(res, name, &out);
	} else {
		result_render_text(res, &out);
		result_render_error(res, &err);
	}
	if (out.len > 0)
		fwrite(out.data, 1, out.len, stdout);
	fflush(stdout);
	if (err.len > 0) {
		if (lineno > 0)
			fprintf(stderr, "cityops: line %ld: ", lineno);
		else
			fputs("cityops: ", stderr);
		fwrite(err.data, 1, err.len, stderr);
		fflush(stderr);
	}
	buf_free(&out);
	buf_free(&err);
	result_clear(res);
	return failed ? 1 : 0;
}

int
headless_line(struct session *s, const char *line, long lineno,
              const struct headless_opts *o)
{
	struct result res = {0};
	const char *p = line + strspn(line, " \t"), *name;

	if (*p == '\0' || *p == '\n' || *p == '#')
		return 0;
	if (o->echo && !o->json)
		printf("» %s%s", p, strchr(p, '\n') ? "" : "\n");
	cmd_run(s, p, &res, &name);
	return report(&res, name, lineno, o);
}

/*
 * A line read from a script or stdin that holds a NUL byte is refused
 * whole: C strings would silently end at the NUL and run the rest of the
 * command without what followed (a note cut short, an argument lost).
 */
static int
refuse_nul(const char *line, size_t len, long lineno,
           const struct headless_opts *o)
{
	struct result res = {0};
	size_t at = (size_t)((const char *)memchr(line, '\0', len) - line);

	result_fail(&res, "parse",
	            "remove the NUL byte (\\0) from the input; a command "
	            "line is text",
	            "a NUL byte at byte %zu of the line; it was refused and "
	            "nothing was run",
	            at + 1);
	return report(&res, "", lineno, o);
}

int
headless_run(struct session *s, FILE *in, const struct headless_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int status = 0;

	while ((n = getline(&line, &cap, in)) >= 0) {
		int failed;

		lineno++;
		if (memchr(line, '\0', (size_t)n) != NULL)
			failed = refuse_nul(line, (size_t)n, lineno, o);
		else
			failed = headless_line(s, line, lineno, o);
		if (failed) {
			status = 1;
			if (!o->keep_going)
				break;
		}
	}
	free(line);
	return status;
}
