#!/usr/bin/env bash
# Fuzzes the HTTP API from its own OpenAPI document with schemathesis (PyPI, pinned below).
#
# Builds nothing: JUGGERNAUT_BIN names the binary (default: the debug build under
# $CARGO_TARGET_DIR, else ./target). Starts `juggernaut up` in a temporary workspace on a free
# loopback port with an admin token, runs schemathesis against every operation except
# `GET /api/events` (a stream that never ends) with the checks "no 5xx" and "responses match
# their schema", a bounded number of examples per operation, and exits non-zero on any failure.
# Everything it started is stopped on exit.
#
# Environment:
#   JUGGERNAUT_BIN             the juggernaut binary to test
#   FUZZ_MAX_EXAMPLES          examples per operation (default 100; about a minute)
#   FUZZ_SEED                  schemathesis seed (default: random; printed in its output)
#   FUZZ_REPORT_DIR            where to write the JUnit report and the HAR of every exchange (default: none)
#   SCHEMATHESIS_VENV          virtualenv for schemathesis (default $HOME/.cache/juggernaut-schemathesis)
set -euo pipefail

SCHEMATHESIS_VERSION="4.32.5"
target_dir="${CARGO_TARGET_DIR:-$(cd "$(dirname "$0")/.." && pwd)/target}"
bin="${JUGGERNAUT_BIN:-$target_dir/debug/juggernaut}"
venv="${SCHEMATHESIS_VENV:-$HOME/.cache/juggernaut-schemathesis}"
max_examples="${FUZZ_MAX_EXAMPLES:-100}"

if [[ ! -x "$bin" ]]; then
    echo "fuzz-api: no juggernaut binary at $bin (build it with \`cargo build -p juggernaut-cli\` or set JUGGERNAUT_BIN)" >&2
    exit 2
fi
if ! [[ "$max_examples" =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz-api: FUZZ_MAX_EXAMPLES must be a positive integer, not \`$max_examples\`" >&2
    exit 2
fi

# schemathesis, pinned, in its own virtualenv.
if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    echo "fuzz-api: installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$work"
# Nothing from the caller's environment picks another database or configuration.
unset JUGGERNAUT_DATABASE_URL JUGGERNAUT_CONFIG JUGGERNAUT_LISTEN
export JUGGERNAUT_DATABASE_URL="sqlite://$work/.juggernaut/juggernaut.db"

token="$("$bin" token create --name fuzz --role admin --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

# A free loopback port.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" up --listen "127.0.0.1:$port" >"$work/up.log" 2>&1 &
server_pid=$!

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    if curl -fsS "$base/readyz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "fuzz-api: juggernaut up exited:" >&2
        cat "$work/up.log" >&2
        exit 1
    fi
    sleep 0.1
done
if ! curl -fsS "$base/readyz" >/dev/null 2>&1; then
    echo "fuzz-api: $base/readyz did not answer in 10 s" >&2
    cat "$work/up.log" >&2
    exit 1
fi

args=(
    run "$base/api/openapi.json"
    --header "Authorization: Bearer $token"
    --exclude-path /api/events
    --checks not_a_server_error,response_schema_conformance
    --max-examples "$max_examples"
    --request-timeout 10
    --workers 1 # several workers hit a CPython AST bug inside hypothesis (3.11)
    --suppress-health-check all
    --warnings off
)
if [[ -n "${FUZZ_SEED:-}" ]]; then args+=(--seed "$FUZZ_SEED"); fi
if [[ -n "${FUZZ_REPORT_DIR:-}" ]]; then
    args+=(--report junit,har --report-dir "$FUZZ_REPORT_DIR")
fi

status=0
timeout 600 "$venv/bin/schemathesis" "${args[@]}" || status=$?
if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "fuzz-api: the server died during the run:" >&2
    cat "$work/up.log" >&2
    status=1
fi
if [[ $status -ne 0 ]]; then
    echo "fuzz-api: FAILED (schemathesis exit $status); server log:" >&2
    tail -n 50 "$work/up.log" >&2
    exit 1
fi
echo "fuzz-api: passed"
