#!/usr/bin/env bash
# Our load engine against wrk and two bare C libcurl-multi loops (curl_multi_perform, and
# curl_multi_socket_action on epoll set up as the engine is), side by side in one run, on nginx
# `return 200` over loopback: same connections, one thread each, repeated; then latency at a
# fixed rate below saturation. Writes the tables to docs/benchmarks.md (section "Load engine")
# and prints them.
#
#   bash Benchmarks/load-engine-vs-wrk.sh [ACCORD_BINARY]     (default: the release build)
#
# Needs nginx, wrk, a C compiler and libcurl4-openssl-dev (installed when missing, as root).
# All traffic goes to 127.0.0.1 only and every run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD=${1:-$(swift build -c release --show-bin-path 2>/dev/null)/accord}
SECONDS_EACH=${SECONDS_EACH:-3}
REPEAT=${REPEAT:-7}
CONNECTIONS=${CONNECTIONS:-"50 200"}
RATE=${RATE:-5000}

need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
command -v cc >/dev/null || need+=(gcc)
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || need+=(libcurl4-openssl-dev)
if ((${#need[@]})); then
    [ "$(id -u)" = 0 ] || { echo "missing: ${need[*]} (apt-get install them)" >&2; exit 2; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x "$ACCORD" ] || { echo "no accord binary at $ACCORD (run: swift build -c release --product accord)" >&2; exit 2; }

# Two cores or more: the server on CPU 1, every generator on CPU 0, so that the scheduler never
# puts the two on one core for part of a run.
pin=""; affinity=""; pinning=""
if [ "$(nproc)" -ge 2 ]; then
    pin="taskset -c 0"; affinity="worker_cpu_affinity 10;"
    pinning="nginx's worker is pinned to CPU 1 and every generator to CPU 0 (\`taskset\`), so that the
scheduler never stacks the two on one core; "
fi

work=$(mktemp -d)
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
# One worker: one core for the server, one for the generator (this machine has two).
# keepalive_requests: the default (1000) closes every connection after 1000 answers, which
# charges reconnects to the generators; wrk and libcurl both keep connections for the whole run.
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
        listen 127.0.0.1:$port;
        location / { return 200 "ok\n"; }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5
url="http://127.0.0.1:$port/"
cc -O2 -o "$work/curl-multi-loop" Benchmarks/curl-multi-loop.c -lcurl
cc -O2 -o "$work/curl-multi-socket-loop" Benchmarks/curl-multi-socket-loop.c -lcurl

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f\n", a/b}'; }
range() { sort -n | awk -v f="${1:-%.0f}" '{a[NR]=$1} END {printf f "–" f, a[1], a[NR]}'; }

rows=""
for c in $CONNECTIONS; do
    for f in wrk loop socket accord r_loop r_socket r_wrk; do : >"$work/$f"; done
    for ((i = 1; i <= REPEAT; i++)); do
        w=$($pin wrk -t1 -c"$c" -d"${SECONDS_EACH}s" "$url" | awk '/Requests\/sec/ {print $2}')
        l=$($pin "$work/curl-multi-loop" "$url" "$c" "$SECONDS_EACH" | awk '{print $2}')
        s=$($pin "$work/curl-multi-socket-loop" "$url" "$c" "$SECONDS_EACH" | awk '{print $2}')
        a=$($pin "$ACCORD" load --url "$url" -c "$c" -t 1 -d "${SECONDS_EACH}s" | awk '/requests/ {gsub(/\(/, "", $3); print $3}')
        echo "$w" >>"$work/wrk"; echo "$l" >>"$work/loop"; echo "$s" >>"$work/socket"; echo "$a" >>"$work/accord"
        # Ratios within one round: the machine's drift hits all four alike.
        ratio "$a" "$l" >>"$work/r_loop"; ratio "$a" "$s" >>"$work/r_socket"; ratio "$a" "$w" >>"$work/r_wrk"
        echo "c=$c round $i: wrk $w perform-loop $l socket-loop $s accord $a" >&2
    done
    w=$(median <"$work/wrk"); l=$(median <"$work/loop"); s=$(median <"$work/socket"); a=$(median <"$work/accord")
    rows+="| $c | $(printf '%.0f' "$w") | $(printf '%.0f' "$l") | $(printf '%.0f' "$s") | $(printf '%.0f' "$a") ($(range <"$work/accord")) "
    rows+="| $(median <"$work/r_loop") ($(range %.2f <"$work/r_loop")) "
    rows+="| $(median <"$work/r_socket") ($(range %.2f <"$work/r_socket")) "
    rows+="| $(median <"$work/r_wrk") ($(range %.2f <"$work/r_wrk")) |"$'\n'
done

# Latency below saturation. wrk2 (-R) is not in Debian, so wrk measures closed-model latency
# on one connection (no queueing: each request's time is the server's answer plus the
# client's own overhead), accord load the same way, and accord load open-model at $RATE req/s
# on 50 connections, corrected (from the intended send time) and uncorrected.
lat() { awk '
    /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
    function ms(v) { if (v ~ /us$/) return (v+0)/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return (v+0)*1000; return v }
    END {printf "%.3f | %.3f | %.3f", ms(p50), ms(p90), ms(p99)}'; }
acc() { awk -v key="$1" '$1 == key {for (i=2;i<=NF;i++) {if ($i=="p50") a=$(i+1); if ($i=="p90") b=$(i+1); if ($i=="p99") c=$(i+1)}} END {printf "%s | %s | %s", a, b, c}'; }
latency=""
for ((i = 1; i <= REPEAT; i++)); do
    latency+="| $i | wrk, closed, 1 connection | $($pin wrk -t1 -c1 -d"${SECONDS_EACH}s" --latency "$url" | lat) |"$'\n'
    out=$($pin "$ACCORD" load --url "$url" -c 1 -t 1 -d "${SECONDS_EACH}s")
    latency+="| $i | accord load, closed, 1 connection | $(echo "$out" | acc latency) |"$'\n'
    out=$($pin "$ACCORD" load --url "$url" -c 50 -t 1 -d "${SECONDS_EACH}s" --rate "$RATE")
    latency+="| $i | accord load --rate $RATE, 50 connections, corrected | $(echo "$out" | acc latency) |"$'\n'
    latency+="| $i | accord load --rate $RATE, 50 connections, uncorrected | $(echo "$out" | acc uncorrected) |"$'\n'
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(awk -F: '/model name/ {gsub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo)
curl_version=$(dpkg-query -W -f='${Version}' libcurl4 2>/dev/null || echo '?')
wrk_version=$( (wrk -v 2>&1 || true) | head -1 | awk '{print $1, $2}')
os_name=$(. /etc/os-release && echo "$PRETTY_NAME")
section="## Load engine: accord load against wrk and bare libcurl-multi loops

Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $cpu, $(nproc) cores, $os_name,
libcurl $curl_version, $wrk_version.
Target: nginx \`return 200\` on loopback, one worker, \`keepalive_requests\` high (the default
1000 closes every connection after 1000 answers), \`access_log off\`. One thread each; ${SECONDS_EACH} s
per run; ${REPEAT} rounds, interleaved (wrk, perform loop, socket loop, accord, wrk, …) so that
drift in the machine's load hits all four; medians, with the range in brackets. Ratios are
taken within each round. ${pinning}the machine is shared with
whatever else runs on it: load average $load_before before, $load_after after.
The perform loop is \`Benchmarks/curl-multi-loop.c\` (\`curl_multi_perform\` + \`curl_multi_poll\`
on one multi handle, the engine's first design); the socket loop is
\`Benchmarks/curl-multi-socket-loop.c\` (\`curl_multi_socket_action\` on epoll, handles set up
exactly as the engine sets them up, in multi handles of 8 connections as the engine shards them).

| connections | wrk RPS | perform loop RPS | socket loop RPS | accord load RPS | accord / perform loop | accord / socket loop | accord / wrk |
|---|---|---|---|---|---|---|---|
${rows}
Goal (issue 4): accord load ≥ 0.90 of the bare loop (the Swift layer costs next to nothing) and ≥ 0.45 of wrk.

Latency below saturation (ms; p50 | p90 | p99), one row per round:

| round | run | p50 | p90 | p99 |
|---|---|---|---|---|
${latency}
Reproduce: \`bash Benchmarks/load-engine-vs-wrk.sh\` (\`SECONDS_EACH\`, \`REPEAT\`, \`CONNECTIONS\`, \`RATE\` override the defaults).
"
echo "$section"
mkdir -p docs
if [ -f docs/benchmarks.md ] && grep -q '^## Load engine: accord load against' docs/benchmarks.md; then
    python3 - "$section" <<'PY'
import re, sys
path = "docs/benchmarks.md"
text = open(path, encoding="utf-8").read()
new = sys.argv[1]
# Only the generated section: the hand-written analysis after it stays.
text = re.sub(r"## Load engine: accord load against.*?(?=\n## |\Z)", lambda _: new.rstrip() + "\n", text, count=1, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
else
    { [ -f docs/benchmarks.md ] || printf '# Benchmarks\n\nEvery number here is written by a script in Benchmarks/, measured side by side in one run.\n\n'; echo "$section"; } >>docs/benchmarks.md.new
    if [ -f docs/benchmarks.md ]; then cat docs/benchmarks.md.new >>docs/benchmarks.md; rm docs/benchmarks.md.new; else mv docs/benchmarks.md.new docs/benchmarks.md; fi
fi
