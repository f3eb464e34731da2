#!/usr/bin/env bash
# Tests the npm packages on this machine: builds `xsguard` and this platform's
# `@xsguard/cli-<platform>` with `npm pack` (scripts/npm-packages.mjs, from the given binary),
# installs both tarballs into a fresh project, then checks that `npx xsguard check` on the example
# app prints what the binary prints and passes its exit status through, that signals reach the
# binary, that XSGUARD_BINARY is honoured, and what the launcher says on a platform it has no
# binary for.
#
#   scripts/test-npm.sh [BINARY]     (default: target/debug/xsguard)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$repo/target/debug/xsguard}
[[ -e $binary ]] && binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
[[ -x $binary ]] || { echo "test-npm: no binary at $binary (cargo build -p xsguard)" >&2; exit 2; }
launcher=$repo/npm/xsguard/bin/xsguard.js
version=$(node -p 'require(process.argv[1]).version' "$repo/npm/xsguard/package.json")
crate_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/server/Cargo.toml" | head -n 1)
[[ $version == "$crate_version" ]] || { echo "test-npm: npm/xsguard is $version, the crate $crate_version" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
ok() { passed=$((passed + 1)); printf '  ok   %s\n' "$*"; }
fail() { printf '  FAIL %s\n' "$*" >&2; [[ -f $work/err ]] && sed 's/^/       | /' "$work/err" >&2; exit 1; }

platform=$(node -p 'require(process.argv[1]).platformKey()' "$launcher")
echo "npm packages for $platform"
# The debug binary without its 120 MB of debug information: packing and unpacking stay quick.
cp "$binary" "$work/xsguard"
strip "$work/xsguard" 2>/dev/null || true
node "$repo/scripts/npm-packages.mjs" --version "$version" --out "$work/pkgs" --binary "$platform=$work/xsguard" --pack \
  > "$work/tarballs"
mapfile -t tarballs < "$work/tarballs"
[[ ${#tarballs[@]} == 2 ]] || fail "npm pack made ${#tarballs[@]} tarballs"
tar -tzf "${tarballs[1]}" > "$work/list"
grep -qx 'package/xsguard' "$work/list" || fail "the platform tarball holds package/xsguard"
ok "npm pack: ${tarballs[*]##*/}"

mkdir "$work/project"
cd "$work/project"
echo '{ "name": "xsguard-npm-test", "version": "1.0.0", "private": true }' > package.json
# Only the registry is reached (for the other platforms' optional packages, which npm skips).
npm install --no-audit --no-fund --prefer-offline --loglevel=error "${tarballs[@]}" > "$work/err" 2>&1 ||
  fail "npm install of the tarballs"
[[ -x node_modules/.bin/xsguard ]] || fail "node_modules/.bin/xsguard"
ok "installed from the tarballs into a fresh project"

[[ $(npx xsguard --version 2>"$work/err") == "xsguard $crate_version" ]] || fail "npx xsguard --version"
ok "npx xsguard --version"
rc=0
npx xsguard check "$repo/examples/shop" --format json > npm.json 2>"$work/err" || rc=$?
[[ $rc == 1 ]] || fail "npx xsguard check examples/shop exits $rc, not 1 (findings)"
rc=0
"$binary" check "$repo/examples/shop" --format json > direct.json 2>/dev/null || rc=$?
[[ $rc == 1 ]] || fail "the binary exits $rc on examples/shop"
cmp -s npm.json direct.json || fail "npx's JSON differs from the binary's"
count=$(node -p 'JSON.parse(require("fs").readFileSync("npm.json","utf8")).findings.length')
[[ $count -gt 0 ]] || fail "no findings on examples/shop"
ok "npx xsguard check examples/shop: exit 1, $count findings, the same JSON as the binary"
rc=0
npx xsguard check "$work/does-not-exist" > /dev/null 2>"$work/err" || rc=$?
[[ $rc == 2 ]] || fail "a missing path exits $rc, not 2"
ok "exit status 2 passed through (a path that does not exist)"

# A signal sent to the launcher stops the binary, and the launcher dies of it too.
mkfifo "$work/stdin"
exec 3<>"$work/stdin"
node node_modules/xsguard/bin/xsguard.js lsp < "$work/stdin" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do pgrep -f "$PWD/node_modules/@xsguard/cli-$platform/xsguard lsp" >/dev/null && break; sleep 0.1; done
pgrep -f "$PWD/node_modules/@xsguard/cli-$platform/xsguard lsp" >/dev/null || fail "the binary did not start under the launcher"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
exec 3>&-
[[ $rc == 143 ]] || fail "the launcher exits $rc after SIGTERM, not 143"
sleep 0.2
! pgrep -f "$PWD/node_modules/@xsguard/cli-$platform/xsguard lsp" >/dev/null || fail "the binary outlived the launcher"
ok "SIGTERM reaches the binary; the launcher exits 143"

[[ $(XSGUARD_BINARY=$binary npx xsguard --version) == "xsguard $crate_version" ]] || fail "XSGUARD_BINARY"
rc=0
XSGUARD_BINARY=$work/nothing-here npx xsguard --version 2>"$work/err" || rc=$?
[[ $rc == 2 ]] && grep -q "XSGUARD_BINARY is set to $work/nothing-here, which does not exist" "$work/err" || fail "bad XSGUARD_BINARY: exit $rc"
ok "XSGUARD_BINARY runs the given binary; a missing one: exit 2 with a message"

# A platform with no package, and one whose package is not installed (simulated hosts).
host() { node -e 'require(process.argv[1]).run(JSON.parse(process.argv[2]), ["--version"])' "$PWD/node_modules/xsguard/bin/xsguard.js" "$1"; }
rc=0
host '{"platform":"freebsd","arch":"x64"}' > /dev/null 2>"$work/err" || rc=$?
[[ $rc == 2 ]] || fail "unsupported platform exits $rc, not 2"
for text in "no binary for this platform (freebsd-x64)" "linux-x64-musl" "install.sh" "cargo install xsguard --locked" \
  "github.com/xsguard/xsguard/releases" "XSGUARD_BINARY"; do
  grep -qF "$text" "$work/err" || fail "the unsupported-platform message lacks: $text"
done
ok "unsupported platform (freebsd-x64): exit 2, names the platform and the other install routes"
rc=0
host '{"platform":"linux","arch":"arm64","musl":true}' > /dev/null 2>"$work/err" || rc=$?
[[ $rc == 2 ]] && grep -qF "(linux-arm64-musl)" "$work/err" || fail "linux-arm64-musl: exit $rc"
ok "musl on arm64 (no package): exit 2, names linux-arm64-musl"
rc=0
host '{"platform":"darwin","arch":"arm64"}' > /dev/null 2>"$work/err" || rc=$?
[[ $rc == 2 ]] && grep -qF "@xsguard/cli-darwin-arm64, which holds the binary for this platform (darwin-arm64), is not installed" "$work/err" &&
  grep -qF -- "--omit=optional" "$work/err" || fail "missing platform package: exit $rc"
ok "a platform whose package is not installed: exit 2, names the package and --omit=optional"

# The generator refuses bad input without touching anything it did not make.
mkdir "$work/user-dir" && echo keep > "$work/user-dir/file"
rc=0
node "$repo/scripts/npm-packages.mjs" --version "$version" --out "$work/user-dir" 2>"$work/err" || rc=$?
[[ $rc == 2 && $(cat "$work/user-dir/file") == keep ]] || fail "npm-packages.mjs into a foreign directory: exit $rc"
rc=0
node "$repo/scripts/npm-packages.mjs" --version 1.x --out "$work/v" 2>"$work/err" || rc=$?
[[ $rc == 2 ]] && grep -q "not a semantic version" "$work/err" || fail "npm-packages.mjs --version 1.x: exit $rc"
rc=0
node "$repo/scripts/npm-packages.mjs" --version "$version" --out "$work/v" --all --binary "$platform=$work/xsguard" 2>"$work/err" || rc=$?
[[ $rc == 2 ]] && grep -q "no --binary for" "$work/err" || fail "npm-packages.mjs --all with one binary: exit $rc"
ok "npm-packages.mjs: refuses a foreign --out, a bad version, --all with binaries missing (exit 2)"

echo "npm: $passed passed, 0 failed"
