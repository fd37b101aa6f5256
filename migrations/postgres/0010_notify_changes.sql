-- Replicas hear of each other's commits (SPEC §4): a statement that
-- changes one of these tables notifies channel `paas_incident_bot` with
-- the table's name, delivered to every listening replica when the
-- transaction commits (and merged with its repeats within one). Each
-- replica then reloads what its acks read (open incidents, live
-- overrides) and wakes the loop with new work (see
-- `bot::loops::changes`).
CREATE FUNCTION notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('paas_incident_bot', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER incidents_changed AFTER INSERT OR UPDATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER overrides_changed AFTER INSERT OR UPDATE ON overrides
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER outbox_queued AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER reminders_planned AFTER INSERT OR UPDATE ON reminders
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER public_updates_queued AFTER INSERT ON public_updates
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
