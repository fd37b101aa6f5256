-- Publishing to Statuspage (SPEC §5). A publication is written here as an
-- intent, with the marker it will carry in the Statuspage incident's
-- metadata, before any request is sent; `attempts` counts requests begun,
-- so after a crash a row with attempts > 0 is looked up among the page's
-- unresolved incidents before it is sent again.
CREATE TABLE public_updates (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    incident     INTEGER NOT NULL REFERENCES incidents(number),
    marker       TEXT NOT NULL UNIQUE,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    publication  TEXT NOT NULL,          -- JSON: statuspage::Publication
    state        TEXT NOT NULL,          -- pending | sent | refused
    attempts     INTEGER NOT NULL DEFAULT 0,
    done_at      TEXT,
    error        TEXT
);
CREATE INDEX public_updates_pending ON public_updates (state, id);

-- The Statuspage incident an incident was published as, once one exists.
CREATE TABLE public_incidents (
    incident       INTEGER PRIMARY KEY REFERENCES incidents(number),
    statuspage_id  TEXT NOT NULL,
    shortlink      TEXT,
    status         TEXT NOT NULL,
    name           TEXT NOT NULL,
    components     TEXT NOT NULL,        -- JSON: component id -> last status this incident set
    last_public_at TEXT NOT NULL
);
