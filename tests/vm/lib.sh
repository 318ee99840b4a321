# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=sh
# Sourced by tests/vm/run.sh (the kernel tier in a VM) and bench/vm.sh (the
# bench's ratio rounds in a VM): Debian's kernel, a busybox initramfs, QEMU.
# The caller defines die(), sets CACHE (the kernel cache folder), and owns
# the variables its cleanup reads: DL (a download folder), WORK (the
# initramfs's folder, $WORK/qemu.pid) and BOOTING (the QEMU pipeline's pid).

# The kernel images extracted under the directories given (globs), newest last.
vm_kernels_in() {
	for f in "$@"; do
		for k in "$f"/boot/vmlinuz-*; do
			[ -f "$k" ] && echo "$k"
		done
	done | sort -V
}

# Sets vmlinuz: the image linux-image-amd64 depends on today, downloaded into
# $CACHE once; offline (or with stale lists), any kernel already cached.
# apt-cache reads the local package lists only, so this works offline too.
vm_kernel() {
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/{print $2; exit}') || pkg=
	mkdir -p "$CACHE"
	vmlinuz=
	if [ -n "$pkg" ]; then
		vmlinuz=$(vm_kernels_in "$CACHE/$pkg" | tail -n 1)
	fi
	[ -z "$vmlinuz" ] || return 0
	DL=$(mktemp -d "$CACHE/download.XXXXXX")
	# apt-get download writes into the current directory; as root it warns that
	# the download is unsandboxed, which is harmless, so its chatter is kept
	# out of the way and shown only on failure.
	if [ -n "$pkg" ] && (cd "$DL" && apt-get -q download "$pkg") >"$DL/apt.log" 2>&1; then
		echo "vm: downloaded $pkg"
		dpkg -x "$DL/${pkg}"_*.deb "$DL/x" || die "failed to extract '$pkg'"
		# Keep the .deb (modules, if a test ever needs one) and the kernel
		# image; the rest of the tree is ~400 MB of modules nobody loads.
		# Older kernels are dropped so the cache does not grow with updates.
		rm -rf "$CACHE"/linux-image-*
		mkdir -p "$CACHE/$pkg"
		mv "$DL/x/boot" "$CACHE/$pkg/boot"
		mv "$DL/${pkg}"_*.deb "$CACHE/"
		vmlinuz=$(vm_kernels_in "$CACHE/$pkg" | tail -n 1)
		[ -n "$vmlinuz" ] || die "'$pkg' holds no boot/vmlinuz-*"
	else
		[ -z "$pkg" ] || sed 's/^/vm: apt-get: /' "$DL/apt.log" >&2
		vmlinuz=$(vm_kernels_in "$CACHE"/linux-image-* | tail -n 1)
		[ -n "$vmlinuz" ] || [ -n "$pkg" ] ||
			die "cannot tell which kernel linux-image-amd64 depends on; run apt-get update"
		[ -n "$vmlinuz" ] || die "failed to download '$pkg'"
		echo "vm: cannot download '${pkg:-linux-image-amd64}'; using the cached ${vmlinuz##*/}" >&2
	fi
	rm -rf "$DL"
	DL=
}

# Copy a dynamically linked program's libraries and loader to the same absolute
# paths inside the initramfs root $R. ldd fails on static programs: nothing to copy.
copy_libs() {
	libs=$(ldd "$1" 2>/dev/null) || return 0
	for lib in $(printf '%s\n' "$libs" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
		[ -e "$R$lib" ] && continue
		mkdir -p "$R${lib%/*}"
		cp -L "$lib" "$R$lib" || die "failed to copy '$lib' (needed by '$1')"
	done
}

# The initramfs root $R: the usual folders, busybox with one symlink per
# applet at the path it expects (bin/sh, sbin/ip...), just enough of /etc for
# tools that look up users or localhost, and @1 as /init.
vm_root() {
	mkdir -p "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/run" "$R/root" "$R/etc" "$R/bin"
	chmod 1777 "$R/tmp"
	bb=$(command -v busybox)
	cp -L "$bb" "$R/bin/busybox"
	copy_libs "$bb"
	for applet in $(busybox --list-full); do
		[ "$applet" = bin/busybox ] && continue
		mkdir -p "$R/${applet%/*}"
		ln -sf /bin/busybox "$R/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$R/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$R/etc/hosts"
	cp "$1" "$R/init"
	chmod 0755 "$R/init"
}

# $WORK/initrd.gz from $R.
vm_pack() {
	(cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -6) >"$WORK/initrd.gz" ||
		die "failed to build the initramfs"
}

# Boot $vmlinuz with $WORK/initrd.gz: TIMEOUT seconds, MEM MiB; the serial
# console goes to LOG, and to stdout with PREFIX when one is given. CRs and
# the firmware's terminal escapes (screen clears) are removed; sed -u so that
# lines show up as they come. stdin is /dev/null so that QEMU leaves the
# terminal alone. No NIC: loopback only, and it spares the boot ROM's
# banner. QEMU's exit status is left in $WORK/qemu.rc.
vm_boot() { # TIMEOUT MEM LOG [PREFIX]
	cr=$(printf '\r')
	esc=$(printf '\033')
	{
		rc=0
		timeout -k 10 "$1" qemu-system-x86_64 -accel tcg -m "$2" -smp 2 \
			-nographic -no-reboot -nic none -pidfile "$WORK/qemu.pid" \
			-kernel "$vmlinuz" -initrd "$WORK/initrd.gz" \
			-append "console=ttyS0 quiet panic=-1" </dev/null 2>&1 || rc=$?
		echo "$rc" >"$WORK/qemu.rc"
	} | sed -u "s/$cr\$//; s/${esc}\[[0-9;?]*[A-Za-z]//g; s/${esc}c//g" |
		if [ -n "${4:-}" ]; then tee "$3" | sed -u "s/^/$4/"; else cat >"$3"; fi &
	# Waiting on a background job, unlike on a foreground one, lets a signal
	# (Ctrl-C, a cancelled CI job) run the traps at once, and cleanup stops QEMU.
	BOOTING=$!
	wait "$BOOTING" || true
	BOOTING=
}
