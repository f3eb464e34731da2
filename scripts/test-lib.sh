# What the scripts/test-*.sh checks share; sourced, after `set -euo pipefail` and `repo=...`.
# Sets $work (a scratch directory removed on exit, with the local HTTP server $server_pid when
# one was started) and the reporters: `ok TEXT` counts a passed check in $passed, `fail TEXT`
# stops with exit 1 and shows $work/$TEST_LOG (default `err`), where the checks keep the output
# of the command under test.

# The absolute path of the xsguard binary a check runs, or exit 2: `test_binary NAME PATH`.
test_binary() {
  local binary=$2
  [[ -e $binary ]] && binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
  [[ -x $binary ]] || { echo "$1: no binary at $binary (cargo build -p xsguard)" >&2; exit 2; }
  printf '%s\n' "$binary"
}

# The version of the xsguard crate (what the release archives and packages are named after).
crate_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/server/Cargo.toml" | head -n 1
}

work=$(mktemp -d)
server_pid=
passed=0
trap '[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
ok() { passed=$((passed + 1)); printf '  ok   %s\n' "$*"; }
fail() {
  local log=$work/${TEST_LOG:-err}
  printf '  FAIL %s\n' "$*" >&2
  [[ -f $log ]] && sed 's/^/       | /' "$log" >&2
  exit 1
}
