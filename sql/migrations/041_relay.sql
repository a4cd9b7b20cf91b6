-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- 041_relay: the login `cityops relay` uses (issue 12).
--
-- The relay reads the whole change log (ids, kinds, region paths) and
-- serves each console the records in the scope the console asks for. It
-- logs in as cityops_relay, a viewer with city scope: the lowest rank,
-- which may change nothing, and city scope because it serves every
-- district's consoles. Its only extra power is relay_changes()
-- (sql/functions/76_relay.sql), which refuses any login without city
-- scope.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cityops_relay') THEN
		CREATE ROLE cityops_relay LOGIN;
	END IF;
	GRANT cityops_user TO cityops_relay;
END
$$;
INSERT INTO cityops.operator (login, display_name, role, scope_code)
	VALUES ('cityops_relay', '变更转发', 'viewer', '310000')
	ON CONFLICT (login) DO NOTHING;
