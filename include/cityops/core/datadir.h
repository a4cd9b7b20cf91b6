/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Where the files cityops reads at run time (themes, scenarios, drills,
 * sql) are found, in this order:
 *
 *   1. the build tree: a binary next to a `cityops-source-dir` file (CMake
 *      writes it into the build folder) reads the checkout it names, so a
 *      developer's edits are seen without installing;
 *   2. $XDG_DATA_HOME/cityops (default ~/.local/share/cityops);
 *   3. the install prefix the binary runs from: <bindir>/../share/cityops
 *      (CITYOPS_BIN_TO_DATA), so `cmake --install --prefix /tmp/x` runs
 *      from /tmp/x/bin/cityops with nothing else around;
 *   4. each of $XDG_DATA_DIRS (default /usr/local/share:/usr/share),
 *      /cityops;
 *   5. the data folder chosen at configure time (CITYOPS_DATADIR).
 *
 * A folder named by the caller's own variable (CITYOPS_THEMES, ...) comes
 * before all of these; that is the caller's business.
 */
#ifndef CITYOPS_DATADIR_H
#define CITYOPS_DATADIR_H

#define DATADIR_MAX 16

/* The candidate data roots (…/cityops), in order, existing or not; the
 * caller frees each string. Returns how many (at most DATADIR_MAX). */
int datadir_roots(char *roots[DATADIR_MAX]);

/*
 * The first readable root/sub/name (name as given, then name + ext when
 * ext is not NULL and name does not end in it); a new string, or NULL.
 */
char *datadir_find(const char *sub, const char *name, const char *ext);

/* The folder the binary runs from ("/usr/bin"), or NULL; caller frees. */
char *datadir_exe_dir(void);

#endif
