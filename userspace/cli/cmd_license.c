// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard license keygen PRIVATE.pem PUBLIC.pem
 * mguard license sign --key PRIVATE.pem LICENSE.yaml [-o OUT]
 * mguard license verify --key PUBLIC.pem [--key PUBLIC.pem]... LICENSE.yaml
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/exit.h"
#include "cli/cmd_license.h"
#include "license/license.h"
#include "core/log.h"

#define USAGE_KEYGEN "mguard license keygen PRIVATE.pem PUBLIC.pem"
#define USAGE_SIGN   "mguard license sign --key PRIVATE.pem LICENSE.yaml [-o OUT]"
#define USAGE_VERIFY "mguard license verify --key PUBLIC.pem [--key PUBLIC.pem]... LICENSE.yaml"

static int usage(void)
{
	fputs("usage: " USAGE_KEYGEN "\n"
	      "       " USAGE_SIGN "\n"
	      "       " USAGE_VERIFY "\n"
	      "\n"
	      "  keygen   make an Ed25519 key pair (the private key is written with mode 0600)\n"
	      "  sign     sign a license, writing it to OUT or to standard output\n"
	      "  verify   check a license's signature against trusted keys and that it is\n"
	      "           valid now\n",
	      stdout);
	return MG_EXIT_OK;
}

struct opts {
	const char *keys[MG_LICENSE_MAX_KEYS];
	size_t nkeys;
	const char *out;
	bool help;
	char **args; /* the operands */
	int nargs;
};

