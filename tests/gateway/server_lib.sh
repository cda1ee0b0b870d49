# shellcheck shell=bash disable=SC2034  # WG_* are this library's results
# Starting and stopping `wasmgate serve` from bash, for the end-to-end tests
# (tests/gateway/run_gateway_tests.sh) and the HTTP benchmark (bench/http.sh).
# Source it; set WG_BIN (the wasmgate binary) and WG_TMP (a scratch folder)
# first.
#
#   wg_start_server TAG MANIFEST [SERVE-OPTION...]
#       Starts `WG_BIN serve --listen 127.0.0.1:PORT OPTIONS MANIFEST` and
#       waits (at most WG_READY_SECONDS, default 60) for its readiness line
#       "wasmgate: serving N routes on http[s]://ADDR:PORT" on stderr — no
#       sleeps: stderr is a FIFO read line by line. The port: first 0 (the
#       kernel picks a free one; the readiness line says which), then random
#       ports in 20000-59999 while the failure is "address in use".
#       On success sets WG_PID, WG_PORT, WG_SCHEME (http/https), WG_LOG (the
#       server's stdout+stderr, kept being appended to) and returns 0; else
#       prints why on stderr and returns 1.
#   wg_stop_server PID [SECONDS]
#       SIGTERM, then waits at most SECONDS (default 60) for the exit; SIGKILL
#       after that. Sets WG_EXIT to the server's exit status (137 if it had to
#       be killed) and returns it. Call it in the shell that started the
#       server (not in $(...): a subshell cannot wait for it).
#   wg_wait_exit PID [SECONDS]
#       Like wg_stop_server but sends no signal first (the caller already
#       did): waits at most SECONDS (default 60), then SIGKILL. Sets WG_EXIT.
#   wg_kill_all
#       Stops every server started here that still runs (for trap EXIT).
#
# Every SECONDS here only guards against a hang: a loaded machine can be many
# times slower than an idle one, so they are generous, and nothing waits for
# them to pass (each wait ends at its event: a line, an exit).

WG_ALL_PIDS=()
WG_READY_SECONDS=${WG_READY_SECONDS:-60}

# Waits at most $2 seconds for process $1 to end. 0 if it ended.
wg_wait_gone() {
    local pid=$1 i n=$(( ${2:-60} * 20 ))
    for (( i = 0; i < n; i++ )); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
    ! kill -0 "$pid" 2>/dev/null
}

wg_start_server() {
    local tag=$1 manifest=$2
    shift 2
    local attempt port fifo fd line ready left deadline
    for (( attempt = 1; attempt <= 8; attempt++ )); do
        if (( attempt == 1 )); then
            port=0
        else
            port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        fi
        fifo=$WG_TMP/$tag.stderr.fifo
        rm -f "$fifo"
        mkfifo "$fifo" || return 1
        WG_LOG=$WG_TMP/$tag.log
        : >"$WG_LOG"
        "$WG_BIN" serve --listen "127.0.0.1:$port" "$@" "$manifest" >>"$WG_LOG" 2>"$fifo" &
        WG_PID=$!
        WG_ALL_PIDS+=("$WG_PID")
        exec {fd}<"$fifo"
        ready=0
        deadline=$(( SECONDS + WG_READY_SECONDS ))
        while :; do
            left=$(( deadline - SECONDS ))
            (( left > 0 )) || break
            IFS= read -r -t "$left" -u "$fd" line || break
            printf '%s\n' "$line" >>"$WG_LOG"
            if [[ $line == *"wasmgate: serving "* ]]; then
                ready=1
                break
            fi
        done
        if (( ready )); then
            # Keep draining stderr into the log (the server must never block
            # on a full pipe); cat ends when the server closes stderr.
            cat <&"$fd" >>"$WG_LOG" &
            exec {fd}<&-
            WG_SCHEME=http
            [[ $line == *"https://"* ]] && WG_SCHEME=https
            if [[ $line =~ https?://[^[:space:]]*:([0-9]+) ]] && (( BASH_REMATCH[1] != 0 )); then
                WG_PORT=${BASH_REMATCH[1]}
            elif (( port != 0 )); then
                WG_PORT=$port
            else
                # Port 0 but the line does not say which port: retry with a
                # random one.
                echo "server_lib: readiness line without the bound port: $line" >&2
                wg_stop_server "$WG_PID" 10
                continue
            fi
            return 0
        fi
        exec {fd}<&-
        if kill -0 "$WG_PID" 2>/dev/null; then
            echo "server_lib: '$tag' not ready after ${WG_READY_SECONDS}s (no 'wasmgate: serving' line); its log:" >&2
            sed 's/^/    /' "$WG_LOG" >&2
            wg_stop_server "$WG_PID" 5
            return 1
        fi
        wait "$WG_PID" 2>/dev/null
        # Port 0 refused, or a random port taken: try another port. Anything
        # else is a real failure.
        if (( attempt == 1 )) || grep -qiE 'in use|EADDRINUSE' "$WG_LOG"; then
            continue
        fi
        echo "server_lib: '$tag' exited before it was ready; its log:" >&2
        sed 's/^/    /' "$WG_LOG" >&2
        return 1
    done
    echo "server_lib: '$tag': no port worked after $(( attempt - 1 )) attempts; last log:" >&2
    sed 's/^/    /' "$WG_LOG" >&2
    return 1
}

wg_stop_server() {
    local pid=$1 secs=${2:-60}
    kill -TERM "$pid" 2>/dev/null
    if ! wg_wait_gone "$pid" "$secs"; then
        echo "server_lib: pid $pid still running ${secs}s after SIGTERM: SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    WG_EXIT=$?
    return "$WG_EXIT"
}

wg_wait_exit() {
    local pid=$1 secs=${2:-60}
    if ! wg_wait_gone "$pid" "$secs"; then
        echo "server_lib: pid $pid still running after ${secs}s: SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    WG_EXIT=$?
    return "$WG_EXIT"
}

wg_kill_all() {
    local pid
    for pid in "${WG_ALL_PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null && wg_stop_server "$pid" 5
    done
    return 0
}
