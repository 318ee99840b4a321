// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard audit keygen --out PRIVATE.pem [--pub PUBLIC.pem]
 * mguard audit verify [--key PUBLIC.pem]... [--strict] FILE...
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/exit.h"
#include "cli/cmd_audit.h"
#include "core/log.h"
#include "daemon/audit_verify.h"
#include "license/license.h"

#define USAGE_KEYGEN "mguard audit keygen --out PRIVATE.pem [--pub PUBLIC.pem]"
#define USAGE_VERIFY "mguard audit verify [--key PUBLIC.pem]... [--strict] FILE..."

static int usage(void)
{
	fputs("usage: " USAGE_KEYGEN "\n"
	      "       " USAGE_VERIFY "\n"
	      "\n"
	      "  keygen   make the host key that signs the event file's checkpoints\n"
	      "           (mguard start --audit-key): the private key with mode 0600; the\n"
	      "           public key to PUBLIC.pem, or to standard output\n"
	      "  verify   follow the hash chain through event files (current and rotated,\n"
	      "           any order) and check each checkpoint's signature; name the first\n"
	      "           line removed, altered, inserted or moved. Exit 0 intact, 1\n"
	      "           tampered, 2 usage or a file that cannot be read\n"
	      "\n"
	      "  --out FILE    where keygen writes the private key (never overwritten)\n"
	      "  --pub FILE    where keygen writes the public key\n"
	      "  --key FILE    a trusted public key; without one only the chain is checked\n"
	      "  --strict      lines after the last checkpoint, a chain that starts anew\n"
	      "                inside the files, or checkpoints not checked for want of\n"
	      "                --key, fail too\n",
	      stdout);
	return MG_EXIT_OK;
}

struct opts {
	const char *keys[MG_LICENSE_MAX_KEYS];
	size_t nkeys;
	const char *out, *pub;
	bool strict, help;
	char **args;
	int nargs;
};

static const struct option long_opts[] = {
	{ "out", required_argument, NULL, 'o' }, { "pub", required_argument, NULL, 'p' },
	{ "key", required_argument, NULL, 'k' }, { "strict", no_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },	 { NULL, 0, NULL, 0 },
};

/* @allowed: the option letters VERB takes besides -h. */
static int parse_opts(int argc, char **argv, const char *allowed, const char *use, struct opts *o)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		const char *arg = argv[optind - 1];

		if (c == ':' || c == '?' || (c != 'h' && !strchr(allowed, c))) {
			mg_err("%s '%s' (try '%s')",
			       c == ':' ? "option needs an argument:" : "unknown option", arg, use);
			return MG_EXIT_USAGE;
		}
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
		case 'o':
			o->out = optarg;
			break;
		case 'p':
			o->pub = optarg;
			break;
		case 's':
			o->strict = true;
			break;
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	return 0;
}

static int cmd_keygen(int argc, char **argv)
{
	struct mg_signer *signer = NULL;
	struct mg_diags diags = {};
	struct opts o = {};
	int err;

	if (parse_opts(argc, argv, "op", USAGE_KEYGEN, &o))
		return MG_EXIT_USAGE;
	if (o.help)
		return usage();
	if (!o.out || o.nargs) {
		mg_err("%s (try '%s')", o.out ? "keygen takes no operand" : "missing '--out'",
		       USAGE_KEYGEN);
		return MG_EXIT_USAGE;
	}
	err = mg_license_keygen(o.out, o.pub, &diags);
	if (!err)
		err = mg_signer_load(o.out, &signer, &diags);
	mg_diags_print(&diags, stderr);
	mg_diags_free(&diags);
	if (err) {
		mg_err("no audit key was made");
		return MG_EXIT_ERROR;
	}
	if (!o.pub && mg_signer_write_public(signer, stdout))
		err = mg_log_errno(-EIO, "cannot write the public key");
	mg_info("audit key %s: private key '%s' (keep it secret)%s%s", mg_signer_key_id(signer),
		o.out, o.pub ? ", public key " : "", o.pub ? o.pub : "");
	mg_signer_free(signer);
	return err ? MG_EXIT_ERROR : MG_EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	struct mg_audit_verify_opts vo = { .out = stderr };
	struct mg_keyring *ring = NULL;
	struct mg_audit_summary sum;
	struct mg_diags diags = {};
	struct opts o = {};
	int rc;

	if (parse_opts(argc, argv, "ks", USAGE_VERIFY, &o))
		return MG_EXIT_USAGE;
	if (o.help)
		return usage();
	if (!o.nargs) {
		mg_err("missing event files (try '%s')", USAGE_VERIFY);
		return MG_EXIT_USAGE;
	}
	if (o.nkeys && mg_keyring_load(&ring, o.keys, o.nkeys, &diags)) {
		mg_diags_print(&diags, stderr);
		mg_diags_free(&diags);
		mg_err("no check was made: a key given has errors");
		return MG_EXIT_USAGE;
	}
	vo.ring = ring;
	vo.strict = o.strict;
	rc = mg_audit_verify((const char *const *)o.args, o.nargs, &vo, &sum);
	mg_keyring_free(ring);
	if (rc == MG_AUDIT_IO_ERROR)
		return MG_EXIT_USAGE;
	if (rc) {
		mg_err("audit trail tampered with: %d files, checked up to seq %" PRIu64, o.nargs,
		       sum.last_seq);
		return MG_EXIT_ERROR;
	}
	printf("intact: %" PRIu64 " lines, seq %" PRIu64 " to %" PRIu64 " in %d files; "
	       "%" PRIu64 " checkpoints %s, %" PRIu64 " lines unsigned at the end\n",
	       sum.lines, sum.first_seq, sum.last_seq, o.nargs,
	       ring ? sum.checkpoints : sum.unchecked, ring ? "verified" : "not checked (no --key)",
	       sum.unsigned_tail);
	return MG_EXIT_OK;
}

int mg_cmd_audit(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;

	if (!verb) {
		mg_err("missing audit command (try 'mguard audit help')");
		return MG_EXIT_USAGE;
	}
	if (!strcmp(verb, "help") || !strcmp(verb, "--help") || !strcmp(verb, "-h"))
		return usage();
	if (!strcmp(verb, "keygen"))
		return cmd_keygen(argc - 1, argv + 1);
	if (!strcmp(verb, "verify"))
		return cmd_verify(argc - 1, argv + 1);
	mg_err("unknown audit command '%s' (try 'mguard audit help')", verb);
	return MG_EXIT_USAGE;
}
