#!/usr/bin/env bash
# Assembles the two Node base images the Dockerfile takes as build arguments, for machines
# that cannot reach Docker Hub: from scratch, plus Node from the npm registry's
# node-linux-<arch> package, npm from the npm registry, and the C libraries Node links
# against copied from this (Debian) host. Needs root, buildah and busybox-static.
#
#   softrack/node-build:<major>    Node + npm + a busybox shell (for RUN steps) + DejaVu fonts
#   softrack/node-runtime:<major>  Node alone: no shell, no package manager
#
# Usage: sudo scripts/docker-base.sh            (NODE_MAJOR=24 NPM_MAJOR=11 by default)
set -euo pipefail

NODE_MAJOR="${NODE_MAJOR:-24}"
NPM_MAJOR="${NPM_MAJOR:-11}"
STORAGE=(--storage-driver "${STORAGE_DRIVER:-vfs}")
arch="$(uname -m)"; case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac

for tool in buildah busybox npm dpkg; do
  command -v "$tool" >/dev/null || { echo "docker-base: $tool is required (apt-get install buildah busybox-static)" >&2; exit 1; }
done
[ -f /etc/fonts/fonts.conf ] && [ -d /usr/share/fonts/truetype/dejavu ] \
  || { echo "docker-base: fonts are required (apt-get install fontconfig-config fonts-dejavu-core)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "› node-linux-$arch@$NODE_MAJOR and npm@$NPM_MAJOR from the npm registry"
npm pack --silent "node-linux-$arch@$NODE_MAJOR" "npm@$NPM_MAJOR" >/dev/null
mkdir node npm
tar xzf node-linux-"$arch"-*.tgz -C node --strip-components=1
tar xzf npm-*.tgz -C npm --strip-components=1
node_version="$(./node/bin/node -v)"

# The runtime root: Node, the C runtime shared libraries from this Debian host (glibc with
# its nss modules, libstdc++, libgcc: what Node and prebuilt native addons link against),
# a passwd with the unprivileged `node` user (uid 1000, as in the official images) and /tmp.
runtime="$work/runtime"
mkdir -p "$runtime"/{usr/local/bin,etc,tmp,home/node}
chmod 1777 "$runtime/tmp"
install -m 0755 node/bin/node "$runtime/usr/local/bin/node"
{ ldd node/bin/node | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
  dpkg -L libc6 libgcc-s1 libstdc++6 | grep -E '\.so[.0-9]*$' | grep -v gconv
} | sort -u | while read -r lib; do
  [ -e "$lib" ] || continue
  mkdir -p "$runtime$(dirname "$lib")"
  cp -L "$lib" "$runtime$lib"
done
# glibc resolves host names through nss; files and dns are built in since 2.34.
printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000::/home/node:/sbin/nologin\n' >"$runtime/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$runtime/etc/group"
printf 'hosts: files dns\n' >"$runtime/etc/nsswitch.conf"
chown 1000:1000 "$runtime/home/node"

# The build root adds npm and a busybox shell with its applets.
build="$work/build"
cp -a "$runtime" "$build"
mkdir -p "$build"/{bin,usr/bin,usr/local/lib/node_modules,root}
cp -a npm "$build/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$build/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$build/usr/local/bin/npx"
install -m 0755 "$(command -v busybox)" "$build/bin/busybox"
for applet in $(busybox --list); do
  [ -e "$build/bin/$applet" ] || ln -s busybox "$build/bin/$applet"
done
ln -s /bin/env "$build/usr/bin/env"
# The site's OpenGraph cards are SVG text that sharp rasterises at build time: without
# fontconfig's configuration and a font, every glyph is drawn as a box.
mkdir -p "$build/usr/share/fonts/truetype"
cp -rL /etc/fonts "$build/etc/fonts"
cp -rL /usr/share/fonts/truetype/dejavu "$build/usr/share/fonts/truetype/dejavu"

commit() { # name rootfs
  local ctr
  ctr="$(buildah "${STORAGE[@]}" from scratch)"
  buildah "${STORAGE[@]}" copy "$ctr" "$2" / >/dev/null
  buildah "${STORAGE[@]}" config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="${node_version#v}" \
    --label org.opencontainers.image.description="Node $node_version assembled from the npm registry" \
    --cmd '["node"]' "$ctr"
  buildah "${STORAGE[@]}" commit --quiet --rm "$ctr" "$1" >/dev/null
  echo "› $1 ($node_version)"
}
commit "localhost/softrack/node-runtime:$NODE_MAJOR" "$runtime/"
commit "localhost/softrack/node-build:$NODE_MAJOR" "$build/"
