#!/usr/bin/env bash
# One sitting, side by side: the harness's peers (nchan, the naive NestJS app, this gateway as one
# process) and this gateway as several processes (run-gateways.sh), with the harness's measure-all.sh
# cases plus two: p (publishes) and the several-process peers. Run by scripts/bench.sh, which sets
# SSE_PEERS_DIR to a writable copy of the harness's peers folder.
# Servers (and their Redis) are pinned to CPU $SRV_CPU, the generator to CPU $GEN_CPU; the cluster
# peer gets every core ($CLUSTER_CPUS, default all but the generator's when there are more than 2).
# Peers:
#   nchan-memory nchan-redis naive seed project-memory project-redis   as in measure-all.sh
#   project-redis-3   three instances on Redis: subscribers on two (one port), the publisher on a third
#   project-cluster   npm run start:cluster: one worker per core on one port, on Redis
#   floor-node floor-nest  case p only, not run unless named: the gateway's Redis broker behind node:http
#                     alone, or behind a minimal Nest app on Express (publish-floor.mjs): what the request
#                     pipeline costs per publish, beside project-redis
# Cases (each peer runs those that apply to it):
#   a  latency:    1,000 subs / 10 channels, $A_MSGS msgs at 200/s, 256 B         (all but project-cluster)
#   b  throughput: $N subs / 1 channel, 200 msgs closed loop, 1 POST in flight, 64 B, REPS times (all but project-redis-3)
#   c  memory:     $N idle subs on a freshly started server                         (single-process peers)
#   d  max conns:  up to $D_N within a 60 s connect budget, 3 source addresses       (single-process peers, project-cluster)
#   p  publishes:  $P_MSGS POSTs closed loop, 64 in flight, 64 B, 16 subs on 16 channels (nchan-redis, project-redis)
set -uo pipefail
: "${SSE_PEERS_DIR:?set SSE_PEERS_DIR to the harness peers folder}"
HERE=$(cd "$(dirname "$0")" && pwd)
export PROJECT_DIR=${PROJECT_DIR:-$(cd "$HERE/../.." && pwd)} SSE_PEERS_DIR
cd "$SSE_PEERS_DIR"
. ./lib.sh
BENCH=$(cd .. && pwd)/sse-bench.mjs
OUT=${OUT:-/tmp/peers-results/$(date +%Y%m%d-%H%M%S)}
SRV_CPU=${SRV_CPU:-0}
GEN_CPU=${GEN_CPU:-1}
REPS=${REPS:-3}
N=${N:-10000}
SEED_N=${SEED_N:-9000}
D_N=${D_N:-50000}
A_MSGS=${A_MSGS:-2000}
P_MSGS=${P_MSGS:-30000}
PEERS=${PEERS:-"nchan-memory project-memory nchan-redis project-redis naive project-redis-3 project-cluster"}
CASES=${CASES:-"c a b d p"}
CPUS_ALL=$(nproc)
if [ -z "${CLUSTER_CPUS+x}" ]; then
  CLUSTER_CPUS=""; [ "$CPUS_ALL" -gt 2 ] && CLUSTER_CPUS=$(seq 0 $((CPUS_ALL - 1)) | grep -vx "$GEN_CPU" | paste -sd,)
fi
mkdir -p "$OUT"
raise_nofile 2>/dev/null
NOFILE=$(ulimit -n)
echo "results: $OUT   fd limit $NOFILE   port range $(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range)   cores $CPUS_ALL"

GATEWAYS="$HERE/run-gateways.sh"
stop_all() { ./run-nchan.sh stop; ./run-nest.sh stop all; ./run-project.sh stop; "$GATEWAYS" stop; ./run-redis.sh stop; } >/dev/null 2>&1
trap stop_all EXIT

cases_of() {
  case $1 in
    project-redis-3) echo "a" ;;
    floor-node|floor-nest) echo "p" ;;
    project-cluster) echo "b d" ;;
    nchan-redis|project-redis) echo "c a b d p" ;;
    *) echo "c a b d" ;;
  esac
}

# Workers of the cluster peer: one per core, or for case d as many as the per-process fd limit
# needs to hold D_N streams (each worker holds its streams' sockets; 20,000 here: 3 for 50,000).
cluster_workers() {
  local cores need
  cores=$(if [ -n "$CLUSTER_CPUS" ]; then taskset -c "$CLUSTER_CPUS" nproc; else nproc; fi)
  need=$(( (D_N + NOFILE - 1001) / (NOFILE - 1000) ))
  if [ "$1" = d ] && [ "$need" -gt "$cores" ]; then echo "$need"; else echo "$cores"; fi
}

