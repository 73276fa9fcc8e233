#!/usr/bin/env bash
# real-obs.sh - a REAL OBS Studio (obs-websocket v5) headless under Xvfb, plus an nginx-rtmp
# ingest (RTMP -> HLS) on 127.0.0.1, for simulcast's integration tests and for trying the
# controller by hand. Written for Debian 12 (obs-studio 29, which ships obs-websocket 5.1).
#
# Usage:
#   scripts/real-obs.sh [start]      fresh config, then nginx, Xvfb and OBS (the default)
#   scripts/real-obs.sh start-obs    relaunch OBS alone, same config and ports (after a crash)
#   scripts/real-obs.sh start-nginx  relaunch nginx alone, same config and ports
#   scripts/real-obs.sh install      only install the Debian packages (as root), e.g. in CI
#   scripts/stop-real-obs.sh [all|obs|nginx]
#
# Settings (environment variables, all optional; read by `start`, remembered for the others):
#   REALOBS_DIR            state dir: config, pid files, logs, HLS output (default /tmp/simulcast-obs)
#                          When root, nginx workers run as nobody: the dir must be traversable.
#   REALOBS_WS_PORT        obs-websocket port                                       (default 4455)
#   REALOBS_WS_PASSWORD    obs-websocket password; empty = no authentication        (default empty)
#   REALOBS_RTMP_PORT      nginx-rtmp port; publish to rtmp://127.0.0.1:PORT/live    (default 1935)
#   REALOBS_HTTP_PORT      nginx http port: /hls/<key>.m3u8 and /stat               (default 8089)
#   REALOBS_STREAM_SERVER  stream server saved in OBS' profile. Deliberately NOT the ingest:
#                          the controller must configure OBS' stream service itself.
#                                                                (default rtmp://127.0.0.1:1/none)
#   REALOBS_STREAM_KEY     stream key saved in OBS' profile                          (default none)
#   REALOBS_VIDEO_SIZE     base and output resolution WxH                           (default 1280x720)
#   REALOBS_FPS            frame rate                                                (default 30)
#   REALOBS_HLS_PLAYLIST   seconds of media an HLS playlist lists; a short one makes its
#                          EXT-X-MEDIA-SEQUENCE advance soon after the start            (default 4)
#   REALOBS_READY_TIMEOUT  seconds to wait for obs-websocket                         (default 60)
#   REALOBS_SKIP_INSTALL   1 = never call apt-get                                   (default 0)
#
# Output: KEY=VALUE lines on stdout, also written to $REALOBS_DIR/env. Progress goes to stderr.
# Scenes: "Main" (title card), "Pause" (calm colour, "Pause – on revient vite"), "Motion"
# (ffmpeg lavfi test pattern and a 440 Hz tone). x264 CBR 2500 kbps with 1 s keyframes, and
# 1 s HLS fragments, so a playlist appears about 1.5 s after the stream starts.
set -euo pipefail

