// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* mguard policy check|show|scan: a policy folder read, checked, shown or used to scan. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd_policy.h"
#include "cli/exit.h"
#include "cli/show.h"
#include "compile/compile.h"
#include "core/cgroup.h"
#include "core/log.h"
#include "policy/policy.h"

/* Parse, validate and compile a policy folder; print every diagnostic. */
static int mg_policy_compile(const char *dir, const struct mg_compile_opts *opts,
			     struct mg_policy **ret_policy, struct mg_image **ret_img)
{
	struct mg_diags diags = {};
	int err;

	err = mg_policy_load_dir(dir, ret_policy, &diags);
	if (!err) {
		err = mg_compile(*ret_policy, opts, ret_img, &diags);
		if (err) {
			mg_policy_free(*ret_policy);
			*ret_policy = NULL;
		}
	}
	mg_diags_print(&diags, stderr);
	mg_diags_free(&diags);
	if (err)
		mg_err("policy '%s' has errors", dir);
	return err;
}

int mg_policy_cmd_run(const struct mg_policy_cmd *a, const char *verb, const char *arg)
{
	struct mg_compile_opts opts = { .cgroup_root = "/" };
	struct mg_policy *policy = NULL;
	struct mg_image *img = NULL;
	char cgroot[PATH_MAX];
	int rc = MG_EXIT_OK, n;

	if (mg_cgroup2_mount(cgroot, sizeof(cgroot)) == 0)
		opts.cgroup_root = cgroot;

	if (!strcmp(verb, "check")) {
		/* The policy alone: no look-up of files, cgroups or devices. */
		opts.check_only = 1;
		if (mg_policy_compile(arg ? arg : a->policy_dir, &opts, &policy, &img))
			return MG_EXIT_ERROR;
		printf("policy '%s': %zu tiers, %zu models, %zu scopes: ok\n",
		       arg ? arg : a->policy_dir, policy->ntiers, policy->nmodels, policy->nscopes);
	} else if (!strcmp(verb, "show")) {
		/* --offline: a policy for another machine, shown without its files. */
		opts.no_cgroups = 1;
		opts.check_only = a->offline;
		if (mg_policy_compile(arg ? arg : a->policy_dir, &opts, &policy, &img))
			return MG_EXIT_ERROR;
		mg_show_policy(policy, img, a->json, stdout);
	} else if (!strcmp(verb, "scan")) {
		if (!arg) {
			mg_err("policy scan needs a folder to scan (try 'mguard policy --help')");
			return MG_EXIT_USAGE;
		}
		opts.no_cgroups = 1;
		/* No policy folder (and none asked for): every weight file is unknown. */
		if ((a->policy_given || access(a->policy_dir, F_OK) == 0) &&
		    mg_policy_compile(a->policy_dir, &opts, &policy, &img))
			return MG_EXIT_ERROR;
		if (!img)
			mg_info("no policy folder '%s': every weight file is unknown",
				a->policy_dir);
		n = mg_scan_print(arg, img, a->json, stdout);
		if (n < 0) {
			mg_log_errno(n, "failed to scan '%s'", arg);
			rc = MG_EXIT_ERROR;
		} else if (n > 0) {
			mg_info("%d weight files under '%s' belong to no model (unknown)", n, arg);
			rc = MG_EXIT_ERROR;
		}
	} else {
		mg_err("unknown policy command '%s': check, show or scan (try 'mguard policy --help')",
		       verb);
		return MG_EXIT_USAGE;
	}
	mg_image_free(img);
	mg_policy_free(policy);
	return rc;
}
