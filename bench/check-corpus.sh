#!/usr/bin/env bash
# Wall time and peak memory of `xsguard check` on the shared corpus (release build).
# Usage: bench/check-corpus.sh [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
cargo build --release -q -p xsguard
for i in 1 2 3 4 5; do
  /usr/bin/time -f "%e s wall, %M KB peak RSS" ./target/release/xsguard check "$corpus" --format json >/dev/null 2>/tmp/xsguard-time.txt || true
  tail -1 /tmp/xsguard-time.txt
done
