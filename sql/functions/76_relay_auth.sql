-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- Relay subscriber tokens (migration 042, docs/security.md "Relay").

-- A new token for the calling operator, valid p_hours (1 to 168, default
-- 24). Any operator may ask; the token is worth exactly the caller's own
-- scope at the relay. SECURITY DEFINER to write relay_token, which no
-- operator can read or write; caller() refuses a login that is not an
-- operator (CO007). Expired tokens are swept here.
CREATE OR REPLACE FUNCTION cityops.relay_token_issue(p_hours int DEFAULT 24)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	me caller := caller();
	v_token text := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
BEGIN
	IF p_hours IS NULL OR p_hours < 1 OR p_hours > 168 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = 'a relay token lives 1 to 168 hours';
	END IF;
	DELETE FROM relay_token WHERE expires_at < now();
	INSERT INTO relay_token (hash, login, expires_at)
		VALUES (sha256(convert_to(v_token, 'UTF8')), me.login,
			now() + make_interval(hours => p_hours));
	PERFORM audit_log('relay_token', me.login,
		jsonb_build_object('hours', p_hours, 'scope', me.scope_code));
	RETURN v_token;
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.relay_token_issue(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.relay_token_issue(int) TO cityops_user;

-- Whose is p_token: the login and its scope path now, or no row (unknown,
-- expired, or the operator gone). Only for the relay: a login with city
-- scope (CO002 otherwise), like relay_changes. SECURITY DEFINER to read
-- relay_token.
CREATE OR REPLACE FUNCTION cityops.relay_token_scope(p_token text)
RETURNS TABLE (login text, scope_path text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
DECLARE
	v_scope ltree := scope_path();
BEGIN
	IF v_scope IS NULL OR nlevel(v_scope) <> 1 THEN
		RAISE EXCEPTION USING ERRCODE = 'CO002',
			MESSAGE = 'relay_token_scope needs a login with city scope';
	END IF;
	RETURN QUERY
	SELECT t.login, r.path::text
	FROM relay_token t
	JOIN operator o ON o.login = t.login
	JOIN region r ON r.code = o.scope_code
	WHERE t.hash = sha256(convert_to(coalesce(p_token, ''), 'UTF8'))
		AND t.expires_at > now();
END
$$;
REVOKE EXECUTE ON FUNCTION cityops.relay_token_scope(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.relay_token_scope(text) TO cityops_user;
