#!/bin/sh
# The `xsguard` pre-commit hook: runs `xsguard ARGS...` with the xsguard of this checkout's
# version (the hook's `rev`). It takes the xsguard on PATH when it is that version, else the one
# in ${XDG_CACHE_HOME:-~/.cache}/xsguard/pre-commit/VERSION, installing it there first with
# install.sh (which verifies the archive's SHA-256; XSGUARD_DOWNLOAD_URL is honoured).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/server/Cargo.toml" | head -n 1)
[ -n "$version" ] || { echo "xsguard hook: no version in $here/server/Cargo.toml" >&2; exit 2; }

if command -v xsguard >/dev/null 2>&1 && [ "$(xsguard --version 2>/dev/null)" = "xsguard $version" ]; then
  exec xsguard "$@"
fi
dir=${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/xsguard/pre-commit/$version
if [ ! -x "$dir/xsguard" ]; then
  echo "xsguard hook: installing xsguard $version into $dir" >&2
  XSGUARD_INSTALL_DIR=$dir PATH="$dir:$PATH" sh "$here/install.sh" --version "$version" >&2 ||
    { echo "xsguard hook: could not install xsguard $version; install it yourself (npm, cargo) and use the xsguard-system hook" >&2; exit 2; }
fi
exec "$dir/xsguard" "$@"
