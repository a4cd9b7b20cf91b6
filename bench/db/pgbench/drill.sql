-- One drill-down step: the region card and its children. -D region="'310120'".
SELECT * FROM cityops.region_get(:region);
SELECT * FROM cityops.region_children(:region);
