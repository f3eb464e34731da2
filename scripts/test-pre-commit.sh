#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with `pre-commit try-repo` on a copy of the example app (a fresh
# git repository): the `xsguard` hook with the binary on PATH, the same hook with no xsguard on
# PATH (it installs the hook's version through install.sh from a release served on 127.0.0.1),
# and `xsguard-system`. Each must fail on the app's findings and print them; a clean file passes.
#
#   scripts/test-pre-commit.sh PRE-COMMIT [BINARY]   (BINARY default: target/debug/xsguard)
# try-repo takes this repository's HEAD plus its uncommitted changes to tracked files.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
pre_commit=${1:?usage: scripts/test-pre-commit.sh PRE-COMMIT [BINARY]}
binary=${2:-$repo/target/debug/xsguard}
[[ -e $binary ]] && binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
[[ -x $binary ]] || { echo "test-pre-commit: no binary at $binary" >&2; exit 2; }
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/server/Cargo.toml" | head -n 1)

work=$(mktemp -d)
server_pid=
cleanup() { [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0
ok() { passed=$((passed + 1)); printf '  ok   %s\n' "$*"; }
fail() { printf '  FAIL %s\n' "$*" >&2; [[ -f $work/out ]] && sed 's/^/       | /' "$work/out" >&2; exit 1; }

export PRE_COMMIT_HOME=$work/pre-commit-home XDG_CACHE_HOME=$work/cache
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
mkdir "$work/bin" && cp "$binary" "$work/bin/xsguard"
strip "$work/bin/xsguard" 2>/dev/null || true   # the debug binary: archive and unpack it quickly
app=$work/app
cp -r "$repo/examples/shop" "$app"
git -C "$app" init -q && git -C "$app" add -A && git -C "$app" commit -qm app

try() { # try HOOK PATH-PREFIX: runs try-repo on all files of the app, output in $work/out
  (cd "$app" && PATH="$2/usr/bin:/bin" "$pre_commit" try-repo "$repo" "$1" --all-files --color never) > "$work/out" 2>&1
}
expect_findings() {
  local rc=0
  try "$1" "$2" || rc=$?
  [[ $rc == 1 ]] || fail "$1: pre-commit exits $rc, not 1"
  grep -q "^xsguard.*Failed" "$work/out" || fail "$1: the hook is not reported as failed"
  grep -Eq "XS[0-9]{3}" "$work/out" || fail "$1: no finding printed"
}

echo "pre-commit try-repo $repo (pre-commit $("$pre_commit" --version | cut -d ' ' -f 2))"
expect_findings xsguard "$work/bin:"
ok "xsguard hook, xsguard $version on PATH: fails on the example app's findings"

# No xsguard on PATH: the hook installs its version from the release (served here).
root=$work/www
"$repo/scripts/archive.sh" "$version" x86_64-unknown-linux-gnu "$work/bin/xsguard" "$root/download/v$version" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$root" "$port" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.1; done
export XSGUARD_DOWNLOAD_URL=http://127.0.0.1:$port
if [[ $(uname -m) == x86_64 && $(uname -s) == Linux ]]; then
  expect_findings xsguard ""
  grep -q "installing xsguard $version into $XDG_CACHE_HOME/xsguard/pre-commit/$version" "$work/out" || fail "the hook installed xsguard"
  [[ -x $XDG_CACHE_HOME/xsguard/pre-commit/$version/xsguard ]] || fail "the installed binary is in the cache"
  ok "xsguard hook, no xsguard on PATH: installs $version (checksum verified) and fails on the findings"
  expect_findings xsguard ""
  ! grep -q "installing xsguard" "$work/out" || fail "the second run installed again"
  ok "second run reuses the installed binary"
fi

expect_findings xsguard-system "$work/bin:"
ok "xsguard-system hook: fails on the findings"
rc=0
try xsguard-system "" || rc=$?
[[ $rc == 1 ]] || fail "xsguard-system without xsguard: exit $rc"
ok "xsguard-system hook with no xsguard on PATH: fails (not found)"

# Only a clean file: the hook passes.
clean=$work/clean
mkdir "$clean" && git -C "$clean" init -q
printf 'function hello {\n  input {\n    text name\n  }\n  stack {\n  }\n  response = $input.name\n}\n' > "$clean/hello.xs"
git -C "$clean" add -A && git -C "$clean" commit -qm clean
rc=0
(cd "$clean" && PATH="$work/bin:/usr/bin:/bin" "$pre_commit" try-repo "$repo" xsguard --all-files --color never) > "$work/out" 2>&1 || rc=$?
[[ $rc == 0 ]] && grep -q "^xsguard.*Passed" "$work/out" || fail "a clean file: exit $rc"
ok "a clean file passes"

echo "pre-commit: $passed passed, 0 failed"
