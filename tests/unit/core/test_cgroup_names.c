// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* core/cgroup: the container id and pod uid a cgroup path names. */
#include "unit.h"

#include <string.h>

#include "core/cgroup.h"

#define ID64 "4f1c0a9e3b2d1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f"

static void want_container(const char *path, const char *want)
{
	char buf[MG_CONTAINER_ID_MAX + 1];
	bool found = mg_cgroup_container_id(path, buf, sizeof(buf));

	if (!want) {
		assert_false(found);
		return;
	}
	assert_true(found);
	assert_string_equal(buf, want);
}

static void want_pod(const char *path, const char *want)
{
	char buf[40];
	bool found = mg_cgroup_pod_uid(path, buf, sizeof(buf));

	if (!want) {
		assert_false(found);
		return;
	}
	assert_true(found);
	assert_string_equal(buf, want);
}

static void test_container_ids(void **state)
{
	want_container("/system.slice/docker-" ID64 ".scope", ID64);
	want_container("/machine.slice/libpod-" ID64 ".scope", ID64);
	want_container("/kubepods.slice/kubepods-pod1.slice/cri-containerd-" ID64 ".scope", ID64);
	want_container("/kubepods.slice/crio-" ID64 ".scope", ID64);
	want_container("/docker/" ID64, ID64);
	/* Not containers: a unit's scope, a short or non-hex id, a bare top-level id. */
	want_container("/user.slice/user-1000.slice/session-3.scope", NULL);
	want_container("/system.slice/docker-xyz.scope", NULL);
	want_container("/system.slice/docker-.scope", NULL);
	want_container("/" ID64, NULL);
	want_container("/mguard/vllm", NULL);
	want_container("", NULL);
}

static void test_pod_uids(void **state)
{
	want_pod("/kubepods.slice/kubepods-burstable.slice/"
		 "kubepods-burstable-pod0e1f2a3b_4c5d_6e7f_8091_a2b3c4d5e6f7.slice/"
		 "cri-containerd-" ID64 ".scope",
		 "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7");
	want_pod("/kubepods.slice/kubepods-pod0E1F2A3B_4C5D_6E7F_8091_A2B3C4D5E6F7.slice",
		 "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7");
	want_pod("/kubepods/besteffort/pod0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/" ID64,
		 "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7");
	/* Not pods: outside kubepods, the kubepods slices themselves, a short uid. */
	want_pod("/system.slice/pod0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7", NULL);
	want_pod("/kubepods.slice/kubepods-burstable.slice", NULL);
	want_pod("/kubepods.slice/kubepods-pod1234.slice", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_ids),
		cmocka_unit_test(test_pod_uids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
