/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Growable arrays: the one growth rule every module uses. */
#ifndef MGUARD_ARRAY_H
#define MGUARD_ARRAY_H

#include <stddef.h>

/*
 * Append one zeroed element of @size bytes to the array at *@arrp, which
 * holds *@n elements in room for *@cap (both 0 for an empty array). The
 * room doubles when full. Returns the new element, or NULL (array, @n and
 * @cap unchanged) when memory or size_t runs out.
 */
void *mg_array_push(void *arrp, size_t *n, size_t *cap, size_t size);

/* Make room for at least @need elements; 0 or -ENOMEM (nothing changed). */
int mg_array_reserve(void *arrp, size_t *cap, size_t need, size_t size);

#endif /* MGUARD_ARRAY_H */
