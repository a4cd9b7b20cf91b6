-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 031_request: every changing command from a console, headless run or
-- drill carries a request id (a UUID the client makes), recorded in the
-- same transaction as the command's effect, with its result (issue 11).
--
-- When the connection dies during COMMIT (a failover, a network cut) the
-- client cannot know whether the command was applied. It reconnects and
-- looks the id up (request_get): a row means committed, and its result is
-- reported; no row means not applied (the transaction that would have
-- written it is gone for good once the client is on a new connection to
-- the primary), and the client sends the command again with the same id.
-- The primary key makes a duplicate impossible: a second claim of the same
-- id waits for the first transaction and then fails (CO008), rolling back
-- its own effect. Feed-raised incidents and ingest batches keep their own
-- idempotency keys (dedup_key, readings keyed by indicator and time).

CREATE TABLE cityops.request (
	id       uuid PRIMARY KEY,
	login    name NOT NULL,
	command  text NOT NULL,
	at       timestamptz NOT NULL DEFAULT now(),
	names    text[],          -- the command's result, first row: column names
	vals     text[]           -- … and their values as text
);
CREATE INDEX request_at ON cityops.request (at);
ALTER TABLE cityops.request ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON cityops.request FROM cityops_user;
GRANT SELECT ON cityops.request TO cityops_user;