COMMAND=${1:-start}
DIR=${REALOBS_DIR:-/tmp/simulcast-obs}
RTMP_MOD=/usr/lib/nginx/modules/ngx_rtmp_module.so
log() { echo "[real-obs] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
alive() {  # pidfile: its process exists and is not a zombie
    local pid
    [ -s "$1" ] || return 1
    pid=$(cat "$1")
    [ -r "/proc/$pid/stat" ] && [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]
}
port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

wait_port() {  # port seconds [pidfile]: until 127.0.0.1:port accepts (or the process exits)
    local i
    for i in $(seq 1 $(( $2 * 10 ))); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        [ -n "${3:-}" ] && ! alive "$3" && return 1
        sleep 0.1
    done
    return 1
}

case "$COMMAND" in
start)
    WS_PORT=${REALOBS_WS_PORT:-4455}
    WS_PASSWORD=${REALOBS_WS_PASSWORD:-}
    RTMP_PORT=${REALOBS_RTMP_PORT:-1935}
    HTTP_PORT=${REALOBS_HTTP_PORT:-8089}
    STREAM_SERVER=${REALOBS_STREAM_SERVER:-rtmp://127.0.0.1:1/none}
    STREAM_KEY=${REALOBS_STREAM_KEY:-none}
    VIDEO_SIZE=${REALOBS_VIDEO_SIZE:-1280x720}
    VW=${VIDEO_SIZE%x*}; VH=${VIDEO_SIZE#*x}
    [[ "$VW" =~ ^[0-9]+$ && "$VH" =~ ^[0-9]+$ ]] || die "REALOBS_VIDEO_SIZE must be WxH, not '$VIDEO_SIZE'"
    FPS=${REALOBS_FPS:-30}
    HLS_PLAYLIST=${REALOBS_HLS_PLAYLIST:-4}
    READY_TIMEOUT=${REALOBS_READY_TIMEOUT:-60}
    case "$STREAM_SERVER$STREAM_KEY$WS_PASSWORD" in
        *[\"\\]*) die "REALOBS_STREAM_SERVER, REALOBS_STREAM_KEY and REALOBS_WS_PASSWORD may not contain \" or \\" ;;
    esac
    ;;
install) ;;
start-obs | start-nginx)
    [ -s "$DIR/settings.sh" ] || die "no $DIR/settings.sh: run '$0 start' first"
    # shellcheck source=/dev/null
    . "$DIR/settings.sh"
    ;;
*) die "unknown command '$COMMAND' (start, start-obs, start-nginx or install)" ;;
esac

# ------------------------------------------------------------------------------- packages
install_packages() {
    local pkgs="obs-studio xvfb xauth nginx libnginx-mod-rtmp ffmpeg curl fonts-dejavu-core
                libgl1-mesa-dri libegl-mesa0 libglx-mesa0" missing=0 c
    for c in obs Xvfb nginx ffmpeg; do command -v "$c" >/dev/null 2>&1 || missing=1; done
    [ -f "$RTMP_MOD" ] || missing=1
    ls /usr/lib/*/obs-plugins/obs-websocket.so >/dev/null 2>&1 || missing=1
    [ "$missing" = 1 ] || return 0
    [ "${REALOBS_SKIP_INSTALL:-0}" = 1 ] && die "packages missing and REALOBS_SKIP_INSTALL=1: $pkgs"
    [ "$(id -u)" = 0 ] || die "packages missing; as root run: apt-get install --no-install-recommends $pkgs"
    log "installing: $pkgs"
    local t0; t0=$(date +%s)
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    # --no-install-recommends: no VLC, JACK or DeckLink plugins, which a headless OBS never needs
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $pkgs >&2
    log "install took $(( $(date +%s) - t0 )) s"
    ls /usr/lib/*/obs-plugins/obs-websocket.so >/dev/null 2>&1 \
        || die "the obs-studio package has no obs-websocket plugin (OBS 28 or later is needed)"
}

# ------------------------------------------------------------------------------- config
write_settings() {  # what start-obs / start-nginx need to relaunch with the same config
    {
        local v
        for v in WS_PORT WS_PASSWORD RTMP_PORT HTTP_PORT STREAM_SERVER STREAM_KEY VIDEO_SIZE FPS \
                 HLS_PLAYLIST READY_TIMEOUT; do
            printf '%s=%q\n' "$v" "${!v}"
        done
    } > "$DIR/settings.sh"
}

