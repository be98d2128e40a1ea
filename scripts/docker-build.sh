#!/usr/bin/env bash
# Builds the API image with buildah (no Docker engine needed) from the repository root.
# Without Docker Hub, first assemble local Node bases: scripts/docker-base.sh.
#
#   scripts/docker-build.sh [tag]        default tag: localhost/softrack/api:dev
#   BASE_IMAGE=… RUNTIME_IMAGE=…         override the bases (default: the local ones)
#   CA_BUNDLE=/path/ca.pem               CA bundle for npm behind TLS interception
#                                        (default: $NODE_EXTRA_CA_CERTS if set); used by
#                                        the install steps only, never stored in the image
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-localhost/softrack/api:dev}"
NODE_MAJOR="${NODE_MAJOR:-24}"
base="${BASE_IMAGE:-localhost/softrack/node-build:$NODE_MAJOR}"
runtime="${RUNTIME_IMAGE:-localhost/softrack/node-runtime:$NODE_MAJOR}"
ca="${CA_BUNDLE:-${NODE_EXTRA_CA_CERTS:-}}"
storage=(--storage-driver "${STORAGE_DRIVER:-vfs}")

args=(--isolation "${BUILDAH_ISOLATION:-chroot}" --layers --format docker
  --build-arg "BASE_IMAGE=$base" --build-arg "RUNTIME_IMAGE=$runtime" -t "$tag" -f Dockerfile)
[ -n "$ca" ] && [ -s "$ca" ] && args+=(--secret "id=ca,src=$ca")

buildah "${storage[@]}" bud "${args[@]}" .
buildah "${storage[@]}" images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$tag"
