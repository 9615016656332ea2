#include "patcher/object_input.h"

_Static_assert(sizeof(struct locator_range) == sizeof(struct sites_range),
	       "locator and sites ranges share one layout");
_Static_assert(sizeof(uintptr_t) == sizeof(uint64_t), "x86_64 only");

int object_sites_input(const struct locator_object *obj, struct arena *arena,
		       struct sites_input *in)
{
	size_t n = obj->exec_segment_count;
	/* Each segment's readable bytes, cut to the code sections when they
	 * are known (each section lies in one segment). */
	size_t cap = n + obj->code_count;
	struct sites_region *regions = (struct sites_region *)arena_alloc(
	    arena, (cap ? cap : 1) * sizeof(*regions), 8);
	if (!regions)
		return SITES_E_NOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct locator_segment *seg = &obj->exec_segments[i];
		if (!seg->bytes || seg->bytes_len == 0)
			continue;
		uint64_t lo = seg->start, hi = seg->start + seg->bytes_len;
		for (size_t c = 0; c < (obj->code_count ? obj->code_count : 1);
		     c++) {
			uint64_t a = lo, b = hi;
			if (obj->code_count) {
				if (obj->code[c].start > a)
					a = obj->code[c].start;
				if (obj->code[c].end < b)
					b = obj->code[c].end;
			}
			if (a >= b || k == cap)
				continue;
			regions[k].bytes = seg->bytes + (a - seg->start);
			regions[k].address = a;
			regions[k].size = (size_t)(b - a);
			k++;
		}
	}
	in->regions = regions;
	in->n_regions = k;
	/* Where jump tables are read: the data segments and, when code
	 * sections are known, the exec segments whole (their .rodata). */
	size_t nd = obj->data_segment_count;
	size_t nx = obj->code_count ? n : 0;
	struct sites_region *data = (struct sites_region *)arena_alloc(
	    arena, (nd + nx ? nd + nx : 1) * sizeof(*data), 8);
	if (!data)
		return SITES_E_NOMEM;
	size_t kd = 0;
	for (size_t i = 0; i < nd + nx; i++) {
		const struct locator_segment *seg =
		    i < nd ? &obj->data_segments[i]
			   : &obj->exec_segments[i - nd];
		if (!seg->bytes || seg->bytes_len == 0)
			continue;
		/* sorted by address, as the analysis wants */
		size_t j = kd;
		while (j > 0 && data[j - 1].address > seg->start) {
			data[j] = data[j - 1];
			j--;
		}
		data[j].bytes = seg->bytes;
		data[j].address = seg->start;
		data[j].size = seg->bytes_len;
		kd++;
	}
	in->data = data;
	in->n_data = kd;
	in->functions = (const struct sites_range *)obj->functions;
	in->n_functions = obj->function_count;
	in->starts = (const uint64_t *)obj->symbols;
	in->n_starts = obj->symbol_count;
	return 0;
}
