/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Text that reaches a terminal: UTF-8 decoding, sanitising of untrusted
 * strings, and display width (CJK is two columns) independent of the
 * process locale, so headless output under LANG=C aligns the same way.
 */
#ifndef CITYOPS_TEXT_H
#define CITYOPS_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes one UTF-8 sequence at s (at most len bytes). Returns its length
 * and stores the code point, or returns 0 for an invalid, overlong,
 * surrogate or truncated sequence.
 */
size_t text_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Returns 1 when s[0..len) is valid UTF-8. */
int text_utf8_valid(const char *s, size_t len);

/* Display columns of one code point: 0, 1 or 2 (controls count 0). */
int text_cp_width(uint32_t cp);

/* Display columns of a valid UTF-8 string. */
int text_width(const char *s);

/*
 * Returns how many bytes of s fit in cols display columns without splitting
 * a character; *used (if not NULL) gets the columns they take.
 */
size_t text_fit(const char *s, int cols, int *used);

/*
 * Returns how many bytes of s[0..len) make the longest prefix of at most
 * max_chars characters and max_bytes bytes that does not split a UTF-8
 * sequence (an invalid byte counts as one character). Storage limits are
 * in characters (PostgreSQL's char_length), buffers in bytes.
 */
size_t text_prefix(const char *s, size_t len, size_t max_chars,
                   size_t max_bytes);

/*
 * Returns len less an incomplete UTF-8 sequence at the end of s[0..len),
 * if any: where a byte-bounded writer (snprintf) cut a string, the
 * character boundary before the cut.
 */
size_t text_utf8_complete(const char *s, size_t len);

/*
 * Copies s into out (outsz bytes, always NUL-terminated when outsz > 0),
 * cut on a character boundary to at most max_chars characters and
 * outsz - 1 bytes. When anything is cut, the last character kept is "…"
 * (U+2026), still within both limits. Returns 1 when cut, 0 otherwise.
 */
int text_truncate(const char *s, size_t max_chars, char *out, size_t outsz);

/*
 * Copies untrusted bytes into out (outsz bytes, always NUL-terminated when
 * outsz > 0): invalid UTF-8 becomes U+FFFD; tabs and line breaks become a
 * space; other C0 and C1 controls, DEL, and bidi overrides and isolates
 * (U+202A-202E, U+2066-2069, U+200E/F, U+061C) are dropped. Never splits a
 * character. Returns the length written.
 */
size_t text_sanitize(const char *in, size_t len, char *out, size_t outsz);

/* Like text_sanitize into a new string the caller frees. */
char *text_sanitize_dup(const char *in, size_t len);

#endif