write_nginx_config() {
    cat > "$DIR/nginx/nginx.conf" <<EOF
load_module $RTMP_MOD;
worker_processes 1;
daemon on;
pid $DIR/nginx.pid;
error_log $DIR/logs/nginx-error.log info;
events { worker_connections 256; }
rtmp {
    server {
        listen 127.0.0.1:$RTMP_PORT;
        chunk_size 4096;
        application live {
            live on;
            record off;
            hls on;
            hls_path $DIR/hls;
            hls_fragment 1s;
            hls_playlist_length ${HLS_PLAYLIST}s;
        }
    }
}
http {
    access_log $DIR/logs/nginx-access.log;
    client_body_temp_path $DIR/nginx/tmp/body;
    proxy_temp_path $DIR/nginx/tmp/proxy;
    fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
    scgi_temp_path $DIR/nginx/tmp/scgi;
    types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
    server {
        listen 127.0.0.1:$HTTP_PORT;
        location /hls/ { alias $DIR/hls/; add_header Cache-Control no-cache; }
        location = /stat { rtmp_stat all; default_type text/xml; }
    }
}
EOF
}

scene_item() {  # name uuid id x y
    cat <<EOF
{"name": "$1", "source_uuid": "$2", "id": $3, "visible": true, "locked": false,
 "pos": {"x": $4, "y": $5}, "scale": {"x": 1.0, "y": 1.0}, "rot": 0.0, "align": 5,
 "bounds_type": 0, "bounds": {"x": 0.0, "y": 0.0}, "bounds_align": 0,
 "crop_left": 0, "crop_top": 0, "crop_right": 0, "crop_bottom": 0}
EOF
}

text_source() {  # name uuid text size
    cat <<EOF
{"id": "text_ft2_source_v2", "versioned_id": "text_ft2_source_v2", "name": "$1", "uuid": "$2",
 "settings": {"text": "$3", "font": {"face": "DejaVu Sans", "size": $4, "style": "Book", "flags": 0},
              "color1": 4294967295, "color2": 4294967295}}
EOF
}

colour_source() {  # name uuid ABGR
    cat <<EOF
{"id": "color_source_v3", "versioned_id": "color_source_v3", "name": "$1", "uuid": "$2",
 "settings": {"color": $3, "width": $VW, "height": $VH}}
EOF
}

