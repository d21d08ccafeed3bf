#!/usr/bin/env bash
# schemathesis.sh: Schemathesis (PyPI; an independent, property-based API fuzzer) against
# `accord serve` on a throwaway PostgreSQL and Redis that this script starts (and always
# stops), with the server's own /openapi.json and all of Schemathesis's checks, a bounded
# number of examples per operation, and a bounded time. Exit 0 only when it finds nothing.
#
#   bash scripts/schemathesis.sh [path/to/accord]   # default: $ACCORD, else the debug build's
#
# Three passes (defaults; API keys and rate limits with the key sent; keys without one), each
# on a fresh `accord serve` over the same PostgreSQL and Redis; about a minute in all.
# Environment: MAX_EXAMPLES (per operation, default 100), TIME_LIMIT (seconds for each
# pass, default 90; the script stays under 5 minutes), SCHEMATHESIS_ARGS (more options, e.g. --seed 1 or
# "-H X-API-Key:k1"), SERVE_ARGS (more `accord serve` options, e.g. "--api-keys k1").
# Schemathesis (and openapi-spec-validator, which checks the document first) are installed,
# pinned, into .build-schemathesis/ (a virtualenv; gitignored),
# and keeps its example database in .hypothesis/. What it found: docs/reliability.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
ACCORD_BIN=${1:-${ACCORD:-$(swift build --show-bin-path 2>/dev/null)/accord}}
MAX_EXAMPLES=${MAX_EXAMPLES:-100}
TIME_LIMIT=${TIME_LIMIT:-90}
SCHEMATHESIS_VERSION=4.32.5
VALIDATOR_VERSION=0.9.0
VENV=$REPO/.build-schemathesis

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[[ -x $PGBIN/initdb ]] || PGBIN=$(dirname "$(readlink -f "$(command -v initdb || echo /nonexistent)")")
for tool in "$PGBIN/initdb" "$PGBIN/pg_ctl" "$(command -v redis-server || true)" "$ACCORD_BIN"; do
    [[ -n $tool && -x $tool ]] || {
        echo "schemathesis.sh: missing ${tool:-redis-server} (Debian: postgresql-15, redis-server; accord: swift build)" >&2
        exit 2
    }
done

# Schemathesis and openapi-spec-validator, pinned, in a virtualenv of their own.
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION" ||
    ! "$VENV/bin/pip" show openapi-spec-validator 2>/dev/null | grep -q "^Version: $VALIDATOR_VERSION$"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$VALIDATOR_VERSION"
fi
# The document first: valid OpenAPI 3.1 (the served bytes are this file's: OpenAPIDocumentTests).
"$VENV/bin/openapi-spec-validator" Sources/ControlPlane/OpenAPI/openapi.json

IS_ROOT=0
[[ $(id -u) == 0 ]] && IS_ROOT=1
# free_port, as_pg
source "$(dirname "${BASH_SOURCE[0]}")/lib/services.sh"

WORK=$(mktemp -d -t accord-schemathesis.XXXXXX)
PGTMP=$(mktemp -d -t accord-schemathesis-pg.XXXXXX)
RPID="" SPID=""
stop_pid() { # pid: TERM, then KILL after 10 s
    local pid=$1 i
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    stop_pid "$SPID"
    stop_pid "$RPID"
    [[ -f $PGTMP/data/postmaster.pid ]] && as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w -t 20 stop >/dev/null 2>&1
    rm -rf "$WORK" "$PGTMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP


# PostgreSQL, as Debian's postgres user when root.
((IS_ROOT)) && chown postgres: "$PGTMP"
as_pg mkdir -p "$PGTMP/sock"
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$WORK/initdb.out" 2>&1 ||
    { cat "$WORK/initdb.out" >&2; exit 3; }
PGPORT=""
for _ in 1 2 3 4 5; do
    PGPORT=$(free_port)
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/pg.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k '$PGTMP/sock' -c fsync=off" start >>"$WORK/pg_ctl.out" 2>&1 && break
    PGPORT=""
done
[[ -n $PGPORT ]] || { echo "schemathesis.sh: PostgreSQL did not start" >&2; cat "$WORK/pg_ctl.out" >&2; exit 3; }

# Redis, on a free port, answering PING.
RPORT=""
for _ in 1 2 3 4 5; do
    RPORT=$(free_port)
    redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --daemonize no \
        --logfile "$WORK/redis.log" &
    RPID=$!
    for ((i = 0; i < 50; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$RPORT") 2>/dev/null && break 2
        kill -0 "$RPID" 2>/dev/null || break
        sleep 0.1
    done
    stop_pid "$RPID"
    RPID="" RPORT=""
done
[[ -n $RPORT ]] || { echo "schemathesis.sh: Redis did not start" >&2; exit 3; }

# One pass: accord serve (with `serve_args`) on a port of its choosing — its first line names
# it — fuzzed through its /openapi.json, then stopped. --checks all: a 5xx, an undeclared
# status or header, a body off its schema, a 2xx for invalid input or a 4xx for valid input,
# a method not answered 405 with Allow: each is a failure.
fuzz_pass() { # label "serve args" "schemathesis args"
    local label=$1 serve_args=$2 st_args=$3 port="" i status=0
    # shellcheck disable=SC2086
    "$ACCORD_BIN" serve --host 127.0.0.1 --port 0 --database-url "postgresql://postgres@127.0.0.1:$PGPORT/postgres" \
        --redis-url "redis://127.0.0.1:$RPORT" $serve_args >"$WORK/server.out" 2>"$WORK/server.log" &
    SPID=$!
    for ((i = 0; i < 600; i++)); do
        if [[ $(head -n 1 "$WORK/server.out" 2>/dev/null) =~ ^listening\ on\ http://127\.0\.0\.1:([0-9]+)$ ]]; then
            port=${BASH_REMATCH[1]}
            break
        fi
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n $port ]] || { echo "schemathesis.sh: accord serve $serve_args did not start" >&2; exit 3; }
    echo "=== schemathesis $SCHEMATHESIS_VERSION, $label: accord serve $serve_args on http://127.0.0.1:$port"
    # shellcheck disable=SC2086
    timeout --signal=INT --kill-after=15 "$TIME_LIMIT" \
        "$VENV/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" --checks all --max-examples "$MAX_EXAMPLES" \
        --request-timeout 10 --no-color $st_args ${SCHEMATHESIS_ARGS:-} || status=$?
    stop_pid "$SPID"
    SPID=""
    if ((status == 124)); then
        echo "schemathesis.sh: $label did not finish within $TIME_LIMIT s (TIME_LIMIT); a bounded run that is cut short fails" >&2
    fi
    if ((status != 0)); then
        echo "--- accord serve's log (last 40 lines)" >&2
        tail -n 40 "$WORK/server.log" >&2
        FAILED+=("$label")
    fi
}

# The server as it ships (no keys, no limits); with API keys and rate limits on, the key
# sent (401s for wrong keys, 429s with Retry-After, X-RateLimit-* headers); and with keys
# on but none sent (every protected operation's 401 must be declared).
FAILED=()
fuzz_pass "defaults" "${SERVE_ARGS:-}" ""
fuzz_pass "API key and rate limits" "--api-keys k1 --rate-limit default ${SERVE_ARGS:-}" "-H X-API-Key:k1"
fuzz_pass "API keys, none sent" "--api-keys k1 ${SERVE_ARGS:-}" ""
if ((${#FAILED[@]})); then
    echo "schemathesis.sh: failures in: ${FAILED[*]}" >&2
    exit 1
fi
echo "schemathesis.sh: 3 passes, no failures"
