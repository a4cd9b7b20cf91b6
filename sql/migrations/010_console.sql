-- 010_console: reads the full-screen console needs that no command does.

-- Open incidents by priority for the status line, and how many of each are
-- past their SLA. Counting on the open-incident rows directly, rather than
-- through the queue, keeps the console's start and refresh cheap when
-- thousands of incidents are open. Row-level security limits the count to
-- the caller's scope.
CREATE FUNCTION cityops.open_counts(p_exercise bool DEFAULT false)
RETURNS TABLE (priority int, n bigint, breached bigint)
LANGUAGE sql STABLE SET search_path = cityops, public
AS $$
	SELECT i.priority, count(*), count(*) FILTER (WHERE i.sla_due < cityops.now())
	FROM incident i
	WHERE i.is_open AND i.exercise = coalesce(p_exercise, false)
	GROUP BY i.priority
	ORDER BY i.priority
$$;
