/*
 * Site analysis; see sites.h for the contract and the two implementations.
 *
 * The fast path, in order:
 *  1. One SSE2 pass over each code region finds the `0f 05` pairs.
 *  2. The containing range of each (its FDE range, or the gap between FDE
 *     ranges) is decoded from a known instruction boundary: the FDE start,
 *     or for a gap the start of the FDE range before it. Candidates that are
 *     not instruction starts (bytes inside other instructions) drop out.
 *     Direct branch targets found while decoding are kept.
 *  3. A second SSE2 pass looks at every byte that could begin a direct
 *     branch outside the decoded ranges, computes where it would go, and,
 *     when that is inside a site window and not yet flagged, decodes the
 *     range holding it to see whether it really is a branch there.
 * Steps 2 and 3 see exactly the branches that a linear sweep sees in the
 * ranges they decode, and step 3 sees every other candidate, so the result
 * is the sweep's.
 */
#include "patcher/sites.h"

#include <emmintrin.h>

/* ---- small helpers ---------------------------------------------------- */

/* memcpy/memset make no syscall and the analysis runs before any code is
 * patched, so the compiler's builtins (inlined for fixed sizes) are safe. */
#define copy_bytes(d, s, n) __builtin_memcpy((d), (s), (n))
#define zero_bytes(d, n)    __builtin_memset((d), 0, (n))

static void bit_set(uint8_t *bits, size_t i)
{
	bits[i >> 3] = (uint8_t)(bits[i >> 3] | (1u << (i & 7)));
}

static bool bit_get(const uint8_t *bits, size_t i)
{
	return (bits[i >> 3] >> (i & 7)) & 1u;
}

/* Sets (or clears) bits [from, to). */
static void bits_range(uint8_t *bits, size_t from, size_t to, bool set)
{
	while (from < to && (from & 7)) {
		if (set)
			bit_set(bits, from);
		else
			bits[from >> 3] &= (uint8_t) ~(1u << (from & 7));
		from++;
	}
	for (; from + 8 <= to; from += 8)
		bits[from >> 3] = set ? 0xff : 0;
	for (; from < to; from++) {
		if (set)
			bit_set(bits, from);
		else
			bits[from >> 3] &= (uint8_t) ~(1u << (from & 7));
	}
}

static bool is_direct_branch(const struct disasm_insn *insn)
{
	switch (insn->kind) {
	case DISASM_JMP_REL8:
	case DISASM_JMP_REL32:
	case DISASM_JCC_REL8:
	case DISASM_JCC_REL32:
	case DISASM_LOOP_REL8:
	case DISASM_CALL_REL32:
		return true;
	default:
		return false;
	}
}

/* Index of the region holding address, or -1. */
static long region_of(const struct sites_input *in, uint64_t address)
{
	for (size_t i = 0; i < in->n_regions; i++) {
		const struct sites_region *r = &in->regions[i];
		if (address >= r->address && address - r->address < r->size)
			return (long)i;
	}
	return -1;
}

/* Number of functions whose start is <= address (so the candidate
 * containing function is index - 1). */