# start_peer NAME [CASE]: fresh server (and fresh Redis); sets SUB PUB FMT PIDS
start_peer() {
  stop_all
  case $1 in
    nchan-memory|nchan-redis)
      CPUS=$SRV_CPU WORKERS=${NCHAN_WORKERS:-1} ./run-nchan.sh start "${1#nchan-}" >/dev/null 2>&1 || return 1
      SUB='http://127.0.0.1:18080/sub/{channel}'; PUB='http://127.0.0.1:18080/pub/{channel}'; FMT=raw
      PIDS=$(cat "$RUN_DIR/nchan/nginx.pid")                       # master; workers via --server-children
      [ "$1" = nchan-redis ] && PIDS="$PIDS,$(cat "$RUN_DIR/redis.pid")" ;;
    naive|seed)
      CPUS=$SRV_CPU ./run-nest.sh start "$1" >/dev/null 2>&1 || return 1
      port=$([ "$1" = naive ] && echo 13000 || echo 13001)
      SUB="http://127.0.0.1:$port/channels/{channel}/events"; PUB=$SUB; FMT=json
      PIDS="$(cat "$RUN_DIR/nest-$1.pid"),$(cat "$RUN_DIR/redis.pid")" ;;
    project-memory|project-redis)
      CPUS=$SRV_CPU ./run-project.sh start "${1#project-}" >/dev/null 2>&1 || return 1
      SUB='http://127.0.0.1:14000/channels/{channel}/events'; PUB=$SUB; FMT=json
      PIDS=$(cat "$RUN_DIR/project.pid")
      [ "$1" = project-redis ] && PIDS="$PIDS,$(cat "$RUN_DIR/redis.pid")" ;;
    project-redis-3)
      CPUS=$SRV_CPU "$GATEWAYS" start redis-3 >/dev/null 2>&1 || return 1
      SUB='http://127.0.0.1:14011/channels/{channel}/events'; PUB='http://127.0.0.1:14012/channels/{channel}/events'; FMT=json
      PIDS="$("$GATEWAYS" pids),$(cat "$RUN_DIR/redis.pid")" ;;
    project-cluster)
      local workers; workers=$(cluster_workers "${2:-}")
      CPUS=$CLUSTER_CPUS WORKERS=$workers "$GATEWAYS" start cluster >/dev/null 2>&1 || return 1
      echo "- project-cluster, case ${2:-?}: $workers workers${CLUSTER_CPUS:+ on CPUs $CLUSTER_CPUS}" >>"$OUT/NOTES.md"
      SUB='http://127.0.0.1:14010/channels/{channel}/events'; PUB=$SUB; FMT=json
      PIDS="$("$GATEWAYS" pids),$(cat "$RUN_DIR/redis.pid")" ;;
    floor-node|floor-nest)
      CPUS=$SRV_CPU "$GATEWAYS" start "$1" >/dev/null 2>&1 || return 1
      port=$([ "$1" = floor-node ] && echo 14013 || echo 14014)
      SUB="http://127.0.0.1:$port/channels/{channel}/events"; PUB=$SUB; FMT=json
      PIDS="$("$GATEWAYS" pids),$(cat "$RUN_DIR/redis.pid")" ;;
    *) echo "unknown peer $1" >&2; return 1 ;;
  esac
  sleep 1
}

# bench PEER CASE-LABEL [harness flags...]
bench() {
  local peer=$1 name=$2; shift 2
  echo "--- $peer $name"
  taskset -c "$GEN_CPU" node "$BENCH" --sub-url "$SUB" --pub-url "$PUB" --body-format "$FMT" \
    --server-pid "$PIDS" --server-children --label "$peer/$name" --json "$OUT/$peer.$name.json" --quiet "$@" \
    > "$OUT/$peer.$name.txt" 2>&1
  echo "    exit $?"; grep -E '^(connections|publish|delivery|latency|server|generator|warning)' "$OUT/$peer.$name.txt" | sed 's/^/    /'
}

for peer in $PEERS; do
  n=$N; [ "$peer" = seed ] && n=$SEED_N
  for case in $CASES; do
    [[ " $(cases_of "$peer") " == *" $case "* ]] || continue
    start_peer "$peer" "$case" || { echo "$peer failed to start"; continue 2; }
    case $case in
      c) bench "$peer" c-mem-$N --subs "$N" --messages 0 --idle-settle 3 --duration 90
         if [ "$peer" = seed ]; then start_peer "$peer"; bench "$peer" c-mem-$SEED_N --subs "$SEED_N" --messages 0 --idle-settle 3 --duration 90; fi ;;
      a) bench "$peer" a-latency --subs 1000 --channels 10 --messages "$A_MSGS" --rate 200 --payload 256 --duration 90 ;;
      b) [ "$peer" = seed ] && { bench "$peer" b-tput-$N --subs "$N" --messages 200 --rate 0 --pub-concurrency 1 --payload 64 --duration 120 --warmup-timeout 15; start_peer "$peer"; }
         for r in $(seq "$REPS"); do
           bench "$peer" b-tput-$n-r$r --subs "$n" --messages 200 --rate 0 --pub-concurrency 1 --payload 64 --duration 200
         done ;;
      d) bench "$peer" d-maxconn --subs "$D_N" --local-addrs 3 --messages 0 --connect-budget 60 --connect-timeout 10 --idle-settle 1 --duration 150 ;;
      p) bench "$peer" p-publish --subs 16 --channels 16 --messages "$P_MSGS" --rate 0 --pub-concurrency 64 --payload 64 --duration 120 ;;
    esac
  done
done
# Extra, as measure-all.sh: nginx's multi-process model against the per-process fd cap (3 workers, same pinning).
if [ "${EXTRA_NCHAN_3W:-1}" = 1 ] && [[ " $PEERS " == *" nchan-memory "* ]] && [[ " $CASES " == *" d "* ]]; then
  NCHAN_WORKERS=3 start_peer nchan-memory
  bench nchan-memory-3w d-maxconn --subs "$D_N" --local-addrs 3 --messages 0 --connect-budget 60 --connect-timeout 10 --idle-settle 1 --duration 150
fi
stop_all
{ node ./summarize.mjs "$OUT"; node "$HERE/summarize-extra.mjs" "$OUT"; } | tee "$OUT/SUMMARY.md"
