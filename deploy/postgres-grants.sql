-- Privileges on Jianguan's tables: run as jianguan_owner after every `jianguan migrate`.
--   psql "$OWNER_URL" -f deploy/postgres-grants.sql
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO jianguan_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO jianguan_app, jianguan_readonly;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO jianguan_readonly;
-- The audit trail is append-only for the application: no DELETE or TRUNCATE, and UPDATE of the
-- three columns the sealer fills once (seq, prev_hash, hash) and of nothing else. The triggers
-- refuse any other change, and any change to a sealed event; only the owner could disable them.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM jianguan_app;
GRANT UPDATE (seq, prev_hash, hash) ON audit_auditevent TO jianguan_app;
-- Migration bookkeeping is the owner's alone.
REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM jianguan_app;
