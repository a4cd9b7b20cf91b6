/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * SGR mouse reports (ESC [ < b ; x ; y M|m), as a terminal with mouse
 * mode 1006 sends them, through tmux and SSH alike. Pure decoding; the
 * screen decides what a click means (ui/keys.c).
 */
#ifndef CITYOPS_MOUSE_H
#define CITYOPS_MOUSE_H

#include <stddef.h>

/* Longest report decoded; a longer one is skipped as malformed. */
#define MOUSE_REPORT_MAX 32

struct mouse_report {
	int b;     /* button code: 0 left, 64/65 wheel up/down, +32 motion */
	int x, y;  /* 1-based column and row */
	int press; /* M: press, m: release */
};

/*
 * Decodes a report at p (n bytes, starting with ESC [ <). Returns its
 * length with *ok 1 and *m filled; its length with *ok 0 when malformed
 * (skip it); 0 while it may still be arriving (final 0 and no end seen).
 * Never reads past n, never returns more than n.
 */
size_t mouse_decode(const unsigned char *p, size_t n, int final,
                    struct mouse_report *m, int *ok);

#endif
