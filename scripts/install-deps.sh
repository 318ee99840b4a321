#!/bin/sh
# Install every Debian package that building and testing mguard needs.
# Idempotent: packages already present are left alone.
set -eu

PKGS="make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev \
libseccomp-dev libcmocka-dev libyaml-dev libssl-dev libclang-rt-14-dev \
qemu-system-x86 busybox-static cpio kmod iproute2 groff-base e2fsprogs \
shellcheck cppcheck clang-tools runc podman python3-yaml bash-completion \
libmicrohttpd-dev libsystemd-dev prometheus logrotate \
libjson-c-dev chromium"
# kubectl for the client-side checks of deploy/kubernetes: Debian's
# kubernetes-client, unless a kubectl from elsewhere is installed already (the
# two packages conflict).
command -v kubectl >/dev/null 2>&1 || PKGS="$PKGS kubernetes-client"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: not running as root; run 'sudo scripts/install-deps.sh'" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
