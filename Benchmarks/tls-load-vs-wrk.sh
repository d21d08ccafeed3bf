#!/usr/bin/env bash
# accord load over TLS beside wrk over TLS, on the same nginx (`return 200`, a certificate from
# a CA this script makes with openssl), one thread each, at 50 connections, HTTP/1.1 keep-alive;
# then accord load over HTTP/2 (ALPN) with 10 streams per connection. Writes the table to
# docs/benchmarks.md (section "Load over TLS") and prints it.
#
#   bash Benchmarks/tls-load-vs-wrk.sh [ACCORD_BINARY]     (default: the release build)
#
# Needs nginx, wrk and openssl (installed when missing, as root). 127.0.0.1 only, bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD=${1:-$(swift build -c release --show-bin-path 2>/dev/null)/accord}
SECONDS_EACH=${SECONDS_EACH:-3}
REPEAT=${REPEAT:-5}

need=()
command -v nginx >/dev/null || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
command -v openssl >/dev/null || need+=(openssl)
if ((${#need[@]})); then
    [ "$(id -u)" = 0 ] || { echo "missing: ${need[*]} (apt-get install them)" >&2; exit 2; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x "$ACCORD" ] || { echo "no accord binary at $ACCORD (run: swift build -c release --product accord)" >&2; exit 2; }

pin=""; affinity=""
if [ "$(nproc)" -ge 2 ]; then pin="taskset -c 0"; affinity="worker_cpu_affinity 10;"; fi

work=$(mktemp -d)
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
(
    cd "$work"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=bench-ca 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null
)
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
    server {
        listen 127.0.0.1:$port ssl http2;
        ssl_certificate $work/server.pem;
        ssl_certificate_key $work/server.key;
        location / { return 200 "ok\n"; }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5
url="https://127.0.0.1:$port/"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
range() { sort -n | awk -v f="${1:-%.0f}" '{a[NR]=$1} END {printf f "–" f, a[1], a[NR]}'; }
accord_rps() { awk '/requests/ {gsub(/\(/, "", $3); print $3; exit}'; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for f in wrk accord h2 ratio; do : >"$work/$f"; done
for ((i = 1; i <= REPEAT; i++)); do
    w=$($pin wrk -t1 -c50 -d"${SECONDS_EACH}s" "$url" | awk '/Requests\/sec/ {print $2}')
    a=$($pin "$ACCORD" load --url "$url" --cacert "$work/ca.pem" -c 50 -t 1 -d "${SECONDS_EACH}s" | accord_rps)
    h=$($pin "$ACCORD" load --url "$url" --cacert "$work/ca.pem" --http2 --max-streams 10 -c 50 -t 1 -d "${SECONDS_EACH}s" | accord_rps)
    echo "$w" >>"$work/wrk"; echo "$a" >>"$work/accord"; echo "$h" >>"$work/h2"
    awk -v a="$a" -v b="$w" 'BEGIN {printf "%.2f\n", a/b}' >>"$work/ratio"
    echo "round $i: wrk $w, accord $a, accord HTTP/2 $h" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(awk -F: '/model name/ {gsub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo)

section="## Load over TLS (\`Benchmarks/tls-load-vs-wrk.sh\`)

Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $cpu, $(nproc) cores. nginx \`return 200\` over TLS
(a certificate from a CA the script makes; \`accord load --cacert\`, wrk does not verify), one
worker on CPU 1, each generator one thread on CPU 0, 50 connections kept alive, ${SECONDS_EACH} s per
run, ${REPEAT} rounds interleaved; medians with the range in brackets; the ratio within each
round. Load average $load_before before, $load_after after.

| generator | RPS |
|---|---|
| wrk, HTTP/1.1 over TLS | $(median <"$work/wrk") ($(range <"$work/wrk")) |
| accord load, HTTP/1.1 over TLS | $(median <"$work/accord") ($(range <"$work/accord")) |
| accord load, HTTP/2 (ALPN), 10 streams per connection (5 connections) | $(median <"$work/h2") ($(range <"$work/h2")) |
| accord / wrk (HTTP/1.1) | $(median <"$work/ratio") ($(range %.2f <"$work/ratio")) |"

python3 - "$section" <<'PY'
import re, sys
section = sys.argv[1].rstrip() + "\n"
path = "docs/benchmarks.md"
text = open(path).read()
pattern = re.compile(r"## Load over TLS.*?(?=\n## |\Z)", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
echo "$section"
