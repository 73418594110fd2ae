"""SQL for the append-only triggers, shared by the migration and the test suite."""

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only (DELETE refused)'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS audit_event_no_update;", "DROP TRIGGER IF EXISTS audit_event_no_delete;"]

# Since 0004 an event is written unsealed (seq and hash empty) without waiting for any other writer,
# and sealed once, after its transaction committed, by the sealer: the one UPDATE allowed sets
# seq, prev_hash and hash on an unsealed event and changes nothing else.
PG_SEALABLE = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash IS NULL
       AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
       AND ROW(NEW.id, NEW.at, NEW.actor, NEW.actor_id, NEW.action, NEW.object_type, NEW.object_id,
               NEW.before, NEW.after)
           IS NOT DISTINCT FROM
           ROW(OLD.id, OLD.at, OLD.actor, OLD.actor_id, OLD.action, OLD.object_type, OLD.object_id,
               OLD.before, OLD.after) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_SEALABLE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       WHEN NOT (OLD.seq IS NULL AND OLD.hash IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
                 AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor
                 AND NEW.actor_id IS OLD.actor_id AND NEW.action IS OLD.action
                 AND NEW.object_type IS OLD.object_type AND NEW.object_id IS OLD.object_id
                 AND NEW.before IS OLD.before AND NEW.after IS OLD.after)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;""",
    SQLITE_FORWARD[1],
]
