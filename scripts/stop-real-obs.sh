#!/usr/bin/env bash
# stop-real-obs.sh - stop what scripts/real-obs.sh started, by the pids in its pid files.
#
# Usage: scripts/stop-real-obs.sh [all|obs|nginx]     (default all: OBS, then nginx, then Xvfb)
# Uses the same REALOBS_DIR (default /tmp/simulcast-obs). Safe to run twice; it signals nothing
# that is not in one of its pid files, and checks the pid still runs the program it started.
set -u
DIR=${REALOBS_DIR:-/tmp/simulcast-obs}
WHAT=${1:-all}
log() { echo "[stop-real-obs] $*" >&2; }

# alive = exists and is not a zombie (kill -0 succeeds on a zombie not yet reaped)
alive() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; }

stop_pid() {  # name pidfile expected-comm
    local name=$1 pf=$2 comm=$3 pid i t0
    [ -s "$pf" ] || { log "$name: not started"; return 0; }
    pid=$(cat "$pf")
    if ! alive "$pid"; then log "$name: pid $pid has exited"; rm -f "$pf"; return 0; fi
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$comm" ]; then
        log "$name: pid $pid now runs '$(cat "/proc/$pid/comm" 2>/dev/null)', not $comm; left alone"
        rm -f "$pf"; return 0
    fi
    t0=$(date +%s%N)
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 200); do alive "$pid" || break; sleep 0.05; done
    if alive "$pid"; then
        log "$name: pid $pid ignored SIGTERM for 10 s; SIGKILL"
        kill -KILL "$pid" 2>/dev/null; sleep 0.2
    fi
    log "$name: stopped (pid $pid) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    rm -f "$pf"
}

case "$WHAT" in
    # OBS 29 has no SIGTERM handler: it exits at once without saving (the config is regenerated
    # by every `real-obs.sh start`). The nginx master's SIGTERM is a fast shutdown of its worker too.
    obs) stop_pid obs "$DIR/obs.pid" obs ;;
    nginx) stop_pid nginx "$DIR/nginx.pid" nginx ;;
    all)
        stop_pid obs "$DIR/obs.pid" obs
        stop_pid nginx "$DIR/nginx.pid" nginx
        stop_pid xvfb "$DIR/xvfb.pid" Xvfb
        rm -f "$DIR/xvfb.display"
        ;;
    *) log "unknown target '$WHAT' (all, obs or nginx)"; exit 2 ;;
esac