write_obs_config() {
    local cfg="$DIR/obs-home/.config/obs-studio" auth=false
    mkdir -p "$cfg/basic/profiles/simulcast" "$cfg/basic/scenes"
    [ -n "$WS_PASSWORD" ] && auth=true
    # FirstRun=true and LastVersion=29.0.2 (29<<24|0<<16|2): no auto-configuration wizard.
    cat > "$cfg/global.ini" <<EOF
[General]
Pre19Defaults=false
Pre21Defaults=false
Pre23Defaults=false
Pre24.1Defaults=false
FirstRun=true
LastVersion=486539266
ConfirmOnExit=false
EnableAutoUpdates=false

[BasicWindow]
SysTrayEnabled=false
SysTrayWhenStarted=false
WarnBeforeStartingStream=false
WarnBeforeStoppingStream=false
WarnBeforeStoppingRecord=false
PreviewEnabled=false

[Basic]
Profile=simulcast
ProfileDir=simulcast
SceneCollection=simulcast
SceneCollectionFile=simulcast
ConfigOnNewProfile=false

[OBSWebSocket]
FirstLoad=false
ServerEnabled=true
ServerPort=$WS_PORT
AlertsEnabled=false
AuthRequired=$auth
ServerPassword=$WS_PASSWORD
EOF
    # Reconnect after 2 s, up to 25 times: what a mediator's OBS does when the ingest blips.
    cat > "$cfg/basic/profiles/simulcast/basic.ini" <<EOF
[General]
Name=simulcast

[Video]
BaseCX=$VW
BaseCY=$VH
OutputCX=$VW
OutputCY=$VH
FPSType=0
FPSCommon=$FPS
ScaleType=bicubic
ColorFormat=NV12
ColorSpace=709
ColorRange=Partial

[Audio]
SampleRate=48000
ChannelSetup=Stereo

[Output]
Mode=Advanced
Reconnect=true
RetryDelay=2
MaxRetries=25

[AdvOut]
Encoder=obs_x264
TrackIndex=1
ApplyServiceSettings=false
RecType=Standard
RecFilePath=$DIR/recordings
RecFormat=mkv
RecEncoder=none
RecTracks=1
Track1Bitrate=128
EOF
    # keyint_sec=1 lets nginx-rtmp cut 1 s fragments (OBS' default: first playlist after ~9 s)
    cat > "$cfg/basic/profiles/simulcast/streamEncoder.json" <<'EOF'
{"rate_control": "CBR", "bitrate": 2500, "keyint_sec": 1, "preset": "veryfast", "profile": "main", "tune": "zerolatency"}
EOF
    cat > "$cfg/basic/profiles/simulcast/service.json" <<EOF
{"type": "rtmp_custom", "settings": {"server": "$STREAM_SERVER", "key": "$STREAM_KEY", "use_auth": false, "bwtest": false}}
EOF
    local size=$(( VH / 10 )) x=$(( VW / 12 )) y=$(( VH * 2 / 5 ))
    # Colours are ABGR: Main #4D3A1F (deep blue), Pause #9F9C6E (sage, calm), text white.
    cat > "$cfg/basic/scenes/simulcast.json" <<EOF
{
 "name": "simulcast", "current_scene": "Main", "current_program_scene": "Main",
 "scene_order": [{"name": "Main"}, {"name": "Pause"}, {"name": "Motion"}],
 "groups": [], "transitions": [], "current_transition": "Cut", "transition_duration": 300,
 "preview_locked": false, "scaling_enabled": false, "quick_transitions": [],
 "saved_projectors": [], "modules": {},
 "sources": [
  {"id": "scene", "versioned_id": "scene", "name": "Main", "uuid": "5c000000-0000-4000-8000-000000000001",
   "settings": {"id_counter": 2, "custom_size": false, "items": [
     $(scene_item "Main background" 5c000000-0000-4000-8000-000000000011 1 0.0 0.0),
     $(scene_item "Main title" 5c000000-0000-4000-8000-000000000012 2 "$x.0" "$y.0")]}},
  {"id": "scene", "versioned_id": "scene", "name": "Pause", "uuid": "5c000000-0000-4000-8000-000000000002",
   "settings": {"id_counter": 2, "custom_size": false, "items": [
     $(scene_item "Pause background" 5c000000-0000-4000-8000-000000000021 1 0.0 0.0),
     $(scene_item "Pause text" 5c000000-0000-4000-8000-000000000022 2 "$x.0" "$y.0")]}},
  {"id": "scene", "versioned_id": "scene", "name": "Motion", "uuid": "5c000000-0000-4000-8000-000000000003",
   "settings": {"id_counter": 1, "custom_size": false, "items": [
     $(scene_item "Test pattern" 5c000000-0000-4000-8000-000000000031 1 0.0 0.0)]}},
  $(colour_source "Main background" 5c000000-0000-4000-8000-000000000011 4283251231),
  $(text_source "Main title" 5c000000-0000-4000-8000-000000000012 "simulcast" "$size"),
  $(colour_source "Pause background" 5c000000-0000-4000-8000-000000000021 4288650350),
  $(text_source "Pause text" 5c000000-0000-4000-8000-000000000022 "Pause – on revient vite" "$size"),
  {"id": "ffmpeg_source", "versioned_id": "ffmpeg_source", "name": "Test pattern",
   "uuid": "5c000000-0000-4000-8000-000000000031", "mixers": 255, "volume": 1.0,
   "settings": {"is_local_file": false, "input_format": "lavfi",
                "input": "testsrc2=size=${VW}x${VH}:rate=$FPS[out0];sine=frequency=440:sample_rate=48000[out1]",
                "looping": false, "restart_on_activate": true, "close_when_inactive": true,
                "hw_decode": false}}
 ]
}
EOF
}

