-- Calendar feed links (SPEC §7). Only the SHA-256 of each token is kept:
-- the link is shown once, to the person who asked, and a request is
-- looked up by the digest of the token in its path.
CREATE TABLE calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    -- The person the link was given to; `/oncall calendar reset` revokes
    -- all of theirs.
    holder     TEXT NOT NULL,
    -- 'person' (the holder's own shifts) or 'rota:NAME'.
    scope      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- Set by a reset: the link then serves an empty calendar.
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_by_holder ON calendar_feeds (holder, revoked_at);
