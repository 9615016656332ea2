#include "dispatch/trap_table.h"

const struct si_trap_entry *si_trap_table_find(const struct si_trap_entry *e,
					       size_t n, uint64_t site)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e[mid].site == site)
			return &e[mid];
		if (e[mid].site < site)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void si_trap_table_sort(struct si_trap_entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct si_trap_entry t = e[i];
		size_t j = i;
		while (j > 0 && e[j - 1].site > t.site) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = t;
	}
}

size_t si_trap_table_merge(const struct si_trap_entry *a, size_t na,
			   const struct si_trap_entry *b, size_t nb,
			   struct si_trap_entry *out, size_t cap)
{
	size_t i = 0, j = 0, k = 0;

	while (i < na || j < nb) {
		struct si_trap_entry next;
		if (j == nb || (i < na && a[i].site < b[j].site)) {
			next = a[i++];
		} else {
			if (i < na && a[i].site == b[j].site)
				i++; /* b replaces a */
			next = b[j++];
		}
		if (k == cap)
			return 0;
		out[k++] = next;
	}
	return k;
}
