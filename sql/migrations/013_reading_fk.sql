-- 013_reading_fk: the foreign key from reading to indicator was checked
-- once per reading (a row trigger), which cost more of an ingest batch
-- than judging the thresholds did (180 of 470 ms for 10,000 readings,
-- docs/performance-feeds.md). Every way a reading gets in already joins
-- the catalogue (ingest_readings keeps only known indicators in scope; the
-- demo seed and the benchmark load from it), so the per-row check guards
-- nothing a caller can reach. What the key also did — keep an indicator
-- that has readings from being deleted or renamed — moves to the
-- indicator side, where it costs nothing on the hot path.

ALTER TABLE cityops.reading DROP CONSTRAINT reading_indicator_id_fkey;

CREATE FUNCTION cityops.indicator_keep() RETURNS trigger
LANGUAGE plpgsql SET search_path = cityops, public
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM reading WHERE indicator_id = OLD.id) THEN
		RAISE EXCEPTION USING ERRCODE = 'CO006',
			MESSAGE = format('indicator %s has readings; it cannot be %s', OLD.id,
				CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renamed' END);
	END IF;
	RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER indicator_keep BEFORE DELETE OR UPDATE OF id ON cityops.indicator
	FOR EACH ROW EXECUTE FUNCTION cityops.indicator_keep();
