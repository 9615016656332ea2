/*
 * The locator's pure parts: DWARF pointer encodings, the .eh_frame walker,
 * the filler matcher and the sort. No OS calls, no allocation.
 */
#include "patcher/locator_internal.h"

size_t locator_filler_len(const uint8_t *p, size_t avail)
{
	size_t i = 0;
	size_t prefixes;

	if (avail == 0)
		return 0;
	if (p[0] == 0x90 || p[0] == 0xcc) /* nop; int3 */
		return 1;
	/* Longest legal instruction is 15 bytes: at most 14 prefixes. */
	while (i < avail && i < 14 && p[i] == 0x66)
		i++;
	prefixes = i;
	if (i < avail && p[i] == 0x90) /* 66 90: xchg %ax,%ax */
		return prefixes > 0 ? i + 1 : 0;
	if (i < avail && p[i] == 0x2e) /* cs segment prefix (nopw %cs:...) */
		i++;
	if (i + 3 > avail || p[i] != 0x0f || p[i + 1] != 0x1f)
		return 0;
	i += 2;
	/* 0f 1f /0 with reg field 0 and rm rax, zero displacement. */
	switch (p[i]) {
	case 0x00: /* nopl (%rax) */
		i += 1;
		break;
	case 0x40: /* nopl 0x0(%rax) */
		if (i + 2 > avail || p[i + 1] != 0)
			return 0;
		i += 2;
		break;
	case 0x44: /* nopl 0x0(%rax,%rax,1) */
		if (i + 3 > avail || p[i + 1] != 0 || p[i + 2] != 0)
			return 0;
		i += 3;
		break;
	case 0x80: /* nopl 0x0(%rax), disp32 */
		if (i + 5 > avail)
			return 0;
		for (size_t k = 1; k < 5; k++)
			if (p[i + k] != 0)
				return 0;
		i += 5;
		break;
	case 0x84: /* nopl 0x0(%rax,%rax,1), disp32 */
		if (i + 6 > avail)
			return 0;
		for (size_t k = 1; k < 6; k++)
			if (p[i + k] != 0)
				return 0;
		i += 6;
		break;
	default:
		return 0;
	}
	return i <= 15 ? i : 0;
}

size_t locator_filler_run(const uint8_t *p, size_t avail)
{
	size_t off = 0, n;
	while (off < avail && (n = locator_filler_len(p + off, avail - off)))
		off += n;
	return off;
}

static bool range_less(const struct locator_range *a,
		       const struct locator_range *b)
{
	return a->start < b->start || (a->start == b->start && a->end < b->end);
}

static void insertion_sort(struct locator_range *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct locator_range v = r[i];
		size_t j = i;
		while (j > 0 && range_less(&v, &r[j - 1])) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = v;
	}
}

/* LSD radix sort on start - min, one byte per pass and only as many passes
 * as the span needs (3 for libc's 1.4 MB of text), then an insertion pass
 * that orders the rare equal starts by end. Linear time, no malloc. */
void locator_sort_ranges(struct locator_range *r, size_t n,
			 struct locator_range *scratch)
{
	bool sorted = true;
	uintptr_t lo = n ? r[0].start : 0, hi = lo;

	for (size_t i = 1; i < n; i++) {
		if (range_less(&r[i], &r[i - 1]))
			sorted = false;
		if (r[i].start < lo)
			lo = r[i].start;
		if (r[i].start > hi)
			hi = r[i].start;
	}
	if (sorted)
		return;
	if (n < 64) {
		insertion_sort(r, n);
		return;
	}
	struct locator_range *src = r, *dst = scratch;
	uintptr_t span = hi - lo;
	for (unsigned shift = 0; shift < 64 && (span >> shift) != 0;
	     shift += 8) {
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++)
			count[((src[i].start - lo) >> shift) & 0xff]++;
		size_t sum = 0;
		for (size_t d = 0; d < 256; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[((src[i].start - lo) >> shift) & 0xff]++] =
			    src[i];
		struct locator_range *t = src;
		src = dst;
		dst = t;
	}
	if (src != r)
		for (size_t i = 0; i < n; i++)
			r[i] = src[i];
	/* Equal starts: order by end (nearly always already in order). */
	for (size_t i = 1; i < n; i++) {
		if (r[i].start != r[i - 1].start || r[i].end >= r[i - 1].end)
			continue;
		struct locator_range v = r[i];
		size_t j = i;
		while (j > 0 && r[j - 1].start == v.start &&
		       r[j - 1].end > v.end) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = v;
	}
}

