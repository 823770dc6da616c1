#!/usr/bin/env bash
# `npm run bench`: the shared SSE fan-out benchmark (../shared/bench) against this gateway, nchan
# (nginx + libnginx-mod-nchan, memory and Redis stores) and the naive NestJS peer, in one sitting,
# each case on a freshly started server, servers pinned to CPU 0 and the load generator to CPU 1
# (the several-process peers get every core). Results (JSON, text, SUMMARY.md) go to
# bench-results/<timestamp>/. Report figures as ratios against the peer of the same run.
# Last, the network-drop run (scripts/bench/network-drop.mjs): 1,000 eventsource clients
# through a proxy that resets random connections for a minute; NETWORK_DROP=0 skips it,
# NETWORK_DROP_ARGS passes it flags (e.g. "--broker redis").
#   npm run bench                                        # every peer, cases c a b d p (scripts/bench/measure.sh), network-drop
#   PEERS="nchan-redis project-redis-3" CASES=a NETWORK_DROP=0 npm run bench
#   PEERS=project-cluster CASES="b d" REPS=1 npm run bench
# About 40 minutes on a 2-core machine; PEERS, CASES, REPS, N, D_N, A_MSGS, P_MSGS narrow it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC=${SSE_BENCH_DIR:-$ROOT/../shared/bench}
[ -f "$SRC/sse-bench.mjs" ] || { echo "sse-bench.mjs not found in $SRC (set SSE_BENCH_DIR)" >&2; exit 1; }
command -v redis-server >/dev/null || bash "$ROOT/scripts/system-deps.sh"   # Redis runs under every Redis peer

# nchan is a benchmark peer only (the test suite never runs it): installed here, not in system-deps.sh.
export PEERS=${PEERS:-"nchan-memory project-memory nchan-redis project-redis naive project-redis-3 project-cluster"}
if [[ " $PEERS " == *" nchan-"* ]] && ! dpkg -s libnginx-mod-nchan >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "installing nginx and libnginx-mod-nchan (the nchan peers)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx libnginx-mod-nchan >/dev/null
  else
    echo "the nchan peers need: sudo apt-get install -y nginx libnginx-mod-nchan (or leave them out of PEERS)" >&2
    exit 1
  fi
fi

# The harness folder is read-only and its peers build in place: work on a copy.
WORK=$(mktemp -d /tmp/sse-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp -r "$SRC/." "$WORK/"
chmod -R u+w "$WORK"
# Older copies of run-project.sh put `${redis:+REDIS_URL=...}` before NODE_ENV=..., which turns
# NODE_ENV into a command when there is no Redis; an empty REDIS_URL means "in memory" to the gateway.
sed -i 's/PORT=14000 ${redis:+REDIS_URL=$redis} NODE_ENV=production/PORT=14000 REDIS_URL=$redis NODE_ENV=production/' "$WORK/peers/run-project.sh"
(cd "$ROOT" && npm run build >/dev/null)

export PROJECT_DIR=$ROOT SSE_PEERS_DIR=$WORK/peers
export OUT=${OUT:-$ROOT/bench-results/$(date +%Y%m%d-%H%M%S)}
bash "$ROOT/scripts/bench/measure.sh"

if [ "${NETWORK_DROP:-1}" = 1 ]; then
  echo "--- network-drop"
  # A lost or repeated event makes it exit 2: the summary says so, the other figures still stand.
  # shellcheck disable=SC2086
  node "$ROOT/scripts/bench/network-drop.mjs" --json "$OUT/network-drop.json" ${NETWORK_DROP_ARGS:-} 2>&1 | tee "$OUT/network-drop.txt" || true
  { echo; echo "## network-drop"; echo; grep -E '^network-drop: [0-9]+ clients,' "$OUT/network-drop.txt" || echo "network-drop did not finish: see network-drop.txt"; } >> "$OUT/SUMMARY.md"
fi
echo "summary: $OUT/SUMMARY.md"
