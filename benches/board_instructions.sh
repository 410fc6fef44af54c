#!/usr/bin/env bash
# Instructions the gateway executes per 50-card board query, counted by callgrind: unlike wall
# or CPU time this does not move with whatever else the machine runs, so two builds can be
# compared on a busy machine. The simulated site runs natively; only the gateway is counted,
# after 5 warm-up boards, over N boards (default 20).
#
#   cargo build --release --bin jira-gateway
#   benches/board_instructions.sh [target/release/jira-gateway] [N]
#
# KEEP=<file> keeps the callgrind dump, ANSWER=<file> the last GraphQL answer, and
# GRAPHQL_FAST_PATH=false runs the gateway without its immediate path (to compare both).
set -euo pipefail
BIN=${1:-target/release/jira-gateway}
N=${2:-20}
SIM_PORT=${SIM_PORT:-47101}
GW_PORT=${GW_PORT:-47102}
WORK=$(mktemp -d)
trap 'kill $GW $SIM 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

cat >"$WORK/board.json" <<'JSON'
{"query":"query Board($jql: String!) { issues(jql: $jql, first: 50) { pageInfo { hasNextPage endCursor } edges { cursor node { key summary status { name category { key } } assignee { accountId displayName avatarUrl } priority { name } labels transitions { id name to { name } } comments(first: 3) { totalCount edges { node { author { displayName } body { text } } } } } } } }","variables":{"jql":"project = DEMO ORDER BY key ASC"}}
JSON

env -i PATH="$PATH" RUST_LOG=warn "$BIN" sim --bind 127.0.0.1 --port "$SIM_PORT" --issues 500 --seed 42 >/dev/null 2>&1 &
SIM=$!
until curl -sf "http://127.0.0.1:$SIM_PORT/_sim/faults" >/dev/null; do sleep 0.3; done
env -i PATH="$PATH" RUST_LOG=info ${GRAPHQL_FAST_PATH:+GRAPHQL_FAST_PATH=$GRAPHQL_FAST_PATH} valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.%p" \
  "$BIN" serve --bind 127.0.0.1 --port "$GW_PORT" --jira-base-url "http://127.0.0.1:$SIM_PORT" \
  --jira-email admin@demo.test --jira-api-token admin-token --jira-max-concurrency 1024 \
  --jira-requests-per-second 1000000 --jira-burst 1000000 >"$WORK/gateway.log" 2>&1 &
GW=$!
until curl -sf "http://127.0.0.1:$GW_PORT/ready" >/dev/null; do sleep 1; done
board() {
  curl -sf -H 'content-type: application/json' --data @"$WORK/board.json" \
    "http://127.0.0.1:$GW_PORT/graphql" -o "$WORK/answer.json"
}
for _ in 1 2 3 4 5; do board; done
callgrind_control -z "$GW" >/dev/null 2>&1
for _ in $(seq "$N"); do board; done
callgrind_control -d "$GW" >/dev/null 2>&1
sleep 1
DUMP=$(ls -t "$WORK"/cg."$GW"* | head -1)
TOTAL=$(grep -E '^(summary|totals):' "$DUMP" | head -1 | awk '{print $2}')
echo "$BIN: $TOTAL instructions for $N boards = $((TOTAL / N)) per board (answer $(wc -c <"$WORK/answer.json") bytes)"
if [[ -n "${ANSWER:-}" ]]; then cp "$WORK/answer.json" "$ANSWER"; fi
if [[ -n "${KEEP:-}" ]]; then cp "$DUMP" "$KEEP"; echo "callgrind dump kept in $KEEP (callgrind_annotate --inclusive=yes $KEEP)"; fi
