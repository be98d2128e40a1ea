# Sourced by scripts/run.sh and .ci/run. Puts a Node >= 22 first on PATH.
# The machines this project runs on may ship an older Node; Node 24 comes from the npm
# registry's node-linux-<arch> package (a binary inside a registry package), nowhere else.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_major)" -lt 22 ]; then
  _arch="$(uname -m)"; case "$_arch" in x86_64) _arch=x64 ;; aarch64) _arch=arm64 ;; esac
  _bin="$_root/.tools/node/node_modules/node-linux-$_arch/bin"
  if [ ! -x "$_bin/node" ]; then
    echo "› Node $(node -v 2>/dev/null || echo none) is too old; fetching Node 24 from the npm registry (node-linux-$_arch@24)…" >&2
    npm install --prefix "$_root/.tools/node" --no-save --no-package-lock --no-audit --no-fund "node-linux-$_arch@24" >/dev/null
  fi
  export PATH="$_bin:$PATH"
fi
