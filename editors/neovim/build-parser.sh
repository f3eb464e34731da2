#!/bin/sh
# Compiles the XanoScript tree-sitter grammar of this checkout into a parser Neovim loads:
#   <dir>/parser/xanoscript.so       (default <dir>: ${XDG_DATA_HOME:-~/.local/share}/nvim/site)
# That folder is on Neovim's 'runtimepath' by default, so the plugin-less setup of
# docs/editors.md gets tree-sitter highlighting; nothing is written into the checkout.
# Same as `require('xsguard').build_parser()` inside Neovim. Needs a C compiler (cc, or $CC).
#
#   editors/neovim/build-parser.sh [dir]       CFLAGS=-O0 for a quicker build
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/../../tree-sitter-xanoscript/src"
[ -f "$src/parser.c" ] || { echo "build-parser: no grammar at $src" >&2; exit 1; }
dir=${1:-${XDG_DATA_HOME:-$HOME/.local/share}/nvim/site}
mkdir -p "$dir/parser"
out="$dir/parser/xanoscript.so"
shared=-shared
[ "$(uname -s)" = Darwin ] && shared=-bundle
# shellcheck disable=SC2086 # CFLAGS is a list of flags
${CC:-cc} $shared -fPIC ${CFLAGS:--O2} -I "$src" "$src/parser.c" "$src/scanner.c" -o "$out"
echo "$out"
