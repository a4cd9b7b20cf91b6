/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Run-time data folders: the build tree, XDG data dirs and the install
 * prefix (include/cityops/core/datadir.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cityops/core/datadir.h"
#include "cityops/core/util.h"

#ifndef CITYOPS_DATADIR
#define CITYOPS_DATADIR "/usr/share/cityops"
#endif
#ifndef CITYOPS_BIN_TO_DATA
#define CITYOPS_BIN_TO_DATA "../share/cityops"
#endif

char *
datadir_exe_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(exe[0] != '\0' ? exe : "/");
}

/* The checkout named by <exedir>/cityops-source-dir, or NULL. */
static char *
source_dir(const char *exedir)
{
	char *marker = xasprintf("%s/cityops-source-dir", exedir);
	FILE *f = fopen(marker, "r");
	char line[PATH_MAX];
	char *dir = NULL;

	free(marker);
	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '/')
			dir = xstrdup(line);
	}
	fclose(f);
	return dir;
}

static void
add(char *roots[DATADIR_MAX], int *n, char *dir)
{
	if (dir == NULL)
		return;
	for (int i = 0; i < *n; i++)
		if (strcmp(roots[i], dir) == 0) {
			free(dir);
			return;
		}
	if (*n < DATADIR_MAX)
		roots[(*n)++] = dir;
	else
		free(dir);
}

/* Each entry of a colon-separated list (empty entries skipped), /cityops. */
static void
add_list(char *roots[DATADIR_MAX], int *n, const char *list)
{
	while (*list != '\0') {
		size_t len = strcspn(list, ":");
		if (len > 0 && list[0] == '/')
			add(roots, n,
			    xasprintf("%.*s/cityops", (int)len, list));
		list += len;
		if (*list == ':')
			list++;
	}
}

int
datadir_roots(char *roots[DATADIR_MAX])
{
	const char *xdg_home = getenv("XDG_DATA_HOME");
	const char *xdg_dirs = getenv("XDG_DATA_DIRS");
	const char *home = getenv("HOME");
	char *exedir = datadir_exe_dir();
	int n = 0;

	if (exedir != NULL)
		add(roots, &n, source_dir(exedir));
	if (xdg_home != NULL && xdg_home[0] == '/')
		add(roots, &n, xasprintf("%s/cityops", xdg_home));
	else if (home != NULL && home[0] == '/')
		add(roots, &n, xasprintf("%s/.local/share/cityops", home));
	if (exedir != NULL)
		add(roots, &n, xasprintf("%s/%s", exedir, CITYOPS_BIN_TO_DATA));
	add_list(roots, &n,
	         xdg_dirs != NULL && xdg_dirs[0] != '\0'
	             ? xdg_dirs
	             : "/usr/local/share:/usr/share");
	add(roots, &n, xstrdup(CITYOPS_DATADIR));
	free(exedir);
	return n;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* root/sub/name, then root/sub/name+ext; a new string or NULL. */
static char *
find_in(const char *root, const char *sub, const char *name, const char *ext)
{
	char *p = xasprintf("%s/%s/%s", root, sub, name);

	if (access(p, R_OK) == 0)
		return p;
	free(p);
	if (ext == NULL || ends_with(name, ext))
		return NULL;
	p = xasprintf("%s/%s/%s%s", root, sub, name, ext);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

char *
datadir_find(const char *sub, const char *name, const char *ext)
{
	char *roots[DATADIR_MAX];
	char *found = NULL;
	int n;

	/* A bare name only: a path is the caller's to open as it is. */
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL)
		return NULL;
	n = datadir_roots(roots);
	for (int i = 0; i < n; i++) {
		if (found == NULL)
			found = find_in(roots[i], sub, name, ext);
		free(roots[i]);
	}
	return found;
}
