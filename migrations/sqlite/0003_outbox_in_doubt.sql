-- Set on a batch of rows just before they are sent, cleared when the pass
-- settles them. A row still marked at start-up may have reached Slack
-- before the bot died, so it is looked for before being sent again.
ALTER TABLE outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