write_env() {
    cat > "$DIR/env" <<EOF
REALOBS_DIR=$DIR
OBS_WS_URL=ws://127.0.0.1:$WS_PORT
OBS_WS_PORT=$WS_PORT
OBS_WS_PASSWORD=$WS_PASSWORD
OBS_VERSION=$(dpkg-query -W -f='${Version}' obs-studio 2>/dev/null || obs --version 2>/dev/null || echo unknown)
OBS_PID=$(cat "$DIR/obs.pid" 2>/dev/null || true)
OBS_READY_MS=${READY_MS:-}
OBS_DISPLAY=:$(cat "$DIR/xvfb.display" 2>/dev/null | tr -dc '0-9')
OBS_SCENES=Main,Pause,Motion
OBS_STREAM_SERVER=$STREAM_SERVER
OBS_LOG=$DIR/logs/obs.log
NGINX_PID=$(cat "$DIR/nginx.pid" 2>/dev/null || true)
XVFB_PID=$(cat "$DIR/xvfb.pid" 2>/dev/null || true)
RTMP_PORT=$RTMP_PORT
RTMP_SERVER=rtmp://127.0.0.1:$RTMP_PORT/live
HTTP_PORT=$HTTP_PORT
HLS_DIR=$DIR/hls
HLS_BASE_URL=http://127.0.0.1:$HTTP_PORT/hls/
RTMP_STAT_URL=http://127.0.0.1:$HTTP_PORT/stat
EOF
    cat "$DIR/env"
}

# ------------------------------------------------------------------------------- processes
STARTED=()
cleanup_on_error() {
    local rc=$? name
    [ $rc -eq 0 ] && return
    log "failed (exit $rc); stopping what this run started: ${STARTED[*]:-nothing}"
    for name in "${STARTED[@]:-}"; do
        [ -n "$name" ] && alive "$DIR/$name.pid" && kill -TERM "$(cat "$DIR/$name.pid")" 2>/dev/null
        [ -n "$name" ] && rm -f "$DIR/$name.pid"
    done
    true
}
trap cleanup_on_error EXIT
trap 'exit 143' TERM INT HUP     # so that the EXIT trap also runs on a signal

start_nginx() {
    alive "$DIR/nginx.pid" && die "nginx is already running (pid $(cat "$DIR/nginx.pid"))"
    local p
    for p in "$RTMP_PORT" "$HTTP_PORT"; do port_busy "$p" && die "TCP port $p is already in use"; done
    # -e: where errors go before the config is read (else /var/log/nginx/error.log)
    local ngx=(nginx -e "$DIR/logs/nginx-error.log" -p "$DIR/nginx/" -c "$DIR/nginx/nginx.conf")
    "${ngx[@]}" -t >/dev/null 2>&1 || { "${ngx[@]}" -t || true; die "nginx config test failed"; }
    "${ngx[@]}"
    STARTED+=(nginx)
    { wait_port "$RTMP_PORT" 10 && wait_port "$HTTP_PORT" 10; } \
        || die "nginx does not listen on $RTMP_PORT and $HTTP_PORT: $(tail -5 "$DIR/logs/nginx-error.log")"
}

start_xvfb() {
    # -displayfd: Xvfb picks a free display and writes its number once it accepts clients
    rm -f "$DIR/xvfb.display"
    setsid Xvfb -displayfd 3 -screen 0 "${VW}x${VH}x24" -nolisten tcp -noreset \
        3>"$DIR/xvfb.display" >"$DIR/logs/xvfb.log" 2>&1 </dev/null &
    echo $! > "$DIR/xvfb.pid"
    STARTED+=(xvfb)
    local i
    for i in $(seq 1 100); do [ -s "$DIR/xvfb.display" ] && return 0; sleep 0.1; done
    die "Xvfb did not start: $(tail -5 "$DIR/logs/xvfb.log")"
}

