#!/usr/bin/env bash
# Tests install.sh against release archives served from 127.0.0.1 (python3 -m http.server), laid
# out as GitHub releases are: the right archive is chosen (also for other systems, through a fake
# `uname`/`ldd` on PATH), the installed binary runs, PATH advice is printed when the directory is
# not on PATH, and a bad checksum is refused with a non-zero exit and nothing installed.
#
#   scripts/test-install.sh [BINARY]     (default: target/debug/xsguard)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/test-lib.sh"
binary=$(test_binary test-install "${1:-$repo/target/debug/xsguard}")
version=$(crate_version)

# --- the release as the workflow makes it: a real archive for this machine, decoys for others
root=$work/www
rel=$root/download/v$version
cp "$binary" "$work/xsguard"
strip "$work/xsguard" 2>/dev/null || true
"$repo/scripts/archive.sh" "$version" x86_64-unknown-linux-gnu "$work/xsguard" "$rel" >/dev/null
for t in x86_64-unknown-linux-musl aarch64-unknown-linux-gnu aarch64-apple-darwin; do
  printf '#!/bin/sh\necho "xsguard %s (%s decoy)"\n' "$version" "$t" > "$work/decoy-$t"
  "$repo/scripts/archive.sh" "$version" "$t" "$work/decoy-$t" "$rel" >/dev/null
done
mkdir -p "$root/latest/download"
echo "$version" > "$root/latest/download/VERSION"
# 0.0.1: its checksum file names another archive's digest
bad=$root/download/v0.0.1
"$repo/scripts/archive.sh" 0.0.1 x86_64-unknown-linux-gnu "$work/decoy-x86_64-unknown-linux-musl" "$bad" >/dev/null
printf '%s  xsguard-0.0.1-x86_64-unknown-linux-gnu.tar.gz\n' "$(cut -d ' ' -f 1 "$rel/xsguard-$version-x86_64-unknown-linux-gnu.tar.gz.sha256")" \
  > "$bad/xsguard-0.0.1-x86_64-unknown-linux-gnu.tar.gz.sha256"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$root" "$port" >/dev/null 2>&1 &
server_pid=$!
url=http://127.0.0.1:$port
for _ in $(seq 50); do curl -fs "$url/latest/download/VERSION" >/dev/null 2>&1 && break; sleep 0.1; done
export XSGUARD_DOWNLOAD_URL=$url
unset XSGUARD_VERSION XSGUARD_INSTALL_DIR XSGUARD_TARGET

# install.sh is POSIX sh: run it with the system's sh (dash on Debian).
install() { sh "$repo/install.sh" "$@" 2>"$work/err"; }
base_path=/usr/local/bin:/usr/bin:/bin

echo "install.sh against $url"
dir=$work/home/.local/bin
HOME=$work/home PATH=$base_path install || fail "latest into ~/.local/bin exits $?"
grep -q "installing xsguard $version (x86_64-unknown-linux-gnu)" "$work/err" || fail "chose the glibc x86_64 archive"
[[ $("$dir/xsguard" --version) == "xsguard $version" ]] || fail "the installed binary runs"
ok "latest version, glibc x86_64 archive chosen, installed into ~/.local/bin, runs"
grep -q "is not on your PATH" "$work/err" && grep -q "export PATH=\"$dir:\$PATH\"" "$work/err" || fail "PATH advice"
ok "PATH advice printed when ~/.local/bin is not on PATH"
HOME=$work/home PATH=$dir:$base_path install --version "$version" || fail "reinstall exits $?"
! grep -q "not on your PATH" "$work/err" || fail "no PATH advice when on PATH"
ok "explicit --version, no PATH advice when the directory is on PATH; a second run works"

