#include "patcher/object_input.h"

_Static_assert(sizeof(struct locator_range) == sizeof(struct sites_range),
	       "locator and sites ranges share one layout");
_Static_assert(sizeof(uintptr_t) == sizeof(uint64_t), "x86_64 only");

int object_sites_input(const struct locator_object *obj, struct arena *arena,
		       struct sites_input *in)
{
	size_t n = obj->exec_segment_count;
	struct sites_region *regions = (struct sites_region *)arena_alloc(
	    arena, (n ? n : 1) * sizeof(*regions), 8);
	if (!regions)
		return SITES_E_NOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct locator_segment *seg = &obj->exec_segments[i];
		if (!seg->bytes || seg->bytes_len == 0)
			continue;
		regions[k].bytes = seg->bytes;
		regions[k].address = seg->start;
		regions[k].size = seg->bytes_len;
		k++;
	}
	in->regions = regions;
	in->n_regions = k;
	size_t nd = obj->data_segment_count;
	struct sites_region *data = (struct sites_region *)arena_alloc(
	    arena, (nd ? nd : 1) * sizeof(*data), 8);
	if (!data)
		return SITES_E_NOMEM;
	size_t kd = 0;
	for (size_t i = 0; i < nd; i++) {
		const struct locator_segment *seg = &obj->data_segments[i];
		if (!seg->bytes || seg->bytes_len == 0)
			continue;
		data[kd].bytes = seg->bytes;
		data[kd].address = seg->start;
		data[kd].size = seg->bytes_len;
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
