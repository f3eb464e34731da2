#!/bin/sh
# XanoScript and xsguard in Helix (Linux, macOS), from a checkout of the repository:
#   1. the entries of editors/helix/languages.toml into $HELIX_CONFIG/languages.toml, between
#      marker comments: a second run replaces that block, the rest of the file stays as it was
#   2. the queries into $HELIX_CONFIG/runtime/queries/xanoscript/ (replaced)
#   3. the grammar of this checkout compiled into $HELIX_CONFIG/runtime/grammars/xanoscript.so
#      with the C compiler (cc, or $CC); --no-grammar skips it (then: hx --grammar fetch &&
#      hx --grammar build, which fetch the revision pinned in languages.toml)
# $HELIX_CONFIG defaults to ${XDG_CONFIG_HOME:-~/.config}/helix. Safe to run again.
#
#   editors/helix/install.sh [--no-grammar]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
grammar=1
for arg in "$@"; do
  case $arg in
    --no-grammar) grammar=0 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
config=${HELIX_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/helix}
begin='# >>> xsguard: XanoScript (written by editors/helix/install.sh; edits inside are replaced) >>>'
end='# <<< xsguard: XanoScript <<<'

mkdir -p "$config"
file="$config/languages.toml"
[ -f "$file" ] || : > "$file"

# The user's file without our block (and without a begin marker whose end is missing).
rest=$(mktemp)
trap 'rm -f "$rest"' EXIT
awk -v b="$begin" -v e="$end" '
  $0 == b { skip = 1; next }
  $0 == e && skip { skip = 0; next }
  !skip { print }
' "$file" > "$rest"

# Entries of ours outside the block would make Helix refuse the file (a key defined twice).
if grep -Eq '^[[:space:]]*\[language-server\.xsguard\]|^[[:space:]]*name[[:space:]]*=[[:space:]]*"xanoscript"' "$rest"; then
  echo "install.sh: $file already defines xanoscript or [language-server.xsguard] outside the" >&2
  echo "xsguard block; remove those entries and run this again." >&2
  exit 1
fi

tmp="$file.xsguard-tmp"
{
  # The user's part, trailing blank lines trimmed, then one blank line and our block.
  awk '{ lines[NR] = $0 } END { n = NR; while (n > 0 && lines[n] ~ /^[[:space:]]*$/) n--; for (i = 1; i <= n; i++) print lines[i]; if (n > 0) print "" }' "$rest"
  echo "$begin"
  grep -v '^#' "$here/languages.toml" | awk 'NF || seen { seen = 1; print }'
  echo "$end"
} > "$tmp"
# Written through, not renamed over: a languages.toml that is a symlink (dotfiles) stays one.
cat "$tmp" > "$file"
rm -f "$tmp"
echo "languages: $file"

queries="$config/runtime/queries/xanoscript"
rm -rf "$queries"
mkdir -p "$queries"
cp "$here"/runtime/queries/xanoscript/*.scm "$queries/"
echo "queries:   $queries"

if [ "$grammar" = 1 ]; then
  src="$here/../../tree-sitter-xanoscript/src"
  out="$config/runtime/grammars"
  mkdir -p "$out"
  shared=-shared
  ext=so
  [ "$(uname -s)" = Darwin ] && { shared=-dynamiclib; ext=dylib; }
  # shellcheck disable=SC2086 # CFLAGS is a list of flags
  ${CC:-cc} $shared -fPIC ${CFLAGS:--O2} -I "$src" "$src/parser.c" "$src/scanner.c" -o "$out/xanoscript.$ext.tmp"
  mv "$out/xanoscript.$ext.tmp" "$out/xanoscript.$ext"
  echo "grammar:   $out/xanoscript.$ext"
fi
command -v xsguard >/dev/null 2>&1 || echo "note: xsguard is not on PATH; Helix runs \`xsguard lsp\` (see docs/editors.md to install it)"
command -v hx >/dev/null 2>&1 && echo "check:     hx --health xanoscript"
exit 0
