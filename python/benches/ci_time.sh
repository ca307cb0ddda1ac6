#!/bin/bash
# What the Python part of .ci/run costs, step by step (wall clock): the same commands, with a
# fresh virtualenv for the dependencies and a fresh CARGO_TARGET_DIR for clippy and the wheel
# (a fresh CI clone has no release build). Needs the `isrc` debug binary (cargo build -p
# isrc-cli) for pytest. Reinstalls the package into the current Python, as .ci/run does.
#
# bash python/benches/ci_time.sh
set -u
cd "$(dirname "$0")/../.."
export CARGO_INCREMENTAL=0
work=$(mktemp -d /tmp/isrc-ci-time.XXXXXX)
trap 'rm -rf "$work"' EXIT
step() {
    local label=$1
    shift
    local start end rc
    start=$(date +%s.%N)
    "$@" >"$work/$label.log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    printf "%s: %.1f s (exit %d, load average %s)\n" "$label" "$(echo "$end - $start" | bc)" "$rc" "$(cut -d' ' -f1 /proc/loadavg)"
    [ "$rc" = 0 ] || tail -20 "$work/$label.log"
}
deps=(maturin pyarrow polars pyspark pandas python-stdnum==2.2 pytest)
python3 -m venv "$work/venv"
step deps_fresh_venv "$work/venv/bin/pip" install -q "${deps[@]}"
step deps_installed pip install -q "${deps[@]}"
step fmt cargo fmt --manifest-path python/Cargo.toml -- --check
step clippy env CARGO_TARGET_DIR="$work/target" cargo clippy --manifest-path python/Cargo.toml -- -D warnings
step wheel env CARGO_TARGET_DIR="$work/target" pip install -q --force-reinstall ./python
step stdnum_sdist pip download -q --no-binary :all: --no-deps -d "$work/stdnum" python-stdnum==2.2
tar -xzf "$work"/stdnum/python_stdnum-*.tar.gz -C "$work/stdnum"
STDNUM_ISRC_DOCTEST=$(ls "$work"/stdnum/python_stdnum-*/tests/test_isrc.doctest)
export STDNUM_ISRC_DOCTEST
step pytest env ISRC_BIN="${ISRC_BIN:-$PWD/target/debug/isrc}" python3 -m pytest -q python/tests
tail -1 "$work/pytest.log"
