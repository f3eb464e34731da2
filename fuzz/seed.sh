#!/usr/bin/env bash
# Seeds the fuzz corpora from the shared corpus of real XanoScript and the project's fixtures.
set -euo pipefail
cd "$(dirname "$0")"
for target in check fix; do
  mkdir -p "corpus/$target"
  find ../../shared/corpus ../server/tests/fixtures ../examples -name '*.xs' 2>/dev/null | while read -r f; do
    cp "$f" "corpus/$target/$(sha1sum "$f" | cut -c1-16).xs"
  done
done
# `store` replays up to 32 edits per input, each compared with a fresh open: it gets the
# fixtures and examples, and every tenth corpus file under 4 KB, so that loading its seeds
# takes well under its two minutes.
mkdir -p corpus/store
{
  find ../server/tests/fixtures ../examples -name '*.xs'
  find ../../shared/corpus -name '*.xs' -size -4k 2>/dev/null | sort | awk 'NR % 10 == 0'
} | while read -r f; do
  cp "$f" "corpus/store/$(sha1sum "$f" | cut -c1-16).xs"
done
echo "seeded $(ls corpus/check | wc -l) inputs for check and fix, $(ls corpus/store | wc -l) for store"
