-- Cover requests (SPEC §7): someone on a rota asks the rest of it to cover
-- them. Taken by one conditional UPDATE (`taken_by IS NULL AND lapsed_at IS
-- NULL`), so of two presses at once, even on two replicas, one wins.
CREATE TABLE cover_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    rota        TEXT NOT NULL,
    asked_by    TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    asked_at    TEXT NOT NULL,
    taken_by    TEXT,
    taken_at    TEXT,
    override_id INTEGER REFERENCES overrides (id),
    lapsed_at   TEXT,
    CHECK (ends_at > starts_at)
);
CREATE INDEX cover_requests_open ON cover_requests (taken_by, lapsed_at, starts_at);

-- Each posted copy of a request (one per topic channel), so every copy is
-- edited when it is taken or lapses.
CREATE TABLE cover_request_posts (
    request INTEGER NOT NULL REFERENCES cover_requests (id),
    channel TEXT NOT NULL,
    ts      TEXT NOT NULL,
    PRIMARY KEY (request, channel)
);
