// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/show.h"
#include "core/json.h"
#include "core/util.h"
#include "compile/weights.h"

static const char *const mg_unknown_names[] = {
	[MG_UNKNOWN_DENY] = "deny",
	[MG_UNKNOWN_AUDIT] = "audit",
	[MG_UNKNOWN_ALLOW] = "allow",
};

void mg_egress_format(const struct mg_egress_rule *r, char *buf, size_t len)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	char addr[INET6_ADDRSTRLEN], ports[16] = "", proto[8] = "";
	int v4 = r->prefixlen >= 96 && !memcmp(r->addr, v4mapped, 12);
	unsigned int plen = v4 ? r->prefixlen - 96 : r->prefixlen;

	if (v4)
		inet_ntop(AF_INET, &r->addr[12], addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, r->addr, addr, sizeof(addr));
	if (r->port_lo == r->port_hi)
		snprintf(ports, sizeof(ports), ":%u", r->port_lo);
	else if (r->port_lo != 0 || r->port_hi != 65535)
		snprintf(ports, sizeof(ports), ":%u-%u", r->port_lo, r->port_hi);
	if (r->protos == MG_EGRESS_TCP)
		strcpy(proto, "/tcp");
	else if (r->protos == MG_EGRESS_UDP)
		strcpy(proto, "/udp");
	if (v4)
		snprintf(buf, len, "%s/%u%s%s", addr, plen, ports, proto);
	else
		snprintf(buf, len, "[%s/%u]%s%s", addr, plen, ports, proto);
}

static size_t mg_model_files(const struct mg_image *img, uint32_t model_id)
{
	size_t n = 0;

	for (size_t i = 0; i < img->ninodes; i++)
		n += img->inodes[i].val.model_id == model_id &&
		     !(img->inodes[i].val.flags & MG_INODE_DIR);
	return n;
}

static const struct mg_image_license *mg_granted(const struct mg_image *img, uint32_t scope_id,
						 uint32_t model_id)
{
	for (size_t i = 0; i < img->nlicenses; i++)
		if (img->licenses[i].key.scope_id == scope_id &&
		    img->licenses[i].key.model_id == model_id)
			return &img->licenses[i];
	return NULL;
}

bool mg_scope_may_load(const struct mg_policy *p, const struct mg_image *img, size_t s, size_t j,
		       const struct mg_image_license **ret_lic)
{
	const struct mg_tier *t = p->models[j].resolved_tier;
	uint16_t level = img->model_tiers[j];

	*ret_lic = NULL;
	if (level == MG_TIER_REFUSED || level > img->scopes[s].val.max_tier)
		return false;
	if (t && t->requires_license) {
		*ret_lic = mg_granted(img, s + 1, j + 1);
		return *ret_lic != NULL;
	}
	return true;
}

/* Bytes of a model's files, as they are on disk now (0 when none were found). */
static uint64_t mg_model_bytes(const struct mg_image *img, uint32_t model_id)
{
	uint64_t n = 0;
	struct stat st;

	for (size_t i = 0; i < img->ninodes; i++) {
		const struct mg_image_inode *in = &img->inodes[i];

		if (in->val.model_id != model_id || (in->val.flags & MG_INODE_DIR) || !in->path)
			continue;
		if (stat(in->path, &st) == 0 && S_ISREG(st.st_mode))
			n += (uint64_t)st.st_size;
	}
	return n;
}

/* The largest model scope @s may load (0-based index in *ret), and its bytes; 0 when none. */
static uint64_t mg_largest_model(const struct mg_policy *p, const struct mg_image *img, size_t s,
				 size_t *ret)
{
	uint64_t best = 0;

	for (size_t j = 0; j < p->nmodels; j++) {
		const struct mg_image_license *lic;
		uint64_t n;

		if (!mg_scope_may_load(p, img, s, j, &lic))
			continue;
		n = mg_model_bytes(img, j + 1);
		if (n > best) {
			best = n;
			*ret = j;
		}
	}
	return best;
}