static const struct option long_opts[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Options of "license VERB ..." (argv[0] is VERB); @allowed lists the
 * option letters VERB takes besides -h. Returns 0, or MG_EXIT_USAGE after
 * saying why.
 */
static int parse_opts(int argc, char **argv, const char *allowed, const char *use, struct opts *o)
{
	int c, idx = -1;

	optind = 0; /* glibc: start over, whatever parsed before */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:o:h", long_opts, &idx)) != -1) {
		const char *arg = argv[optind - 1];

		if (c == ':') {
			mg_err("option '%s' needs an argument (try '%s')", arg, use);
			return MG_EXIT_USAGE;
		}
		if (c == '?' && optopt) {
			mg_err("unknown option '-%c' (try '%s')", optopt, use);
			return MG_EXIT_USAGE;
		}
		if (c == '?') {
			mg_err("unknown option '%s' (try '%s')", arg, use);
			return MG_EXIT_USAGE;
		}
		if (c != 'h' && !strchr(allowed, c)) {
			if (idx >= 0)
				mg_err("unknown option '--%s' (try '%s')", long_opts[idx].name,
				       use);
			else
				mg_err("unknown option '-%c' (try '%s')", c, use);
			return MG_EXIT_USAGE;
		}
		idx = -1;
		switch (c) {
		case 'h':
			o->help = true;
			break;
		case 'k':
			if (o->nkeys == MG_LICENSE_MAX_KEYS) {
				mg_err("more than %d '--key' options", MG_LICENSE_MAX_KEYS);
				return MG_EXIT_USAGE;
			}
			o->keys[o->nkeys++] = optarg;
			break;
		default:
			if (o->out) {
				mg_err("option '-o' given twice (try '%s')", use);
				return MG_EXIT_USAGE;
			}
			o->out = optarg;
			break;
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	return 0;
}

static int cmd_keygen(int argc, char **argv)
{
	struct mg_diags diags = {};
	struct opts o = {};
	int err;

	if (parse_opts(argc, argv, "", USAGE_KEYGEN, &o))
		return MG_EXIT_USAGE;
	if (o.help)
		return usage();
	if (o.nargs != 2) {
		mg_err("expected 2 key files, got %d (try '%s')", o.nargs, USAGE_KEYGEN);
		return MG_EXIT_USAGE;
	}
	err = mg_license_keygen(o.args[0], o.args[1], &diags);
	mg_diags_print(&diags, stderr);
	mg_diags_free(&diags);
	if (err) {
		mg_err("no key pair was made");
		return MG_EXIT_ERROR;
	}
	printf("private key '%s' (keep it secret), public key '%s'\n", o.args[0], o.args[1]);
	return MG_EXIT_OK;
}

/* Write @l to @path through a temporary file in the same folder. */
static int write_to(const struct mg_license *l, const char *path)
{
	char *tmp;
	FILE *f;
	int fd, err;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return mg_log_errno(-ENOMEM, "cannot write '%s'", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = mg_log_errno(-errno, "cannot create a file next to '%s'", path);
		free(tmp);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto fail;
	}
	err = mg_license_write(l, f);
	if (!err && fchmod(fd, 0644) < 0)
		err = -errno;
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (fclose(f) != 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		goto fail;
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return mg_log_errno(err, "cannot write '%s'", path);
}

static int cmd_sign(int argc, char **argv)
{
	struct mg_diags diags = {};
	struct mg_license *l = NULL;
	struct opts o = {};
	const char *file;
	int err;

	if (parse_opts(argc, argv, "ko", USAGE_SIGN, &o))
		return MG_EXIT_USAGE;
	if (o.help)
		return usage();
	if (o.nkeys != 1) {
		mg_err("%s (try '%s')", o.nkeys ? "more than one '--key'" : "missing '--key'",
		       USAGE_SIGN);
		return MG_EXIT_USAGE;
	}
	if (o.nargs != 1) {
		mg_err("expected 1 license file, got %d (try '%s')", o.nargs, USAGE_SIGN);
		return MG_EXIT_USAGE;
	}
	file = o.args[0];

	err = mg_license_load(file, &l, &diags);
	if (!err)
		err = mg_license_sign(l, o.keys[0], &diags);
	mg_diags_print(&diags, stderr);
	mg_diags_free(&diags);
	if (err) {
		if (err == -ENOMEM)
			mg_log_errno(err, "cannot sign '%s'", file);
		else
			mg_err("license file '%s' was not signed", file);
		mg_license_free(l);
		return MG_EXIT_ERROR;
	}

	if (!o.out || strcmp(o.out, "-") == 0) {
		err = mg_license_write(l, stdout);
		if (err)
			mg_log_errno(err, "cannot write license '%s'", l->id);
	} else {
		err = write_to(l, o.out);
		if (!err)
			mg_info("license '%s': signed into '%s'", l->id, o.out);
	}
	mg_license_free(l);
	return err ? MG_EXIT_ERROR : MG_EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	struct mg_diags diags = {};
	struct mg_keyring *ring = NULL;
	struct mg_license *l = NULL;
	char until[MG_LICENSE_TIME_LEN];
	const char *reason = "";
	struct opts o = {};
	const char *file;
	int err, status;

	if (parse_opts(argc, argv, "k", USAGE_VERIFY, &o))
		return MG_EXIT_USAGE;
	if (o.help)
		return usage();
	if (!o.nkeys) {
		mg_err("missing '--key' (try '%s')", USAGE_VERIFY);
		return MG_EXIT_USAGE;
	}
	if (o.nargs != 1) {
		mg_err("expected 1 license file, got %d (try '%s')", o.nargs, USAGE_VERIFY);
		return MG_EXIT_USAGE;
	}
	file = o.args[0];

	err = mg_keyring_load(&ring, o.keys, o.nkeys, &diags);
	if (!err)
		err = mg_license_load(file, &l, &diags);
	mg_diags_print(&diags, stderr);
	mg_diags_free(&diags);
	if (err) {
		if (err == -ENOMEM)
			mg_log_errno(err, "cannot verify '%s'", file);
		else if (!ring)
			mg_err("license file '%s' not verified: a trusted key has errors", file);
		else
			mg_err("license file '%s' has errors", file);
		mg_keyring_free(ring);
		return MG_EXIT_ERROR;
	}

	err = mg_license_verify(l, ring, (int64_t)time(NULL), &reason);
	if (err) {
		mg_err("license '%s' (%s): %s", l->id, file, reason);
		status = MG_EXIT_ERROR;
	} else {
		mg_license_format_time(l->not_after, until);
		printf("license '%s': valid until %s\n", l->id, until);
		status = MG_EXIT_OK;
	}
	mg_license_free(l);
	mg_keyring_free(ring);
	return status;
}

int mg_cmd_license(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} verbs[] = {
		{ "keygen", cmd_keygen },
		{ "sign", cmd_sign },
		{ "verify", cmd_verify },
	};
	const char *verb = argc > 1 ? argv[1] : NULL;

	if (!verb) {
		mg_err("missing license command (try 'mguard license help')");
		return MG_EXIT_USAGE;
	}
	if (!strcmp(verb, "help") || !strcmp(verb, "--help") || !strcmp(verb, "-h"))
		return usage();
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verb, verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	mg_err("unknown license command '%s' (try 'mguard license help')", verb);
	return MG_EXIT_USAGE;
}
