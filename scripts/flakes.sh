#!/usr/bin/env bash
# Flake check: run the full catalogue N times in a row with the release binary, then compare
# every scenario's verdict across the runs. A scenario whose verdict is not the same in every
# run (or that is missing from a run) is a flake. Exit 0 with no flake, 1 with any, 2 on
# bad usage or a run that wrote no results.json. Not part of `make test` (it takes N full
# runs); `scripts/flakes.sh --self-test` checks the comparison alone in a second.
#
#   scripts/flakes.sh [--runs N] [--out DIR] [--bin PATH] [-- ARGS FOR idpsim run...]
#   scripts/flakes.sh --compare DIR DIR...     compare report directories already written
#   scripts/flakes.sh --self-test              the comparison on fabricated results.json files
#
# Defaults: 20 runs, reports in reports/flakes/run-01 ... run-20 (each `idpsim run --report`),
# binary ./target/release/idpsim (built with `cargo build --release -p harness --bin idpsim`
# when absent; CARGO_TARGET_DIR is honoured). docs/ci-sharding.md, "Flake check".
set -euo pipefail

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

need_jq() {
    command -v jq >/dev/null || {
        echo "flakes: jq is required (apt-get install jq)" >&2
        exit 2
    }
}

# compare DIR... : prints the per-run totals and every flake; returns 0 (none) or 1 (some).
compare() {
    need_jq
    local n=$#
    if [ "$n" -lt 2 ]; then
        echo "flakes: compare needs at least two report directories, got $n" >&2
        return 2
    fi
    local i=0 dir rows
    rows=$(mktemp)
    # One line per (run, scenario): run index, key (feature:line name), verdict.
    for dir in "$@"; do
        i=$((i + 1))
        if [ ! -f "$dir/results.json" ]; then
            echo "flakes: $dir/results.json is missing; was it written by \`idpsim run --report\`?" >&2
            rm -f "$rows"
            return 2
        fi
        if ! jq -e '.format == "idpsim-results/1" and (.results | type == "array")' \
            "$dir/results.json" >/dev/null 2>&1; then
            echo "flakes: $dir/results.json is not an idpsim-results/1 record" >&2
            rm -f "$rows"
            return 2
        fi
        jq -r --arg run "$i" \
            '.results[] | [$run, "\(.feature_path):\(.line) \(.scenario)", .verdict] | @tsv' \
            "$dir/results.json" >>"$rows"
        printf 'run %2d  %s  %s\n' "$i" "$dir" "$(jq -r '
            [.results[].verdict] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' \
            "$dir/results.json")"
    done
    local status=0 report
    report=$(awk -F '\t' -v runs="$n" '
        {
            if (!($2 in seen)) { seen[$2] = 1; order[++keys] = $2 }
            verdict[$2, $1] = $3
        }
        END {
            flakes = 0
            for (k = 1; k <= keys; k++) {
                key = order[k]; first = ""; differs = 0; line = ""
                for (r = 1; r <= runs; r++) {
                    v = ((key, r) in verdict) ? verdict[key, r] : "missing"
                    if (r == 1) first = v; else if (v != first) differs = 1
                    line = line (r > 1 ? " " : "") v
                }
                if (differs) { flakes++; printf "FLAKE  %s\n       %s\n", key, line }
            }
            printf "%d scenarios, %d runs, %d flakes\n", keys, runs, flakes
            exit (flakes > 0)
        }' "$rows") || status=$?
    rm -f "$rows"
    echo "$report"
    return "$status"
}

self_test() {
    need_jq
    local tmp
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    record() { # dir verdict-of-a verdict-of-b
        mkdir -p "$1"
        cat >"$1/results.json" <<EOF
{"format": "idpsim-results/1", "results": [
  {"feature_path": "scim/a.feature", "line": 3, "scenario": "A", "verdict": "$2"},
  {"feature_path": "scim/a.feature", "line": 9, "scenario": "B", "verdict": "$3"}
]}
EOF
    }
    record "$tmp/1" passed expected_failure
    record "$tmp/2" passed expected_failure
    record "$tmp/3" passed failed
    local out rc
    rc=0
    out=$(compare "$tmp/1" "$tmp/2") || rc=$?
    [ "$rc" = 0 ] && grep -q '2 scenarios, 2 runs, 0 flakes' <<<"$out" ||
        { echo "self-test: identical runs reported a flake (rc $rc): $out" >&2; return 1; }
    rc=0
    out=$(compare "$tmp/1" "$tmp/2" "$tmp/3") || rc=$?
    [ "$rc" = 1 ] && grep -q 'FLAKE  scim/a.feature:9 B' <<<"$out" &&
        grep -q 'expected_failure expected_failure failed' <<<"$out" &&
        ! grep -q 'FLAKE  scim/a.feature:3' <<<"$out" ||
        { echo "self-test: a differing verdict was not reported (rc $rc): $out" >&2; return 1; }
    # A scenario missing from one run is a flake too.
    mkdir -p "$tmp/4"
    jq '.results |= .[:1]' "$tmp/1/results.json" >"$tmp/4/results.json"
    rc=0
    out=$(compare "$tmp/1" "$tmp/4") || rc=$?
    [ "$rc" = 1 ] && grep -q 'expected_failure missing' <<<"$out" ||
        { echo "self-test: a missing scenario was not reported (rc $rc): $out" >&2; return 1; }
    # Bad input: a directory without results.json is an error, not a pass.
    rc=0
    compare "$tmp/1" "$tmp/nowhere" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 2 ] || { echo "self-test: a missing results.json gave rc $rc" >&2; return 1; }
    echo "flakes self-test: ok"
}

runs=20
out=reports/flakes
bin=""
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
    --runs | -n)
        [ $# -ge 2 ] || usage
        runs=$2
        shift 2
        ;;
    --out)
        [ $# -ge 2 ] || usage
        out=$2
        shift 2
        ;;
    --bin)
        [ $# -ge 2 ] || usage
        bin=$2
        shift 2
        ;;
    --compare)
        shift
        compare "$@"
        exit $?
        ;;
    --self-test)
        self_test
        exit $?
        ;;
    --)
        shift
        extra=("$@")
        break
        ;;
    -h | --help) usage ;;
    *)
        echo "flakes: unknown argument $1" >&2
        usage
        ;;
    esac
done

if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 2 ] || [ "$runs" -gt 1000 ]; then
    echo "flakes: --runs must be a whole number from 2 to 1000, got $runs" >&2
    exit 2
fi
need_jq
if [ -z "$bin" ]; then
    bin="${CARGO_TARGET_DIR:-target}/release/idpsim"
    if [ ! -x "$bin" ]; then
        cargo build --release -p harness --bin idpsim
    fi
fi
[ -x "$bin" ] || {
    echo "flakes: no idpsim binary at $bin" >&2
    exit 2
}

rm -rf "$out"
mkdir -p "$out"
dirs=()
for i in $(seq -w 1 "$runs"); do
    dir="$out/run-$i"
    start=$(date +%s)
    rc=0
    "$bin" run --report "$dir" "${extra[@]}" >"$out/run-$i.log" 2>&1 || rc=$?
    echo "run $i/$runs: exit $rc, $(($(date +%s) - start)) s (log $out/run-$i.log)"
    dirs+=("$dir")
done
compare "${dirs[@]}" | tee "$out/flakes.txt"
exit "${PIPESTATUS[0]}"
