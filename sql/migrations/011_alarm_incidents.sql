-- 011_alarm_incidents: an alarm-level alarm raises one incident.
--
-- The ingest daemon asks for this after every batch of readings. Which
-- incident category an indicator's alarm becomes is data on the indicator
-- category; the alarm row records the incident raised for it, so that one
-- alarm episode raises one incident even after people close it while the
-- reading is still high (a new episode is a new alarm row, after a clear).
-- Exercise indicators belong to drills and never raise real incidents.

ALTER TABLE cityops.indicator_category ADD COLUMN incident_category text
	REFERENCES cityops.category;
UPDATE cityops.indicator_category SET incident_category = c.cat
	FROM (VALUES ('weather', 'typhoon'), ('traffic', 'traffic'),
		('environment', 'pollution'), ('water', 'flood'), ('energy', 'power'),
		('crowd', 'crowd'), ('safety', 'public_order'), ('hotline', 'city_mgmt'))
		AS c(code, cat)
	WHERE indicator_category.code = c.code;

ALTER TABLE cityops.alarm ADD COLUMN incident_ref text;

CREATE FUNCTION cityops.raise_alarm_incidents()
RETURNS TABLE (alarm bigint, ref text, merged bool)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cityops, public
AS $$
#variable_conflict use_column
DECLARE
	me caller := caller();
	a record;
	v_ref text;
	v_merged bool;
BEGIN
	PERFORM require_role(me, 'officer', 'raise incidents from alarms');
	-- SKIP LOCKED: two ingest daemons never raise for one alarm twice,
	-- and neither waits for the other.
	FOR a IN
		SELECT al.id, al.value, i.name, i.uom, i.alarm AS threshold, i.region_code,
			coalesce(ic.incident_category, 'city_mgmt') AS category
		FROM alarm al
		JOIN indicator i ON i.id = al.indicator_id
		JOIN indicator_category ic ON ic.code = i.category_code
		WHERE al.level = 'alarm' AND al.state <> 'cleared' AND al.incident_ref IS NULL
			AND NOT i.exercise AND i.region_path <@ me.scope_path
		ORDER BY al.id
		FOR UPDATE OF al SKIP LOCKED
	LOOP
		SELECT f.ref, f.merged INTO v_ref, v_merged
		FROM feed_incident('sensor', a.category, 2, a.region_code,
			a.name || '超过告警值',
			format('%s 读数 %s %s，告警值 %s', a.name, a.value, a.uom, a.threshold),
			NULL, NULL, NULL, 'alarm:' || a.id, false) f;
		UPDATE alarm SET incident_ref = v_ref WHERE id = a.id;
		RETURN QUERY SELECT a.id, v_ref, v_merged;
	END LOOP;
END
$$;
