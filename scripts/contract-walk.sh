#!/usr/bin/env bash
# contract-walk.sh: walk every row and rule of ../shared/CONTRACT.md from the outside, with
# curl, psql and redis-cli, against `accord serve --port 0` on a throwaway PostgreSQL 15 and a
# throwaway Redis 7 that this script starts (and always stops) itself.
#
#   bash scripts/contract-walk.sh [path/to/accord]      # default: $ACCORD, else .build/debug/accord
#
# Prints one line per check, `ok - <what>` or `not ok - <what> (expected …, got …)`, then
# `N passed, M failed`; exits 1 when any check failed, 0 otherwise (2 when a tool is missing).
# Lines starting with `#` are notes. KEEP_LOGS=DIR copies the server logs, the PostgreSQL
# statement log and every request's response (r/N.hdr, r/N.body; index lists them) to DIR.
#
# Needs (Debian 12 packages): jq, curl, postgresql-15 (initdb, pg_ctl) and postgresql-client-15
# (psql), redis-server and redis-tools (redis-cli). As root, PostgreSQL runs as the `postgres`
# user (runuser, from util-linux).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ACCORD_BIN=${1:-${ACCORD:-$REPO/.build/debug/accord}}

# ---------------------------------------------------------------------------------------------
# Requirements

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (Debian package: $2)"); }
need jq jq
need curl curl
need psql postgresql-client-15
need redis-server redis-server
need redis-cli redis-tools
PGBIN=${PGBIN:-}
if [[ -z $PGBIN ]]; then
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        PGBIN=/usr/lib/postgresql/15/bin
    elif command -v initdb >/dev/null 2>&1; then
        PGBIN=$(dirname "$(readlink -f "$(command -v initdb)")")
    fi
fi
[[ -n $PGBIN && -x $PGBIN/initdb && -x $PGBIN/pg_ctl ]] || missing+=("initdb and pg_ctl (Debian package: postgresql-15)")
IS_ROOT=0
if [[ $(id -u) == 0 ]]; then
    IS_ROOT=1
    need runuser util-linux
    id postgres >/dev/null 2>&1 || missing+=("the 'postgres' user (Debian package: postgresql-15)")
