-- Who acknowledged, shown on the card beside when. Incidents acknowledged
-- before this column existed take it from their timeline's first
-- acknowledgement.
ALTER TABLE incidents ADD COLUMN acknowledged_by TEXT;
UPDATE incidents
   SET acknowledged_by = (
       SELECT actor FROM timeline
        WHERE timeline.incident = incidents.number AND timeline.kind = 'acknowledged'
        ORDER BY timeline.id LIMIT 1)
 WHERE acknowledged_at IS NOT NULL;
