-- Jianguan's PostgreSQL roles: run once, as a superuser, in the platform's database:
--   psql -v owner_password=... -v app_password=... -v readonly_password=... -d jianguan -f deploy/postgres-roles.sql
-- jianguan_owner  owns the schema: migrations run as it (JIANGUAN_DATABASE_URL of `jianguan migrate`).
-- jianguan_app    the web and task processes: reads and writes rows, owns nothing, so it cannot
--                 ALTER a table or DISABLE its triggers; it may only INSERT into the audit trail
--                 (and fill the three sealing columns of an unsealed event once).
-- jianguan_readonly  analysts' tools and reports: SELECT only.
-- After every `jianguan migrate`, run deploy/postgres-grants.sql as jianguan_owner (new tables).

CREATE ROLE jianguan_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE jianguan_app LOGIN PASSWORD :'app_password';
CREATE ROLE jianguan_readonly LOGIN PASSWORD :'readonly_password';

SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO jianguan_app, jianguan_readonly', current_database()) \gexec
SELECT format('GRANT ALL ON DATABASE %I TO jianguan_owner', current_database()) \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO jianguan_owner;
GRANT USAGE ON SCHEMA public TO jianguan_app, jianguan_readonly;