/* "3 years 47 days", "5 days 2 h", "2 h 5 min", "40 s". */
static void mg_format_span(double seconds, char *buf, size_t len)
{
	const double year = 365.25 * 86400;
	uint64_t s = seconds > 1e18 ? (uint64_t)1e18 : (uint64_t)(seconds + 0.5);

	if (s >= year)
		snprintf(buf, len, "%llu years %llu days", (unsigned long long)(s / year),
			 (unsigned long long)((s - (uint64_t)(s / year) * year) / 86400));
	else if (s >= 86400)
		snprintf(buf, len, "%llu days %llu h", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%llu h %llu min", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%llu min %llu s", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%llu s", (unsigned long long)s);
}

/* How long the largest model scope @s loads takes to leave at its budget, in seconds. */
static double mg_time_to_leave(const struct mg_egress_budget *b, uint64_t model_bytes)
{
	return (double)model_bytes / (double)b->bytes * ((double)b->per_ns / 1e9);
}

static void mg_show_budget_text(const struct mg_policy *p, const struct mg_image *img, size_t s,
				FILE *out)
{
	const struct mg_egress_budget *b = &p->scopes[s].budget;
	size_t j = 0;
	uint64_t largest;
	char span[64];

	if (!b->bytes)
		return;
	fprintf(out, "\n  budget   %llu bytes per %llu s", (unsigned long long)b->bytes,
		(unsigned long long)(b->per_ns / 1000000000ull));
	largest = mg_largest_model(p, img, s, &j);
	if (!largest) {
		fputs("; it loads no model with files found", out);
		return;
	}
	mg_format_span(mg_time_to_leave(b, largest), span, sizeof(span));
	fprintf(out, "; its largest model, %s (%llu bytes), takes %s to leave", p->models[j].name,
		(unsigned long long)largest, span);
}

/*
 * A valid licence's egressBudget, and how long the largest model scope
 * @scope_id loads under it takes to leave at that budget.
 */
static void mg_show_license_budget_text(const struct mg_image *img, uint32_t scope_id,
					const struct mg_image_license_note *n, FILE *out)
{
	const struct mg_egress_budget b = { .bytes = n->budget_bytes, .per_ns = n->budget_per_ns };
	uint64_t largest = 0;
	uint32_t model = 0;
	char span[64];

	if (n->refused || !n->budget_bytes)
		return;
	fprintf(out, "; egressBudget %llu bytes per %llu s", (unsigned long long)b.bytes,
		(unsigned long long)(b.per_ns / 1000000000ull));
	for (size_t i = 0; i < img->nlicenses; i++) {
		const struct mg_image_license *g = &img->licenses[i];
		uint64_t bytes;

		if (g->key.scope_id != scope_id || !g->id || !n->id || strcmp(g->id, n->id))
			continue;
		bytes = mg_model_bytes(img, g->key.model_id);
		if (bytes > largest) {
			largest = bytes;
			model = g->key.model_id;
		}
	}
	if (!largest)
		return;
	mg_format_span(mg_time_to_leave(&b, largest), span, sizeof(span));
	fprintf(out, ": %s (%llu bytes) takes %s to leave", mg_image_model_name(img, model),
		(unsigned long long)largest, span);
}

static void mg_show_budget_json(const struct mg_policy *p, const struct mg_image *img, size_t s,
				FILE *out)
{
	const struct mg_egress_budget *b = &p->scopes[s].budget;
	size_t j = 0;
	uint64_t largest;

	fputs(",\"egress_budget\":", out);
	if (!b->bytes) {
		fputs("null", out);
		return;
	}
	fprintf(out,
		"{\"bytes\":%llu,\"per_s\":%llu,\"largest_model\":", (unsigned long long)b->bytes,
		(unsigned long long)(b->per_ns / 1000000000ull));
	largest = mg_largest_model(p, img, s, &j);
	if (!largest) {
		fputs("null}", out);
		return;
	}
	mg_json_write_string(out, p->models[j].name);
	fprintf(out, ",\"largest_model_bytes\":%llu,\"seconds_to_leave\":%.0f}",
		(unsigned long long)largest, mg_time_to_leave(b, largest));
}

/*
 * What the content of model @m is checked against: SHA-256 digests when the
 * policy loads, fs-verity digests at every open where the kernel compares
 * them, and whether files its lists do not name are refused.
 */
static void mg_show_digests_text(const struct mg_model *m, FILE *out)
{
	if (!m->ndigests && !m->nverity && !m->manifest_strict)
		return;
	fprintf(out, "  %-24s digests: sha256 on %zu file%s, fs-verity on %zu, manifest %s\n", "",
		m->ndigests, m->ndigests == 1 ? "" : "s", m->nverity,
		m->manifest_strict ? "strict" : "open");
}

static void mg_show_text(const struct mg_policy *p, const struct mg_image *img, FILE *out)
{
	fprintf(out, "mode %s, unknown weights %s%s\n\nmodels:\n",
		p->mode == MG_POLICY_AUDIT ? "audit" : "enforce",
		mg_unknown_names[p->unknown_weights],
		img->unresolved ? " (offline: files, cgroups and GPUs not looked up)" : "");
	for (size_t j = 0; j < p->nmodels; j++) {
		const struct mg_model *m = &p->models[j];

		if (img->unresolved)
			fprintf(out, "  %-24s %-12s %5zu paths  (%s)\n", m->name,
				mg_image_tier_name(img, img->model_tiers[j]) ?: "?", m->nfiles,
				m->tier_reason ? m->tier_reason : "");
		else
			fprintf(out, "  %-24s %-12s %5zu files  (%s)\n", m->name,
				mg_image_tier_name(img, img->model_tiers[j]) ?: "?",
				mg_model_files(img, j + 1),
				img->model_tiers[j] == MG_TIER_REFUSED ?
					"refused: see the warnings above" :
				m->tier_reason ? m->tier_reason :
						 "");
		mg_show_digests_text(m, out);
	}
	for (size_t s = 0; s < img->nscopes; s++) {
		const struct mg_scope *ps = &p->scopes[s];
		char rule[96];

		if (ps->cgroup_pattern)
			fprintf(out, "\nscope %s\n  cgroups  %s (pattern%s)", ps->name, ps->cgroup,
				ps->bind == MG_BIND_ANNOTATION ?
					", containers annotated mguard.io/scope: " :
					"");
		else
			fprintf(out, "\nscope %s\n  cgroup   %s", ps->name, ps->cgroup);
		if (ps->cgroup_pattern && ps->bind == MG_BIND_ANNOTATION)
			fprintf(out, "%s)", ps->name);
		if (img->scopes[s].cgroup_id)
			fprintf(out, " (id %llu)", (unsigned long long)img->scopes[s].cgroup_id);
		fprintf(out, "\n  maxTier  %s\n  loads   ", ps->max_tier);
		for (size_t j = 0, any = 0; j < p->nmodels; j++) {
			const struct mg_image_license *lic;

			if (!mg_scope_may_load(p, img, s, j, &lic))
				continue;
			fprintf(out, "%s %s", any++ ? "," : "", p->models[j].name);
			if (lic)
				fprintf(out, " (licence %s)", lic->id);
		}
		fputs("\n  licences", out);
		for (size_t k = 0; k < img->nlicense_notes; k++) {
			const struct mg_image_license_note *n = &img->license_notes[k];

			if (n->scope_id != s + 1)
				continue;
			fprintf(out, "\n    %s: %s", n->path, n->refused ? "refused: " : "valid");
			if (n->refused)
				fputs(n->refused, out);
			mg_show_license_budget_text(img, s + 1, n, out);
		}
		fputs("\n  egress  ", out);
		for (size_t e = 0; e < ps->negress; e++) {
			mg_egress_format(&ps->egress[e], rule, sizeof(rule));
			fprintf(out, " %s", rule);
		}
		if (!ps->negress)
			fputs(" (nothing)", out);
		mg_show_budget_text(p, img, s, out);
		fputs("\n  outputs ", out);
		for (size_t o = 0; o < ps->noutputs; o++)
			fprintf(out, " %s", ps->outputs[o]);
		if (!ps->noutputs)
			fputs(" (nothing)", out);
		if (img->unresolved) {
			/* Offline: the GPUs as written; their device nodes are the host's. */
			fputs("\n  gpus    ", out);
			for (size_t g = 0; g < ps->ngpus; g++) {
				const struct mg_gpu *gp = &ps->gpus[g];

				if (gp->kind == MG_GPU_ALL)
					fputs(" all", out);
				else if (gp->kind == MG_GPU_UUID)
					fprintf(out, " %s", gp->uuid);
				else
					fprintf(out, " %u", gp->index);
			}
			if (!ps->ngpus)
				fputs(" none", out);
			fputc('\n', out);
			continue;
		}
		fputs("\n  devices ", out);
		for (size_t d = 0, any = 0; d < img->ndevices; d++) {
			const struct mg_device_key *k = &img->devices[d].key;

			if (k->scope_id != s + 1)
				continue;
			any++;
			if (k->minor == MG_MINOR_ANY)
				fprintf(out, " %u:*", k->major);
			else
				fprintf(out, " %u:%u", k->major, k->minor);
		}
		fputc('\n', out);
	}
}

static void mg_show_json(const struct mg_policy *p, const struct mg_image *img, FILE *out)
{
	fprintf(out, "{\"mode\":\"%s\",\"unknown_weights\":\"%s\",\"models\":[",
		p->mode == MG_POLICY_AUDIT ? "audit" : "enforce",
		mg_unknown_names[p->unknown_weights]);
	for (size_t j = 0; j < p->nmodels; j++) {
		const struct mg_model *m = &p->models[j];

		fprintf(out, "%s{\"name\":", j ? "," : "");
		mg_json_write_string(out, m->name);
		fputs(",\"tier\":", out);
		mg_json_write_string(out, mg_image_tier_name(img, img->model_tiers[j]) ?: "");
		fputs(",\"why\":", out);
		mg_json_write_string(out, m->tier_reason ? m->tier_reason : "");
		fprintf(out,
			",\"refused\":%s,\"files\":%zu,\"sha256_files\":%zu,\"verity_files\":%zu,"
			"\"manifest\":\"%s\"}",
			img->model_tiers[j] == MG_TIER_REFUSED ? "true" : "false",
			mg_model_files(img, j + 1), m->ndigests, m->nverity,
			m->manifest_strict ? "strict" : "open");
	}
	fputs("],\"scopes\":[", out);
	for (size_t s = 0; s < img->nscopes; s++) {
		const struct mg_scope *ps = &p->scopes[s];
		char rule[96];
		int first = 1;

		fprintf(out, "%s{\"name\":", s ? "," : "");
		mg_json_write_string(out, ps->name);
		fputs(ps->cgroup_pattern ? ",\"cgroupPattern\":" : ",\"cgroup\":", out);
		mg_json_write_string(out, ps->cgroup);
		fprintf(out, ",\"bind\":\"%s\"",
			ps->bind == MG_BIND_ANNOTATION ? "annotation" : "cgroup");
		fprintf(out, ",\"cgroup_id\":%llu,\"max_tier\":",
			(unsigned long long)img->scopes[s].cgroup_id);
		mg_json_write_string(out, ps->max_tier);
		fputs(",\"loads\":[", out);
		for (size_t j = 0; j < p->nmodels; j++) {
			const struct mg_image_license *lic;

			if (!mg_scope_may_load(p, img, s, j, &lic))
				continue;
			fprintf(out, "%s{\"model\":", first ? "" : ",");
			first = 0;
			mg_json_write_string(out, p->models[j].name);
			fputs(",\"license\":", out);
			if (lic)
				mg_json_write_string(out, lic->id);
			else
				fputs("null", out);
			fputc('}', out);
		}
		fputs("],\"licenses\":[", out);
		first = 1;
		for (size_t k = 0; k < img->nlicense_notes; k++) {
			const struct mg_image_license_note *n = &img->license_notes[k];

			if (n->scope_id != s + 1)
				continue;
			fprintf(out, "%s{\"path\":", first ? "" : ",");
			first = 0;
			mg_json_write_string(out, n->path);
			fputs(",\"refused\":", out);
			if (n->refused)
				mg_json_write_string(out, n->refused);
			else
				fputs("null", out);
			if (n->budget_bytes)
				fprintf(out, ",\"budget\":{\"bytes\":%llu,\"per_s\":%llu}",
					(unsigned long long)n->budget_bytes,
					(unsigned long long)(n->budget_per_ns / 1000000000ull));
			else
				fputs(",\"budget\":null", out);
			fputc('}', out);
		}
		fputs("],\"egress\":[", out);
		for (size_t e = 0; e < ps->negress; e++) {
			mg_egress_format(&ps->egress[e], rule, sizeof(rule));
			if (e)
				fputc(',', out);
			mg_json_write_string(out, rule);
		}
		fputc(']', out);
		mg_show_budget_json(p, img, s, out);
		fputs(",\"outputs\":[", out);
		for (size_t o = 0; o < ps->noutputs; o++) {
			if (o)
				fputc(',', out);
			mg_json_write_string(out, ps->outputs[o]);
		}
		fputs("],\"devices\":[", out);
		first = 1;
		for (size_t d = 0; d < img->ndevices; d++) {
			const struct mg_device_key *k = &img->devices[d].key;

			if (k->scope_id != s + 1)
				continue;
			if (k->minor == MG_MINOR_ANY)
				fprintf(out, "%s\"%u:*\"", first ? "" : ",", k->major);
			else
				fprintf(out, "%s\"%u:%u\"", first ? "" : ",", k->major, k->minor);
			first = 0;
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
}

void mg_show_policy(const struct mg_policy *p, const struct mg_image *img, bool json, FILE *out)
{
	if (json)
		mg_show_json(p, img, out);
	else
		mg_show_text(p, img, out);
}

struct mg_scan_ctx {
	const struct mg_image *img;
	bool json;
	FILE *out;
	int unknown;
	int first;
};

static int mg_scan_one(const char *path, const struct stat *st, enum mg_weight_format f, int err,
		       void *data)
{
	struct mg_scan_ctx *c = data;
	const struct mg_image_inode *in;
	const char *model = NULL, *tier = NULL;

	if (err) {
		fprintf(stderr, "mguard: warning: cannot read '%s': %s\n", path, strerror(-err));
		return 0;
	}
	in = c->img ? mg_image_find_inode(c->img, mg_kernel_dev(st->st_dev), st->st_ino) : NULL;
	if (in) {
		model = mg_image_model_name(c->img, in->val.model_id);
		tier = mg_image_tier_name(c->img, in->val.tier);
	} else if (f == MG_WF_NONE) {
		return 0; /* neither weights nor a model's file */
	} else {
		c->unknown++;
	}
	if (c->json) {
		fprintf(c->out, "%s{\"path\":", c->first ? "" : ",");
		mg_json_write_string(c->out, path);
		fprintf(c->out, ",\"format\":\"%s\",\"model\":", mg_weight_format_name(f));
		if (model)
			mg_json_write_string(c->out, model);
		else
			fputs("null", c->out);
		fputs(",\"tier\":", c->out);
		mg_json_write_string(c->out, tier ? tier : "unknown");
		fputc('}', c->out);
	} else {
		fprintf(c->out, "%-12s %-24s %-12s %s\n", mg_weight_format_name(f),
			model ? model : "-", tier ? tier : "unknown", path);
	}
	c->first = 0;
	return 0;
}

int mg_scan_print(const char *dir, const struct mg_image *img, bool json, FILE *out)
{
	struct mg_scan_ctx c = { .img = img, .json = json, .out = out, .first = 1 };
	int err;

	if (json)
		fputs("{\"files\":[", out);
	else
		fprintf(out, "%-12s %-24s %-12s %s\n", "format", "model", "tier", "path");
	err = mg_weights_scan(dir, mg_scan_one, &c);
	if (json)
		fprintf(out, "],\"unknown\":%d}\n", c.unknown);
	return err < 0 ? err : c.unknown;
}
