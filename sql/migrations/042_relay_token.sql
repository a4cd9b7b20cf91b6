-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 042_relay_token: subscriber tokens for cityops relay (issue 12,
-- docs/security.md "Relay").
--
-- A console asks the database for a token through its own login
-- (relay_token_issue, sql/functions/76_relay_auth.sql) and presents it to
-- the relay; the relay asks the database whose token it is
-- (relay_token_scope) and serves that login's scope, never more. Only
-- the token's SHA-256 is stored, so reading this table (which no operator
-- can: the grant below is taken back) would not yield a usable token.
-- The scope is looked up again at each check, so a login whose scope is
-- narrowed or which is removed loses the wider records at its next
-- (re)connect.

CREATE TABLE cityops.relay_token (
	hash       bytea PRIMARY KEY,  -- sha256 of the token
	login      text NOT NULL REFERENCES cityops.operator (login) ON DELETE CASCADE,
	issued_at  timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL
);
CREATE INDEX relay_token_expires ON cityops.relay_token (expires_at);
REVOKE ALL ON cityops.relay_token FROM PUBLIC, cityops_user;
-- No policy: no operator sees a row even if a grant slipped in; the
-- SECURITY DEFINER functions read it as its owner.
ALTER TABLE cityops.relay_token ENABLE ROW LEVEL SECURITY;
