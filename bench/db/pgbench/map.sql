-- The map pane's tiles for the city (issue 15).
SELECT * FROM cityops.region_map('310000');