static size_t functions_upto(const struct sites_input *in, uint64_t address)
{
	size_t lo = 0, hi = in->n_functions;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (in->functions[mid].start <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The range that contains `address`: its FDE range, or else the gap between
 * FDE ranges clipped to the region. *decode_from is where a decoder that
 * wants the same boundaries as a linear sweep starts: the range start for an
 * FDE range, the start of the previous FDE range (or the region) for a gap.
 */
struct containing {
	uint64_t start, end, decode_from;
	bool outside_fde;
	long region;
};

static bool containing_range(const struct sites_input *in, uint64_t address,
			     struct containing *c)
{
	c->region = region_of(in, address);
	if (c->region < 0)
		return false;
	const struct sites_region *r = &in->regions[c->region];
	uint64_t rstart = r->address, rend = r->address + r->size;
	size_t n = functions_upto(in, address);
	/* FDE ranges may nest or overlap (hand-written code): take the
	 * innermost, i.e. the latest-starting range that contains address. */
	for (size_t k = n; k > 0 && n - k < 8; k--) {
		const struct sites_range *f = &in->functions[k - 1];
		if (f->start < rstart)
			break;
		if (address < f->end) {
			c->start = f->start;
			c->end = f->end < rend ? f->end : rend;
			c->decode_from = c->start;
			c->outside_fde = false;
			return true;
		}
	}
	c->outside_fde = true;
	c->start = rstart;
	c->decode_from = rstart;
	if (n > 0) {
		const struct sites_range *prev = &in->functions[n - 1];
		if (prev->end > c->start && prev->end <= address)
			c->start = prev->end;
		if (prev->start >= rstart)
			c->decode_from = prev->start;
	}
	c->end = rend;
	if (n < in->n_functions && in->functions[n].start < c->end)
		c->end = in->functions[n].start;
	return true;
}

static int check_input(const struct sites_input *in)
{
	for (size_t i = 1; i < in->n_functions; i++)
		if (in->functions[i].start < in->functions[i - 1].start)
			return SITES_E_INPUT;
	for (size_t i = 1; i < in->n_starts; i++)
		if (in->starts[i] <= in->starts[i - 1])
			return SITES_E_INPUT;
	for (size_t i = 0; i < in->n_regions; i++) {
		const struct sites_region *r = &in->regions[i];
		if (r->bytes == 0 && r->size != 0)
			return SITES_E_INPUT;
		/* regions sorted and disjoint, so candidates come out sorted */
		if (i > 0 && r->address < in->regions[i - 1].address +
					      in->regions[i - 1].size)
			return SITES_E_INPUT;
	}
	return SITES_OK;
}

/* A growable array in an arena: grows by allocating a doubled copy. */
struct vec {
	void *data;
	size_t len, cap, elem;
};

static bool vec_push(struct vec *v, struct arena *a, const void *elem)
{
	if (v->len == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 256;
		void *nd = arena_alloc(a, ncap * v->elem, 16);
		if (!nd)
			return false;
		if (v->len)
			copy_bytes(nd, v->data, v->len * v->elem);
		v->data = nd;
		v->cap = ncap;
	}
	copy_bytes((uint8_t *)v->data + v->len * v->elem, elem, v->elem);
	v->len++;
	return true;
}

/* ---- site windows ------------------------------------------------------ */

/* Index of the first site whose window ends after address. Windows are
 * sorted (sites are) and have equal size, so they are sorted by end too. */
static size_t first_window_after(const struct sites_result *res,
				 uint64_t address)
{
	size_t lo = 0, hi = res->n_sites;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (res->sites[mid].window_start + SITES_WINDOW_SIZE <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Flags address as an entry in every window that watches it. Returns true
 * if some window does. */
static bool mark_entry(struct sites_result *res, uint64_t address)
{
	bool any = false;
	for (size_t i = first_window_after(res, address); i < res->n_sites;
	     i++) {
		struct sites_site *s = &res->sites[i];
		if (address < s->window_start)
			break;
		size_t b = (size_t)(address - s->window_start);
		if (bit_get(s->watched, b)) {
			bit_set(s->entry, b);
			any = true;
		}
	}
	return any;
}

static bool in_regions(const struct sites_input *in, uint64_t address)
{
	return region_of(in, address) >= 0;
}

/* Sets the watched bits: window bytes inside the regions that lie in the
 * containing range or in no FDE range. */
static void mark_watched(const struct sites_input *in, struct sites_site *s)
{
	uint64_t w0 = s->window_start, w1 = w0 + SITES_WINDOW_SIZE;
	long region = region_of(in, s->address);
	if (region < 0)
		return;
	const struct sites_region *r = &in->regions[region];
	uint64_t lo = w0 > r->address ? w0 : r->address;
	uint64_t hi = w1 < r->address + r->size ? w1 : r->address + r->size;
	if (lo >= hi)
		return;
	bits_range(s->watched, (size_t)(lo - w0), (size_t)(hi - w0), true);
	/* Clear the bodies of other FDE ranges overlapping the window. A
	 * range nesting the containing one is its parent: its bytes outside
	 * the child are another function's body. */
	size_t n = functions_upto(in, w0);
	size_t k = n > 8 ? n - 8 : 0;
	for (; k < in->n_functions && in->functions[k].start < hi; k++) {
		const struct sites_range *f = &in->functions[k];
		if (f->end <= lo)
			continue;
		if (f->start == s->range_start && f->end == s->range_end)
			continue;
		uint64_t a = f->start > lo ? f->start : lo;
		uint64_t b = f->end < hi ? f->end : hi;
		/* [a, b) minus the containing range */
		uint64_t c0 = s->range_start, c1 = s->range_end;
		if (a < c0)
			bits_range(s->watched, (size_t)(a - w0),
				   (size_t)((b < c0 ? b : c0) - w0), false);
		if (b > c1)
			bits_range(s->watched, (size_t)((a > c1 ? a : c1) - w0),
				   (size_t)(b - w0), false);
	}
}

/* Fills func_start and entry bits from the sorted start list, and folds
 * the watched indirect targets into entry. */
static void mark_starts(const struct sites_input *in, struct sites_site *s)
{
	for (size_t k = 0; k < sizeof(s->entry); k++)
		s->entry[k] |= (uint8_t)(s->indirect[k] & s->watched[k]);
	size_t lo = 0, hi = in->n_starts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (in->starts[mid] < s->window_start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < in->n_starts; i++) {
		uint64_t a = in->starts[i];
		if (a >= s->window_start + SITES_WINDOW_SIZE)
			break;
		size_t k = (size_t)(a - s->window_start);
		if (!bit_get(s->watched, k))
			continue;
		bit_set(s->func_start, k);
		bit_set(s->entry, k);
	}
}

/* ---- decoding a range ---------------------------------------------------- */

typedef bool (*decode_fn)(struct disasm_ctx *ctx, const uint8_t *code,
			  size_t avail, uint64_t address,
			  struct disasm_insn *out);

/* Decodes [from, end) of the region linearly into *insns (reset first). */
static int decode_linear(const struct sites_input *in, long region,
			 uint64_t from, uint64_t end, decode_fn decode,
			 struct disasm_ctx *ctx, struct arena *a,
			 struct vec *insns, size_t *bytes_decoded)
{
	const struct sites_region *r = &in->regions[region];
	uint64_t rend = r->address + r->size;
	insns->len = 0;
	uint64_t pc = from;
	while (pc < end) {
		struct disasm_insn insn;
		size_t off = (size_t)(pc - r->address);
		decode(ctx, r->bytes + off, (size_t)(rend - pc), pc, &insn);
		if (!vec_push(insns, a, &insn))
			return SITES_E_NOMEM;
		pc += insn.length;
	}
	if (bytes_decoded)
		*bytes_decoded += (size_t)(pc - from);
	return SITES_OK;
}

/* Builds a site from the decoded instructions of its containing range;
 * idx is the syscall's index in insns. */
/* Pointer to `len` readable bytes of the object at address, or NULL. */
static const uint8_t *object_bytes(const struct sites_input *in,
				   uint64_t address, size_t len)
{
	for (int pass = 0; pass < 2; pass++) {
		const struct sites_region *r = pass ? in->data : in->regions;
		size_t n = pass ? in->n_data : in->n_regions;
		for (size_t i = 0; i < n; i++)
			if (address >= r[i].address &&
			    address - r[i].address <= r[i].size &&
			    r[i].size - (address - r[i].address) >= len)
				return r[i].bytes + (address - r[i].address);
	}
	return 0;
}

/* lea reg, [rip + disp32] (REX.W form or not). */
static bool is_lea_rip(const struct sites_input *in,
		       const struct disasm_insn *insn)
{
	if (!(insn->flags & DISASM_F_RIP_REL) || insn->length < 6)
		return false;
	const uint8_t *b = object_bytes(in, insn->address, insn->length);
	if (!b)
		return false;
	size_t k = (b[0] & 0xf0) == 0x40 ? 1 : 0; /* REX */
	return insn->length == k + 6 && b[k] == 0x8d && (b[k + 1] & 0xc7) == 5;
}

#define JUMP_TABLE_MAX 4096

/* Marks in s->indirect what indirect jumps of the range can reach (see
 * sites.h). A table is read while its entries land in code; entries that
 * are not table entries only add marks, which can only make plans more
 * careful. */
static void find_indirect(const struct sites_input *in, struct sites_site *s,
			  const struct containing *c,
			  const struct disasm_insn *insns, size_t n)
{
	bool has_indirect_jmp = false;
	for (size_t i = 0; i < n; i++)
		if (insns[i].address >= c->start &&
		    insns[i].kind == DISASM_JMP_INDIRECT &&
		    !(insns[i].flags & DISASM_F_RIP_REL))
			has_indirect_jmp = true;
	for (size_t i = 0; i < n; i++) {
		if (insns[i].address < c->start || !is_lea_rip(in, &insns[i]))
			continue;
		uint64_t t = insns[i].target;
		if (t >= c->start && t < c->end) { /* an address-taken label */
			if (t - s->window_start < SITES_WINDOW_SIZE)
				bit_set(s->indirect,
					(size_t)(t - s->window_start));
			continue;
		}
		if (!has_indirect_jmp)
			continue;
		for (uint64_t k = 0; k < JUMP_TABLE_MAX; k++) {
			const uint8_t *e = object_bytes(in, t + 4 * k, 4);
			if (!e)
				break;
			int32_t off =
			    (int32_t)((uint32_t)e[0] | (uint32_t)e[1] << 8 |
				      (uint32_t)e[2] << 16 |
				      (uint32_t)e[3] << 24);
			uint64_t dest = t + (uint64_t)(int64_t)off;
			if (region_of(in, dest) < 0)
				break;
			if (dest >= c->start && dest < c->end &&
			    dest - s->window_start < SITES_WINDOW_SIZE)
				bit_set(s->indirect,
					(size_t)(dest - s->window_start));
		}
	}
}

static void fill_site(const struct sites_input *in, struct sites_site *s,
		      const struct containing *c,
		      const struct disasm_insn *insns, size_t n, size_t idx)
{
	s->address = insns[idx].address;
	s->range_start = c->start;
	s->range_end = c->end;
	s->flags = c->outside_fde ? SITES_OUTSIDE_FDE : 0;
	size_t first = idx;
	while (first > 0 && idx - first < SITES_MAX_BEFORE &&
	       insns[first - 1].address >= c->start)
		first--;
	size_t last = idx;
	while (last + 1 < n && last - idx < SITES_MAX_AFTER &&
	       insns[last + 1].address < c->end)
		last++;
	s->n_insns = (uint8_t)(last - first + 1);
	s->syscall_index = (uint8_t)(idx - first);
	copy_bytes(s->insns, &insns[first], s->n_insns * sizeof(insns[0]));
	s->vector_flags = 0;
	s->vector_regs = 0;
	for (size_t i = 0; i < n; i++) {
		if (insns[i].address < c->start || insns[i].address >= c->end)
			continue;
		if (insns[i].flags & DISASM_F_VECTOR) {
			s->vector_flags |=
			    insns[i].flags & (DISASM_F_VECTOR | DISASM_F_YMM |
					      DISASM_F_FULL_STATE);
			s->vector_regs |= insns[i].vector_regs;
		}
	}
	if (s->vector_flags)
		s->flags |= SITES_USES_VECTOR;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b;
		if (insns[i].address >= c->start && insns[i].address < c->end &&
		    insns[i].length == 1 &&
		    (b = object_bytes(in, insns[i].address, 1)) && b[0] == 0xfd)
			s->flags |= SITES_SETS_DF; /* std */
	}
	s->window_start = s->address - SITES_WINDOW_BEFORE;
	find_indirect(in, s, c, insns, n);
}

static bool decode_with_analyze(struct disasm_ctx *ctx, const uint8_t *code,
				size_t avail, uint64_t address,
				struct disasm_insn *out)
{
	return disasm_analyze(ctx, code, avail, address, out);
}

/* ---- the fast path --------------------------------------------------------
 */

/* Bit j set: the byte at p+j could be the opcode of a direct branch (jcc,
 * jmp, call, loop/jrcxz); reads p[0..16]. */
static inline unsigned branch_mask16(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i n = _mm_loadu_si128((const __m128i *)(p + 1));
	__m128i hi = _mm_and_si128(v, _mm_set1_epi8((char)0xF0));
	__m128i m = _mm_cmpeq_epi8(hi, _mm_set1_epi8(0x70)); /* jcc rel8 */
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE8)));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE9)));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xEB)));
	m = _mm_or_si128(
	    m, _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xFC)),
			      _mm_set1_epi8((char)0xE0)));
	/* 0f 80..8f: jcc rel32 */
	__m128i is0f = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0F));
	__m128i next8x =
	    _mm_cmpeq_epi8(_mm_and_si128(n, _mm_set1_epi8((char)0xF0)),
			   _mm_set1_epi8((char)0x80));
	m = _mm_or_si128(m, _mm_and_si128(is0f, next8x));
	return (unsigned)_mm_movemask_epi8(m);
}

