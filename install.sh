#!/bin/sh
# Installs the xsguard binary from a release archive, after checking its SHA-256.
#
#   curl -LsSf https://github.com/xsguard/xsguard/releases/latest/download/install.sh | sh
#   sh install.sh --version 0.1.0 --install-dir /usr/local/bin
#
# Options (or environment variables):
#   --version V       XSGUARD_VERSION        release to install (default: the latest)
#   --install-dir D   XSGUARD_INSTALL_DIR    where to put xsguard (default: ~/.local/bin)
#   --target T        XSGUARD_TARGET         archive to take, e.g. x86_64-unknown-linux-musl
#                                            (default: detected from the OS, CPU and libc)
#   --download-url U  XSGUARD_DOWNLOAD_URL   where the releases are (default:
#                                            https://github.com/xsguard/xsguard/releases), laid
#                                            out as GitHub does: U/download/vV/ASSET, and
#                                            U/latest/download/VERSION naming the latest one
# Exit status: 0 installed; 1 download or checksum failure; 2 bad arguments or unsupported
# platform. Nothing is installed unless the checksum matches; no shell profile is edited.
set -eu

say() { printf 'xsguard-install: %s\n' "$*" >&2; }
die() { code=$1; shift; say "$*"; exit "$code"; }

version=${XSGUARD_VERSION:-latest}
install_dir=${XSGUARD_INSTALL_DIR:-}
target=${XSGUARD_TARGET:-}
base_url=${XSGUARD_DOWNLOAD_URL:-https://github.com/xsguard/xsguard/releases}

usage() {
  if [ -f "$0" ] && head -n 1 "$0" | grep -q '^#!/bin/sh'; then
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  else
    echo 'usage: install.sh [--version V] [--install-dir D] [--target T] [--download-url U]'
  fi
}

while [ $# -gt 0 ]; do
  case $1 in
    --version|--install-dir|--target|--download-url)
      [ $# -ge 2 ] || die 2 "$1 needs a value"
      case $1 in
        --version) version=$2 ;;
        --install-dir) install_dir=$2 ;;
        --target) target=$2 ;;
        --download-url) base_url=$2 ;;
      esac
      shift 2 ;;
    --version=*) version=${1#*=}; shift ;;
    --install-dir=*) install_dir=${1#*=}; shift ;;
    --target=*) target=${1#*=}; shift ;;
    --download-url=*) base_url=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die 2 "unknown argument: $1 (see --help)" ;;
  esac
done

if [ -z "$install_dir" ]; then
  [ -n "${HOME:-}" ] || die 2 "HOME is not set: give --install-dir or XSGUARD_INSTALL_DIR"
  install_dir=$HOME/.local/bin
fi
base_url=${base_url%/}
version=${version#v}

# ---------------------------------------------------------------- which archive
# The glibc builds need glibc 2.35 or later (they are built on Ubuntu 22.04); older or
# musl systems get the static musl build.
glibc_at_least() {
  v=$(ldd --version 2>/dev/null | head -n 1 | sed -n 's/.* \([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p')
  [ -n "$v" ] || return 1
  major=${v%%.*}; minor=${v#*.}
  [ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "$minor" -ge "$2" ]; }
}

is_musl() {
  ldd --version 2>&1 | grep -qi musl && return 0
  for f in /lib/ld-musl-*.so.1; do [ -e "$f" ] && return 0; done
  return 1
}

detect_target() {
  os=$(uname -s)
  cpu=$(uname -m)
  case $cpu in
    x86_64|amd64) cpu=x86_64 ;;
    aarch64|arm64) cpu=aarch64 ;;
    *) die 2 "no xsguard build for this CPU ($cpu); build it from source: cargo install xsguard --locked" ;;
  esac
  case $os in
    Linux)
      if is_musl || ! glibc_at_least 2 35; then echo "$cpu-unknown-linux-musl"; else echo "$cpu-unknown-linux-gnu"; fi ;;
    Darwin)
      # An x86_64 shell under Rosetta on Apple silicon: take the native build.
      if [ "$cpu" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then cpu=aarch64; fi
      echo "$cpu-apple-darwin" ;;
    MINGW*|MSYS*|CYGWIN*|Windows_NT)
      die 2 "on Windows use install.ps1: powershell -c \"irm https://github.com/xsguard/xsguard/releases/latest/download/install.ps1 | iex\"" ;;
    *) die 2 "no xsguard build for this system ($os $cpu); build it from source: cargo install xsguard --locked" ;;
  esac
}

