-- Incidents: the number is the row id; AUTOINCREMENT guarantees a number is
-- never reused, even after a row is removed.
CREATE TABLE incidents (
    number           INTEGER PRIMARY KEY AUTOINCREMENT,
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    priority         TEXT    NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    status           TEXT    NOT NULL,
    cyber            INTEGER NOT NULL DEFAULT 0,
    engineering_lead TEXT,
    comms_lead       TEXT,
    declared_by      TEXT    NOT NULL,
    declared_at      TEXT    NOT NULL,
    acknowledged_at  TEXT,
    resolved_at      TEXT,
    last_update_at   TEXT    NOT NULL,
    paused_at        TEXT,
    review           TEXT,
    summary          TEXT,
    channel          TEXT,
    card_ts          TEXT,
    -- Bumped on every change: a write that read an older version loses, so
    -- two people pressing the same button cannot both win.
    version          INTEGER NOT NULL DEFAULT 0
);

-- Every change to an incident, and captured messages, in order.
CREATE TABLE timeline (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    incident  INTEGER NOT NULL REFERENCES incidents (number),
    at        TEXT    NOT NULL,
    actor     TEXT,
    kind      TEXT    NOT NULL,
    before    TEXT,
    after     TEXT,
    text      TEXT,
    -- Slack message ts for captured messages: one row per message.
    source_ts TEXT,
    UNIQUE (incident, source_ts)
);
CREATE INDEX timeline_by_incident ON timeline (incident, at);

-- Rota overrides: who covers a rota between two instants.
CREATE TABLE overrides (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    rota         TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    -- Who would have been on call: told by DM, and allowed to cancel.
    covered      TEXT,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    cancelled_at TEXT,
    cancelled_by TEXT,
    CHECK (ends_at > starts_at)
);

-- Reminders: one row per (subject, kind, due slot). The unique key is what
-- makes "never twice" hold across restarts.
CREATE TABLE reminders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    subject    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    due_at     TEXT NOT NULL,
    payload    TEXT NOT NULL DEFAULT '{}',
    -- A reminder is marked done in the transaction that queues its
    -- messages, so it fires once; cancelled rows can be planned again.
    state      TEXT NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'done', 'cancelled')),
    done_at    TEXT,
    UNIQUE (subject, kind, due_at)
);
CREATE INDEX reminders_due ON reminders (state, due_at);

-- Announcements owed to Slack, written in the same transaction as the change
-- they announce, and delivered (and retried) after commit.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    sent_at    TEXT,
    -- Set when Slack refused the row for good (archived channel, …).
    error      TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_at, id);

-- Slack may deliver an event more than once; the first delivery wins.
CREATE TABLE processed_events (
    event_id TEXT PRIMARY KEY,
    at       TEXT NOT NULL
);

-- The bot's own segment of each channel topic, as last written.
CREATE TABLE topic_segments (
    channel TEXT PRIMARY KEY,
    segment TEXT NOT NULL,
    set_at  TEXT NOT NULL
);
