#!/usr/bin/env bash
# API fuzzing: schemathesis over /api/schema/ against a live server on the demo data, as a staff user and as
# an enterprise reporter. Fails on any 5xx or schema violation, and when schemathesis did not really run.
#
#   .ci/fuzz_api.sh                 a fresh SQLite file in a temporary folder (make fuzz-api)
#   DATABASE_URL=postgres://... .ci/fuzz_api.sh   an EMPTY PostgreSQL database (.ci/run creates jushi_fuzz)
#
# FUZZ_EXAMPLES (25) examples per operation, FUZZ_PORT (8765), FUZZ_OUT (test-artifacts/fuzz),
# FUZZ_USERS ("tongji qiye"): the logins to fuzz as, FUZZ_MIN_OPERATIONS (40): fewer tested fails the run,
# FUZZ_MAX_TIME (120): seconds per login at most, so the step fits CI (every operation is still tested).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
ST=${SCHEMATHESIS:-$(dirname "$PY")/schemathesis}
PORT=${FUZZ_PORT:-8765}
OUT=${FUZZ_OUT:-$ROOT/test-artifacts/fuzz}
EXAMPLES=${FUZZ_EXAMPLES:-25}
USERS=${FUZZ_USERS:-tongji qiye}
MIN_OPERATIONS=${FUZZ_MIN_OPERATIONS:-40}
MAX_TIME=${FUZZ_MAX_TIME:-120}
mkdir -p "$OUT"
rm -f "$OUT"/*.xml "$OUT"/*.log

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DATABASE_URL=${DATABASE_URL:-sqlite:///$WORK/fuzz.sqlite3}
export JUSHI_VAR_DIR=${JUSHI_VAR_DIR:-$WORK/var}
# Throttles off: the fuzzer sends thousands of requests a minute on purpose (the 429 answer is tested elsewhere).
export JUSHI_API_RATE_ANON="" JUSHI_API_RATE_USER=""
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY=${SECRET_KEY:-fuzz-$(date +%s)-not-secret}
export PYTHONUNBUFFERED=1

echo "fuzz: loading the demo into ${DATABASE_URL%%\?*}"
"$PY" manage.py demo --no-serve >"$OUT/demo.log" 2>&1 || { cat "$OUT/demo.log"; exit 1; }

declare -A TOKENS
for user in $USERS; do
  TOKENS[$user]=$("$PY" manage.py drf_create_token "$user" | awk '{print $3}')
  [ -n "${TOKENS[$user]}" ] || { echo "fuzz: no token for $user" >&2; exit 1; }
done

# JUSHI_TODAY pins the demo's date, as `jushi demo` does when it serves.
JUSHI_TODAY=${JUSHI_TODAY:-2024-07-20} "$PY" manage.py runserver "127.0.0.1:$PORT" --noreload --insecure \
  >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null -H "Authorization: Token ${TOKENS[${USERS%% *}]}" "http://127.0.0.1:$PORT/api/schema/" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server.log"; exit 1; }
  sleep 1
done

status=0
for user in $USERS; do
  echo "== fuzz: schemathesis as $user ($EXAMPLES examples an operation)"
  "$ST" run "http://127.0.0.1:$PORT/api/schema/" \
    --header "Authorization: Token ${TOKENS[$user]}" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
    --max-examples "$EXAMPLES" --max-time "$MAX_TIME" --seed 13 --workers 1 --request-timeout 30 \
    --phases examples,coverage,fuzzing --suppress-health-check all --no-color \
    --report junit --report-junit-path "$OUT/$user.xml" --output-truncate true \
    >"$OUT/$user.log" 2>&1 || status=1
  tail -n 40 "$OUT/$user.log"
  # It must really have run: every operation is one test case in the JUnit report.
  ran=$(grep -o '<testcase ' "$OUT/$user.xml" 2>/dev/null | wc -l || true)
  echo "fuzz: $user: $ran operations tested"
  if [ "$ran" -lt "$MIN_OPERATIONS" ]; then
    echo "fuzz: only $ran operations tested as $user (at least $MIN_OPERATIONS expected)" >&2
    status=1
  fi
done
if grep -q "Traceback" "$OUT/server.log"; then
  echo "fuzz: the server log has tracebacks:" >&2
  grep -A3 "^Internal Server Error" "$OUT/server.log" | head -40 >&2 || true
  status=1
fi
[ "$status" -eq 0 ] && echo "fuzz: no 5xx, no schema violation" || echo "fuzz: FAILED (reports in $OUT)" >&2
exit "$status"