static int read_uleb(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	const uint8_t *q = *p;

	for (;;) {
		if (q >= end || shift > 63)
			return LOCATOR_ERR_BAD_EH_FRAME;
		uint8_t b = *q++;
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	*p = q;
	*out = v;
	return 0;
}

static int read_sleb(const uint8_t **p, const uint8_t *end, int64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	const uint8_t *q = *p;

	do {
		if (q >= end || shift > 63)
			return LOCATOR_ERR_BAD_EH_FRAME;
		b = *q++;
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	*p = q;
	*out = (int64_t)v;
	return 0;
}

/* Little-endian loads of unaligned fields. */
static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = n; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return v;
}

static int read_fixed(const uint8_t **p, const uint8_t *end, size_t n,
		      uint64_t *out)
{
	if ((size_t)(end - *p) < n)
		return LOCATOR_ERR_BAD_EH_FRAME;
	*out = load_le(*p, n);
	*p += n;
	return 0;
}

/* Reads the value part of an encoding (low nibble), sign-extended. */
static int read_format(const uint8_t **p, const uint8_t *end, uint8_t fmt,
		       uint64_t *out)
{
	int err;
	int64_t s;

	switch (fmt) {
	case LOCATOR_PE_ABSPTR:
	case LOCATOR_PE_UDATA8:
	case LOCATOR_PE_SDATA8:
		return read_fixed(p, end, 8, out);
	case LOCATOR_PE_UDATA4:
		return read_fixed(p, end, 4, out);
	case LOCATOR_PE_SDATA4:
		err = read_fixed(p, end, 4, out);
		*out = (uint64_t)(int64_t)(int32_t)(uint32_t)*out;
		return err;
	case LOCATOR_PE_UDATA2:
		return read_fixed(p, end, 2, out);
	case LOCATOR_PE_SDATA2:
		err = read_fixed(p, end, 2, out);
		*out = (uint64_t)(int64_t)(int16_t)(uint16_t)*out;
		return err;
	case LOCATOR_PE_ULEB128:
		return read_uleb(p, end, out);
	case LOCATOR_PE_SLEB128:
		err = read_sleb(p, end, &s);
		*out = (uint64_t)s;
		return err;
	default:
		return LOCATOR_ERR_BAD_ENCODING;
	}
}

int locator_read_encoded(const uint8_t **p, const uint8_t *end, uint8_t enc,
			 uintptr_t p_addr, uintptr_t data_base, uint64_t *out)
{
	uint64_t v;
	int err;

	if (enc == LOCATOR_PE_OMIT || (enc & LOCATOR_PE_INDIRECT))
		return LOCATOR_ERR_BAD_ENCODING;
	err = read_format(p, end, enc & 0x0f, &v);
	if (err)
		return err;
	switch (enc & 0x70) {
	case 0x00:
		break;
	case LOCATOR_PE_PCREL:
		v += p_addr;
		break;
	case LOCATOR_PE_DATAREL:
		if (data_base == 0)
			return LOCATOR_ERR_BAD_ENCODING;
		v += data_base;
		break;
	default: /* textrel, funcrel, aligned: never used for these tables */
		return LOCATOR_ERR_BAD_ENCODING;
	}
	*out = v;
	return 0;
}

void locator_eh_init(struct locator_eh *eh, const uint8_t *data, size_t len,
		     uintptr_t addr)
{
	eh->data = data;
	eh->len = len;
	eh->addr = addr;
	eh->cie_valid = 0;
	eh->cie_next = 0;
}

/* Entry header: length (with the 64-bit escape) and the id/pointer word.
 * Returns 0 with *body at the id field and *entry_end, END, or an error. */
static int entry_header(const struct locator_eh *eh, size_t off,
			const uint8_t **body, const uint8_t **entry_end)
{
	const uint8_t *p = eh->data + off;
	const uint8_t *end = eh->data + eh->len;
	uint64_t len;

	if (off >= eh->len || end - p < 4)
		return LOCATOR_EH_END;
	len = load_le(p, 4);
	p += 4;
	if (len == 0)
		return LOCATOR_EH_END;
	if (len == 0xffffffffu) {
		if (end - p < 8)
			return LOCATOR_ERR_BAD_EH_FRAME;
		len = load_le(p, 8);
		p += 8;
	}
	if (len < 4 || len > (uint64_t)(end - p))
		return LOCATOR_ERR_BAD_EH_FRAME;
	*body = p;
	*entry_end = p + len;
	return 0;
}

/* The FDE pointer encoding of the CIE at `off` ('R' augmentation), and
 * whether it describes signal frames ('S'). */
static int cie_encoding(struct locator_eh *eh, size_t off, uint8_t *enc,
			bool *signal)
{
	const uint8_t *p, *end;
	const char *aug;
	uint64_t u, aug_len;
	int64_t s;
	int err;

	for (unsigned i = 0; i < eh->cie_valid; i++) {
		if (eh->cie_off[i] == off) {
			*enc = eh->cie_enc[i];
			*signal = eh->cie_signal[i];
			return 0;
		}
	}
	err = entry_header(eh, off, &p, &end);
	if (err)
		return err < 0 ? err : LOCATOR_ERR_BAD_EH_FRAME;
	if (load_le(p, 4) != 0) /* not a CIE */
		return LOCATOR_ERR_BAD_EH_FRAME;
	p += 4;
	if (p >= end || (*p != 1 && *p != 3))
		return LOCATOR_ERR_BAD_EH_FRAME;
	uint8_t version = *p++;
	aug = (const char *)p;
	while (p < end && *p)
		p++;
	if (p >= end)
		return LOCATOR_ERR_BAD_EH_FRAME;
	p++;
	*enc = LOCATOR_PE_ABSPTR;
	*signal = false;
	if (aug[0] != 0 && aug[0] != 'z')
		return LOCATOR_ERR_BAD_ENCODING; /* pre-'z' GCC "eh" CIEs */
	if ((err = read_uleb(&p, end, &u)) || (err = read_sleb(&p, end, &s)))
		return err;
	if (version == 1) {
		if (p >= end)
			return LOCATOR_ERR_BAD_EH_FRAME;
		p++;
	} else if ((err = read_uleb(&p, end, &u))) {
		return err;
	}
	if (aug[0] == 'z') {
		if ((err = read_uleb(&p, end, &aug_len)))
			return err;
		if (aug_len > (uint64_t)(end - p))
			return LOCATOR_ERR_BAD_EH_FRAME;
		const uint8_t *aend = p + aug_len;
		for (const char *a = aug + 1; *a; a++) {
			if (*a == 'R') {
				if (p >= aend)
					return LOCATOR_ERR_BAD_EH_FRAME;
				*enc = *p++;
			} else if (*a == 'L') {
				if (p >= aend)
					return LOCATOR_ERR_BAD_EH_FRAME;
				p++;
			} else if (*a == 'P') {
				if (p >= aend)
					return LOCATOR_ERR_BAD_EH_FRAME;
				uint8_t penc = *p++;
				if ((err = read_format(&p, aend, penc & 0x0f,
						       &u)))
					return err;
			} else if (*a == 'S') {
				*signal = true;
			} else if (*a == 'B' || *a == 'G') {
				continue; /* AArch64 keys, MTE */
			} else {
				/* Unknown letter: its data size is unknown,
				 * so a later 'R' cannot be found. */
				return LOCATOR_ERR_BAD_ENCODING;
			}
		}
	}
	unsigned slot = eh->cie_next++ % LOCATOR_CIE_CACHE;
	eh->cie_off[slot] = off;
	eh->cie_enc[slot] = *enc;
	eh->cie_signal[slot] = *signal;
	if (eh->cie_valid < LOCATOR_CIE_CACHE)
		eh->cie_valid++;
	return 0;
}

int locator_eh_entry_at(struct locator_eh *eh, size_t off,
			struct locator_range *fde, size_t *next)
{
	const uint8_t *p, *end;
	uint64_t id, begin, range;
	uint8_t enc;
	bool signal;
	int err = entry_header(eh, off, &p, &end);

	if (err)
		return err;
	*next = (size_t)(end - eh->data);
	id = load_le(p, 4);
	if (id == 0)
		return LOCATOR_EH_CIE;
	/* The CIE pointer is the distance back from the field itself. */
	size_t field = (size_t)(p - eh->data);
	if (id > field)
		return LOCATOR_ERR_BAD_EH_FRAME;
	err = cie_encoding(eh, field - (size_t)id, &enc, &signal);
	if (err)
		return err;
	p += 4;
	if (enc == (LOCATOR_PE_PCREL | LOCATOR_PE_SDATA4) && end - p >= 8) {
		/* The form gcc and ld always use: no calls. */
		begin = eh->addr + (uintptr_t)(p - eh->data) +
			(uint64_t)(int64_t)(int32_t)(uint32_t)load_le(p, 4);
		range = (uint64_t)(int64_t)(int32_t)(uint32_t)load_le(p + 4, 4);
	} else {
		err = locator_read_encoded(&p, end, enc,
					   eh->addr + (uintptr_t)(p - eh->data),
					   0, &begin);
		if (err)
			return err;
		err = read_format(&p, end, enc & 0x0f, &range);
		if (err)
			return err;
	}
	fde->start = (uintptr_t)begin;
	fde->end = (uintptr_t)(begin + range);
	if (fde->end < fde->start)
		return LOCATOR_ERR_BAD_EH_FRAME;
	/* A signal trampoline's FDE starts one byte before its code (glibc's
	 * __restore_rt, the kernel's vdso): unwinders look up a return
	 * address minus one, and a handler "returns" to the trampoline's
	 * first byte. The code, and the function, begin one byte later. */
	if (signal && range > 1)
		fde->start++;
	return LOCATOR_EH_FDE;
}

long locator_eh_count(const struct locator_eh *eh)
{
	size_t off = 0;
	long n = 0;

	for (;;) {
		const uint8_t *p, *end;
		int err = entry_header(eh, off, &p, &end);
		if (err == LOCATOR_EH_END)
			return n;
		if (err)
			return err;
		if (load_le(p, 4) != 0)
			n++;
		off = (size_t)(end - eh->data);
	}
}
