-- Re-planning reads one subject's pending rows. Without this index SQLite
-- picks reminders_due and walks every pending row in the table, which made
-- firing 1,000 reminders at once cost over a second in this query alone.
CREATE INDEX reminders_by_subject ON reminders (subject, state, due_at);
