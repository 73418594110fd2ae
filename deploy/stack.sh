#!/usr/bin/env bash
# The production stack on one machine, for real, then the smoke suite, the role checks and a
# backup–restore drill against it. Used by .ci/run; see docs/deployment.md for each step.
#
#   deploy/stack.sh SUPERUSER_URL      e.g. postgres://jianguan@127.0.0.1:55432/postgres
#
# Starts Redis, the national stand-in, the Huey consumer and gunicorn on loopback ports, in a
# temporary directory, as the least-privileged application role; stops them all on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
SUPER_URL=${1:?superuser URL of the PostgreSQL server}
BIN=${BIN:-.venv/bin}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
WEB_PORT=${WEB_PORT:-58000}
REDIS_PORT=${REDIS_PORT:-56379}
STANDIN_PORT=${STANDIN_PORT:-58765}
WORK=$(mktemp -d /tmp/jianguan-stack.XXXXXX)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap stop EXIT

host_of() { python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(f"{p.hostname}:{p.port or 5432}")' "$1"; }
PGHOSTPORT=$(host_of "$SUPER_URL")
DB=jianguan_stack
secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(36))'; }
OWNER_PW=$(secret); APP_PW=$(secret); RO_PW=$(secret)

echo "--- database, roles and migrations"
"$PGBIN/psql" -q "$SUPER_URL" -c "DROP DATABASE IF EXISTS $DB" -c "DROP DATABASE IF EXISTS ${DB}_restored" \
  -c "DROP ROLE IF EXISTS jianguan_app" -c "DROP ROLE IF EXISTS jianguan_readonly" -c "DROP ROLE IF EXISTS jianguan_owner"
"$PGBIN/psql" -q "$SUPER_URL" -c "CREATE DATABASE $DB"
SUPER_DB_URL="${SUPER_URL%/*}/$DB"
"$PGBIN/psql" -q "$SUPER_DB_URL" -v ON_ERROR_STOP=1 -v owner_password="$OWNER_PW" -v app_password="$APP_PW" \
  -v readonly_password="$RO_PW" -f deploy/postgres-roles.sql
OWNER_URL="postgres://jianguan_owner:$OWNER_PW@$PGHOSTPORT/$DB"
APP_URL="postgres://jianguan_app:$APP_PW@$PGHOSTPORT/$DB"

export JIANGUAN_PRODUCTION=true
export JIANGUAN_SECRET_KEY=$(secret)
export JIANGUAN_SEALING_KEYS="k1:$(secret)"
export JIANGUAN_MATCHING_KEY=$(secret)
printf '%s' "$(secret)" > "$WORK/audit.key"
export JIANGUAN_AUDIT_KEY_FILE="$WORK/audit.key"
export JIANGUAN_AUDIT_ANCHOR_DIR="$WORK/anchors"
export JIANGUAN_ALLOWED_HOSTS=127.0.0.1,localhost
export JIANGUAN_SSL_REDIRECT=false JIANGUAN_SECURE_COOKIES=false   # loopback, plain HTTP
export JIANGUAN_VAR_DIR="$WORK/var"
export JIANGUAN_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export JIANGUAN_NATIONAL_URL="http://127.0.0.1:$STANDIN_PORT/push"
export PROMETHEUS_MULTIPROC_DIR="$WORK/metrics"

JIANGUAN_DATABASE_URL=$OWNER_URL "$BIN/jianguan" migrate --verbosity 0
# The application role may not create tables: the owner makes the monitoring readings' months ahead.
JIANGUAN_DATABASE_URL=$OWNER_URL "$BIN/jianguan" monitoring partitions --ahead 3
"$PGBIN/psql" -q "$OWNER_URL" -v ON_ERROR_STOP=1 -f deploy/postgres-grants.sql
JIANGUAN_DATABASE_URL=$OWNER_URL "$BIN/jianguan" collectstatic --noinput --verbosity 0
export JIANGUAN_DATABASE_URL=$APP_URL

echo "--- the application role cannot rewrite history"
if "$PGBIN/psql" -q "$APP_URL" -c "ALTER TABLE audit_auditevent DISABLE TRIGGER USER" 2>"$WORK/err"; then
  echo "FAILED: the application role disabled the audit triggers"; exit 1
fi
grep -q "must be owner" "$WORK/err" && echo "ok  ALTER TABLE … DISABLE TRIGGER refused: $(head -n1 "$WORK/err")"

echo "--- services"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
pids+=($!)

