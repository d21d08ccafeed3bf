#!/usr/bin/env bash
# The reference server (`accord serve`, release build) against nginx's static `return 200`,
# side by side in one run, on a throwaway PostgreSQL 15 and Redis 7 with 1,000,000 rows in
# `jobs`: nginx /health, then our health, create_job, job_status, queue_stats and the 70/20/10
# mix (status/create/stats), each at 50 and 200 connections, with wrk (-t1) and `accord load`.
# Writes the table to docs/benchmarks.md (section "Reference server vs nginx") and prints it.
#
#   bash Benchmarks/server-vs-nginx.sh [ACCORD_BINARY]      (default: builds the release binary)
#
# SECONDS_EACH (default 10, at most 10), CONNECTIONS (default "50 200"), ROWS (default 1000000),
# REPEAT (default 1: the whole sequence again; goals are judged on the median, spread shown),
# EXTRA_SERVE_ARGS (passed to accord serve, e.g. "--batch-delay-ms 1"), NO_DOC=1 (print only).
# Needs nginx, wrk, python3, postgresql-15 (initdb, pg_ctl, psql) and redis-server. As root,
# PostgreSQL runs as the `postgres` user. All traffic goes to 127.0.0.1, every step is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${SECONDS_EACH:-10}
((SECONDS_EACH <= 10)) || SECONDS_EACH=10
CONNECTIONS=${CONNECTIONS:-"50 200"}
REPEAT=${REPEAT:-1}
ROWS=${ROWS:-1000000}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

for tool in nginx wrk python3 redis-server redis-cli "$PGBIN/initdb" "$PGBIN/pg_ctl" "$PGBIN/psql"; do
    command -v "$tool" >/dev/null || { echo "server-vs-nginx.sh: missing $tool" >&2; exit 2; }
done
if [ -n "${1:-}" ]; then
    ACCORD=$1
else
    swift build -c release --product accord >&2
    ACCORD=$(swift build -c release --show-bin-path)/accord
fi
[ -x "$ACCORD" ] || { echo "no accord binary at $ACCORD" >&2; exit 2; }

