#!/usr/bin/env bash
# Our load engine against wrk and a bare C libcurl-multi loop, side by side in one run, on
# nginx `return 200` over loopback: same connections, one thread each, repeated. Writes the
# table to docs/benchmarks.md (section "Load engine") and prints it.
#
#   bash Benchmarks/load-engine-vs-wrk.sh [ACCORD_BINARY]     (default: the release build)
#
# Needs nginx, wrk, a C compiler and libcurl4-openssl-dev (installed when missing, as root).
# All traffic goes to 127.0.0.1 only and every run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD=${1:-$(swift build -c release --show-bin-path 2>/dev/null)/accord}
SECONDS_EACH=${SECONDS_EACH:-5}
REPEAT=${REPEAT:-3}
CONNECTIONS=${CONNECTIONS:-"50"}

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

work=$(mktemp -d)
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
    access_log off;
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

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

rows=""
for c in $CONNECTIONS; do
    : >"$work/wrk" ; : >"$work/loop" ; : >"$work/accord"
    for ((i = 1; i <= REPEAT; i++)); do
        wrk -t1 -c"$c" -d"${SECONDS_EACH}s" "$url" | awk '/Requests\/sec/ {print $2}' >>"$work/wrk"
        "$work/curl-multi-loop" "$url" "$c" "$SECONDS_EACH" | awk '{print $2}' >>"$work/loop"
        "$ACCORD" load --url "$url" -c "$c" -t 1 -d "${SECONDS_EACH}s" | awk '/requests/ {gsub(/\(/, "", $3); print $3}' >>"$work/accord"
    done
    w=$(median <"$work/wrk"); l=$(median <"$work/loop"); a=$(median <"$work/accord")
    rows+="| $c | $(printf '%.0f' "$w") | $(printf '%.0f' "$l") | $(printf '%.0f' "$a") | $(awk -v a="$a" -v l="$l" 'BEGIN {printf "%.2f", a/l}') | $(awk -v a="$a" -v w="$w" 'BEGIN {printf "%.2f", a/w}') |"$'\n'
    echo "c=$c wrk: $(tr '\n' ' ' <"$work/wrk") loop: $(tr '\n' ' ' <"$work/loop") accord: $(tr '\n' ' ' <"$work/accord")" >&2
done

cpu=$(awk -F: '/model name/ {gsub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo)
curl_version=$(dpkg-query -W -f='${Version}' libcurl4 2>/dev/null || echo '?')
wrk_version=$( (wrk -v 2>&1 || true) | head -1 | awk '{print $1, $2}')
os_name=$(. /etc/os-release && echo "$PRETTY_NAME")
section="## Load engine: accord load against wrk and a bare libcurl-multi loop

Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $cpu, $(nproc) cores, $os_name,
libcurl $curl_version, $wrk_version.
Target: nginx \`return 200\` (1 worker) on loopback; one thread each; ${SECONDS_EACH} s per run; median of ${REPEAT}
runs, interleaved (wrk, loop, accord, wrk, …) so that drift in the machine's load hits all three.
Generator and server share the 2 cores, as they do in \`accord run\`.

| connections | wrk RPS | bare C curl-multi RPS | accord load RPS | accord / bare loop | accord / wrk |
|---|---|---|---|---|---|
${rows}
Goal (issue 4): accord load ≥ 0.90 of the bare loop (the Swift layer costs next to nothing) and ≥ 0.45 of wrk.
Reproduce: \`bash Benchmarks/load-engine-vs-wrk.sh\`.
"
echo "$section"
mkdir -p docs
if [ -f docs/benchmarks.md ] && grep -q '^## Load engine' docs/benchmarks.md; then
    python3 - "$section" <<'PY'
import re, sys
path = "docs/benchmarks.md"
text = open(path).read()
new = sys.argv[1]
text = re.sub(r"## Load engine.*?(?=\n## |\Z)", new.rstrip() + "\n", text, flags=re.S)
open(path, "w").write(text)
PY
else
    { [ -f docs/benchmarks.md ] || printf '# Benchmarks\n\nEvery number here is written by a script in Benchmarks/, measured side by side in one run.\n\n'; echo "$section"; } >>docs/benchmarks.md.new
    if [ -f docs/benchmarks.md ]; then cat docs/benchmarks.md.new >>docs/benchmarks.md; rm docs/benchmarks.md.new; else mv docs/benchmarks.md.new docs/benchmarks.md; fi
fi