echo "--- demo data (as the application role)"
JIANGUAN_PRODUCTION=false "$BIN/jianguan" demo --subjects 300 --actions 1000 --complaints 200 >"$WORK/demo.log"
if "$PGBIN/psql" -q "$APP_URL" -c "UPDATE audit_auditevent SET action = 'forged' WHERE seq = 1" 2>"$WORK/err"; then
  echo "FAILED: the application role updated an audit event"; exit 1
fi
echo "ok  UPDATE of an audit event refused: $(head -n1 "$WORK/err")"
if "$PGBIN/psql" -q "$APP_URL" -c "UPDATE audit_auditevent SET hash = md5(hash) || md5(hash) WHERE seq = 1" 2>"$WORK/err"; then
  echo "FAILED: the application role re-sealed an audit event"; exit 1
fi
echo "ok  re-sealing a sealed audit event refused: $(head -n1 "$WORK/err")"

"$BIN/jianguan" national-standin --port "$STANDIN_PORT" --db "$WORK/standin.sqlite3" >"$WORK/standin.log" 2>&1 &
pids+=($!)
"$BIN/jianguan" run_huey --workers 2 >"$WORK/huey.log" 2>&1 &
pids+=($!)
JIANGUAN_BIND=127.0.0.1:$WEB_PORT JIANGUAN_WEB_WORKERS=3 "$BIN/gunicorn" -c deploy/gunicorn.conf.py \
  jianguan.config.wsgi >"$WORK/gunicorn.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  if curl -fs "http://127.0.0.1:$WEB_PORT/health" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$STANDIN_PORT/stats" >/dev/null 2>&1; then break; fi
  sleep 1
done

echo "--- smoke suite over HTTP"
"$BIN/python" deploy/smoke.py prepare >"$WORK/prepared.json"
if ! "$BIN/python" deploy/smoke.py run "http://127.0.0.1:$WEB_PORT" "http://127.0.0.1:$STANDIN_PORT" <"$WORK/prepared.json"; then
  echo "--- gunicorn log"; tail -n 40 "$WORK/gunicorn.log"; echo "--- huey log"; tail -n 40 "$WORK/huey.log"; exit 1
fi
grep -q "deliver_soon" "$WORK/huey.log" && echo "ok  the consumer ran the delivery task"

echo "--- fuzzing the whole API (schemathesis): anonymous, as a source system, as the administrator"
field() { "$BIN/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/prepared.json" "$1"; }
CSRF=$(secret | tr -dc 'a-zA-Z0-9' | head -c 32)
fuzz() {
  "$BIN/schemathesis" run "http://127.0.0.1:$WEB_PORT/api/openapi.json" "$@" --checks not_a_server_error,response_schema_conformance \
    --max-examples 5 --phases coverage,fuzzing --max-time "${FUZZ_SECONDS:-60}" --request-timeout 30 --seed 2026 \
    --no-color --report junit --report-dir "$WORK/fuzz" >"$WORK/fuzz.log" 2>&1 || {
      sed -n '/FAILURES/,/SUMMARY/p' "$WORK/fuzz.log" | head -n 80; tail -n 25 "$WORK/fuzz.log"
      echo "--- the server's last error"; grep '"exception": ' "$WORK/gunicorn.log" | tail -n 1 |
        "$BIN/python" -c 'import json, sys; e = json.loads(sys.stdin.read() or "{}"); print(e.get("message"), e.get("exception"), sep="\n")'
      return 1; }
  grep -E "generated|passed" "$WORK/fuzz.log" | tail -n 1 | sed 's/^/ok  /'
}
fuzz
fuzz --header "Authorization: Bearer $(field token)"
fuzz --header "Cookie: sessionid=$(field session); csrftoken=$CSRF" --header "X-CSRFToken: $CSRF"

echo "--- backup and restore"
"$BIN/jianguan" audit anchor
"$PGBIN/pg_dump" -Fc -f "$WORK/backup.dump" "$OWNER_URL"
"$PGBIN/psql" -q "$SUPER_URL" -c "CREATE DATABASE ${DB}_restored OWNER jianguan_owner"
"$PGBIN/pg_restore" --no-owner --role=jianguan_owner -d "postgres://jianguan_owner:$OWNER_PW@$PGHOSTPORT/${DB}_restored" "$WORK/backup.dump"
JIANGUAN_DATABASE_URL="postgres://jianguan_owner:$OWNER_PW@$PGHOSTPORT/${DB}_restored" \
  "$BIN/jianguan" audit verify --anchor-dir "$JIANGUAN_AUDIT_ANCHOR_DIR" --national
echo "stack checks passed"