/* As branch_mask16, for the branches that reach far: call/jmp rel32 and
 * jcc rel32. */
static inline unsigned branch32_mask16(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i n = _mm_loadu_si128((const __m128i *)(p + 1));
	__m128i m = _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE8));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE9)));
	__m128i is0f = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0F));
	__m128i next8x =
	    _mm_cmpeq_epi8(_mm_and_si128(n, _mm_set1_epi8((char)0xF0)),
			   _mm_set1_epi8((char)0x80));
	m = _mm_or_si128(m, _mm_and_si128(is0f, next8x));
	return (unsigned)_mm_movemask_epi8(m);
}

/* Bit j set: p[j..j+1] is `0f 05`; reads p[0..16]. */
static inline unsigned syscall_mask16(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i n = _mm_loadu_si128((const __m128i *)(p + 1));
	__m128i m = _mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x0F)),
				  _mm_cmpeq_epi8(n, _mm_set1_epi8(0x05)));
	return (unsigned)_mm_movemask_epi8(m);
}

static int32_t load_i32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* Where a branch whose opcode byte is bytes[off] would go, if it is one. */
static bool branch_target_at(const uint8_t *bytes, size_t size, size_t off,
			     uint64_t address, uint64_t *target)
{
	uint8_t b = bytes[off];
	if ((b & 0xF0) == 0x70 || b == 0xEB || (b & 0xFC) == 0xE0) {
		if (off + 2 > size)
			return false;
		*target =
		    address + 2 + (uint64_t)(int64_t)(int8_t)bytes[off + 1];
		return true;
	}
	if (b == 0xE8 || b == 0xE9) {
		if (off + 5 > size)
			return false;
		*target =
		    address + 5 + (uint64_t)(int64_t)load_i32(bytes + off + 1);
		return true;
	}
	if (b == 0x0F && off + 6 <= size && (bytes[off + 1] & 0xF0) == 0x80) {
		*target =
		    address + 6 + (uint64_t)(int64_t)load_i32(bytes + off + 2);
		return true;
	}
	return false;
}