[ -n "$target" ] || target=$(detect_target)
case $target in
  *-pc-windows-msvc) die 2 "the $target build is a .zip for Windows: use install.ps1" ;;
  *[!A-Za-z0-9_.-]*|'') die 2 "not a target name: $target" ;;
esac

# ---------------------------------------------------------------- download tools
if command -v curl >/dev/null 2>&1; then
  fetch() { curl --proto '=https,http' -fsSL --retry 2 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  die 2 "neither curl nor wget is installed"
fi
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
elif command -v openssl >/dev/null 2>&1; then
  sha256() { openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1; }
else
  die 2 "no SHA-256 tool (sha256sum, shasum or openssl) to verify the download"
fi
command -v tar >/dev/null 2>&1 || die 2 "tar is not installed"

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t xsguard-install)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

if [ "$version" = latest ]; then
  fetch "$base_url/latest/download/VERSION" "$tmp/VERSION" ||
    die 1 "cannot find the latest version at $base_url/latest/download/VERSION (give --version)"
  version=$(tr -d ' \r\n' < "$tmp/VERSION")
  version=${version#v}
fi
case $version in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) die 2 "not a version: $version" ;;
esac
case $version in *[!0-9A-Za-z.+-]*) die 2 "not a version: $version" ;; esac

name=xsguard-$version-$target
archive=$name.tar.gz
url=$base_url/download/v$version/$archive
say "installing xsguard $version ($target) into $install_dir"
fetch "$url" "$tmp/$archive" || die 1 "download failed: $url"
fetch "$url.sha256" "$tmp/$archive.sha256" || die 1 "download failed: $url.sha256"

expected=$(cut -d ' ' -f 1 < "$tmp/$archive.sha256" | tr -d '\r\n' | tr 'A-F' 'a-f')
actual=$(sha256 "$tmp/$archive")
case $expected in
  *[!0-9a-f]*|'') die 1 "the checksum file $url.sha256 is not a SHA-256; nothing was installed" ;;
esac
if [ "${#expected}" -ne 64 ] || [ "$expected" != "$actual" ]; then
  die 1 "checksum mismatch for $archive: expected $expected, got $actual. The download is corrupt or was tampered with; nothing was installed."
fi

mkdir "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x" || die 1 "cannot unpack $archive"
[ -f "$tmp/x/$name/xsguard" ] || die 1 "$archive holds no $name/xsguard"

mkdir -p "$install_dir" || die 1 "cannot create $install_dir"
# Copy beside the destination, then rename: a running xsguard or a failed copy never leaves a
# half-written binary.
staged=$install_dir/.xsguard.$$
cp "$tmp/x/$name/xsguard" "$staged" || { rm -f "$staged"; die 1 "cannot write into $install_dir"; }
chmod 755 "$staged"
mv -f "$staged" "$install_dir/xsguard" || { rm -f "$staged"; die 1 "cannot write $install_dir/xsguard"; }

if installed=$("$install_dir/xsguard" --version 2>&1); then
  say "installed $installed at $install_dir/xsguard"
else
  die 1 "$install_dir/xsguard does not run on this machine: $installed"
fi

case :${PATH:-}: in
  *:"$install_dir":*|*:"${install_dir%/}":*) ;;
  *)
    case ${SHELL:-} in
      */zsh) profile='~/.zshrc' ;;
      */bash) profile='~/.bashrc' ;;
      */fish) profile='~/.config/fish/config.fish' ;;
      *) profile='~/.profile' ;;
    esac
    say "$install_dir is not on your PATH. Add it, then open a new shell:"
    case ${SHELL:-} in
      */fish) say "  fish_add_path $install_dir" ;;
      *) say "  echo 'export PATH=\"$install_dir:\$PATH\"' >> $profile" ;;
    esac
    ;;
esac
