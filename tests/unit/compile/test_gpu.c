// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* GPUs as device numbers: driver majors, UUIDs, the nodes a GPU list grants. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "compile/gpu.h"

static const char proc_devices[] =
	"Character devices:\n"
	"  1 mem\n"
	"195 nvidia-frontend\n"
	"226 drm\n"
	"508 nvidia-uvm\n"
	"507 nvidia-caps\n"
	"240 kfd\n"
	"\n"
	"Block devices:\n"
	"  8 sd\n"
	"509 nvidia-uvm\n"; /* a block device of that name is not a GPU */

static int has_rule(const struct mg_device_rule *v, size_t n, uint32_t major, uint32_t minor)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].major == major && v[i].minor == minor)
			return 1;
	return 0;
}

static void test_majors_fixed_and_dynamic(void **state)
{
	struct mg_gpu_major m[MG_MAX_GPU_MAJORS];
	size_t n = mg_gpu_majors_parse(proc_devices, m, MG_MAX_GPU_MAJORS);

	assert_int_equal(n, 6);
	assert_int_equal(m[0].major, 195);
	assert_int_equal(m[0].driver, MG_GPU_NVIDIA);
	assert_int_equal(m[1].major, 226);
	assert_int_equal(m[2].major, 261);
	assert_int_equal(m[3].major, 508);
	assert_int_equal(m[3].driver, MG_GPU_NVIDIA_UVM);
	assert_int_equal(m[4].major, 507);
	assert_int_equal(m[5].major, 240);
	assert_int_equal(m[5].driver, MG_GPU_KFD);

	/* No /proc/devices text: the fixed majors still apply. */
	assert_int_equal(mg_gpu_majors_parse("", m, MG_MAX_GPU_MAJORS), 3);
}

static void test_index_grants_its_nodes_and_control_nodes(void **state)
{
	struct mg_gpu_major m[MG_MAX_GPU_MAJORS];
	size_t nm = mg_gpu_majors_parse(proc_devices, m, MG_MAX_GPU_MAJORS);
	struct mg_gpu gpus[] = { { .kind = MG_GPU_INDEX, .index = 1 } };
	struct mg_scope s = { .name = "s", .gpus = gpus, .ngpus = 1 };
	struct mg_device_rule *v = NULL;
	struct mg_diags diags = {};
	size_t n = 0;

	assert_int_equal(mg_gpu_rules(&s, m, nm, "/nonexistent", &v, &n, &diags), 0);
	assert_true(has_rule(v, n, 195, 1));
	assert_false(has_rule(v, n, 195, 0));
	assert_true(has_rule(v, n, 195, MG_NVIDIACTL_MINOR));
	assert_true(has_rule(v, n, 195, MG_NVIDIA_MODESET_MINOR));
	assert_true(has_rule(v, n, 226, 1));
	assert_true(has_rule(v, n, 226, 129));
	assert_true(has_rule(v, n, 508, MG_MINOR_ANY));
	assert_true(has_rule(v, n, 240, MG_MINOR_ANY));
	free(v);
}