typedef unsigned (*mask_fn)(const uint8_t *p);
typedef bool (*visit_fn)(void *state, const struct sites_region *r, size_t off);

/* Calls visit(off) for every offset of the region that mask16 flags, 16
 * bytes at a time (mask16 reads 17 bytes); the tail goes through a
 * zero-padded copy. Stops early when visit returns false. */
static bool scan_region(const struct sites_region *r, mask_fn mask16,
			visit_fn visit, void *state)
{
	size_t off = 0;
	for (; off + 17 <= r->size; off += 16) {
		unsigned m = mask16(r->bytes + off);
		while (m) {
			size_t j = (size_t)__builtin_ctz(m);
			m &= m - 1;
			if (!visit(state, r, off + j))
				return false;
		}
	}
	if (off < r->size) {
		uint8_t tail[33];
		size_t n = r->size - off;
		for (size_t k = 0; k < sizeof(tail); k++)
			tail[k] = 0;
		copy_bytes(tail, r->bytes + off, n);
		unsigned m = mask16(tail) & ((1u << n) - 1);
		while (m) {
			size_t j = (size_t)__builtin_ctz(m);
			m &= m - 1;
			if (!visit(state, r, off + j))
				return false;
		}
	}
	return true;
}

struct fast_state {
	const struct sites_input *in;
	struct disasm_ctx *ctx;
	struct arena *a;
	struct sites_result *out;
	struct vec candidates; /* uint64_t addresses of `0f 05` */
	struct vec sites;      /* struct sites_site */
	struct vec targets;    /* uint64_t direct branch targets, decoded */
	struct vec decoded;    /* struct sites_range already decoded */
	struct vec insns;      /* scratch: struct disasm_insn */
	uint8_t **wanted;      /* per region, a bit per byte: some window
				  watches it and has not flagged it yet */
	uint8_t **near;	       /* per region: blocks a rel8 branch in them
				  could reach a watched byte from */
	int err;
};

