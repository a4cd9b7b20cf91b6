-- 015_ingest_idempotent: a feed report replayed after a restart merges once.
--
-- ingest resumes a feed from the last position it committed, so after a
-- kill it receives again whatever it had not yet committed, and sources
-- resend too (an Open311 poll returns the same open request again, a CAP
-- alert is repeated under its identifier). Merging by dedup key kept
-- incidents single, but every replay appended another 'merge' row to the
-- timeline. Now each report that ingest hands over is identified, and one
-- already stored is answered with its incident and changes nothing.
--
-- What identifies a report: its whole content as the feed gave it (source,
-- category, priority, region, title, description, location, coordinates,
-- dedup key, exercise flag) together with the source's own identity of the
-- message, which ingest passes as p_message (the format and the message's
-- own time: CAP sent, Open311 updated_datetime or requested_datetime, the
-- native ts, the NGSI-LD Alert's date). Not the stream position: that
-- survives a replay but not a source resending the same message at a new
-- position, and feeds that cannot resume have none. A digest of content
-- and time survives both, and a real update (new text, new status, a new
-- time) is a new message and still merges once.
--
-- Functions created or replaced here pin search_path with pg_temp last.

CREATE TABLE cityops.feed_report (
	digest       text PRIMARY KEY, -- md5 of the report, see feed_incident
	dedup_key    text NOT NULL,
	incident_ref text,             -- set in the same transaction
	stored_at    timestamptz NOT NULL DEFAULT now()
);
-- Owner only: feed_incident (SECURITY DEFINER) reads and writes it. Refs
-- of every incident are here, so no operator reads it directly: no grant,
-- and row-level security with no policy besides.
REVOKE ALL ON cityops.feed_report FROM PUBLIC, cityops_user;
ALTER TABLE cityops.feed_report ENABLE ROW LEVEL SECURITY;

DROP FUNCTION cityops.feed_incident(text, text, int, text, text, text, text, float8,
	float8, text, bool);

-- p_message NULL (drills, alarm incidents): no replay check, as before.
-- replayed = true: this exact report was stored before; nothing changed.
CREATE FUNCTION cityops.feed_incident(p_source text, p_category text, p_priority int,
	p_region text, p_title text, p_description text, p_location text,
	p_lat float8, p_lon float8, p_dedup_key text, p_exercise bool,
	p_message text DEFAULT NULL)
RETURNS TABLE (ref text, merged bool, replayed bool)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	v_region text := nullif(btrim(p_region), '');
	v_digest text;
	v_fresh bool := false;
	v_ref text;
	v_merged bool;
BEGIN
	PERFORM require_role(me, 'officer', 'raise');
	PERFORM require_text(p_dedup_key, 'a feed incident needs a dedup key');
	IF p_message IS NOT NULL THEN
		-- A JSON array keeps NULL and '' apart and fields from running
		-- into each other.
		v_digest := md5(jsonb_build_array(p_message, p_source, p_category, p_priority,
			p_region, p_title, p_description, p_location, p_lat, p_lon, p_dedup_key,
			coalesce(p_exercise, false))::text);
		-- Claimed first: a concurrent copy of the same report waits here
		-- for this transaction and then finds it stored.
		INSERT INTO feed_report (digest, dedup_key) VALUES (v_digest, p_dedup_key)
			ON CONFLICT (digest) DO NOTHING
			RETURNING true INTO v_fresh;
		v_fresh := coalesce(v_fresh, false);
		IF NOT v_fresh THEN
			SELECT f.incident_ref INTO v_ref FROM feed_report f
				JOIN incident i ON i.ref = f.incident_ref
				WHERE f.digest = v_digest AND i.region_path <@ me.scope_path;
			-- Out of the caller's scope: go on as for a new report, so
			-- that the usual checks answer and nothing is revealed.
			IF v_ref IS NOT NULL THEN
				RETURN QUERY SELECT v_ref, true, true;
				RETURN;
			END IF;
		END IF;
	END IF;
	IF v_region IS NULL THEN
		IF p_lat IS NULL OR p_lon IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'CO006',
				MESSAGE = 'a feed incident needs a region or coordinates';
		END IF;
		SELECT r.code INTO v_region FROM region r
			WHERE r.lat IS NOT NULL
			ORDER BY (r.lat - p_lat) ^ 2 + ((r.lon - p_lon) * cos(radians(p_lat))) ^ 2,
				nlevel(r.path) DESC
			LIMIT 1;
	END IF;
	SELECT r.ref, r.merged INTO v_ref, v_merged
		FROM incident_raise(p_category, p_priority, v_region, p_title, p_location,
			p_description, p_source, p_dedup_key, p_exercise) r;
	IF NOT v_merged AND p_lat IS NOT NULL AND p_lon IS NOT NULL THEN
		UPDATE incident SET lat = p_lat, lon = p_lon WHERE incident.ref = v_ref;
	END IF;
	IF v_fresh THEN
		UPDATE feed_report SET incident_ref = v_ref WHERE digest = v_digest;
	END IF;
	RETURN QUERY SELECT v_ref, v_merged, false;
END
$$;

REVOKE ALL ON FUNCTION cityops.feed_incident(text, text, int, text, text, text, text,
	float8, float8, text, bool, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cityops.feed_incident(text, text, int, text, text, text, text,
	float8, float8, text, bool, text) TO cityops_user;

-- The other two functions of the feed side keep their bodies; their search
-- path gets pg_temp last, so a temporary table cannot shadow what they read.
ALTER FUNCTION cityops.ingest_readings(text[], float8[], timestamptz[])
	SET search_path = cityops, public, pg_temp;
ALTER FUNCTION cityops.raise_alarm_incidents()
	SET search_path = cityops, public, pg_temp;
