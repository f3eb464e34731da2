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
echo "seeded $(ls corpus/check | wc -l) inputs per target"