#define BLOCK_SHIFT 6

/* Builds the per-region map of wanted bytes and of blocks near them. */
static int build_wanted(struct fast_state *st)
{
	const struct sites_input *in = st->in;
	st->wanted = (uint8_t **)arena_alloc(
	    st->a, (in->n_regions + 1) * sizeof(uint8_t *), 8);
	st->near = (uint8_t **)arena_alloc(
	    st->a, (in->n_regions + 1) * sizeof(uint8_t *), 8);
	if (!st->wanted || !st->near)
		return SITES_E_NOMEM;
	for (size_t ri = 0; ri < in->n_regions; ri++) {
		size_t nblocks = (in->regions[ri].size >> BLOCK_SHIFT) + 1;
		st->wanted[ri] = (uint8_t *)arena_alloc(
		    st->a, in->regions[ri].size / 8 + 1, 8);
		st->near[ri] =
		    (uint8_t *)arena_alloc(st->a, nblocks / 8 + 1, 8);
		if (!st->wanted[ri] || !st->near[ri])
			return SITES_E_NOMEM;
	}
	for (size_t i = 0; i < st->out->n_sites; i++) {
		const struct sites_site *site = &st->out->sites[i];
		long ri = region_of(in, site->address);
		if (ri < 0)
			continue;
		const struct sites_region *r = &in->regions[ri];
		size_t nblocks = (r->size >> BLOCK_SHIFT) + 1;
		uint64_t first = UINT64_MAX, last = 0;
		for (size_t k = 0; k < SITES_WINDOW_SIZE / 8 + 1; k++) {
			unsigned m = site->watched[k];
			if (!m)
				continue;
			uint64_t a = site->window_start + 8 * k;
			if (a < r->address || a + 8 > r->address + r->size) {
				/* at a region edge: bit by bit */
				for (unsigned b = 0; b < 8; b++) {
					if (!((m >> b) & 1u) ||
					    a + b < r->address ||
					    a + b >= r->address + r->size)
						continue;
					if (!((site->entry[k] >> b) & 1u))
						bit_set(st->wanted[ri],
							(size_t)(a + b -
								 r->address));
				}
			} else {
				size_t g = (size_t)(a - r->address);
				unsigned w = m & ~(unsigned)site->entry[k];
				st->wanted[ri][g >> 3] |=
				    (uint8_t)(w << (g & 7));
				if (g & 7)
					st->wanted[ri][(g >> 3) + 1] |=
					    (uint8_t)(w >> (8 - (g & 7)));
			}
			if (a < first)
				first = a;
			last = a + 7;
		}
		if (first == UINT64_MAX)
			continue;
		if (first < r->address)
			first = r->address;
		if (last >= r->address + r->size)
			last = r->address + r->size - 1;
		/* rel8 reaches 128 bytes back or forward: 2 blocks, plus one
		 * for where in its block the branch sits */
		uint64_t b0 = (first - r->address) >> BLOCK_SHIFT;
		uint64_t b1 = (last - r->address) >> BLOCK_SHIFT;
		for (uint64_t kb = b0 > 3 ? b0 - 3 : 0;
		     kb <= b1 + 3 && kb < nblocks; kb++)
			bit_set(st->near[ri], (size_t)kb);
	}
	return SITES_OK;
}

