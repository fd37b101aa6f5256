-- Alerts from monitoring (SPEC §6). One row per alert group (one Slack
-- message each) and one per alert, keyed by its sender's fingerprint so
-- that Alertmanager's repeats update the row rather than add one.
CREATE TABLE alert_groups (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    group_key TEXT NOT NULL,
    title TEXT NOT NULL,
    -- JSON object of the labels routing read, and JSON list of links.
    labels TEXT NOT NULL,
    links TEXT NOT NULL,
    channel TEXT NOT NULL,
    -- The route taken when the group first fired: its index, whom it pages
    -- (a role, or NULL for nobody), the suggested priority.
    route INTEGER,
    page_role TEXT,
    priority TEXT,
    status TEXT NOT NULL,
    firing INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- The current episode: when it began firing, when its page went out
    -- (or is held until, with paged = 0), and who was paged (JSON list).
    episode_at TEXT NOT NULL,
    page_at TEXT,
    paged INTEGER NOT NULL DEFAULT 0,
    paged_users TEXT NOT NULL DEFAULT '[]',
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    escalated_to TEXT,
    escalated_at TEXT,
    incident INTEGER,
    message_ts TEXT,
    -- Thread replies say what changed since the last one: alerts changed
    -- at a version above told_version. The reply being sent is kept with
    -- its outbox row, so a retry after a crash says the same thing.
    version INTEGER NOT NULL DEFAULT 0,
    told_version INTEGER NOT NULL DEFAULT 0,
    news_row INTEGER,
    news_text TEXT,
    UNIQUE (source, group_key)
);

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES alert_groups (id),
    source TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    summary TEXT NOT NULL,
    labels TEXT NOT NULL,
    url TEXT,
    starts_at TEXT,
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    resolved_at TEXT,
    changed_version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, fingerprint)
);

CREATE INDEX alerts_by_group ON alerts (group_id, status);
CREATE INDEX alerts_by_status ON alerts (status);
