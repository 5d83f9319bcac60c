#!/usr/bin/env bash
# The dashboard in a real headless Chromium. Builds nothing: give it the binary
# (JUGGERNAUT_BIN, default $CARGO_TARGET_DIR/debug/juggernaut, else target/debug/juggernaut),
# Debian's chromium (CHROMIUM, default /usr/bin/chromium) and `npm ci` done here. It makes a
# temporary workspace (a policy that holds `noop` for approval, medium risk automatic, a playbook
# with two `noop` tasks, a data source and two experiments on it), an admin token, starts
# `juggernaut up` on a free loopback port, and runs dashboard.test.mjs against it. Screenshots
# and the engine's log go to artifacts/. Exits non-zero on any failure; everything it started is
# stopped on the way out.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${JUGGERNAUT_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/juggernaut}
chromium=${CHROMIUM:-/usr/bin/chromium}

[ -x "$bin" ] || { echo "run.sh: no juggernaut binary at $bin (cargo build -p juggernaut-cli, or set JUGGERNAUT_BIN)" >&2; exit 2; }
[ -x "$chromium" ] || { echo "run.sh: no chromium at $chromium (apt-get install -y chromium, or set CHROMIUM)" >&2; exit 2; }
[ -d "$here/node_modules/playwright-core" ] || { echo "run.sh: run \`npm ci\` in $here first" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d "${TMPDIR:-/tmp}/juggernaut-browser.XXXXXX")
engine=""
cleanup() {
  local rc=$?
  if [ -n "$engine" ] && kill -0 "$engine" 2>/dev/null; then
    kill -TERM "$engine" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$engine" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$engine" 2>/dev/null || true
    wait "$engine" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

artifacts="$here/artifacts"
rm -rf "$artifacts"
mkdir -p "$artifacts" "$work/playbooks"

cat > "$work/juggernaut.toml" <<'TOML'
# The browser test's workspace: every noop task waits for a person; medium risk (shell) runs.
# The experiments read their counts through `sql_query` on a data source: the engine's own
# database, opened read-only (the queries compute their counts and read no business table).
[governance.policy.kinds]
noop = "approval"

[governance.policy.bands]
medium = "auto"

[sources.counts]
url = "sqlite://.juggernaut/juggernaut.db"
TOML

# Two experiments: one whose counts decide it at its first iteration (the treatment converts
# 14% against the control's 9% over 1000 trials each; its rollout is a noop follow-up task),
# and one that needs more trials than it will ever have, so it stays running (to be stopped).
cat > "$work/decided.json" <<'JSON'
{"name": "Quote form: instant quote vs callback",
 "hypothesis": "An instant price on the quote form turns more visits into job requests than a callback.",
 "variants": [{"name": "callback", "control": true}, {"name": "instant"}],
 "metric": {"source": "counts",
   "query": "SELECT CASE {{variant}} WHEN 'callback' THEN 90 ELSE 140 END, 1000"},
 "min_sample": 1000, "max_duration_secs": 86400, "interval_secs": 10,
 "rule": {"type": "bayesian", "alpha": 0.05, "max_loss": 0.005},
 "rollout": {"kind": "noop", "title": "Roll out the {{variant}} quote form"}}
JSON

cat > "$work/playbooks/e2e.toml" <<'TOML'
# Two steps, the second after the first: the goal page draws them with an arrow.
description = "Browser test playbook"
priority = 10

[match]
tags = ["e2e"]

[[tasks]]
key = "first"
kind = "noop"
title = "First step"

[[tasks]]
key = "second"
kind = "noop"
title = "Second step"
depends_on = ["first"]
TOML

cd "$work"
unset JUGGERNAUT_DATABASE_URL DATABASE_URL JUGGERNAUT_CONFIG JUGGERNAUT_LLM_BASE_URL \
  JUGGERNAUT_LLM_API_KEY JUGGERNAUT_LLM_MODEL OPENROUTER_API_KEY

token=$("$bin" --json token create --name e2e --role admin \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))')
"$bin" --json experiment add --file "$work/decided.json" > /dev/null
"$bin" --json experiment add --name "Follow-up call timing" \
  --hypothesis "Calling back within an hour books more jobs than calling the next day." \
  --control next_day --variant within_hour --source counts \
  --query "SELECT COUNT(*) * CASE {{variant}} WHEN 'next_day' THEN 1 ELSE 2 END, COUNT(*) * 20 FROM events" \
  --min-sample 1000000000 --interval-secs 10 > /dev/null
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

"$bin" up --listen "127.0.0.1:$port" > "$artifacts/up.log" 2>&1 &
engine=$!

url="http://127.0.0.1:$port/"
for i in $(seq 1 150); do
  if node -e 'fetch(process.argv[1]+"healthz").then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$url"; then break; fi
  kill -0 "$engine" 2>/dev/null || { echo "run.sh: juggernaut up exited:" >&2; cat "$artifacts/up.log" >&2; exit 1; }
  [ "$i" = 150 ] && { echo "run.sh: juggernaut up did not answer on $url within 30 s" >&2; exit 1; }
  sleep 0.2
done
grep -q "^dashboard: $url" "$artifacts/up.log" || { echo "run.sh: \`juggernaut up\` did not print the dashboard URL:" >&2; cat "$artifacts/up.log" >&2; exit 1; }

JUGGERNAUT_URL="$url" JUGGERNAUT_TOKEN="$token" JUGGERNAUT_BIN="$bin" JUGGERNAUT_WORKDIR="$work" \
  CHROMIUM="$chromium" ARTIFACTS="$artifacts" node "$here/dashboard.test.mjs"