before=$(sha256sum "$dir/xsguard")
if HOME=$work/home PATH=$base_path install --version 0.0.1; then fail "bad checksum accepted"; else rc=$?; fi
[[ $rc == 1 ]] || fail "bad checksum exits $rc, not 1"
grep -q "checksum mismatch for xsguard-0.0.1-x86_64-unknown-linux-gnu.tar.gz" "$work/err" || fail "bad checksum message"
[[ $(sha256sum "$dir/xsguard") == "$before" ]] || fail "the installed binary changed after a bad checksum"
[[ -z $(find "$dir" -name '.xsguard.*') ]] || fail "a staged file was left behind"
ok "bad checksum refused (exit 1, clear message), the installed binary left as it was"
if XSGUARD_INSTALL_DIR=$work/fresh PATH=$base_path install --version 0.0.1; then fail "bad checksum accepted"; fi
[[ ! -e $work/fresh/xsguard ]] || fail "bad checksum installed something"
ok "bad checksum into a new directory installs nothing"

if XSGUARD_INSTALL_DIR=$work/v PATH=$base_path install --version 9.9.9; then fail "missing version accepted"; else rc=$?; fi
[[ $rc == 1 ]] && grep -q "download failed: $url/download/v9.9.9/" "$work/err" || fail "missing version: exit $rc"
ok "a version that does not exist: download failed, exit 1"
if install --bogus; then fail "bad argument accepted"; else rc=$?; fi
[[ $rc == 2 ]] && grep -q "unknown argument: --bogus" "$work/err" || fail "bad argument: exit $rc"
ok "bad argument: exit 2"

# --- other systems, through fake uname/ldd first on PATH
fake() { # fake DIR OS CPU LDD-LINE
  mkdir -p "$1"
  printf '#!/bin/sh\ncase $1 in -s) echo %s ;; -m) echo %s ;; *) echo %s ;; esac\n' "$2" "$3" "$2" > "$1/uname"
  printf '#!/bin/sh\necho "%s"\n' "$4" > "$1/ldd"
  chmod +x "$1/uname" "$1/ldd"
}
# chooses NAME OS CPU LDD TARGET SAYING: on a host that says it is OS/CPU with that ldd, the
# archive of TARGET is installed.
chooses() {
  fake "$work/$1" "$2" "$3" "$4"
  XSGUARD_INSTALL_DIR=$work/$1-bin PATH=$work/$1:$base_path install || fail "$1 install exits $?"
  [[ $("$work/$1-bin/xsguard" --version) == *"$5 decoy"* ]] || fail "$5 archive chosen on $1"
  ok "$6: $5 archive chosen"
}
chooses musl Linux x86_64 "musl libc (x86_64)" x86_64-unknown-linux-musl "musl libc"
chooses oldglibc Linux x86_64 "ldd (GNU libc) 2.28" x86_64-unknown-linux-musl \
  "glibc older than 2.35 (the static musl build)"
chooses arm Linux aarch64 "ldd (Ubuntu GLIBC 2.39-0ubuntu8) 2.39" aarch64-unknown-linux-gnu \
  "aarch64 glibc Linux"
chooses mac Darwin arm64 "" aarch64-apple-darwin "macOS arm64"
XSGUARD_INSTALL_DIR=$work/t XSGUARD_TARGET=x86_64-unknown-linux-musl PATH=$base_path install || fail "XSGUARD_TARGET exits $?"
[[ $("$work/t/xsguard" --version) == *"x86_64-unknown-linux-musl decoy"* ]] || fail "XSGUARD_TARGET honoured"
ok "XSGUARD_TARGET picks the archive"
fake "$work/sun" SunOS sparc64 ""
if XSGUARD_INSTALL_DIR=$work/s PATH=$work/sun:$base_path install; then fail "unsupported system accepted"; else rc=$?; fi
[[ $rc == 2 ]] && grep -q "no xsguard build for this CPU (sparc64)" "$work/err" && grep -q "cargo install xsguard" "$work/err" ||
  fail "unsupported system: exit $rc"
ok "unsupported system: exit 2, names the CPU and the cargo route"
fake "$work/win" MINGW64_NT-10.0 x86_64 ""
if XSGUARD_INSTALL_DIR=$work/w PATH=$work/win:$base_path install; then fail "Windows accepted"; else rc=$?; fi
[[ $rc == 2 ]] && grep -q "install.ps1" "$work/err" || fail "Windows: exit $rc"
ok "Windows shell: exit 2, points to install.ps1"

echo "install.sh: $passed passed, 0 failed"
