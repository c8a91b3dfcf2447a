#!/bin/sh
# A stand-in for the node:24-slim base image, for a host that can build and run containers
# (buildah, podman) but cannot pull from a container registry: Debian bookworm (debootstrap,
# minbase) with the Node 24 binary the workspace pins (the npm package `node`), the host's npm,
# and a `node` user (uid 1000), as the official image has. Run as root from the repository root
# after installing the workspace; it imports the result as localhost/node:24-slim. Then:
#
#   buildah bud --format docker --isolation chroot --network host \
#     --build-arg NODE_IMAGE=localhost/node:24-slim -f infra/containers/Dockerfile -t trec:dev .
#
# EXTRA_CA_FILE: a CA bundle the build's HTTPS must trust (an egress proxy's), copied in and
# named in NODE_EXTRA_CA_CERTS.
set -eu
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
echo "node-base: Debian bookworm (minbase) into $root"
debootstrap --variant=minbase bookworm "$root" >/dev/null
install -m 755 "$(node_modules/.bin/node -p process.execPath)" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules" "$root/etc/ssl/certs"
cp -a "$(npm root -g)/npm" "$root/usr/local/lib/node_modules/"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
set -- --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
if [ -n "${EXTRA_CA_FILE:-}" ]; then
  cp "$EXTRA_CA_FILE" "$root/etc/ssl/certs/extra-ca.crt"
  set -- "$@" --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/extra-ca.crt'
fi
echo "node-base: Node $(chroot "$root" node --version), npm $(chroot "$root" npm --version)"
tar -C "$root" -c . | podman import "$@" - localhost/node:24-slim
