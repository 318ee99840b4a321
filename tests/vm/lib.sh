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

# Sets vmlinuz: the image that the meta package @1 (default linux-image-amd64;
# linux-image-cloud-amd64, linux-image-6.12-amd64...) depends on today,
# downloaded into $CACHE once; offline (or with stale lists), the kernel that
# was cached for @1 before. Each meta package keeps one kernel in the cache
# ($CACHE/META.pkg names it), so the configurations of the matrix do not
# evict each other; an update of one replaces only its own.
# apt-cache reads the local package lists only, so this works offline too.
vm_kernel() { # [META]
	meta=${1:-linux-image-amd64}
	pkg=$(apt-cache depends "$meta" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/{print $2; exit}') || pkg=
	mkdir -p "$CACHE"
	old=$(cat "$CACHE/$meta.pkg" 2>/dev/null) || old=
	vmlinuz=
	if [ -n "$pkg" ]; then
		vmlinuz=$(vm_kernels_in "$CACHE/$pkg" | tail -n 1)
	fi
	if [ -n "$vmlinuz" ]; then
		[ "$old" = "$pkg" ] || echo "$pkg" >"$CACHE/$meta.pkg"
		return 0
	fi
	DL=$(mktemp -d "$CACHE/download.XXXXXX")
	# apt-get download writes into the current directory; as root it warns that
	# the download is unsandboxed, which is harmless, so its chatter is kept
	# out of the way and shown only on failure.
	if [ -n "$pkg" ] && (cd "$DL" && apt-get -q download "$pkg") >"$DL/apt.log" 2>&1; then
		echo "vm: downloaded $pkg"
		dpkg -x "$DL/${pkg}"_*.deb "$DL/x" || die "failed to extract '$pkg'"
		# Keep the .deb (modules, if a test ever needs one) and the kernel
		# image; the rest of the tree is ~400 MB of modules nobody loads.
		# The kernel this meta package named before is dropped, so the cache
		# does not grow with updates.
		if [ -n "$old" ] && [ "$old" != "$pkg" ]; then
			rm -rf "${CACHE:?}/$old" "$CACHE/${old}"_*.deb
		fi
		rm -rf "${CACHE:?}/$pkg"
		mkdir -p "$CACHE/$pkg"
		mv "$DL/x/boot" "$CACHE/$pkg/boot"
		mv "$DL/${pkg}"_*.deb "$CACHE/"
		echo "$pkg" >"$CACHE/$meta.pkg"
		vmlinuz=$(vm_kernels_in "$CACHE/$pkg" | tail -n 1)
		[ -n "$vmlinuz" ] || die "'$pkg' holds no boot/vmlinuz-*"
	else
		[ -z "$pkg" ] || sed 's/^/vm: apt-get: /' "$DL/apt.log" >&2
		[ -z "$old" ] || vmlinuz=$(vm_kernels_in "$CACHE/$old" | tail -n 1)
		[ -n "$vmlinuz" ] || [ -n "$pkg" ] ||
			die "cannot tell which kernel $meta depends on; run apt-get update"
		[ -n "$vmlinuz" ] || die "failed to download '$pkg'"
		echo "vm: cannot download '${pkg:-$meta}'; using the cached ${vmlinuz##*/}" >&2
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
# console goes to LOG, and to stdout with PREFIX when one is given.
# VM_APPEND adds to the kernel command line, VM_SMP sets the vCPUs (2), and
# VM_QEMU_OPTS adds QEMU options (word-split: -icount shift=N,sleep=off). CRs and
# the firmware's terminal escapes (screen clears) are removed; sed -u so that
# lines show up as they come. stdin is /dev/null so that QEMU leaves the
# terminal alone. No NIC: loopback only, and it spares the boot ROM's
# banner. QEMU's exit status is left in $WORK/qemu.rc.
vm_boot() { # TIMEOUT MEM LOG [PREFIX]
	cr=$(printf '\r')
	esc=$(printf '\033')
	{
		rc=0
		# shellcheck disable=SC2086 # VM_QEMU_OPTS is a list of words
		timeout -k 10 "$1" qemu-system-x86_64 -accel tcg -m "$2" -smp "${VM_SMP:-2}" \
			${VM_QEMU_OPTS:-} -nographic -no-reboot -nic none -pidfile "$WORK/qemu.pid" \
			-kernel "$vmlinuz" -initrd "$WORK/initrd.gz" \
			-append "console=ttyS0 quiet panic=-1 no_timer_check${VM_APPEND:+ $VM_APPEND}" </dev/null 2>&1 || rc=$?
		echo "$rc" >"$WORK/qemu.rc"
	} | sed -u "s/$cr\$//; s/${esc}\[[0-9;?]*[A-Za-z]//g; s/${esc}c//g" |
		if [ -n "${4:-}" ]; then tee "$3" | sed -u "s/^/$4/"; else cat >"$3"; fi &
	# Waiting on a background job, unlike on a foreground one, lets a signal
	# (Ctrl-C, a cancelled CI job) run the traps at once, and cleanup stops QEMU.
	BOOTING=$!
	wait "$BOOTING" || true
	BOOTING=
}