work=$(mktemp -d -t accord-bench.XXXXXX)
IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1
as_pg() { if ((IS_ROOT)); then runuser -u postgres -- "$@"; else "$@"; fi; }
SERVER_PID="" REDIS_PID=""
cleanup() {
    set +e
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
    [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
    [ -f "$work/pg/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- PostgreSQL 15 (synchronous commit on: every 201 is on disk) and Redis 7 -----------------
mkdir -p "$work/pg/sock"
chmod 755 "$work"  # the postgres user must reach its directory
if ((IS_ROOT)); then chown -R postgres: "$work/pg"; fi
as_pg "$PGBIN/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 --locale=C >"$work/initdb.log" 2>&1 ||
    { cat "$work/initdb.log" >&2; exit 3; }
PGPORT=$(free_port)
as_pg "$PGBIN/pg_ctl" -D "$work/pg/data" -l "$work/pg/pg.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $work/pg/sock -c synchronous_commit=on -c fsync=on -c shared_buffers=256MB" \
    start >/dev/null
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres "$@"; }
RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" --logfile "$work/redis.log" &
REDIS_PID=$!
for _ in $(seq 100); do [ "$(redis-cli -p "$RPORT" PING 2>/dev/null)" = PONG ] && break; sleep 0.1; done

# --- the server (its migrations create the schema), then 1,000,000 rows ----------------------
# shellcheck disable=SC2086
"$ACCORD" serve --host 127.0.0.1 --port 0 --log-level warning ${EXTRA_SERVE_ARGS:-} \
    --database-url "postgresql://postgres@127.0.0.1:$PGPORT/postgres" --redis-url "redis://127.0.0.1:$RPORT" \
    >"$work/serve.out" 2>"$work/serve.log" &
SERVER_PID=$!
for _ in $(seq 300); do grep -q '^listening on' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(sed -n 's/^listening on //p' "$work/serve.out")
[ -n "$BASE" ] || { cat "$work/serve.log" >&2; exit 3; }
echo "seeding $ROWS rows…" >&2
# Through the server's own schema: the statement-level triggers keep job_status_counts right.
# Every row is marked enqueued, so the relay has nothing to do.
psql -c "INSERT INTO jobs (id, domain, url, job_type, strategy, payload, priority, status, created_at, enqueued_at,
            started_at, completed_at)
         SELECT gen_random_uuid()::text, 'seed' || (g % 1000) || '.example', 'https://seed.example/' || g, 'navigate_extract',
                'vanilla', '{\"n\":' || g || '}', g % 4,
                (ARRAY['completed','completed','completed','completed','completed','completed','failed','queued','running','cancelled'])[g % 10 + 1],
                now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval,
                CASE WHEN g % 10 < 7 THEN now() - (g || ' seconds')::interval END,
                CASE WHEN g % 10 < 7 THEN now() - (g || ' seconds')::interval END
         FROM generate_series(1, $ROWS) AS g" -c "VACUUM ANALYZE jobs"
psql -At -c "SELECT id FROM jobs TABLESAMPLE SYSTEM (1) LIMIT 2000" >"$work/ids.txt"
ONE_ID=$(head -n 1 "$work/ids.txt")

# --- nginx `return 200` on a free port --------------------------------------------------------
NGINX_PORT=$(free_port)
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 100000000;  # the default 1000 would close every connection after 1000 answers
    server { listen 127.0.0.1:$NGINX_PORT; location / { return 200 '{"status":"healthy"}'; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"

# --- wrk scripts: POST for create, random ids for status, the 70/20/10 mix ---------------------
CREATE_PATH="/api/v1/jobs?domain=bench.example&url=https://bench.example/&job_type=navigate_extract"
cat >"$work/create.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"bench":true}'
wrk.headers["Content-Type"] = "application/json"
wrk.path = "$CREATE_PATH"
LUA
cat >"$work/ids.lua" <<LUA
ids = {}
for line in io.lines("$work/ids.txt") do ids[#ids + 1] = line end
LUA
cat "$work/ids.lua" - >"$work/status.lua" <<'LUA'
request = function() return wrk.format("GET", "/api/v1/jobs/" .. ids[math.random(#ids)]) end
LUA
cat "$work/ids.lua" - >"$work/mix.lua" <<LUA
local create = wrk.format("POST", "$CREATE_PATH", {["Content-Type"] = "application/json"}, '{"bench":true}')
local stats = wrk.format("GET", "/api/v1/queue/stats")
request = function()
    local r = math.random(100)
    if r <= 70 then return wrk.format("GET", "/api/v1/jobs/" .. ids[math.random(#ids)]) end
    if r <= 90 then return create end
    return stats
end
LUA

# --- one step: wrk, then accord load, then the server's own view (batch sizes, Server-Timing) --
metric() { curl -s "$BASE/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
timing_samples() { # path method: Server-Timing medians (ms) of 15 requests sent during a run
    local i
    for i in $(seq 15); do
        sleep "$(awk -v s="$SECONDS_EACH" 'BEGIN {print s / 20}')"
        curl -s -o /dev/null -D - -X "$2" -H 'Content-Type: application/json' "$BASE$1" | tr -d '\r' |
            sed -n 's/^[Ss]erver-[Tt]iming: //p'
    done | python3 -c '
import sys, statistics
rows = [dict((p.split(";dur=")[0].strip(), float(p.split(";dur=")[1])) for p in l.split(",")) for l in sys.stdin if "dur=" in l]
print(" / ".join("%.2f" % statistics.median(r[k] for r in rows) for k in ("db", "redis", "app")) if rows else "-")'
}
ticks() { # pid...: CPU ticks (user + system) of these processes, threads included
    local pid total=0
    for pid in "$@"; do
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
    done
    echo "$total"
}
pg_pids() { # the postmaster of this run and its children
    local master
    master=$(head -n 1 "$work/pg/data/postmaster.pid")
    echo "$master" $(pgrep -P "$master")
}
cpu_snapshot() { echo "$(ticks "$SERVER_PID") $(ticks $(pg_pids)) $(ticks "$REDIS_PID") $(ticks $(cat "$work/nginx.pid" 2>/dev/null) $(pgrep -P "$(cat "$work/nginx.pid" 2>/dev/null)" 2>/dev/null))"; }
parse_wrk() { # wrk output -> "rps p50 p99 errors"
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
         /Non-2xx/ {err+=$NF} /Socket errors/ {gsub(/,/, ""); err+=$4+$6+$8+$10}
         END {printf "%.0f %s %s %d\n", rps, p50, p99, err}'
}
parse_accord() { # accord load output -> "rps p50 p99 errors"
    awk '/requests/ {gsub(/[(,]/, " "); rps=$3; err=$NF} /latency/ {p50=$3 $4; p99=$12 $13}
         END {printf "%.0f %s %s %d\n", rps, p50, p99, err}'
}

rows=""
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A RESULT
step() { # name connections url wrk-script method body
    local name=$1 c=$2 url=$3 script=$4 method=$5 body=$6 path=${3#"$BASE"}
    local before_n before_sum timing="" wrk_out accord_out batch="-"
    echo "step $name c=$c (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    before_n=$(metric 'accord_batch_size_count{batch="create"}'); before_sum=$(metric 'accord_batch_size_sum{batch="create"}')
    local sampler=""
    case $name in nginx*) ;; *) timing_samples "$path" "$method" >"$work/timing" & sampler=$! ;; esac
    local cpu_before cpu_after
    cpu_before=$(cpu_snapshot)
    { TIMEFORMAT='%U %S %R'; time wrk -t1 -c"$c" -d"${SECONDS_EACH}s" --timeout 10s --latency ${script:+-s "$script"} "$url" >"$work/wrk.out"; } 2>"$work/wrk.time"
    cpu_after=$(cpu_snapshot)
    wrk_out=$(parse_wrk <"$work/wrk.out")
    # Cores busy during the wrk step: server (or nginx) / PostgreSQL / Redis / wrk.
    local cores
    cores=$(awk -v b="$cpu_before" -v a="$cpu_after" -v t="$(cat "$work/wrk.time")" -v hz="$(getconf CLK_TCK)" -v nginx="${name%%_*}" 'BEGIN {
        split(b, x, " "); split(a, y, " "); split(t, w, " ")
        server = (nginx == "nginx") ? y[4] - x[4] : y[1] - x[1]
        printf "%.2f / %.2f / %.2f / %.2f", server / hz / w[3], (y[2] - x[2]) / hz / w[3], (y[3] - x[3]) / hz / w[3], (w[1] + w[2]) / w[3] }')
    [ -n "$sampler" ] && wait "$sampler"
    [ -f "$work/timing" ] && timing=$(cat "$work/timing") && rm -f "$work/timing"
    if [ "$name" = mix ]; then
        # accord load drives one URL: three at once, connections split 70/20/10.
        local s=$((c * 7 / 10)) k=$((c * 2 / 10)) t=$((c - c * 7 / 10 - c * 2 / 10))
        local p1 p2 p3
        "$ACCORD" load --url "$BASE/api/v1/jobs/$ONE_ID" -c "$s" -d "${SECONDS_EACH}s" >"$work/a1" & p1=$!
        "$ACCORD" load --url "$BASE$CREATE_PATH" -X POST -H 'Content-Type: application/json' --body '{"bench":true}' -c "$k" -d "${SECONDS_EACH}s" >"$work/a2" & p2=$!
        "$ACCORD" load --url "$BASE/api/v1/queue/stats" -c "$t" -d "${SECONDS_EACH}s" >"$work/a3" & p3=$!
        wait "$p1" "$p2" "$p3"
        accord_out=$(for f in a1 a2 a3; do parse_accord <"$work/$f"; done |
            awk '{rps+=$1; err+=$4; p99=p99 (NR>1?"/":"") $3} END {printf "%.0f - %s %d\n", rps, p99, err}')
    elif [ -n "$body" ]; then
        accord_out=$("$ACCORD" load --url "$url" -X "$method" -H 'Content-Type: application/json' --body "$body" -c "$c" -d "${SECONDS_EACH}s" | parse_accord)
    else
        accord_out=$("$ACCORD" load --url "$url" -c "$c" -d "${SECONDS_EACH}s" | parse_accord)
    fi
    if [ "$name" = create_job ] || [ "$name" = mix ]; then
        local after_n after_sum
        after_n=$(metric 'accord_batch_size_count{batch="create"}'); after_sum=$(metric 'accord_batch_size_sum{batch="create"}')
        batch=$(awk -v a="${after_sum:-0}" -v b="${before_sum:-0}" -v n="${after_n:-0}" -v m="${before_n:-0}" 'BEGIN {if (n > m) printf "%.1f", (a - b) / (n - m); else print "-"}')
    fi
    read -r w_rps w_p50 w_p99 w_err <<<"$wrk_out"
    read -r a_rps a_p50 a_p99 a_err <<<"$accord_out"
    RESULT[$name/$c]+="$w_rps "
    RESULT[$name/$c/p99]+="$(to_ms "$w_p99") "
    rows+="| $rep | $name | $c | $w_rps | $w_p50 | $w_p99 | $w_err | $a_rps | $a_p50 | $a_p99 | $a_err | $cores | ${timing:--} | $batch |"$'\n'
    echo "  wrk: $wrk_out  accord: $accord_out  cores: $cores  timing: ${timing:--}  batch: $batch" >&2
}

to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; print v + 0 }'; }
for rep in $(seq "$REPEAT"); do
for c in $CONNECTIONS; do
    step nginx_health "$c" "http://127.0.0.1:$NGINX_PORT/health" "" GET ""
    step health "$c" "$BASE/health" "" GET ""
    step create_job "$c" "$BASE$CREATE_PATH" "$work/create.lua" POST '{"bench":true}'
    step job_status "$c" "$BASE/api/v1/jobs/$ONE_ID" "$work/status.lua" GET ""
    step queue_stats "$c" "$BASE/api/v1/queue/stats" "" GET ""
    step mix "$c" "$BASE/api/v1/queue/stats" "$work/mix.lua" GET ""
done
done

# --- the goals (issue 6), judged on wrk's median at 50 connections, spread beside ------------
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
spread() { # "median (min–max)" of a list, or the value alone for one run
    local list=$1
    if [ "$(wc -w <<<"$list")" -gt 1 ]; then
        echo "$(median <<<"$list") ($(tr ' ' '\n' <<<"$list" | grep -v '^$' | sort -n | head -1)–$(tr ' ' '\n' <<<"$list" | grep -v '^$' | sort -n | tail -1))"
    else
        echo "$list" | tr -d ' '
    fi
}
verdict() { if awk -v a="$1" -v b="$2" 'BEGIN {exit !(a >= b)}'; then echo "met"; else echo "**missed**"; fi; }
med() { median <<<"${RESULT[$1]:-0}"; }
n50=$(med nginx_health/50); h50=$(med health/50); create_p99=$(med create_job/50/p99)
goals="| goal (50 connections, wrk; median of $REPEAT run(s), range in brackets) | measured | verdict |
|---|---|---|
| health ≥ 50% of nginx | $(spread "${RESULT[health/50]}") vs $(spread "${RESULT[nginx_health/50]}") ($(awk -v h="$h50" -v n="$n50" 'BEGIN {printf "%.0f%%", n ? 100 * h / n : 0}')) | $(verdict "$h50" "$(awk -v n="$n50" 'BEGIN {print n / 2}')") |
| create_job ≥ 5,000 RPS | $(spread "${RESULT[create_job/50]}") | $(verdict "$(med create_job/50)" 5000) |
| create_job p99 ≤ 50 ms | $(spread "${RESULT[create_job/50/p99]}") ms | $(verdict 50 "$create_p99") |
| job_status ≥ 15,000 RPS | $(spread "${RESULT[job_status/50]}") | $(verdict "$(med job_status/50)" 15000) |
| queue_stats ≥ 10,000 RPS (with $ROWS rows) | $(spread "${RESULT[queue_stats/50]}") | $(verdict "$(med queue_stats/50)" 10000) |
| 70/20/10 mix ≥ 8,000 RPS | $(spread "${RESULT[mix/50]}") | $(verdict "$(med mix/50)" 8000) |
"

cpu=$(awk -F: '/model name/ {gsub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo)
os_name=$(. /etc/os-release && echo "$PRETTY_NAME")
section="## Reference server vs nginx

Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $cpu, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM, $os_name;
PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') (synchronous_commit on, fsync on, shared_buffers 256MB, data in a
temporary directory on the machine's disk), Redis $(redis-server --version | sed -E 's/.* v=([^ ]+).*/\1/') (no persistence), nginx $(nginx -v 2>&1 | sed 's|.*/||')
(\`return 200\`, 1 worker, keep-alive unlimited), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), \`accord serve\` release build${EXTRA_SERVE_ARGS:+ with \`$EXTRA_SERVE_ARGS\`}.
\`jobs\` holds $ROWS seeded rows (plus what the run creates). Generator, server, PostgreSQL and
Redis share the $(nproc) cores. ${SECONDS_EACH} s per step, $REPEAT run(s) of the whole sequence, in the order of the table; wrk with one
thread, \`accord load\` with one engine. job_status: wrk picks one of 2,000 sampled ids per
request, \`accord load\` reads one id. mix: wrk draws 70% status / 20% create / 10% stats per
request; \`accord load\` runs three loads at once with the connections split 70/20/10 (p99 shown
per part: status/create/stats). Cores: CPU time of the server (nginx on its rows), PostgreSQL,
Redis and wrk during the wrk step, divided by its length (the machine has $(nproc); what is left
went to other processes on the shared machine — load average at the start: $LOAD_AT_START).
Server-Timing: medians of 15 requests sent during the wrk step (db / redis / app, ms). Batch:
mean creates per commit during the step (from /metrics).

| run | endpoint | connections | wrk RPS | wrk p50 | wrk p99 | wrk errors | accord RPS | accord p50 | accord p99 | accord errors | cores: server / pg / redis / wrk | Server-Timing db / redis / app | batch |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows}
${goals}
Reproduce: \`bash Benchmarks/server-vs-nginx.sh\`. Where the time goes: the next section.
"
echo "$section"
[ -n "${NO_DOC:-}" ] && exit 0
python3 - "$section" <<'PY'
import re, sys
path = "docs/benchmarks.md"
text = open(path).read()
new = sys.argv[1].rstrip() + "\n"
pattern = r"## Reference server vs nginx.*?(?=\n## |\Z)"
if re.search(pattern, text, flags=re.S):
    text = re.sub(pattern, lambda _: new, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + new
open(path, "w").write(text)
PY
