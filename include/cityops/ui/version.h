/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * `cityops --version [--verbose]`: the project's version (CMake's
 * project(VERSION)), the git description when built from a checkout, and
 * with --verbose the libraries it runs with and the server's version
 * when it can connect.
 */
#ifndef CITYOPS_VERSION_H
#define CITYOPS_VERSION_H

#include <stdio.h>

/* Set by the build (cmake/git-version.cmake); "" outside a checkout. */
extern const char cityops_git_describe[];

/* "0.1.0" or "0.1.0 (git 1a2b3c4)"; a static string. */
const char *version_string(void);

/* Prints the version (and with verbose the libraries, connecting with dsn
 * for the server's version). Returns the exit status, 0. */
int version_print(FILE *f, int verbose, const char *dsn);

#endif