ws_hello() {  # port: obs-websocket answers a WebSocket upgrade with its Hello (op 0)
    python3 - "$1" <<'PY'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: c2ltdWxjYXN0LXJlYWR5ISE=\r\nSec-WebSocket-Version: 13\r\n\r\n")
    buf = b""
    while b"obsWebSocketVersion" not in buf:
        data = s.recv(4096)
        if not data:
            sys.exit(1)
        buf += data
except Exception:
    sys.exit(1)
PY
}

start_obs() {
    alive "$DIR/obs.pid" && die "OBS is already running (pid $(cat "$DIR/obs.pid"))"
    alive "$DIR/xvfb.pid" || die "Xvfb is not running: use '$0 start'"
    port_busy "$WS_PORT" && die "TCP port $WS_PORT is already in use"
    local display; display=$(tr -dc '0-9' < "$DIR/xvfb.display")
    local t0; t0=$(date +%s%N)
    # --disable-shutdown-check: no "OBS did not shut down properly" dialog after a SIGKILL
    setsid env -u WAYLAND_DISPLAY -u SESSION_MANAGER \
        HOME="$DIR/obs-home" XDG_CONFIG_HOME="$DIR/obs-home/.config" XDG_RUNTIME_DIR="$DIR/runtime" \
        DISPLAY=":$display" QT_QPA_PLATFORM=xcb LIBGL_ALWAYS_SOFTWARE=1 \
        obs --multi --disable-shutdown-check --disable-updater --disable-missing-files-check \
            --collection simulcast --profile simulcast --scene Main --websocket_port "$WS_PORT" \
        >>"$DIR/logs/obs.log" 2>&1 </dev/null &
    echo $! > "$DIR/obs.pid"
    STARTED+=(obs)
    local deadline=$(( $(date +%s) + READY_TIMEOUT ))
    until ws_hello "$WS_PORT"; do
        alive "$DIR/obs.pid" || { tail -40 "$DIR/logs/obs.log" >&2; die "OBS exited during start-up"; }
        [ "$(date +%s)" -lt "$deadline" ] \
            || { tail -40 "$DIR/logs/obs.log" >&2; die "obs-websocket not ready on $WS_PORT after ${READY_TIMEOUT} s"; }
        sleep 0.05
    done
    READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
    log "OBS ready on ws://127.0.0.1:$WS_PORT in $READY_MS ms"
}

case "$COMMAND" in
start)
    install_packages
    for p in "$WS_PORT" "$RTMP_PORT" "$HTTP_PORT"; do
        port_busy "$p" && die "TCP port $p is already in use (still running? try scripts/stop-real-obs.sh)"
    done
    for name in obs xvfb nginx; do
        alive "$DIR/$name.pid" && die "$name from an earlier run is alive (pid $(cat "$DIR/$name.pid")); run scripts/stop-real-obs.sh"
    done
    rm -rf "$DIR/obs-home" "$DIR/hls" "$DIR/nginx" "$DIR/runtime" "$DIR/logs"
    mkdir -p "$DIR"/{logs,hls,runtime,recordings,nginx/tmp}
    chmod 0755 "$DIR"
    chmod 0777 "$DIR/hls"        # nginx workers run as nobody when the master is root
    chmod 0700 "$DIR/runtime"
    if [ "$(id -u)" = 0 ] && ! runuser -u nobody -- test -w "$DIR/hls" 2>/dev/null; then
        die "nginx workers (user nobody) cannot write $DIR/hls: choose a REALOBS_DIR whose parents are world-traversable (under /tmp, not a 0700 dir)"
    fi
    write_settings
    write_nginx_config
    write_obs_config
    start_nginx
    start_xvfb
    start_obs
    ;;
start-nginx) start_nginx ;;
start-obs) start_obs ;;
install) install_packages; trap - EXIT TERM INT HUP; log "packages present"; exit 0 ;;
esac
trap - EXIT TERM INT HUP
write_env
