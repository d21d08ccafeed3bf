#!/usr/bin/env bash
# Per-request templates: what rendering every request anew costs the load engine. Two specs
# load the same POST on nginx `return 201` over loopback at 50 connections, one thread, side by
# side in one run: one sends a fixed request; the other renders its URL, an Idempotency-Key
# header and its JSON body per request ({{seq}}, {{uuid}}, {{random_int}}, a feeder's columns).
# nginx answers in microseconds, so the server's work does not hide the generator's. Writes
# the table to docs/benchmarks.md (section "Per-request templates") and prints it.
#
#   bash Benchmarks/templated-load.sh [ACCORD_BINARY]     (default: the release build)
#
# Needs nginx (installed when missing, as root). Traffic goes to 127.0.0.1 only, bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD=${1:-$(swift build -c release --show-bin-path 2>/dev/null)/accord}
SECONDS_EACH=${SECONDS_EACH:-3}
REPEAT=${REPEAT:-7}

if ! command -v nginx >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "missing: nginx (apt-get install nginx)" >&2; exit 2; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
[ -x "$ACCORD" ] || { echo "no accord binary at $ACCORD (run: swift build -c release --product accord)" >&2; exit 2; }

pin=""; affinity=""
if [ "$(nproc)" -ge 2 ]; then pin="taskset -c 0"; affinity="worker_cpu_affinity 10;"; fi

work=$(mktemp -d)
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
$affinity
pid $work/nginx.pid;
error_log $work/error.log crit;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    client_body_buffer_size 16k;
    server {
        listen 127.0.0.1:$port;
        location / { return 201 '{"id":"x"}'; }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5

python3 - "$work/sites.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    out.write("domain,path\n")
    for i in range(10000):
        # Every seventh path needs quoting in the CSV and percent-encoding in the URL.
        out.write(f'site{i}.example,"/page/{i}?ref=""x y"""\n' if i % 7 == 0 else f"site{i}.example,/page/{i}\n")
PY

spec() { # $1: name, $2: templated (yes/no)
    local query json header
    if [ "$2" = yes ]; then
        query='{domain: "{{feed.sites.domain}}", url: "https://{{feed.sites.domain}}{{feed.sites.path}}", n: "{{seq}}"}'
        json='{depth: "{{random_int 1 5}}", note: "run {{uuid}}"}'
        header='{Idempotency-Key: "k-{{uuid}}"}'
    else
        query='{domain: site1.example, url: "https://site1.example/page/1", n: "1"}'
        json='{depth: "3", note: "run 3f0b8a52-8c7e-4d3a-9b1e-2f6c1d0e9a77"}'
        header='{Idempotency-Key: "k-3f0b8a52-8c7e-4d3a-9b1e-2f6c1d0e9a77"}'
    fi
    cat >"$work/$1.yaml" <<YAML
suite: $1
feeders:
  sites: {file: sites.csv, order: sequential}
endpoints:
  create:
    method: POST
    path: /api/v1/jobs
    query: $query
    headers: $header
    json: $json
    expect_status: 201
targets:
  create: {error_rate: "< 1%"}
YAML
}
spec fixed no
spec templated yes

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
range() { sort -n | awk -v f="${1:-%.0f}" '{a[NR]=$1} END {printf f "–" f, a[1], a[NR]}'; }
rps() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["endpoints"][0]; print(round(e["measurement"]["requests"]/e["seconds"]), e["measurement"]["errorRate"])' "$1"; }
run() { # $1: spec name → "rps errorRate"
    $pin "$ACCORD" load "$work/$1.yaml" --target "http://127.0.0.1:$port" --threads 1 --load-seconds "$SECONDS_EACH" \
        --no-capacity --quiet --json "$work/$1.json" --reports "$work/$1-reports" >/dev/null 2>"$work/$1.err" || true
    rps "$work/$1.json"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/fixed"; : >"$work/templated"; : >"$work/ratio"
for ((i = 1; i <= REPEAT; i++)); do
    read -r f fe < <(run fixed)
    read -r t te < <(run templated)
    echo "$f" >>"$work/fixed"; echo "$t" >>"$work/templated"
    awk -v a="$t" -v b="$f" 'BEGIN {printf "%.2f\n", a/b}' >>"$work/ratio"
    echo "round $i: fixed $f rps (errors $fe), templated $t rps (errors $te)" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(awk -F: '/model name/ {gsub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo)

section="## Per-request templates (\`Benchmarks/templated-load.sh\`)

Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $cpu, $(nproc) cores. \`accord load SPEC --target\`
at 50 connections, one thread (\`--threads 1\`, pinned to CPU 0; nginx's one worker on CPU 1),
${SECONDS_EACH} s per run, ${REPEAT} rounds interleaved, medians with the range in brackets; the ratio
is taken within each round. Target: nginx \`return 201\` on loopback (the server's work must not
hide the generator's). The fixed spec sends one POST as rendered once; the templated one
renders per request its query (two columns of a 10,000-row CSV feeder, \`{{seq}}\`), an
\`Idempotency-Key: k-{{uuid}}\` header and a JSON body with \`{{random_int 1 5}}\` and
\`{{uuid}}\`. Load average $load_before before, $load_after after.

| request | RPS |
|---|---|
| fixed | $(median <"$work/fixed") ($(range <"$work/fixed")) |
| templated per request | $(median <"$work/templated") ($(range <"$work/templated")) |
| templated / fixed | $(median <"$work/ratio") ($(range %.2f <"$work/ratio")) |

Goal (issue 13): templated ≥ 0.9× fixed."

python3 - "$section" <<'PY'
import re, sys
section = sys.argv[1].rstrip() + "\n"
path = "docs/benchmarks.md"
text = open(path).read()
pattern = re.compile(r"## Per-request templates.*?(?=\n## |\Z)", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
echo "$section"