fi
if ((${#missing[@]})); then
    echo "contract-walk.sh needs jq, curl, psql, redis-server, redis-cli, initdb and pg_ctl; missing:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "  on Debian 12: apt-get install -y jq curl postgresql-15 postgresql-client-15 redis-server redis-tools" >&2
    exit 2
fi
if [[ ! -x $ACCORD_BIN ]]; then
    echo "contract-walk.sh: no accord executable at $ACCORD_BIN (give its path as the first argument or in \$ACCORD)" >&2
    exit 2
fi

# ---------------------------------------------------------------------------------------------
# Results

PASS=0
FAIL=0
SKIP=0
short() { # one line, at most 240 characters
    local s=${1//$'\n'/ }
    s=${s//$'\r'/}
    ((${#s} > 240)) && s="${s:0:240}…"
    printf '%s' "$s"
}
pass() { PASS=$((PASS + 1)); printf 'ok - %s\n' "$1"; }
fail() { FAIL=$((FAIL + 1)); printf 'not ok - %s (%s)\n' "$1" "$2"; }
expect() { # what expected got
    if [[ $3 == "$2" ]]; then pass "$1"; else fail "$1" "expected $(short "$2"), got $(short "$3")"; fi
}
expect_match() { # what regex got
    if [[ $3 =~ $2 ]]; then pass "$1"; else fail "$1" "expected to match /$2/, got $(short "$3")"; fi
}
note() { printf '# %s\n' "$*"; }
# A check of an optional feature the server under test does not offer (CONTRACT.md's
# protections and Server-Timing): reported, counted, never passed.
skip() { SKIP=$((SKIP + 1)); printf 'ok - %s # SKIP %s\n' "$1" "$2"; }
summary() { printf '%d passed, %d failed, %d skipped\n' "$PASS" "$FAIL" "$SKIP"; }
bail() { # setup failed: count it, summarize, stop (the EXIT trap cleans up)
    fail "$1" "$2"
    summary
    exit 1
}

# ---------------------------------------------------------------------------------------------
# Throwaway PostgreSQL, Redis and the server; the trap always stops them and removes the dirs

WORK="" PGTMP="" RDTMP=""
PGPORT="" RPORT="" RPID="" SPID="" S2PID=""

# free_port, as_pg
source "$(dirname "${BASH_SOURCE[0]}")/lib/services.sh"

stop_pid() { # pid [seconds]: TERM, then KILL after the grace period
    local pid=$1 grace=${2:-10} i
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    stop_pid "$S2PID" 10
    stop_pid "$SPID" 10
    stop_pid "$RPID" 5
    if [[ -n $PGTMP && -f $PGTMP/data/postmaster.pid ]]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w -t 20 stop >/dev/null 2>&1
    fi
    if [[ -n ${KEEP_LOGS:-} && -n $WORK ]]; then
        echo "# logs kept in $KEEP_LOGS" >&2
        mkdir -p "$KEEP_LOGS"
        cp -r "$WORK"/. "$KEEP_LOGS"/ 2>/dev/null
        [[ -n $PGTMP ]] && cp "$PGTMP/pg.log" "$KEEP_LOGS"/ 2>/dev/null
    fi
    local d
    for d in "$WORK" "$PGTMP" "$RDTMP"; do [[ -n $d && -d $d ]] && rm -rf "$d"; done
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP


WORK=$(mktemp -d -t accord-walk.XXXXXX)
mkdir -p "$WORK/r"
PGTMP=$(mktemp -d -t accord-walk-pg.XXXXXX)
RDTMP=$(mktemp -d -t accord-walk-redis.XXXXXX)
PGLOG=$PGTMP/pg.log

pg_start() { # on $PGPORT; statements are logged, so the walk can see what the stats endpoint runs
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGLOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k '$PGTMP/sock' -c log_statement=all -c log_min_messages=warning" \
        start >>"$WORK/pg_ctl.out" 2>&1
}
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w -t 60 stop >>"$WORK/pg_ctl.out" 2>&1; }

redis_start() { # on $RPORT; waits until it answers PING
    redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$RDTMP" \
        --daemonize no --logfile "$RDTMP/redis.log" &
    RPID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        [[ $(redis-cli -h 127.0.0.1 -p "$RPORT" PING 2>/dev/null) == PONG ]] && return 0
        kill -0 "$RPID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
redis_stop() { stop_pid "$RPID" 10; RPID=""; }

start_server() { # outfile logfile [env assignments…]: starts accord serve, sets STARTED_PID and STARTED_PORT
    local out=$1 log=$2
    shift 2
    env "$@" "$ACCORD_BIN" serve --host 127.0.0.1 --port 0 \
        --database-url "postgresql://postgres@127.0.0.1:$PGPORT/postgres" \
        --redis-url "redis://127.0.0.1:$RPORT" >"$out" 2>"$log" &
    STARTED_PID=$!
    STARTED_PORT=""
    local i line
    for ((i = 0; i < 600; i++)); do
        line=$(head -n 1 "$out" 2>/dev/null || true)
        if [[ $line =~ ^listening\ on\ http://127\.0\.0\.1:([0-9]+)$ ]]; then
            STARTED_PORT=${BASH_REMATCH[1]}
            return 0
        fi
        kill -0 "$STARTED_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

note "accord: $ACCORD_BIN"
if ((IS_ROOT)); then chown postgres: "$PGTMP"; fi
as_pg mkdir -p "$PGTMP/sock"
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$WORK/initdb.out" 2>&1 ||
    bail "setup: initdb" "initdb failed: $(short "$(tail -n 5 "$WORK/initdb.out")")"
started=0
for _ in 1 2 3 4 5; do
    PGPORT=$(free_port) && pg_start && { started=1; break; }
done
((started)) || bail "setup: PostgreSQL starts" "pg_ctl start failed: $(short "$(tail -n 5 "$PGLOG" 2>/dev/null)")"
note "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT (data in $PGTMP)"
started=0
for _ in 1 2 3 4 5; do
    RPORT=$(free_port) && redis_start && { started=1; break; }
    redis_stop
done
((started)) || bail "setup: Redis starts" "redis-server did not answer PING: $(short "$(tail -n 5 "$RDTMP/redis.log" 2>/dev/null)")"
note "Redis $(redis-server --version | sed -E 's/.* v=([^ ]+).*/\1/') on 127.0.0.1:$RPORT"

start_server "$WORK/server.out" "$WORK/server.log" ||
    bail "setup: accord serve announces its port" "no 'listening on http://127.0.0.1:PORT' line: $(short "$(cat "$WORK/server.out") $(tail -n 5 "$WORK/server.log")")"
SPID=$STARTED_PID
APORT=$STARTED_PORT
BASE=http://127.0.0.1:$APORT
note "accord serve (pid $SPID) on $BASE"

# ---------------------------------------------------------------------------------------------
# Probes: HTTP (every response kept for the final checks), SQL, Redis

N=0
ALLOW_5XX=0   # 1 while a 503 is the expected answer (dependency outages)
ECHO=()       # client input the server may echo in an error body (removed before scanning it)
record() { # n status method path
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$ALLOW_5XX" "$3" "$4" >>"$WORK/index"
    if ((${#ECHO[@]})); then printf '%s\n' "${ECHO[@]}" >"$WORK/r/$1.echo"; fi
}
http() { # METHOD PATH [curl options…]: sets STATUS, BODY, HFILE
    local method=$1 path=$2
    shift 2
    N=$((N + 1))
    local b=$WORK/r/$N.body h=$WORK/r/$N.hdr
    STATUS=$(curl -sS -X "$method" -o "$b" -D "$h" -w '%{http_code}' --max-time 30 "$@" "$BASE$path" 2>>"$WORK/curl.err") || STATUS=${STATUS:-000}
    [[ -n $STATUS ]] || STATUS=000
    BODY=$(cat "$b" 2>/dev/null || true)
    HFILE=$h
    record "$N" "$STATUS" "$method" "$path"
}
hdr() { # NAME [file]: the last value of a response header
    local f=${2:-$HFILE}
    grep -i "^$1:" "$f" 2>/dev/null | tail -n 1 | cut -d: -f2- | tr -d '\r' | sed -E 's/^[[:space:]]+|[[:space:]]+$//g' || true
}
jget() { jq -r "$1" <<<"$BODY" 2>/dev/null || printf '<not json: %s>' "$(short "$BODY")"; }
jkeys() { jq -c 'keys' <<<"$BODY" 2>/dev/null || printf '<not json: %s>' "$(short "$BODY")"; }
enc() { jq -rn --arg v "$1" '$v|@uri'; }
query() { # name value …: an encoded query string
    local out="" k v
    while (($#)); do
        k=$1 v=$2
        shift 2
        out+="${out:+&}$k=$(enc "$v")"
    done
    printf '%s' "$out"
}
create() { # QUERY [BODY]: POST /api/v1/jobs (a body goes as application/json)
    if (($# >= 2)); then
        http POST "/api/v1/jobs?$1" -H 'Content-Type: application/json' --data-binary "$2"
    else
        http POST "/api/v1/jobs?$1"
    fi
}
create_file() { http POST "/api/v1/jobs?$1" -H 'Content-Type: application/json' --data-binary "@$2"; }
is_uuid() { [[ $1 =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]; }
safe_id() { if is_uuid "$1"; then printf '%s' "$1"; else printf '00000000-0000-0000-0000-000000000000'; fi; }
new_uuid() { cat /proc/sys/kernel/random/uuid; }

sql() { # one statement; tab-separated rows; never fails the script
    psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -XAtq -F $'\t' -v ON_ERROR_STOP=1 -c "$1" 2>>"$WORK/psql.err" ||
        printf '<psql failed>'
}
rc() { redis-cli -h 127.0.0.1 -p "$RPORT" "$@" 2>>"$WORK/redis-cli.err" || printf '<redis-cli failed>'; }
rj() { redis-cli -h 127.0.0.1 -p "$RPORT" --json "$@" 2>>"$WORK/redis-cli.err" || printf '<redis-cli failed>'; }

PNAMES=(emergency high normal low)
STREAMS=(jobs:stream:emergency jobs:stream:high jobs:stream:normal jobs:stream:low)

entries_in() { # STREAM JOB_ID: how many entries of the stream carry job_id = JOB_ID
    local out
    out=$(rj XRANGE "$1" - +)
    jq --arg id "$2" '[.[] | .[1] as $f | [range(0; $f | length; 2) as $i | select($f[$i] == "job_id" and $f[$i + 1] == $id)] | select(length > 0)] | length' <<<"$out" 2>/dev/null ||
        printf '<%s>' "$(short "$out")"
}
placement() { # JOB_ID: entries per stream, e.g. "emergency=0 high=1 normal=0 low=0"
    local i out=""
    for i in 0 1 2 3; do out+="${out:+ }${PNAMES[$i]}=$(entries_in "${STREAMS[$i]}" "$1")"; done
    printf '%s' "$out"
}
expected_placement() { # PRIORITY: the placement of a job enqueued exactly once at PRIORITY
    local i out=""
    for i in 0 1 2 3; do out+="${out:+ }${PNAMES[$i]}=$([[ $i == "$1" ]] && echo 1 || echo 0)"; done
    printf '%s' "$out"
}
entry_of() { # STREAM JOB_ID: the entry's fields as a JSON object, plus "_fields": the field names in order
    local out
    out=$(rj XRANGE "$1" - +)
    jq -c --arg id "$2" 'first(.[] | .[1] as $f | [range(0; $f | length; 2) as $i | {($f[$i]): $f[$i + 1]}] | add + {"_fields": [range(0; $f | length; 2) as $i | $f[$i]]} | select(.job_id == $id)) // null' <<<"$out" 2>/dev/null ||
        printf 'null'
}
xlen_sum() {
    local s t=0 n
    for s in "${STREAMS[@]}"; do
        n=$(rc XLEN "$s")
        [[ $n =~ ^[0-9]+$ ]] || { printf '<%s>' "$n"; return; }
        t=$((t + n))
    done
    printf '%s' "$t"
}
poll() { # SECONDS COMMAND…: until COMMAND succeeds (every 0.25 s); fails when time is up
    local deadline=$((SECONDS + $1))
    shift
    while :; do
        "$@" && return 0
        ((SECONDS >= deadline)) && return 1
        sleep 0.25
    done
}

STATUS_DOC='["artifacts","completed_at","error","job_id","progress","result","started_at","status"]'
CREATED_DOC='["domain","job_id","job_type","status"]'
not_found_body() { jq -cn --arg d "Job $1 not found" '{detail: $d}'; }

# ---------------------------------------------------------------------------------------------
note "the server"

sleep 0.3
expect "accord serve prints exactly one line to stdout: listening on http://127.0.0.1:PORT" \
    "listening on http://127.0.0.1:$APORT" "$(cat "$WORK/server.out")"

# ---------------------------------------------------------------------------------------------
note "GET /health and GET /"

http GET /health
expect "GET /health is 200" 200 "$STATUS"
expect "GET /health: status healthy, service control-plane" "healthy control-plane" "$(jget '"\(.status) \(.service)"')"
expect "GET /health: checks.database and checks.redis are ok" '{"database":"ok","redis":"ok"}' "$(jget '.checks|tojson')"
expect "GET /health: workers is an integer (0 consumers yet)" "0" "$(jget 'if (.workers|type) == "number" and (.workers|floor) == .workers then .workers else "not an integer: \(.workers)" end')"
expect "GET /health: Content-Type application/json" "application/json" "$(hdr Content-Type | cut -d';' -f1)"

http GET /
expect "GET / is 200" 200 "$STATUS"
expect "GET /: service control-plane, status operational, a version string" "control-plane operational true" \
    "$(jget '"\(.service) \(.status) \((.version|type) == "string" and (.version|length) > 0)"')"

# ---------------------------------------------------------------------------------------------
note "POST /api/v1/jobs and GET /api/v1/jobs/{id}: the row in PostgreSQL, the entry in Redis"

PAYLOAD1='{"depth":2,"tags":["a","b"],"nested":{"x":1.5,"y":null,"s":"caf\u00e9 \"quoted\""}}'
URL1='https://example.com/start?x=1&y=two'
create "$(query domain example.com url "$URL1" job_type navigate_extract strategy stealth priority 1 timeout_seconds 120)" "$PAYLOAD1"
expect "POST /api/v1/jobs is 201" 201 "$STATUS"
expect "201 body has exactly job_id, status, domain, job_type" "$CREATED_DOC" "$(jkeys)"
expect "201 body: status created, domain and job_type as sent" "created example.com navigate_extract" "$(jget '"\(.status) \(.domain) \(.job_type)"')"
J1=$(jget .job_id)
expect_match "201 body: job_id is a UUID" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "$J1"
expect "201 has no Idempotent-Replayed header" "" "$(hdr Idempotent-Replayed)"
J1=$(safe_id "$J1")

http GET "/api/v1/jobs/$J1"
expect "GET /api/v1/jobs/{id} is 200" 200 "$STATUS"
expect "GET job: exactly the 8 fields job_id, status, progress, result, error, started_at, completed_at, artifacts" "$STATUS_DOC" "$(jkeys)"
expect "GET job: job_id is the created id, status queued" "$J1 queued" "$(jget '"\(.job_id) \(.status)"')"
expect "GET job: result, error, started_at, completed_at are null; progress a number" "null null null null number" \
    "$(jget '"\(.result) \(.error) \(.started_at) \(.completed_at) \(.progress|type)"')"

row=$(sql "SELECT domain, url, job_type, strategy, priority, status, max_attempts, attempts, timeout_seconds, idempotency_key IS NULL, enqueued_at IS NOT NULL, created_at IS NOT NULL FROM jobs WHERE id = '$J1'")
expect "psql: the row is committed with the request's fields (status queued, max_attempts 3, attempts 0, enqueued_at set)" \
    "$(printf '%s\t' example.com "$URL1" navigate_extract stealth 1 queued 3 0 120 t t t | sed 's/\t$//')" "$row"
expect "psql: payload is the request body as JSON" "$(jq -cS . <<<"$PAYLOAD1")" \
    "$(sql "SELECT payload FROM jobs WHERE id = '$J1'" | jq -cS . 2>/dev/null || echo '<not json>')"
expect "redis: exactly one entry, in jobs:stream:high (priority 1)" "$(expected_placement 1)" "$(placement "$J1")"
E1=$(entry_of jobs:stream:high "$J1")
expect "redis: the entry's fields are job_id, priority, domain, timestamp, attempts, job_data" \
    '["attempts","domain","job_data","job_id","priority","timestamp"]' "$(jq -c '._fields|sort' <<<"$E1")"
expect "redis: job_id, priority 1, domain, attempts 0" "$J1 1 example.com 0" "$(jq -r '"\(.job_id) \(.priority) \(.domain) \(.attempts)"' <<<"$E1")"
expect_match "redis: timestamp is an ISO 8601 time" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}' "$(jq -r .timestamp <<<"$E1")"
JD=$(jq -r .job_data <<<"$E1")
expect "redis: job_data is JSON with exactly id, url, type, domain, strategy, payload, priority, timeout_seconds" \
    '["domain","id","payload","priority","strategy","timeout_seconds","type","url"]' "$(jq -c 'keys' <<<"$JD" 2>/dev/null || echo '<not json>')"
expect "redis: job_data values are the job's" \
    "$(jq -cnS --arg id "$J1" --arg url "$URL1" --argjson p "$PAYLOAD1" '{id: $id, url: $url, type: "navigate_extract", domain: "example.com", strategy: "stealth", payload: $p, priority: 1, timeout_seconds: 120}')" \
    "$(jq -cS . <<<"$JD" 2>/dev/null || echo '<not json>')"

create "$(query domain defaults.example url https://defaults.example/ job_type navigate_extract)"
JD2=$(safe_id "$(jget .job_id)")
expect "POST with only domain, url, job_type and no body is 201" 201 "$STATUS"
expect "defaults: strategy vanilla, priority 2, timeout_seconds 300, payload {} (row)" "$(printf 'vanilla\t2\t300\t{}')" \
    "$(sql "SELECT strategy, priority, timeout_seconds, payload FROM jobs WHERE id = '$JD2'")"
expect "defaults: exactly one entry, in jobs:stream:normal (priority 2)" "$(expected_placement 2)" "$(placement "$JD2")"
expect "defaults: job_data says vanilla, 2, 300, {}" "vanilla 2 300 {}" \
    "$(entry_of jobs:stream:normal "$JD2" | jq -r '.job_data | fromjson | "\(.strategy) \(.priority) \(.timeout_seconds) \(.payload|tojson)"' 2>/dev/null || echo '<none>')"
for p in 0 3; do
    create "$(query domain "prio$p.example" url https://example.com/ job_type t priority "$p" strategy assault)" '{}'
    jp=$(safe_id "$(jget .job_id)")
    expect "priority $p: 201 and exactly one entry, in jobs:stream:${PNAMES[$p]}" "201 $(expected_placement "$p")" "$STATUS $(placement "$jp")"
done
for s in "${STREAMS[@]}"; do
    groups=$(rj XINFO GROUPS "$s")
    expect "redis: $s has the consumer group workers" "true" "$(jq -r 'any(.[]; .name == "workers")' <<<"$groups" 2>/dev/null || short "$groups")"
done

cols=$(sql "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'jobs' AND column_name IN ('id','domain','url','job_type','strategy','payload','priority','status','max_attempts','attempts','timeout_seconds','result','artifacts','error','created_at','started_at','completed_at','idempotency_key','enqueued_at')")
expect "psql: table jobs has every column of the contract" \
    "artifacts,attempts,completed_at,created_at,domain,enqueued_at,error,id,idempotency_key,job_type,max_attempts,payload,priority,result,started_at,status,strategy,timeout_seconds,url" "$cols"
expect "psql: id is the primary key" "id" "$(sql "SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'jobs'::regclass AND i.indisprimary")"
expect "psql: idempotency_key has a unique index" "t" "$(sql "SELECT bool_or(i.indisunique) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'jobs'::regclass AND a.attname = 'idempotency_key' AND i.indnatts = 1")"
expect_match "psql: migrations are versioned (a migrations table with applied versions)" '^[1-9][0-9]*$' \
    "$(sql "SELECT count(*) FROM schema_migrations" 2>/dev/null)"

# ---------------------------------------------------------------------------------------------
note "unknown and malformed job ids"

U=$(new_uuid)
for id in "$U" not-a-uuid 12345 "${U^^}x" "${U//-/}"; do
    http GET "/api/v1/jobs/$id"
    expect "GET /api/v1/jobs/$id is 404 {\"detail\":\"Job $id not found\"}" "404 $(not_found_body "$id")" "$STATUS $(jq -c . <<<"$BODY" 2>/dev/null || short "$BODY")"
done

# ---------------------------------------------------------------------------------------------
note "POST /api/v1/jobs/{id}/cancel"

create "$(query domain cancel.example url https://cancel.example/ job_type t)"
JC=$(safe_id "$(jget .job_id)")
http POST "/api/v1/jobs/$JC/cancel"
expect "cancel a queued job is 200" 200 "$STATUS"
expect "cancel: the status document (8 fields)" "$STATUS_DOC" "$(jkeys)"
expect "cancel: job_id and status cancelled" "$JC cancelled" "$(jget '"\(.job_id) \(.status)"')"
expect "psql: the row is cancelled" cancelled "$(sql "SELECT status FROM jobs WHERE id = '$JC'")"
http GET "/api/v1/jobs/$JC"
expect "GET after cancel: 200 cancelled" "200 cancelled" "$STATUS $(jget .status)"
http POST "/api/v1/jobs/$JC/cancel"
expect "cancel again is 409 with a detail" "409 true" "$STATUS $(jget '(.detail|type) == "string" and (.detail|length) > 0')"
U=$(new_uuid)
http POST "/api/v1/jobs/$U/cancel"
expect "cancel an unknown id is 404 Job <id> not found" "404 $(not_found_body "$U")" "$STATUS $(jq -c . <<<"$BODY" 2>/dev/null || short "$BODY")"
http POST "/api/v1/jobs/not-a-uuid/cancel"
expect "cancel a malformed id is 404 Job <id> not found" "404 $(not_found_body not-a-uuid)" "$STATUS $(jq -c . <<<"$BODY" 2>/dev/null || short "$BODY")"
for st in running completed failed; do
    create "$(query domain "$st.example" url https://example.com/ job_type t)"
    js=$(safe_id "$(jget .job_id)")
    case $st in
    running) sql "UPDATE jobs SET status = 'running', started_at = now(), attempts = 1 WHERE id = '$js'" >/dev/null ;;
    completed) sql "UPDATE jobs SET status = 'completed', started_at = now(), completed_at = now(), result = '{\"ok\":true}', artifacts = '[\"a.png\"]' WHERE id = '$js'" >/dev/null ;;
    failed) sql "UPDATE jobs SET status = 'failed', started_at = now(), completed_at = now(), error = 'boom' WHERE id = '$js'" >/dev/null ;;
    esac
    http POST "/api/v1/jobs/$js/cancel"
    expect "cancel a $st job (set by a worker, via psql) is 409 with a detail; the row stays $st" "409 true $st" \
        "$STATUS $(jget '(.detail|type) == "string"') $(sql "SELECT status FROM jobs WHERE id = '$js'")"
    if [[ $st == completed ]]; then
        http GET "/api/v1/jobs/$js"
        expect "GET a completed job shows its result, artifacts and times" 'completed {"ok":true} ["a.png"] true true' \
            "$(jget '"\(.status) \(.result|tojson) \(.artifacts|tojson) \(.started_at != null) \(.completed_at != null)"')"
    fi
    if [[ $st == failed ]]; then
        http GET "/api/v1/jobs/$js"
        expect "GET a failed job shows its error" "failed boom" "$(jget '"\(.status) \(.error)"')"
    fi
done

# ---------------------------------------------------------------------------------------------
note "GET /api/v1/queue/stats against XLEN, XPENDING, ZCARD and SELECT status, count(*)"

# A worker takes one job from jobs:stream:normal (pending 1), plus one dead letter and one delayed job.
rc XREADGROUP GROUP workers walker-1 COUNT 1 STREAMS jobs:stream:normal '>' >/dev/null
rc XADD jobs:dlq '*' job_id dead-letter-1 error walk >/dev/null
rc ZADD jobs:delayed "$(($(date +%s) + 3600))" delayed-job-1 >/dev/null

check_stats() { # LABEL
    local label=$1 i name xl xp sq st
    http GET /api/v1/queue/stats
    expect "$label: GET /api/v1/queue/stats is 200" 200 "$STATUS"
    st=$BODY
    STATS=$BODY
    expect "$label: stats has emergency, high, normal, low, dlq, delayed, total, jobs" \
        '["delayed","dlq","emergency","high","jobs","low","normal","total"]' "$(jkeys)"
    for i in 0 1 2 3; do
        name=${PNAMES[$i]}
        xl=$(rc XLEN "${STREAMS[$i]}")
        xp=$(rj XPENDING "${STREAMS[$i]}" workers | jq -r '.[0]' 2>/dev/null || echo '?')
        expect "$label: $name {length, pending} = XLEN, XPENDING of ${STREAMS[$i]}" "{\"length\":$xl,\"pending\":$xp}" \
            "$(jq -cS ".$name" <<<"$st" 2>/dev/null)"
    done
    expect "$label: dlq {length} = XLEN jobs:dlq" "{\"length\":$(rc XLEN jobs:dlq)}" "$(jq -cS .dlq <<<"$st" 2>/dev/null)"
    expect "$label: delayed {count} = ZCARD jobs:delayed" "{\"count\":$(rc ZCARD jobs:delayed)}" "$(jq -cS .delayed <<<"$st" 2>/dev/null)"
    expect "$label: total = the sum of the four stream lengths" "$(xlen_sum)" "$(jq -r .total <<<"$st" 2>/dev/null)"
    sq=$(sql "SELECT status, count(*) FROM jobs GROUP BY status" |
        jq -cSRn '{pending: 0, queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0} + ([inputs | select(length > 0) | split("\t") | {(.[0]): (.[1] | tonumber)}] | add // {})')
    expect "$label: jobs.by_status = SELECT status, count(*) FROM jobs GROUP BY status" "$sq" "$(jq -cS .jobs.by_status <<<"$st" 2>/dev/null)"
    expect "$label: jobs.total = SELECT count(*) FROM jobs" "$(sql "SELECT count(*) FROM jobs")" "$(jq -r .jobs.total <<<"$st" 2>/dev/null)"
}
# Workers change rows behind the server's back: a multi-row update and a delete.
sql "UPDATE jobs SET status = 'completed', completed_at = now() WHERE domain IN ('prio0.example', 'prio3.example')" >/dev/null
sql "DELETE FROM jobs WHERE id = '$JD2'" >/dev/null
check_stats "stats"
expect "the stats are non-trivial (normal.pending 1, dlq 1, delayed 1, several statuses)" "1 1 1 true" \
    "$(jq -r '"\(.normal.pending) \(.dlq.length) \(.delayed.count) \([.jobs.by_status[] | select(. > 0)] | length > 3)"' <<<"$STATS" 2>/dev/null)"

workers_is() { http GET /health; [[ $(jget .workers) == "$1" ]]; }
if poll 5 workers_is 1; then pass "GET /health: workers is 1 once a consumer read from the group"; else
    fail "GET /health: workers is 1 once a consumer read from the group" "expected 1 within 5 s, got $(jget .workers)"; fi

# No scan of jobs on the request path: PostgreSQL logs every statement; during five stats
# calls nothing may touch the jobs table (the relay's background poll for unenqueued rows aside).
offset=$(stat -c %s "$PGLOG")
for _ in 1 2 3 4 5; do http GET /api/v1/queue/stats; done
sleep 0.3
tail -c +"$((offset + 1))" "$PGLOG" |
    awk '/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { if (e != "") print e; e = $0; next } { e = e " " $0 } END { if (e != "") print e }' \
        >"$WORK/stats-window.log"
on_jobs=$(grep -E 'LOG: +(statement|execute)' "$WORK/stats-window.log" | grep -Ei '(from|join|update|into)[[:space:]]+"?jobs"?([^_[:alnum:]]|$)' |
    grep -v 'enqueued_at IS NULL' || true)
counters=$(grep -cE 'LOG: +(statement|execute).*job_status_counts' "$WORK/stats-window.log" || true)
expect "stats costs the same with 1 job or 10 million: 5 stats calls ran no statement on table jobs (PostgreSQL statement log)" \
    "" "$(short "$on_jobs")"
expect_match "stats read the status counters instead (>= 5 statements on job_status_counts in the log window)" '^([5-9]|[1-9][0-9]+)$' "$counters"

# ---------------------------------------------------------------------------------------------
note "validation: every rule of CONTRACT.md is 422 with FastAPI's detail; nothing is written on a 4xx"

rows_before=$(sql "SELECT count(*) FROM jobs")
entries_before=$(xlen_sum)
D=domain=example.com
UQ=url=https%3A%2F%2Fexample.com%2F
T=job_type=navigate_extract
BASEQ="$D&$UQ&$T"
long() { head -c "$1" /dev/zero | tr '\0' "${2:-a}"; }

vcase() { # WHAT LOC QUERY [BODY]
    local what=$1 loc=$2 q=$3
    if (($# >= 4)); then create "$q" "$4"; else create "$q"; fi
    if [[ $STATUS == 422 && $(jget '.detail[0].loc|tojson') == "$loc" ]] &&
        jq -e '.detail | type == "array" and length >= 1 and all(.[]; (.loc|type) == "array" and (.msg|type) == "string" and (.type|type) == "string")' <<<"$BODY" >/dev/null 2>&1; then
        pass "422 for $what: detail[0].loc $loc"
    else
        fail "422 for $what: detail[0].loc $loc" "expected 422 with detail[0].loc $loc, got $STATUS $(short "$BODY")"
    fi
}
LD='["query","domain"]' LU='["query","url"]' LT='["query","job_type"]' LS='["query","strategy"]'
LP='["query","priority"]' LO='["query","timeout_seconds"]' LK='["query","idempotency_key"]' LB='["body"]'

vcase "domain missing" "$LD" "$UQ&$T"
vcase "domain empty" "$LD" "domain=&$UQ&$T"
vcase "domain of 254 characters" "$LD" "domain=$(long 254)&$UQ&$T"
vcase "domain with a control character (%01)" "$LD" "domain=exa%01mple.com&$UQ&$T"
vcase "domain with a newline (%0A)" "$LD" "domain=example.com%0A&$UQ&$T"
vcase "domain with NUL (%00)" "$LD" "domain=exa%00mple.com&$UQ&$T"
vcase "domain with DEL (%7F)" "$LD" "domain=example%7F.com&$UQ&$T"
vcase "domain with a C1 control (U+0085)" "$LD" "domain=example%C2%85.com&$UQ&$T"
vcase "domain not valid percent-encoding (%ZZ)" "$LD" "domain=%ZZ&$UQ&$T"
vcase "domain not UTF-8 (%FF)" "$LD" "domain=%FF&$UQ&$T"
vcase "url missing" "$LU" "$D&$T"
vcase "url empty" "$LU" "$D&url=&$T"
vcase "url relative (example.com/x)" "$LU" "$D&url=example.com%2Fx&$T"
vcase "url relative (/path)" "$LU" "$D&url=%2Fpath&$T"
vcase "url ftp://" "$LU" "$D&url=$(enc ftp://example.com/)&$T"
vcase "url javascript:" "$LU" "$D&url=$(enc 'javascript:alert(1)')&$T"
vcase "url file:///" "$LU" "$D&url=$(enc file:///etc/passwd)&$T"
vcase "url without a host (https://)" "$LU" "$D&url=$(enc https://)&$T"
vcase "url with a space" "$LU" "$D&url=$(enc 'https://exa mple.com/')&$T"
vcase "url with a control character" "$LU" "$D&url=https%3A%2F%2Fexample.com%2F%01&$T"
vcase "url of 2049 characters" "$LU" "$D&url=$(enc "https://example.com/$(long 2029)")&$T"
vcase "job_type missing" "$LT" "$D&$UQ"
vcase "job_type empty" "$LT" "$D&$UQ&job_type="
vcase "job_type of 65 characters" "$LT" "$D&$UQ&job_type=$(long 65)"
vcase "job_type with capitals (Navigate)" "$LT" "$D&$UQ&job_type=Navigate"
vcase "job_type with a space" "$LT" "$D&$UQ&job_type=nav+extract"
vcase "job_type with a slash" "$LT" "$D&$UQ&job_type=nav%2Fextract"
vcase "job_type with a non-ASCII letter (é)" "$LT" "$D&$UQ&job_type=caf%C3%A9"
vcase "strategy turbo" "$LS" "$BASEQ&strategy=turbo"
vcase "strategy empty" "$LS" "$BASEQ&strategy="
vcase "strategy VANILLA (case matters)" "$LS" "$BASEQ&strategy=VANILLA"
vcase "priority -1" "$LP" "$BASEQ&priority=-1"
vcase "priority 4" "$LP" "$BASEQ&priority=4"
vcase "priority abc" "$LP" "$BASEQ&priority=abc"
vcase "priority 1.5" "$LP" "$BASEQ&priority=1.5"
vcase "priority empty" "$LP" "$BASEQ&priority="
vcase "priority 99999999999999999999999" "$LP" "$BASEQ&priority=99999999999999999999999"
vcase "timeout_seconds 0" "$LO" "$BASEQ&timeout_seconds=0"
vcase "timeout_seconds 86401" "$LO" "$BASEQ&timeout_seconds=86401"
vcase "timeout_seconds -5" "$LO" "$BASEQ&timeout_seconds=-5"
vcase "timeout_seconds x" "$LO" "$BASEQ&timeout_seconds=x"
vcase "idempotency_key empty" "$LK" "$BASEQ&idempotency_key="
vcase "idempotency_key of 256 characters" "$LK" "$BASEQ&idempotency_key=$(long 256 k)"
vcase "idempotency_key with a control character (%01)" "$LK" "$BASEQ&idempotency_key=key%01"
vcase "idempotency_key with a newline (%0A)" "$LK" "$BASEQ&idempotency_key=key%0A"
vcase "idempotency_key with NUL (%00)" "$LK" "$BASEQ&idempotency_key=key%00"
vcase "idempotency_key with DEL (%7F)" "$LK" "$BASEQ&idempotency_key=key%7F"
vcase "body a JSON array" "$LB" "$BASEQ" '[1,2]'
vcase "body a JSON string" "$LB" "$BASEQ" '"x"'
vcase "body a JSON number" "$LB" "$BASEQ" '42'
vcase "body JSON null" "$LB" "$BASEQ" 'null'
vcase "body JSON true" "$LB" "$BASEQ" 'true'
vcase "malformed JSON (truncated)" "$LB" "$BASEQ" '{"a":'
vcase "malformed JSON (single quotes)" "$LB" "$BASEQ" "{'a':1}"
vcase "malformed JSON (trailing comma)" "$LB" "$BASEQ" '{"a":1,}'
vcase "malformed JSON (two values)" "$LB" "$BASEQ" '{} {}'
vcase "malformed JSON (not UTF-8)" "$LB" "$BASEQ" "$(printf '{"a":"\xff"}')"

create "priority=9&timeout_seconds=0&$UQ&$T"
expect "several violations at once: 422 listing each (domain, priority, timeout_seconds)" \
    '422 ["query","domain"] ["query","priority"] ["query","timeout_seconds"]' \
    "$STATUS $(jget '[.detail[].loc|tojson]|sort|join(" ")')"

# 413: a body over 64 KiB (with a length, and chunked without one)
printf '{"pad":"%s"}' "$(long 65527 x)" >"$WORK/body-65537.json"
printf '{"pad":"%s"}' "$(long 69990 x)" >"$WORK/body-70000.json"
printf '{"pad":"%s"}' "$(long 65526 x)" >"$WORK/body-65536.json"
printf '{"pad":"%s"}' "$(long 2000000 x)" >"$WORK/body-2m.json"
create_file "$BASEQ" "$WORK/body-65537.json"
expect "a body of 65537 bytes (64 KiB + 1) is 413 with a detail" "413 true" "$STATUS $(jget '.detail != null')"
create_file "$BASEQ" "$WORK/body-70000.json"
expect "a body of 70000 bytes is 413" 413 "$STATUS"
http POST "/api/v1/jobs?$BASEQ" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary "@$WORK/body-70000.json"
expect "a chunked body of 70000 bytes (no Content-Length) is 413" 413 "$STATUS"
create_file "$BASEQ" "$WORK/body-2m.json"
expect "a body of 2 MB is 413" 413 "$STATUS"

# Other client mistakes: never a 5xx, never a write (judged below and at the end)
http POST "/api/v1/jobs?$BASEQ" -H 'Content-Type: text/plain' --data-binary '{"a":1}'
expect_match "a text/plain body is a 4xx" '^4[0-9][0-9]$' "$STATUS"
http GET /api/v1/nope
expect "an unknown route is 404" 404 "$STATUS"
http DELETE "/api/v1/jobs/$J1"
expect_match "DELETE /api/v1/jobs/{id} (no such route) is a 4xx" '^4[0-9][0-9]$' "$STATUS"
http GET "/api/v1/jobs/$(long 5000 f)"
expect "a 5000-character id is 404" 404 "$STATUS"
http GET "/api/v1/jobs/abc%00def"
expect_match "an id with NUL (%00) is a 4xx" '^4[0-9][0-9]$' "$STATUS"

rows_after=$(sql "SELECT count(*) FROM jobs")
entries_after=$(xlen_sum)
expect "nothing is written on a 4xx: rows and stream entries unchanged" "rows $rows_before, entries $entries_before" "rows $rows_after, entries $entries_after"

note "validation: the limits themselves are accepted"
acase() { # WHAT QUERY [BODY]: 201, and the given domain stored verbatim when CHECK_DOMAIN is set
    local what=$1 q=$2
    if (($# >= 3)); then create "$q" "$3"; else create "$q"; fi
    expect "201 for $what" 201 "$STATUS"
}
acase "domain of 253 characters" "domain=$(long 253)&$UQ&$T"
acase "domain of one character" "domain=x&$UQ&$T"
acase "an internationalized domain (bücher.example)" "domain=$(enc bücher.example)&$UQ&$T"
jb=$(safe_id "$(jget .job_id)")
expect "psql: the internationalized domain is stored verbatim" "bücher.example" "$(sql "SELECT domain FROM jobs WHERE id = '$jb'")"
acase "url of 2048 characters" "$D&url=$(enc "https://example.com/$(long 2028)")&$T"
acase "url http:// with a port, query and fragment" "$D&url=$(enc 'http://example.com:8080/a/b?c=d&e=f#g')&$T"
acase "url HTTPS:// (scheme in capitals)" "$D&url=$(enc HTTPS://EXAMPLE.COM/)&$T"
acase "job_type of 64 characters" "$D&$UQ&job_type=$(long 64 z)"
acase "job_type with every allowed kind of character (a-z0-9_.-)" "$D&$UQ&job_type=abc.xyz_019-a"
for s in vanilla stealth assault; do acase "strategy $s" "$BASEQ&strategy=$s"; done
acase "timeout_seconds 1" "$BASEQ&timeout_seconds=1"
acase "timeout_seconds 86400" "$BASEQ&timeout_seconds=86400"
acase "idempotency_key of 255 characters" "$BASEQ&idempotency_key=$(long 255 "$((RANDOM % 10))")"
acase "idempotency_key of one character" "$BASEQ&idempotency_key=Z"
acase "idempotency_key with spaces and punctuation" "$BASEQ&idempotency_key=$(enc "order #$RANDOM$RANDOM: ok? yes!")"
acase "a body of exactly 65536 bytes (64 KiB)" "$BASEQ" "$(cat "$WORK/body-65536.json")"
acase "a whitespace-only body (payload {})" "$BASEQ" $' \n\t '
jw=$(safe_id "$(jget .job_id)")
expect "psql: a whitespace-only body is stored as payload {}" "{}" "$(sql "SELECT payload FROM jobs WHERE id = '$jw'")"
acase "a body with nested objects, unicode and \\u0000 in a string" "$BASEQ" '{"a":{"b":[1,2.5,true,null]},"u":"\u00e9\u2603","z":"nul\u0000byte"}'
jz=$(safe_id "$(jget .job_id)")
expect "psql: that payload round-trips as the same JSON" '{"a":{"b":[1,2.5,true,null]},"u":"é☃","z":"nul\u0000byte"}' \
    "$(sql "SELECT payload FROM jobs WHERE id = '$jz'" | jq -cS . 2>/dev/null || echo '<not json>')"

# ---------------------------------------------------------------------------------------------
note "idempotency: replays, conflicts, and a 50-way race"

K="walk-$(new_uuid)"
IQ="$(query domain idem.example url https://idem.example/a job_type navigate_extract idempotency_key "$K")"
create "$IQ" '{"a":1,"b":[1,2]}'
expect "first create with an idempotency key is 201" 201 "$STATUS"
JK=$(safe_id "$(jget .job_id)")
create "$IQ" '{"a":1,"b":[1,2]}'
expect "the same request again is 200 with Idempotent-Replayed: true" "200 true" "$STATUS $(hdr Idempotent-Replayed)"
expect "the replay answers the stored job's fields (same job_id)" "$JK created idem.example navigate_extract" "$(jget '"\(.job_id) \(.status) \(.domain) \(.job_type)"')"
create "$(query idempotency_key "$K" job_type navigate_extract strategy vanilla priority 2 timeout_seconds 300 url https://idem.example/a domain idem.example)" '{ "b" : [1,2], "a" : 1 }'
expect "a replay with reordered parameters, explicit defaults and reordered JSON keys is the same request: 200, same job_id" \
    "200 true $JK" "$STATUS $(hdr Idempotent-Replayed) $(jget .job_id)"
create "$(query domain idem.example url https://idem.example/OTHER job_type navigate_extract idempotency_key "$K")" '{"a":1,"b":[1,2]}'
expect "a replay with a different url is 409 with a detail" "409 true" "$STATUS $(jget '(.detail|type) == "string"')"
create "$IQ" '{"a":2,"b":[1,2]}'
expect "a replay with a different payload is 409" 409 "$STATUS"
create "$IQ&priority=0" '{"a":1,"b":[1,2]}'
expect "a replay with a different priority is 409" 409 "$STATUS"
create "$IQ&strategy=assault" '{"a":1,"b":[1,2]}'
expect "a replay with a different strategy is 409" 409 "$STATUS"
expect "one row for the key, one stream entry for its job" "1 $(expected_placement 2)" \
    "$(sql "SELECT count(*) FROM jobs WHERE idempotency_key = '$K'") $(placement "$JK")"

race() { # NAME COUNT QUERY BODY_ODD BODY_EVEN: COUNT simultaneous creates (a barrier, then all at once);
    # sets RACE_CODES[i], RACE_IDS[i], RACE_REPLAYED[i] (i from 1) and records every response
    local name=$1 count=$2 q=$3 odd=$4 even=$5 i dir=$WORK/race-$1 body code
    local -a pids=()
    mkdir -p "$dir"
    for ((i = 1; i <= count; i++)); do
        body=$odd
        ((i % 2 == 0)) && body=$even
        (
            while [[ ! -e $dir/go ]]; do sleep 0.01; done
            curl -sS -X POST -o "$dir/$i.body" -D "$dir/$i.hdr" -w '%{http_code}' --max-time 60 \
                -H 'Content-Type: application/json' --data-binary "$body" "$BASE/api/v1/jobs?$q" >"$dir/$i.code" 2>>"$WORK/curl.err" || true
        ) &
        pids+=($!)
    done
    sleep 0.5
    touch "$dir/go"
    wait "${pids[@]}" || true
    RACE_CODES=("") RACE_IDS=("") RACE_REPLAYED=("")
    for ((i = 1; i <= count; i++)); do
        N=$((N + 1))
        cp "$dir/$i.body" "$WORK/r/$N.body" 2>/dev/null || : >"$WORK/r/$N.body"
        cp "$dir/$i.hdr" "$WORK/r/$N.hdr" 2>/dev/null || : >"$WORK/r/$N.hdr"
        code=$(cat "$dir/$i.code" 2>/dev/null || true)
        record "$N" "${code:-000}" POST "/api/v1/jobs?$q"
        RACE_CODES+=("${code:-000}")
        RACE_IDS+=("$(jq -r '.job_id // "-"' "$WORK/r/$N.body" 2>/dev/null || echo '?')")
        RACE_REPLAYED+=("$(hdr Idempotent-Replayed "$WORK/r/$N.hdr")")
    done
}

RK="race-$(new_uuid)"
RQ="$(query domain race.example url https://race.example/ job_type navigate_extract priority 3 idempotency_key "$RK")"
race same 50 "$RQ" '{"race":true}' '{"race":true}'
c201=0 c200=0 cother="" replayed=0
for ((i = 1; i <= 50; i++)); do
    case ${RACE_CODES[$i]} in
    201) c201=$((c201 + 1)) ;;
    200)
        c200=$((c200 + 1))
        [[ ${RACE_REPLAYED[$i]} == true ]] && replayed=$((replayed + 1))
        ;;
    *) cother+="${cother:+,}${RACE_CODES[$i]}" ;;
    esac
done
ids=("${RACE_IDS[@]:1}")
expect "50 simultaneous creates with one key: exactly one 201 and 49 x 200" "201 x1, 200 x49, other: none" "201 x$c201, 200 x$c200, other: ${cother:-none}"
expect "all 49 replays carry Idempotent-Replayed: true" 49 "$replayed"
distinct=$(printf '%s\n' "${ids[@]}" | sort -u)
expect "all 50 answers name the same job_id" 1 "$(printf '%s\n' "$distinct" | grep -c .)"
JR=$(safe_id "$(head -n 1 <<<"$distinct")")
expect "the race made one row" 1 "$(sql "SELECT count(*) FROM jobs WHERE idempotency_key = '$RK'")"
expect "the race made one stream entry (jobs:stream:low, priority 3)" "$(expected_placement 3)" "$(placement "$JR")"
expect "no other entry of race.example in any stream" 1 \
    "$(for s in "${STREAMS[@]}"; do rj XRANGE "$s" - +; done | jq -s '[.[][] | .[1] as $f | select([range(0; $f | length; 2) as $i | select($f[$i] == "domain" and $f[$i + 1] == "race.example")] | length > 0)] | length' 2>/dev/null)"

RK2="race2-$(new_uuid)"
RQ2="$(query domain race2.example url https://race2.example/ job_type navigate_extract idempotency_key "$RK2")"
race conflict 30 "$RQ2" '{"side":"odd"}' '{"side":"even"}'
winner=""
for ((i = 1; i <= 30; i++)); do [[ ${RACE_CODES[$i]} == 201 ]] && winner+="${winner:+ }$i"; done
verdict="one 201"
if [[ $winner =~ ^[0-9]+$ ]]; then
    wid=${RACE_IDS[$winner]}
    for ((i = 1; i <= 30; i++)); do
        [[ $i == "$winner" ]] && continue
        if ((i % 2 == winner % 2)); then
            want="200 true $wid"
            got="${RACE_CODES[$i]} ${RACE_REPLAYED[$i]:--} ${RACE_IDS[$i]}"
        else
            want="409 -"
            got="${RACE_CODES[$i]} ${RACE_REPLAYED[$i]:--}"
        fi
        [[ $got == "$want" ]] || { verdict="request $i: expected $want, got $got"; break; }
    done
else
    verdict="201 from requests: ${winner:-none}"
fi
expect "30 simultaneous creates with one key and two payloads: one 201; the winner's twins 200 replays, the others 409" "one 201" "$verdict"
expect "that race made one row, and one stream entry" "1 $(expected_placement 2)" \
    "$(sql "SELECT count(*) FROM jobs WHERE idempotency_key = '$RK2'") $(placement "$(safe_id "${wid:-}")")"

K3="nobody-$(new_uuid)"
create "$(query domain idem.example url https://idem.example/ job_type t idempotency_key "$K3")"
create "$(query domain idem.example url https://idem.example/ job_type t idempotency_key "$K3")" '{}'
expect "absent body = {}: a replay with body {} of a create without a body is the same request (200)" "200 true" "$STATUS $(hdr Idempotent-Replayed)"

# ---------------------------------------------------------------------------------------------
note "SQL-injection-looking input: stored verbatim, never a 5xx"

INJ_DOMAINS=(
    "example.com'; DROP TABLE jobs;--"
    "x' OR '1'='1"
    "'); DELETE FROM jobs WHERE ('1'='1"
    "a\"; SELECT pg_sleep(5); --"
    "\\'; TRUNCATE jobs; --"
)
for d in "${INJ_DOMAINS[@]}"; do
    create "$(query domain "$d" url "https://example.com/?q=1'OR'1'='1" job_type navigate_extract)" '{"q":"1; DROP TABLE jobs","$where":"1 == 1"}'
    ji=$(jget .job_id)
    expect "create with domain $d: 201, echoed verbatim" "201 $d" "$STATUS $(jget .domain)"
    ji=$(safe_id "$ji")
    expect "psql: domain $d stored verbatim" "$d" "$(sql "SELECT domain FROM jobs WHERE id = '$ji'")"
    expect "redis: the entry's domain is $d" "$d" "$(entry_of jobs:stream:normal "$ji" | jq -r .domain 2>/dev/null)"
done
for k in "' OR '1'='1" "k'); DROP TABLE jobs;-- $RANDOM$RANDOM" "\\\"; DELETE FROM jobs; -- $RANDOM"; do
    kq="$(query domain inj.example url https://inj.example/ job_type t idempotency_key "$k")"
    create "$kq"
    first=$STATUS jk=$(jget .job_id)
    create "$kq"
    expect "idempotency_key $k: 201, then a 200 replay of the same job" "201 200 true $jk" "$first $STATUS $(hdr Idempotent-Replayed) $(jget .job_id)"
    expect "psql: idempotency_key $k stored verbatim" "$k" "$(sql "SELECT idempotency_key FROM jobs WHERE id = '$(safe_id "$jk")'")"
done
for id in "' OR '1'='1" "1; DROP TABLE jobs" "$(new_uuid)' OR 'a'='a" "00000000-0000-0000-0000-00000000000'"; do
    e=$(enc "$id")
    ECHO=("$id" "$e")
    http GET "/api/v1/jobs/$e"
    got="$STATUS $(jget .detail)"
    if [[ $got == "404 Job $id not found" || $got == "404 Job $e not found" ]]; then pass "GET /api/v1/jobs/$id is 404 Job <id> not found"; else
        fail "GET /api/v1/jobs/$id is 404 Job <id> not found" "expected 404 Job $id not found, got $(short "$got")"; fi
    http POST "/api/v1/jobs/$e/cancel"
    expect "POST /api/v1/jobs/$id/cancel is 404" 404 "$STATUS"
    ECHO=()
done
expect "the jobs table is intact (its rows are all still there)" "t" "$(sql "SELECT count(*) >= $rows_after FROM jobs")"

# ---------------------------------------------------------------------------------------------
note "observability"

http GET /api/v1/queue/stats -H 'X-Request-Id: walk-request-42'
expect "X-Request-Id sent is echoed" walk-request-42 "$(hdr X-Request-Id)"

# Streams are never trimmed: every entry ever added to a stream is still there (no worker acked one).
for s in "${STREAMS[@]}"; do
    info=$(rj XINFO STREAM "$s")
    expect "redis: $s was never trimmed (entries-added = length)" "true" "$(jq -r '."entries-added" == .length' <<<"$info" 2>/dev/null || short "$info")"
done

# ---------------------------------------------------------------------------------------------
note "Redis outage: 201s stay durable, /health degrades, the relay enqueues exactly once"

redis_stop
ALLOW_5XX=1
create "$(query domain outage.example url https://outage.example/1 job_type navigate_extract priority 0)" '{"n":1}'
expect "with Redis down, create is 201" 201 "$STATUS"
O1=$(safe_id "$(jget .job_id)")
KO="outage-$(new_uuid)"
OQ="$(query domain outage.example url https://outage.example/2 job_type navigate_extract priority 3 idempotency_key "$KO")"
create "$OQ" '{"n":2}'
expect "with Redis down, create with an idempotency key is 201" 201 "$STATUS"
O2=$(safe_id "$(jget .job_id)")
create "$OQ" '{"n":2}'
expect "with Redis down, its replay is 200 with Idempotent-Replayed: true and the same job" "200 true $O2" "$STATUS $(hdr Idempotent-Replayed) $(jget .job_id)"
create "$(query domain outage.example url https://outage.example/3 job_type navigate_extract priority 1)"
O3=$(safe_id "$(jget .job_id)")
http POST "/api/v1/jobs/$O3/cancel"
expect "with Redis down, a job not yet enqueued can be cancelled: 200 cancelled" "200 cancelled" "$STATUS $(jget .status)"
http GET "/api/v1/jobs/$O1"
expect "with Redis down, GET job is 200" 200 "$STATUS"
expect "psql: the jobs created during the outage are committed" 3 "$(sql "SELECT count(*) FROM jobs WHERE id IN ('$O1', '$O2', '$O3')")"
health_is() { http GET /health; [[ "$STATUS $(jget '"\(.status) \(.checks.database) \(.checks.redis)"')" == "$1" ]]; }
if poll 5 health_is "503 degraded ok unavailable"; then
    pass "GET /health is 503 degraded with checks.redis unavailable within 5 s"
else
    fail "GET /health is 503 degraded with checks.redis unavailable within 5 s" "got $STATUS $(short "$BODY")"
fi
http GET /api/v1/queue/stats
expect "with Redis down, queue stats is 503" 503 "$STATUS"
expect "the 503 body is only detail (and request_id): no internals" "true" \
    "$(jget '(keys - ["detail", "request_id"]) == [] and (.detail|type) == "string"')"
leak=$(grep -Eio "redis://|127\.0\.0\.1|:$RPORT|hiredis|refused|ECONNREFUSED|errno|\.swift" <<<"$BODY" | head -n 3 | tr '\n' ' ' || true)
expect "the 503 body names no address, port, library or errno" "" "$leak"

RPORT_BEFORE=$RPORT
redis_start || bail "Redis restarts on port $RPORT" "$(short "$(tail -n 5 "$RDTMP/redis.log")")"
note "Redis restarted on the same port ($RPORT_BEFORE), empty"
enqueued_both() { [[ $(entries_in jobs:stream:emergency "$O1") == 1 && $(entries_in jobs:stream:low "$O2") == 1 ]]; }
if poll 10 enqueued_both; then pass "after the restart the relay enqueues the outage jobs within 10 s"; else
    fail "after the restart the relay enqueues the outage jobs within 10 s" "got $O1: $(placement "$O1"); $O2: $(placement "$O2")"; fi
sleep 2.5   # five relay intervals: a duplicate would show now
expect "the first outage job is in jobs:stream:emergency exactly once" "$(expected_placement 0)" "$(placement "$O1")"
expect "the second outage job is in jobs:stream:low exactly once (its replay added nothing)" "$(expected_placement 3)" "$(placement "$O2")"
expect "the job cancelled during the outage never reaches a stream" "emergency=0 high=0 normal=0 low=0" "$(placement "$O3")"
expect "no job enqueued before the outage is enqueued again (the streams hold just the 2 outage jobs)" 2 "$(xlen_sum)"
expect "psql: the outage jobs are queued now, enqueued_at set" "$(printf 'queued\tt\nqueued\tt')" \
    "$(sql "SELECT status, enqueued_at IS NOT NULL FROM jobs WHERE id IN ('$O1', '$O2') ORDER BY priority")"
E0=$(entry_of jobs:stream:emergency "$O1")
expect "the relayed entry carries the contract's fields and job_data" "$O1 0 outage.example 0 https://outage.example/1 {\"n\":1}" \
    "$(jq -r '"\(.job_id) \(.priority) \(.domain) \(.attempts) \(.job_data|fromjson|.url) \(.job_data|fromjson|.payload|tojson)"' <<<"$E0" 2>/dev/null)"
if poll 10 health_is "200 healthy ok ok"; then pass "GET /health is 200 healthy again within 10 s"; else
    fail "GET /health is 200 healthy again within 10 s" "got $STATUS $(short "$BODY")"; fi
ALLOW_5XX=0
for s in "${STREAMS[@]}"; do
    groups=$(rj XINFO GROUPS "$s")
    expect "after the restart, $s has the consumer group workers again" "true" "$(jq -r 'any(.[]; .name == "workers")' <<<"$groups" 2>/dev/null || short "$groups")"
done
check_stats "after the Redis outage"
create "$(query domain after-outage.example url https://example.com/ job_type t)"
ja=$(safe_id "$(jget .job_id)")
expect "after the outage, create is 201 and enqueued at once" "201 $(expected_placement 2)" "$STATUS $(placement "$ja")"

# ---------------------------------------------------------------------------------------------
note "PostgreSQL outage: /health degrades, no 201 without a commit"

pg_stop || note "pg_ctl stop failed"
ALLOW_5XX=1
if poll 5 health_is "503 degraded unavailable ok"; then
    pass "GET /health is 503 degraded with checks.database unavailable within 5 s"
else
    fail "GET /health is 503 degraded with checks.database unavailable within 5 s" "got $STATUS $(short "$BODY")"
fi
entries_pg_down=$(xlen_sum)
create "$(query domain pgdown.example url https://example.com/ job_type t)"
expect "with PostgreSQL down, create is 503 (a 201 would not be durable)" 503 "$STATUS"
expect "that 503 body is only detail (and request_id)" "true" "$(jget '(keys - ["detail", "request_id"]) == [] and (.detail|type) == "string"')"
expect "with PostgreSQL down, nothing reaches a stream" "$entries_pg_down" "$(xlen_sum)"
http GET "/api/v1/jobs/$J1"
expect "with PostgreSQL down, GET job is 503" 503 "$STATUS"
http GET /api/v1/queue/stats
expect "with PostgreSQL down, queue stats is 503" 503 "$STATUS"
pg_start || bail "PostgreSQL restarts on port $PGPORT" "$(short "$(tail -n 5 "$PGLOG")")"
note "PostgreSQL restarted on the same port ($PGPORT)"
if poll 10 health_is "200 healthy ok ok"; then pass "GET /health is 200 healthy again within 10 s"; else
    fail "GET /health is 200 healthy again within 10 s" "got $STATUS $(short "$BODY")"; fi
ALLOW_5XX=0
create "$(query domain pgback.example url https://example.com/ job_type t)"
jp=$(safe_id "$(jget .job_id)")
expect "after the outage, create is 201 with a row and one entry" "201 1 $(expected_placement 2)" \
    "$STATUS $(sql "SELECT count(*) FROM jobs WHERE id = '$jp'") $(placement "$jp")"
expect "psql: nothing of the failed create was written" 0 "$(sql "SELECT count(*) FROM jobs WHERE domain = 'pgdown.example'")"
http GET "/api/v1/jobs/$J1"
expect "after the outage, GET job is 200" 200 "$STATUS"

# ---------------------------------------------------------------------------------------------
note "optional protections (CONTRACT.md: off by default, on by flag or environment)"

http GET /api/v1/queue/stats
expect "off by default: no X-API-Key needed" 200 "$STATUS"
help=$("$ACCORD_BIN" serve --help 2>&1 || true)
if [[ $help != *ACCORD_API_KEYS* ]]; then
    skip "API keys (ACCORD_API_KEYS): 401 without or with a wrong key, /health and / open" "accord serve --help names no ACCORD_API_KEYS"
elif start_server "$WORK/server2.out" "$WORK/server2.log" ACCORD_API_KEYS=walk-key-a,walk-key-b; then
    S2PID=$STARTED_PID
    MAIN_BASE=$BASE
    BASE=http://127.0.0.1:$STARTED_PORT
    note "second server with ACCORD_API_KEYS=walk-key-a,walk-key-b on $BASE"
    rows_before=$(sql "SELECT count(*) FROM jobs")
    http GET /api/v1/queue/stats
    expect "ACCORD_API_KEYS set: GET /api/v1/queue/stats without X-API-Key is 401 with a detail" "401 true" "$STATUS $(jget '(.detail|type) == "string"')"
    http GET /api/v1/queue/stats -H 'X-API-Key: walk-key-c'
    expect "ACCORD_API_KEYS set: a wrong X-API-Key is 401" 401 "$STATUS"
    create "$(query domain nokey.example url https://example.com/ job_type t)"
    expect "ACCORD_API_KEYS set: create without a key is 401 and writes nothing" "401 $rows_before" "$STATUS $(sql "SELECT count(*) FROM jobs")"
    http GET /api/v1/queue/stats -H 'X-API-Key: walk-key-b'
    expect "ACCORD_API_KEYS set: a listed X-API-Key is 200" 200 "$STATUS"
    http GET /health
    expect "ACCORD_API_KEYS set: /health stays open" 200 "$STATUS"
    http GET /
    expect "ACCORD_API_KEYS set: / stays open" 200 "$STATUS"
    BASE=$MAIN_BASE
    stop_pid "$S2PID" 10
    S2PID=""
else
    fail "a second server starts with ACCORD_API_KEYS set" "$(short "$(tail -n 3 "$WORK/server2.log")")"
fi
if [[ $help == *[Rr]ate* ]]; then
    expect_match "accord serve --help names the switch that turns rate limiting on (flag or environment)" '[Rr]ate' "$help"
else
    skip "rate limiting: limit headers, 429 with Retry-After" "accord serve --help names no rate-limit switch"
fi

# ---------------------------------------------------------------------------------------------
note "the whole walk"

unexpected="" intended=0 total=0 bad_intended=""
while IFS=$'\t' read -r n st allow m p; do
    total=$((total + 1))
    if [[ $st == 5* ]]; then
        if [[ $allow == 1 && $st == 503 ]]; then intended=$((intended + 1)); else unexpected+="${unexpected:+; }$m ${p:0:80} -> $st"; fi
    fi
    if [[ $st == 000 ]]; then unexpected+="${unexpected:+; }$m ${p:0:80} -> no response"; fi
done <"$WORK/index"
expect "no 5xx (and no dropped connection) in $total responses, except the $intended intended 503s of the outages" "" "$(short "$unexpected")"

dirty=""
while IFS=$'\t' read -r n st allow m p; do
    [[ $st =~ ^[45] ]] || continue
    # /health's degraded document names its store kind ("store":"postgres", also in the 200
    # document): a status field, not a leak, so its value is left out of the scan.
    text=$(jq -r --arg p "$p" 'if $p == "/health" and type == "object" then del(.store) else . end |
        [.. | strings] + [.. | objects | keys[]] | join("\n")' "$WORK/r/$n.body" 2>/dev/null || cat "$WORK/r/$n.body")
    if [[ -f $WORK/r/$n.echo ]]; then
        while IFS= read -r e; do [[ -n $e ]] && text=${text//"$e"/}; done <"$WORK/r/$n.echo"
    fi
    found=$( {
        grep -Eo '\b(SELECT|INSERT|UPDATE|DELETE|DROP|TRUNCATE|WHERE|RETURNING|VALUES|SQLSTATE)\b' <<<"$text" || true
        grep -Eio 'syntax error|duplicate key|violates|relation "|ON CONFLICT|libpq|traceback|postgres|hiredis|redis://|127\.0\.0\.1|\.swift\b|Sources/' <<<"$text" || true
        grep -Eo '(^|[^[:alnum:]])/(usr|home|work|tmp|root|var|etc|opt|proc|srv|build)/[^[:space:]"]*' <<<"$text" || true
    } | head -n 3 | tr '\n' ' ')
    [[ -n $found ]] && dirty+="${dirty:+; }$m ${p:0:60} -> $st: $found"
done <"$WORK/index"
expect "no error body contains SQL, a stack trace, postgres, hiredis, an address or a file path" "" "$(short "$dirty")"

unlogged="" logged=0
while IFS=$'\t' read -r n st allow m p; do
    [[ $st == 5* ]] || continue
    rid=$(jq -r '.request_id // empty' "$WORK/r/$n.body" 2>/dev/null || true)
    [[ $p == /health ]] && continue   # the health document has no request id
    if [[ -n $rid ]] && grep -qF "$rid" "$WORK/server.log"; then logged=$((logged + 1)); else unlogged+="${unlogged:+; }$m ${p:0:60} -> $st request_id '${rid}'"; fi
done <"$WORK/index"
expect "every 5xx answer names a request_id that the server log has the details under ($logged of them)" "" "$(short "$unlogged")"

no_rid="" no_timing="" api=0
while IFS=$'\t' read -r n st allow m p; do
    [[ $st == 000 ]] && continue
    [[ -n $(hdr X-Request-Id "$WORK/r/$n.hdr") ]] || no_rid+="${no_rid:+; }$m ${p:0:60}"
    if [[ $p == /api/* ]]; then
        api=$((api + 1))
        timing=$(hdr Server-Timing "$WORK/r/$n.hdr")
        [[ $timing == *db\;dur=* && $timing == *redis\;dur=* && $timing == *app\;dur=* ]] || no_timing+="${no_timing:+ }$n"
    fi
done <"$WORK/index"
expect "every response carries an X-Request-Id" "" "$(short "$no_rid")"
missing_timing=$(wc -w <<<"$no_timing")
example=""
if ((missing_timing)); then
    n1=${no_timing%% *}
    example=$(awk -F'\t' -v n="$n1" '$1 == n { printf ", e.g. %s %s -> %s", $4, substr($5, 1, 60), $2 }' "$WORK/index")
    example+=", Server-Timing: \"$(hdr Server-Timing "$WORK/r/$n1.hdr")\""
fi
if ((missing_timing == api)); then
    skip "every API response carries Server-Timing with db;dur=, redis;dur=, app;dur=" "the server sends no Server-Timing at all"
else
    expect "every API response carries Server-Timing with db;dur=, redis;dur=, app;dur= ($api API responses)" \
        "0 without" "$missing_timing without$example"
fi

kill -TERM "$SPID" 2>/dev/null || true
code=0
for ((i = 0; i < 150; i++)); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SPID" 2>/dev/null; then
    fail "SIGTERM stops accord serve with exit 0" "still running after 15 s"
else
    wait "$SPID" || code=$?
    expect "SIGTERM stops accord serve with exit 0" 0 "$code"
    SPID=""
fi

summary
((FAIL == 0))
