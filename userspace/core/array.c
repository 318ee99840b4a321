// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"

int mg_array_reserve(void *arrp, size_t *cap, size_t need, size_t size)
{
	void **arr = arrp;
	size_t ncap = *cap ? *cap : 16;
	void *v;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	v = realloc(*arr, ncap * size);
	if (!v)
		return -ENOMEM;
	*arr = v;
	*cap = ncap;
	return 0;
}

void *mg_array_push(void *arrp, size_t *n, size_t *cap, size_t size)
{
	char *p;

	if (*n == SIZE_MAX || mg_array_reserve(arrp, cap, *n + 1, size))
		return NULL;
	p = *(char **)arrp + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}
