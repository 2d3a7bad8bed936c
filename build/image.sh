#!/usr/bin/env bash
# make image: assemble aerobackup's container image as an OCI image layout
# with umoci, without a container daemon or a base image to pull.
#
#   image.sh BINARY LAYOUT
#
# BINARY is a static linux aerobackup (CGO_ENABLED=0); LAYOUT is the image
# layout directory to (re)create, its one tag that of IMAGE. The image is
# from scratch: the binary as /usr/local/bin/aerobackup and entrypoint, the
# CA bundle, /etc/passwd and /etc/group with the user nonroot (65532) it runs
# as, its home as the working directory, and a writable /tmp.
#
# Environment: IMAGE (NAME:TAG, required), VERSION, REVISION (commit),
# SOURCE_DATE_EPOCH (the image's created time and every file's mtime: the
# same inputs give the same digests), GOARCH (the binary's), CA_BUNDLE (PEM
# file, default the host's, from Debian's ca-certificates).
set -euo pipefail

binary=${1:?usage: image.sh BINARY LAYOUT}
layout=${2:?usage: image.sh BINARY LAYOUT}
image=${IMAGE:?IMAGE must name the image, NAME:TAG}
tag=${image##*:}
case $tag in
*/* | "$image" | "") echo "image.sh: IMAGE=$image has no :TAG at its end" >&2; exit 2 ;;
esac
version=${VERSION:-dev}
version=${version#v}
epoch=${SOURCE_DATE_EPOCH:-0}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
arch=${GOARCH:-$(go env GOARCH)}
source_url=https://github.com/aerobackup/aerobackup

command -v umoci >/dev/null || { echo "image.sh: umoci is not installed (Debian: apt-get install umoci)" >&2; exit 1; }
[ -f "$binary" ] || { echo "image.sh: no binary at $binary (make image builds it)" >&2; exit 1; }
[ -s "$ca_bundle" ] || { echo "image.sh: no CA bundle at $ca_bundle (Debian: apt-get install ca-certificates, or set CA_BUNDLE)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/aerobackup-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
umask 022
mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/home/nonroot" "$root/tmp"
install -m 0755 "$binary" "$root/usr/local/bin/aerobackup"
install -m 0644 "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >"$root/etc/group"
chmod 1777 "$root/tmp"

# The layer, written here rather than by umoci insert so that it holds only
# what is listed, in name order, with fixed owners and times, and needs no
# root: everything root's but nonroot's home.
layer=$work/layer.tar
tarargs=(--format=ustar --numeric-owner --mtime="@$epoch" -C "$root")
tar "${tarargs[@]}" --sort=name --owner=0 --group=0 --exclude=./home/nonroot -cf "$layer" ./etc ./home ./tmp ./usr
tar "${tarargs[@]}" --owner=65532 --group=65532 --no-recursion -rf "$layer" ./home/nonroot

rm -rf "$layout"
umoci init --layout "$layout"
umoci new --image "$layout:$tag"
umoci raw add-layer --image "$layout:$tag" --history.created "$created" \
  --history.created_by "make image" --history.comment "aerobackup $version" "$layer"

label() { printf -- '--config.label=org.opencontainers.image.%s\n--manifest.annotation=org.opencontainers.image.%s\n' "$1" "$1"; }
args=()
while IFS= read -r a; do args+=("$a"); done < <(
  label "title=aerobackup"
  label "description=Back up and restore Aerospike databases, one run at a time"
  label "version=$version"
  label "revision=${REVISION:-unknown}"
  label "created=$created"
  label "source=$source_url"
  label "url=$source_url"
  label "licenses=Apache-2.0"
)
umoci config --image "$layout:$tag" --no-history --created "$created" --os linux --architecture "$arch" \
  --config.user 65532:65532 --config.entrypoint /usr/local/bin/aerobackup \
  --config.workingdir /home/nonroot --config.env PATH=/usr/local/bin:/usr/bin:/bin \
  "${args[@]}"
umoci gc --layout "$layout"
echo "image.sh: $image in $layout ($(du -sh "$layout" | cut -f1))" >&2
