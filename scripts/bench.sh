#!/usr/bin/env bash
# `npm run bench`: the shared SSE fan-out benchmark (../shared/bench) against this gateway and
# the naive NestJS peer, in one sitting, each case on a freshly started server, servers pinned
# to CPU 0 and the load generator to CPU 1. Results (JSON, text, SUMMARY.md) go to
# bench-results/<timestamp>/. Report figures as ratios against the peer of the same run.
# Last, the network-drop run (scripts/bench/network-drop.mjs): 1,000 eventsource clients
# through a proxy that resets random connections for a minute; NETWORK_DROP=0 skips it,
# NETWORK_DROP_ARGS passes it flags (e.g. "--broker redis").
#   npm run bench                                   # cases c (idle memory) and b (10k fan-out), network-drop
#   PEERS="project-memory project-redis naive" CASES="c a b" REPS=3 npm run bench
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC=${SSE_BENCH_DIR:-$ROOT/../shared/bench}
[ -f "$SRC/sse-bench.mjs" ] || { echo "sse-bench.mjs not found in $SRC (set SSE_BENCH_DIR)" >&2; exit 1; }
command -v redis-server >/dev/null || bash "$ROOT/scripts/system-deps.sh"   # the naive peer needs Redis

# The harness folder is read-only and its peers build in place: work on a copy.
WORK=$(mktemp -d /tmp/sse-bench.XXXXXX)
cp -r "$SRC/." "$WORK/"
chmod -R u+w "$WORK"
# run-project.sh puts `${redis:+REDIS_URL=...}` before NODE_ENV=..., which turns NODE_ENV into a
# command when there is no Redis; an empty REDIS_URL means "in memory" to the gateway.
sed -i 's/PORT=14000 ${redis:+REDIS_URL=$redis} NODE_ENV=production/PORT=14000 REDIS_URL=$redis NODE_ENV=production/' "$WORK/peers/run-project.sh"
(cd "$ROOT" && npm run build >/dev/null)

export PROJECT_DIR=$ROOT
export OUT=${OUT:-$ROOT/bench-results/$(date +%Y%m%d-%H%M%S)}
export PEERS=${PEERS:-"project-memory naive"} CASES=${CASES:-"c b"} REPS=${REPS:-1}
cd "$WORK/peers"
./measure-all.sh

if [ "${NETWORK_DROP:-1}" = 1 ]; then
  echo "--- network-drop"
  # A lost or repeated event makes it exit 2: the summary says so, the other figures still stand.
  # shellcheck disable=SC2086
  node "$ROOT/scripts/bench/network-drop.mjs" --json "$OUT/network-drop.json" ${NETWORK_DROP_ARGS:-} 2>&1 | tee "$OUT/network-drop.txt" || true
  { echo; echo "## network-drop"; echo; grep -E '^network-drop: [0-9]+ clients,' "$OUT/network-drop.txt" || echo "network-drop did not finish: see network-drop.txt"; } >> "$OUT/SUMMARY.md"
fi
echo "summary: $OUT/SUMMARY.md"
