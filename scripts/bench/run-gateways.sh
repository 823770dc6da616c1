#!/usr/bin/env bash
# This gateway as several processes, beside the harness's peers (../shared/bench/peers), on Redis
# (127.0.0.1:16379, started with the peers' run-redis.sh). Two set-ups:
#   run-gateways.sh start cluster   # `node dist/cluster-main.js` (npm run start:cluster): one worker per
#                                   # core (WORKERS=N to choose), one port, 127.0.0.1:14010
#   run-gateways.sh start redis-3   # three instances: two workers on 127.0.0.1:14011 that serve the
#                                   # subscribers (one port, two instances), one on 127.0.0.1:14012 taking publishes
#   run-gateways.sh start floor-node  # case p's floors (publish-floor.mjs): the broker behind node:http alone,
#   run-gateways.sh start floor-nest  # or behind a minimal Nest app on Express; 127.0.0.1:14013 / 14014
#   run-gateways.sh stop
#   run-gateways.sh pids            # the processes to sample: pool primaries (workers are their children) and gateways
# Env: SSE_PEERS_DIR (the harness's peers folder, with lib.sh and run-redis.sh; required),
# PROJECT_DIR (default: this checkout), CPUS (taskset pinning), WORKERS, REBALANCE_RATIO (default 0:
# the harness never reconnects, so a stream the rebalancer moves is a stream lost to the run;
# connections are spread evenly by the pool's round robin anyway).
set -euo pipefail
. "${SSE_PEERS_DIR:?set SSE_PEERS_DIR to the harness peers folder}/lib.sh"
PROJECT_DIR=${PROJECT_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
STATE=$RUN_DIR/gateways
REDIS=redis://127.0.0.1:16379

# launch NAME PORT ENTRY [VAR=value...]: one gateway (or pool) in the background, waits for its ready line
launch() {
  local name=$1 port=$2 entry=$3; shift 3
  # env, setsid, bash and taskset each exec the next: the pid recorded is node's.
  (cd "$PROJECT_DIR"
   env PORT="$port" HOST=127.0.0.1 REDIS_URL=$REDIS NODE_ENV=production INSTANCE_ID="bench-$name" \
     SSE_REBALANCE_RATIO="${REBALANCE_RATIO:-0}" "$@" \
     setsid bash -c "exec ${CPUS:+taskset -c $CPUS} node $entry" >"$STATE/$name.log" 2>&1 </dev/null &
   echo $! >"$STATE/$name.pid")
  for _ in $(seq 300); do grep -q "listening on" "$STATE/$name.log" && return 0; alive "$(cat "$STATE/$name.pid")" || break; sleep 0.2; done
  echo "gateway $name did not come up; log:" >&2; cat "$STATE/$name.log" >&2; return 1
}

case "${1:-}" in
  start)
    mode=${2:?mode: cluster, redis-3, floor-node or floor-nest}
    mkdir -p "$STATE"
    rm -f "$STATE"/*.log
    if ls "$STATE"/*.pid >/dev/null 2>&1; then echo "gateways already running: $0 stop first" >&2; exit 1; fi
    [ -f "$PROJECT_DIR/dist/cluster-main.js" ] || (cd "$PROJECT_DIR" && npm run build)
    "$PEERS_DIR/run-redis.sh" start >/dev/null
    raise_nofile
    case "$mode" in
      cluster) launch cluster 14010 dist/cluster-main.js ${WORKERS:+SSE_WORKERS=$WORKERS} ;;
      redis-3) launch sub 14011 dist/main.js SSE_WORKERS=2 && launch pub 14012 dist/main.js ;;
      floor-node) launch floor 14013 "scripts/bench/publish-floor.mjs node" ;;
      floor-nest) launch floor 14014 "scripts/bench/publish-floor.mjs nest" ;;
      *) echo "mode must be cluster, redis-3, floor-node or floor-nest" >&2; exit 2 ;;
    esac
    grep -h "listening on" "$STATE"/*.log ;;
  stop)
    for pf in "$STATE"/*.pid; do
      [ -e "$pf" ] || continue
      pid=$(cat "$pf")
      if alive "$pid"; then kill -TERM "$pid"; wait_gone "$pid" 15 || kill -KILL "$pid"; echo "stopped $(basename "$pf" .pid) ($pid)"; fi
      rm -f "$pf"
    done ;;
  pids) cat "$STATE"/*.pid 2>/dev/null | paste -sd, ;;
  *) echo "usage: $0 start cluster|redis-3|floor-node|floor-nest | stop | pids" >&2; exit 2 ;;
esac
