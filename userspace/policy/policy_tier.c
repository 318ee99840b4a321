// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Tiers from metrics: the numbers of models' 'metrics', the 'when'
 * conditions of tiers ("mmlu >= 85") and the tier a model ends up in.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static _Thread_local char cond_err[256];

static int fail(const char **ret_err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(const char **ret_err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cond_err, sizeof(cond_err), fmt, ap);
	va_end(ap);
	if (ret_err)
		*ret_err = cond_err;
	return -EINVAL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t digits(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	return n;
}

int mg_number_parse(const char *text, double *ret)
{
	const char *s = text;
	size_t whole, frac = 0;
	char *end;
	double v;

	if (*s == '-' || *s == '+')
		s++;
	whole = digits(s);
	s += whole;
	if (*s == '.') {
		s++;
		frac = digits(s);
		s += frac;
	}
	if (!whole && !frac)
		return -EINVAL;
	if (*s == 'e' || *s == 'E') {
		size_t exp;

		s++;
		if (*s == '-' || *s == '+')
			s++;
		exp = digits(s);
		if (!exp)
			return -EINVAL;
		s += exp;
	}
	if (*s)
		return -EINVAL;

	/* The text is a plain decimal now: strtod cannot take hex, inf or nan. */
	v = strtod(text, &end);
	if (*end)
		return -EINVAL;
	if (!isfinite(v))
		return -ERANGE;
	*ret = v;
	return 0;
}

bool mg_metric_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > MG_POLICY_MAX_METRIC_NAME || !is_alpha(name[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alpha(name[i]) && !is_digit(name[i]) && name[i] != '_')
			return false;
	return true;
}

static const char *const op_text[] = {
	[MG_COND_GE] = ">=", [MG_COND_GT] = ">",  [MG_COND_LE] = "<=",
	[MG_COND_LT] = "<",  [MG_COND_EQ] = "==",
};

/* The operator at @s, or -1; its length in *ret_len. */
static int parse_op(const char *s, size_t *ret_len)
{
	*ret_len = 2;
	if (s[0] == '>' && s[1] == '=')
		return MG_COND_GE;
	if (s[0] == '<' && s[1] == '=')
		return MG_COND_LE;
	if (s[0] == '=' && s[1] == '=')
		return MG_COND_EQ;
	*ret_len = 1;
	if (s[0] == '>')
		return MG_COND_GT;
	if (s[0] == '<')
		return MG_COND_LT;
	return -1;
}

int mg_condition_parse(const char *text, struct mg_condition *ret, const char **ret_err)
{
	const char *s = text, *name, *num, *end;
	size_t name_len, op_len;
	char *metric, *copy;
	double value;
	int op, err;

	while (is_space(*s))
		s++;
	name = s;
	if (!is_alpha(*s))
		return fail(ret_err, "expected a metric name");
	while (is_alpha(*s) || is_digit(*s) || *s == '_')
		s++;
	name_len = (size_t)(s - name);
	if (name_len > MG_POLICY_MAX_METRIC_NAME)
		return fail(ret_err, "metric name is longer than %d characters",
			    MG_POLICY_MAX_METRIC_NAME);
	while (is_space(*s))
		s++;
	op = parse_op(s, &op_len);
	if (op < 0)
		return fail(ret_err, "expected >=, >, <=, < or ==");
	s += op_len;
	while (is_space(*s))
		s++;
	num = s;
	end = s + strlen(s);
	while (end > num && is_space(end[-1]))
		end--;
	if (end == num)
		return fail(ret_err, "expected a number after '%s'", op_text[op]);

	copy = strndup(num, (size_t)(end - num));
	if (!copy)
		return -ENOMEM;
	err = mg_number_parse(copy, &value);
	if (err == -EINVAL)
		fail(ret_err, "invalid number '%s'", copy);
	else if (err)
		fail(ret_err, "number '%s' is out of range", copy);
	free(copy);
	if (err)
		return -EINVAL;

	metric = strndup(name, name_len);
	if (!metric)
		return -ENOMEM;
	ret->metric = metric;
	ret->op = (enum mg_cond_op)op;
	ret->value = value;
	return 0;
}

static bool holds(const struct mg_condition *c, double v)
{
	switch (c->op) {
	case MG_COND_GE:
		return v >= c->value;
	case MG_COND_GT:
		return v > c->value;
	case MG_COND_LE:
		return v <= c->value;
	case MG_COND_LT:
		return v < c->value;
	case MG_COND_EQ:
		return v == c->value;
	}
	return false;
}

static const struct mg_metric *find_metric(const struct mg_model *model, const char *name)
{
	for (size_t i = 0; i < model->nmetrics; i++)
		if (strcmp(model->metrics[i].name, name) == 0)
			return &model->metrics[i];
	return NULL;
}

/* The first condition of @t that holds on @model's metrics, or NULL. */
const struct mg_tier *mg_policy_find_tier(const struct mg_policy *policy, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < policy->ntiers; i++)
		if (policy->tiers[i].name && strcmp(policy->tiers[i].name, name) == 0)
			return &policy->tiers[i];
	return NULL;
}

static const struct mg_condition *first_holding(const struct mg_tier *t,
						const struct mg_model *model,
						const struct mg_metric **ret_metric)
{
	for (size_t i = 0; i < t->nwhen; i++) {
		const struct mg_condition *c = &t->when[i];
		const struct mg_metric *m = find_metric(model, c->metric);

		if (m && holds(c, m->value)) {
			*ret_metric = m;
			return c;
		}
	}
	return NULL;
}

const struct mg_tier *mg_policy_model_tier(const struct mg_policy *policy,
					   const struct mg_model *model, char **ret_reason)
{
	const struct mg_tier *tier = NULL;
	const struct mg_condition *why = NULL;
	const struct mg_metric *metric = NULL;
	const char *fixed = NULL;
	char *reason = NULL;

	if (ret_reason)
		*ret_reason = NULL;
	if (model->tier) {
		tier = mg_policy_find_tier(policy, model->tier);
		fixed = "explicit";
	} else {
		for (size_t i = 0; i < policy->ntiers; i++) {
			const struct mg_tier *t = &policy->tiers[i];
			const struct mg_condition *c;
			const struct mg_metric *m;

			if (tier && t->level <= tier->level)
				continue;
			c = first_holding(t, model, &m);
			if (c) {
				tier = t;
				why = c;
				metric = m;
			}
		}
		if (!tier && policy->default_tier) {
			tier = mg_policy_find_tier(policy, policy->default_tier);
			fixed = "defaultTier";
		}
	}
	if (!tier) {
		errno = ENOENT;
		return NULL;
	}
	if (!ret_reason)
		return tier;
	if (why) {
		if (asprintf(&reason, "%s (%s = %g)", why->text, metric->name, metric->value) < 0)
			reason = NULL;
	} else {
		reason = strdup(fixed);
	}
	if (!reason) {
		errno = ENOMEM;
		return NULL;
	}
	*ret_reason = reason;
	return tier;
}