static void test_no_gpus_grants_nothing(void **state)
{
	struct mg_gpu_major m[MG_MAX_GPU_MAJORS];
	size_t nm = mg_gpu_majors_parse(proc_devices, m, MG_MAX_GPU_MAJORS);
	struct mg_scope s = { .name = "s" };
	struct mg_device_rule *v = NULL;
	struct mg_diags diags = {};
	size_t n = 0;

	assert_int_equal(mg_gpu_rules(&s, m, nm, "/nonexistent", &v, &n, &diags), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void test_uuid_maps_through_driver_information(void **state)
{
	char root[] = "/tmp/mg-gpu-XXXXXX", path[256];
	struct mg_gpu gpus[] = {
		{ .kind = MG_GPU_UUID, .uuid = "GPU-8c1b2d3e-aaaa-bbbb-cccc-0123456789ab" },
		{ .kind = MG_GPU_UUID,
		  .uuid = "GPU-00000000-0000-0000-0000-000000000000",
		  .loc = { .file = "p.yaml", .line = 9, .col = 7 } },
	};
	struct mg_gpu_major m[MG_MAX_GPU_MAJORS];
	size_t nm = mg_gpu_majors_parse("", m, MG_MAX_GPU_MAJORS);
	struct mg_scope s = { .name = "vllm", .gpus = gpus, .ngpus = 1 };
	struct mg_device_rule *v = NULL;
	struct mg_diags diags = {};
	size_t n = 0;
	FILE *f;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/0000:3b:00.0", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/0000:3b:00.0/information", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("Model: \t\t NVIDIA H100\nIRQ:   \t\t 100\nGPU UUID: \t GPU-8c1b2d3e-aaaa-bbbb-cccc-0123456789ab\n"
	      "Device Minor: \t 3\n",
	      f);
	fclose(f);

	assert_int_equal(mg_gpu_uuid_minor(root, gpus[0].uuid), 3);
	assert_int_equal(mg_gpu_uuid_minor(root, gpus[1].uuid), -ENOENT);
	assert_int_equal(mg_gpu_uuid_minor("/nonexistent/mguard", gpus[0].uuid), -ENODEV);

	assert_int_equal(mg_gpu_rules(&s, m, nm, root, &v, &n, &diags), 0);
	assert_true(has_rule(v, n, 195, 3));

	s.ngpus = 2;
	assert_int_equal(mg_gpu_rules(&s, m, nm, root, &v, &n, &diags), -EINVAL);
	assert_int_equal(diags.n, 1);
	assert_string_equal(
		diags.v[0].msg,
		"scope 'vllm': cannot map GPU "
		"'GPU-00000000-0000-0000-0000-000000000000' to a device: no GPU has this UUID");
	assert_int_equal(diags.v[0].line, 9);
	mg_diags_free(&diags);
	free(v);

	assert_int_equal(unit_rm_tree(root), 0);
}

static void test_all_grants_every_minor(void **state)
{
	struct mg_gpu_major m[MG_MAX_GPU_MAJORS];
	size_t nm = mg_gpu_majors_parse(proc_devices, m, MG_MAX_GPU_MAJORS);
	struct mg_gpu gpus[] = { { .kind = MG_GPU_ALL } };
	struct mg_scope s = { .name = "s", .gpus = gpus, .ngpus = 1 };
	struct mg_device_rule *v = NULL;
	struct mg_diags diags = {};
	size_t n = 0;

	assert_int_equal(mg_gpu_rules(&s, m, nm, "/nonexistent", &v, &n, &diags), 0);
	assert_true(has_rule(v, n, 195, MG_MINOR_ANY));
	assert_true(has_rule(v, n, 226, MG_MINOR_ANY));
	assert_true(has_rule(v, n, 261, MG_MINOR_ANY));
	free(v);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bool has_file(const struct mg_gpu_pci_file *v, size_t n, const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	for (size_t i = 0; i < n; i++)
		if (v[i].ino == st.st_ino && !strcmp(v[i].path, path))
			return true;
	return false;
}

static void test_pci_files_of_display_and_accelerator_devices(void **state)
{
	char root[PATH_MAX], vga[PATH_MAX + 16], acc[PATH_MAX + 16], nic[PATH_MAX + 16];
	struct mg_gpu_pci_file *v = NULL;
	size_t n = 0, cap = 0;

	assert_int_equal(unit_mkdtemp(root, sizeof(root), "pci"), 0);
	snprintf(vga, sizeof(vga), "%s/0000:00:02.0", root);
	snprintf(acc, sizeof(acc), "%s/0000:3b:00.0", root);
	snprintf(nic, sizeof(nic), "%s/0000:00:03.0", root);
	assert_int_equal(mkdir(vga, 0700), 0);
	assert_int_equal(mkdir(acc, 0700), 0);
	assert_int_equal(mkdir(nic, 0700), 0);
	put(vga, "class", "0x030000\n");
	put(acc, "class", "0x120000\n");
	put(nic, "class", "0x020000\n");
	for (const char **f = (const char *[]){ "config", "resource", "resource0", "resource2_wc",
						"rom", "vendor", "resource0_resize", NULL };
	     *f; f++) {
		put(vga, *f, "x");
		put(nic, *f, "x");
	}
	put(acc, "resource4", "x");

	assert_int_equal(mg_gpu_pci_files(root, &v, &n, &cap), 0);
	assert_int_equal(n, 6);
	assert_true(has_file(v, n, vga, "config"));
	assert_true(has_file(v, n, vga, "resource"));
	assert_true(has_file(v, n, vga, "resource0"));
	assert_true(has_file(v, n, vga, "resource2_wc"));
	assert_true(has_file(v, n, vga, "rom"));
	assert_true(has_file(v, n, acc, "resource4"));
	assert_false(has_file(v, n, vga, "vendor"));
	assert_false(has_file(v, n, nic, "config"));
	free(v);

	/* No PCI bus at all: nothing, and no error. */
	v = NULL;
	n = cap = 0;
	assert_int_equal(mg_gpu_pci_files("/nonexistent/mguard", &v, &n, &cap), 0);
	assert_int_equal(n, 0);
	assert_int_equal(unit_rm_tree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_majors_fixed_and_dynamic),
		cmocka_unit_test(test_index_grants_its_nodes_and_control_nodes),
		cmocka_unit_test(test_no_gpus_grants_nothing),
		cmocka_unit_test(test_uuid_maps_through_driver_information),
		cmocka_unit_test(test_all_grants_every_minor),
		cmocka_unit_test(test_pci_files_of_display_and_accelerator_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
