#!/usr/bin/env bash
# Packs one release binary: DIR/xsguard-VERSION-TARGET.tar.gz (.zip for Windows targets) holding
# xsguard-VERSION-TARGET/{xsguard[.exe],README.md,LICENSE}, and beside it ARCHIVE.sha256
# ("<hex>  <archive name>", the format of `sha256sum -c`). Prints the archive's path.
#
#   scripts/archive.sh VERSION TARGET BINARY DIR
set -euo pipefail
[[ $# -eq 4 ]] || { echo "usage: scripts/archive.sh VERSION TARGET BINARY DIR" >&2; exit 2; }
version=$1 target=$2 binary=$3 out=$4
repo=$(cd "$(dirname "$0")/.." && pwd)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || { echo "archive: not a version: $version" >&2; exit 2; }
[[ $target =~ ^[A-Za-z0-9_]+(-[A-Za-z0-9_.]+)+$ ]] || { echo "archive: not a target: $target" >&2; exit 2; }
[[ -f $binary ]] || { echo "archive: no binary at $binary" >&2; exit 2; }

name=xsguard-$version-$target
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
exe=xsguard
[[ $target == *windows* ]] && exe=xsguard.exe
cp "$binary" "$stage/$name/$exe"
chmod 755 "$stage/$name/$exe"
cp "$repo/README.md" "$repo/LICENSE" "$stage/$name/"

if [[ $target == *windows* ]]; then
  archive=$name.zip
  rm -f "$out/$archive"
  if command -v 7z >/dev/null; then
    (cd "$stage" && 7z a -tzip -bso0 "$out/$archive" "$name")
  else
    (cd "$stage" && zip -qr "$out/$archive" "$name")
  fi
else
  archive=$name.tar.gz
  # Sorted names, no owner: the same inputs give the same archive.
  (cd "$stage" && tar --sort=name --owner=0 --group=0 --numeric-owner -czf "$out/$archive" "$name" 2>/dev/null ||
    tar -czf "$out/$archive" "$name")
fi

if command -v sha256sum >/dev/null; then
  (cd "$out" && sha256sum "$archive" > "$archive.sha256")
else
  (cd "$out" && shasum -a 256 "$archive" > "$archive.sha256")
fi
echo "$out/$archive"