/* Cheap first test: is `target` a byte some window still wants flagged? */
static bool wanted_at(const struct fast_state *st, uint64_t target)
{
	for (size_t ri = 0; ri < st->in->n_regions; ri++) {
		const struct sites_region *r = &st->in->regions[ri];
		if (target >= r->address && target - r->address < r->size)
			return bit_get(st->wanted[ri],
				       (size_t)(target - r->address));
	}
	return false;
}

/* Flags target in every window watching it; then no window wants it. */
static void fast_mark(struct fast_state *st, uint64_t target)
{
	mark_entry(st->out, target);
	for (size_t ri = 0; ri < st->in->n_regions; ri++) {
		const struct sites_region *r = &st->in->regions[ri];
		if (target >= r->address && target - r->address < r->size) {
			size_t k = (size_t)(target - r->address);
			st->wanted[ri][k >> 3] &= (uint8_t) ~(1u << (k & 7));
		}
	}
}

static bool decoded_contains(const struct fast_state *st, uint64_t address)
{
	const struct sites_range *r =
	    (const struct sites_range *)st->decoded.data;
	size_t lo = 0, hi = st->decoded.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].start <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && address < r[lo - 1].end;
}

/* Step 2 for one range: decode it, confirm its candidates, keep targets. */
static int fast_decode_range(struct fast_state *st, const struct containing *c,
			     const uint64_t *cand, size_t n_cand)
{
	int err = decode_linear(st->in, c->region, c->decode_from, c->end,
				decode_with_analyze, st->ctx, st->a, &st->insns,
				&st->out->bytes_decoded);
	if (err)
		return err;
	st->out->n_functions_decoded++;
	struct sites_range dr = {c->start, c->end};
	if (!vec_push(&st->decoded, st->a, &dr))
		return SITES_E_NOMEM;
	const struct disasm_insn *insns =
	    (const struct disasm_insn *)st->insns.data;
	size_t n = st->insns.len, k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct disasm_insn *insn = &insns[i];
		if (insn->address < c->start)
			continue;
		if (is_direct_branch(insn) &&
		    !vec_push(&st->targets, st->a, &insn->target))
			return SITES_E_NOMEM;
		while (k < n_cand && cand[k] < insn->address)
			k++;
		if (k < n_cand && cand[k] == insn->address &&
		    insn->kind == DISASM_SYSCALL) {
			struct sites_site s;
			zero_bytes(&s, sizeof(s));
			fill_site(st->in, &s, c, insns, n, i);
			if (!vec_push(&st->sites, st->a, &s))
				return SITES_E_NOMEM;
		}
	}
	return SITES_OK;
}

/* Step 3 for one branch-shaped byte outside the decoded ranges. */
/* Records [start, end) as decoded, keeping the list sorted. */
static int add_decoded(struct fast_state *st, uint64_t start, uint64_t end)
{
	struct sites_range r = {start, end};
	if (!vec_push(&st->decoded, st->a, &r))
		return SITES_E_NOMEM;
	struct sites_range *d = (struct sites_range *)st->decoded.data;
	size_t i = st->decoded.len - 1;
	while (i > 0 && d[i - 1].start > start) {
		d[i] = d[i - 1];
		i--;
	}
	d[i] = r;
	return SITES_OK;
}

/* Step 3 for one branch-shaped byte outside the decoded ranges: decode the
 * range holding it, apply every branch found there, and remember the range
 * so no other byte in it costs another decode. */
static void fast_cross_check(struct fast_state *st, uint64_t at,
			     uint64_t target)
{
	if (st->err || !wanted_at(st, target) || decoded_contains(st, at))
		return;
	struct containing c;
	if (!containing_range(st->in, at, &c))
		return;
	st->out->n_cross_checks++;
	int err = decode_linear(st->in, c.region, c.decode_from, c.end,
				decode_with_analyze, st->ctx, st->a, &st->insns,
				&st->out->bytes_decoded);
	if (!err)
		err = add_decoded(st, c.start, c.end);
	if (err) {
		st->err = err;
		return;
	}
	const struct disasm_insn *insns =
	    (const struct disasm_insn *)st->insns.data;
	for (size_t i = 0; i < st->insns.len; i++) {
		const struct disasm_insn *insn = &insns[i];
		if (insn->address >= c.start && is_direct_branch(insn) &&
		    wanted_at(st, insn->target))
			fast_mark(st, insn->target);
	}
}

