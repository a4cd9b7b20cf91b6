#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd.h"
#include "cityops/headless.h"

int
headless_line(struct session *s, const char *line, long lineno,
              const struct headless_opts *o)
{
	struct result res = {0};
	struct buf out = {0}, err = {0};
	const char *p = line + strspn(line, " \t"), *name;
	int rc;

	if (*p == '\0' || *p == '\n' || *p == '#')
		return 0;
	if (o->echo && !o->json)
		printf("» %s%s", p, strchr(p, '\n') ? "" : "\n");
	rc = cmd_run(s, p, &res, &name);
	if (o->json) {
		result_render_json(&res, name, &out);
	} else {
		result_render_text(&res, &out);
		result_render_error(&res, &err);
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
	result_clear(&res);
	return rc == 0 ? 0 : 1;
}

int
headless_run(struct session *s, FILE *in, const struct headless_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int status = 0;

	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		if (headless_line(s, line, lineno, o) != 0) {
			status = 1;
			if (!o->keep_going)
				break;
		}
	}
	free(line);
	return status;
}
