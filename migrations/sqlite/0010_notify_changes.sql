-- The twin of migrations/postgres/0010: replicas telling each other of
-- their commits. A SQLite file has one process (its lock sees to it), so
-- there is no one to tell.
SELECT 1;