static bool visit_syscall(void *state, const struct sites_region *r, size_t off)
{
	struct fast_state *st = (struct fast_state *)state;
	uint64_t address = r->address + off;
	if (off + 1 >= r->size)
		return true;
	if (!vec_push(&st->candidates, st->a, &address)) {
		st->err = SITES_E_NOMEM;
		return false;
	}
	return true;
}

static bool visit_branch(void *state, const struct sites_region *r, size_t off)
{
	struct fast_state *st = (struct fast_state *)state;
	uint64_t target;
	if (branch_target_at(r->bytes, r->size, off, r->address + off,
			     &target) &&
	    wanted_at(st, target))
		fast_cross_check(st, r->address + off, target);
	return st->err == 0;
}

/* Visits every byte of [lo, hi) of region ri that could be a branch
 * opcode reaching a watched byte. */
static void scan_span(struct fast_state *st, size_t ri, size_t lo, size_t hi)
{
	const struct sites_region *r = &st->in->regions[ri];
	size_t off = lo;
	for (; off + 16 <= hi && off + 17 <= r->size; off += 16) {
		/* Far from every window only rel32 branches can reach one. */
		unsigned m = bit_get(st->near[ri], off >> BLOCK_SHIFT)
				 ? branch_mask16(r->bytes + off)
				 : branch32_mask16(r->bytes + off);
		while (m) {
			size_t j = (size_t)__builtin_ctz(m);
			m &= m - 1;
			visit_branch(st, r, off + j);
		}
		if (st->err)
			return;
	}
	for (; off < hi; off++)
		visit_branch(st, r, off); /* branch_target_at filters */
}

int sites_find(const struct sites_input *in, struct disasm_ctx *ctx,
	       struct arena *arena, struct sites_result *out)
{
	int err = check_input(in);
	if (err)
		return err;
	struct fast_state st = {
	    .in = in,
	    .ctx = ctx,
	    .a = arena,
	    .out = out,
	    .candidates = {0, 0, 0, sizeof(uint64_t)},
	    .sites = {0, 0, 0, sizeof(struct sites_site)},
	    .targets = {0, 0, 0, sizeof(uint64_t)},
	    .decoded = {0, 0, 0, sizeof(struct sites_range)},
	    .insns = {0, 0, 0, sizeof(struct disasm_insn)},
	    .wanted = 0,
	    .near = 0,
	    .err = 0,
	};
	out->sites = 0;
	out->n_sites = 0;
	out->n_candidates = 0;
	out->n_functions_decoded = 0;
	out->bytes_decoded = 0;
	out->n_cross_checks = 0;

	/* 1. candidates */
	for (size_t ri = 0; ri < in->n_regions; ri++)
		if (!scan_region(&in->regions[ri], syscall_mask16,
				 visit_syscall, &st))
			return st.err;
	out->n_candidates = st.candidates.len;

	/* 2. decode each containing range once */
	const uint64_t *cand = (const uint64_t *)st.candidates.data;
	size_t i = 0;
	while (i < st.candidates.len) {
		struct containing c;
		if (!containing_range(in, cand[i], &c)) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < st.candidates.len && cand[j] < c.end)
			j++;
		err = fast_decode_range(&st, &c, cand + i, j - i);
		if (err)
			return err;
		i = j;
	}
	out->sites = (struct sites_site *)st.sites.data;
	out->n_sites = st.sites.len;
	if (out->n_sites == 0)
		return SITES_OK;

	/* windows: what each may overwrite, its starts, then the targets
	 * found while decoding (most land far from every window) */
	for (size_t s = 0; s < out->n_sites; s++) {
		mark_watched(in, &out->sites[s]);
		mark_starts(in, &out->sites[s]);
	}
	err = build_wanted(&st);
	if (err)
		return err;
	const uint64_t *tg = (const uint64_t *)st.targets.data;
	for (size_t t = 0; t < st.targets.len; t++)
		if (wanted_at(&st, tg[t]))
			fast_mark(&st, tg[t]);

	/* 3. branches from everywhere else: the bytes outside the ranges
	 * decoded in step 2 (whose branches are all known already) */
	/* A snapshot: cross checks insert into st.decoded as they go. */
	size_t n_dec = st.decoded.len;
	struct sites_range *dec = (struct sites_range *)arena_alloc_uninit(
	    arena, (n_dec + 1) * sizeof(*dec), 8);
	if (!dec)
		return SITES_E_NOMEM;
	copy_bytes(dec, st.decoded.data, n_dec * sizeof(*dec));
	for (size_t ri = 0; ri < in->n_regions; ri++) {
		const struct sites_region *r = &in->regions[ri];
		uint64_t pos = r->address, rend = r->address + r->size;
		for (size_t k = 0; k <= n_dec && pos < rend; k++) {
			uint64_t stop = k < n_dec ? dec[k].start : rend;
			if (stop > rend)
				stop = rend;
			if (stop > pos)
				scan_span(&st, ri, (size_t)(pos - r->address),
					  (size_t)(stop - r->address));
			if (st.err)
				return st.err;
			if (k < n_dec && dec[k].end > pos)
				pos = dec[k].end;
		}
	}
	return SITES_OK;
}

