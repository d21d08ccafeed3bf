# Shared by the scripts that boot throwaway services (contract-walk.sh, schemathesis.sh):
# source it after setting IS_ROOT (1 when running as root).

# A TCP port nobody listens on now, on 127.0.0.1.
free_port() {
    local p i
    for ((i = 0; i < 100; i++)); do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}

# Runs a PostgreSQL tool as Debian's postgres user when root (initdb refuses root).
as_pg() { if ((IS_ROOT)); then runuser -u postgres -- "$@"; else "$@"; fi; }
