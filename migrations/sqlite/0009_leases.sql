-- Leases (SPEC §4): one row per name, saying which process may do the
-- work that must happen once, under which term (a fencing number that
-- grows at every acquisition), until when (wall-clock UTC, fixed-width
-- text like every instant here). Written only by conditional writes in
-- `store::lease`.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    term       BIGINT NOT NULL,
    expires_at TEXT NOT NULL
);