/* ---- the reference sweep --------------------------------------------------
 */

int sites_find_sweep(const struct sites_input *in, struct disasm_ctx *ctx,
		     struct arena *arena, struct sites_result *out)
{
	int err = check_input(in);
	if (err)
		return err;
	out->sites = 0;
	out->n_sites = 0;
	out->n_candidates = 0;
	out->n_functions_decoded = 0;
	out->bytes_decoded = 0;
	out->n_cross_checks = 0;

	struct vec syscalls = {0, 0, 0, sizeof(uint64_t)};
	struct vec targets = {0, 0, 0, sizeof(uint64_t)};
	struct vec sites = {0, 0, 0, sizeof(struct sites_site)};
	struct vec insns = {0, 0, 0, sizeof(struct disasm_insn)};
	/* One bit per byte of every region: an instruction starts here. */
	uint8_t **starts = (uint8_t **)arena_alloc(
	    arena, (in->n_regions + 1) * sizeof(uint8_t *), 8);
	if (!starts)
		return SITES_E_NOMEM;

	for (size_t ri = 0; ri < in->n_regions; ri++) {
		const struct sites_region *r = &in->regions[ri];
		starts[ri] = (uint8_t *)arena_alloc(arena, r->size / 8 + 1, 8);
		if (!starts[ri])
			return SITES_E_NOMEM;
		size_t off = 0;
		while (off < r->size) {
			struct disasm_insn insn;
			disasm_decode(ctx, r->bytes + off, r->size - off,
				      r->address + off, &insn);
			bit_set(starts[ri], off);
			if (insn.kind == DISASM_SYSCALL &&
			    !vec_push(&syscalls, arena, &insn.address))
				return SITES_E_NOMEM;
			if (is_direct_branch(&insn) &&
			    !vec_push(&targets, arena, &insn.target))
				return SITES_E_NOMEM;
			off += insn.length;
		}
		out->bytes_decoded += r->size;
	}

	const uint64_t *sc = (const uint64_t *)syscalls.data;
	for (size_t i = 0; i < syscalls.len; i++) {
		struct containing c;
		if (!containing_range(in, sc[i], &c))
			continue;
		/* Re-decode the containing range along the sweep's boundaries.
		 */
		const struct sites_region *r = &in->regions[c.region];
		insns.len = 0;
		size_t idx = 0;
		for (uint64_t a = c.start; a < c.end; a++) {
			size_t off = (size_t)(a - r->address);
			if (!bit_get(starts[c.region], off))
				continue;
			struct disasm_insn insn;
			disasm_decode(ctx, r->bytes + off, r->size - off, a,
				      &insn);
			if (a == sc[i])
				idx = insns.len;
			if (!vec_push(&insns, arena, &insn))
				return SITES_E_NOMEM;
		}
		struct sites_site s;
		zero_bytes(&s, sizeof(s));
		fill_site(in, &s, &c, (const struct disasm_insn *)insns.data,
			  insns.len, idx);
		if (!vec_push(&sites, arena, &s))
			return SITES_E_NOMEM;
	}
	out->sites = (struct sites_site *)sites.data;
	out->n_sites = sites.len;
	out->n_candidates = syscalls.len;
	for (size_t s = 0; s < out->n_sites; s++) {
		mark_watched(in, &out->sites[s]);
		mark_starts(in, &out->sites[s]);
	}
	const uint64_t *tg = (const uint64_t *)targets.data;
	for (size_t t = 0; t < targets.len; t++)
		if (in_regions(in, tg[t]))
			mark_entry(out, tg[t]);
	return SITES_OK;
}

bool sites_is_watched(const struct sites_site *site, uint64_t address)
{
	if (address < site->window_start ||
	    address - site->window_start >= SITES_WINDOW_SIZE)
		return false;
	return bit_get(site->watched, (size_t)(address - site->window_start));
}

bool sites_is_entry(const struct sites_site *site, uint64_t address)
{
	if (address < site->window_start ||
	    address - site->window_start >= SITES_WINDOW_SIZE)
		return false;
	return bit_get(site->entry, (size_t)(address - site->window_start));
}

bool sites_is_func_start(const struct sites_site *site, uint64_t address)
{
	if (address < site->window_start ||
	    address - site->window_start >= SITES_WINDOW_SIZE)
		return false;
	return bit_get(site->func_start,
		       (size_t)(address - site->window_start));
}
