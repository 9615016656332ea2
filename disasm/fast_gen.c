/*
 * Generator of fast_tables.inc: probes capstone (through disasm_decode, so
 * the tables carry this package's own classification) with every opcode of
 * the 0F, 0F38 and 0F3A maps, in legacy, VEX and EVEX form, under each
 * mandatory prefix, vector length and W bit, and with every ModRM reg (and,
 * for register forms, every rm). An entry records which ModRM forms capstone
 * accepts with the expected length, whether an imm8 follows, and the union
 * (vector state, flag reads) or intersection (writes of all flags) of what
 * the accepted forms do. Anything capstone gives another kind, a branch or
 * a rip-relative operand for is left out, so the fast decoder declines it.
 */
#include "disasm/fast_gen.h"

#include <string.h>

enum enc { ENC_LEGACY, ENC_VEX, ENC_EVEX };

static const uint8_t pp_byte[FT_PP] = {0, 0x66, 0xf3, 0xf2};

/* Bytes up to and including the opcode. */
static size_t build_head(enum enc e, unsigned map, unsigned pp, unsigned l,
			 unsigned w, unsigned op, uint8_t *b)
{
	size_t n = 0;
	switch (e) {
	case ENC_LEGACY:
		if (pp)
			b[n++] = pp_byte[pp];
		b[n++] = 0x0f;
		if (map == 1)
			b[n++] = 0x38;
		else if (map == 2)
			b[n++] = 0x3a;
		break;
	case ENC_VEX:
		b[n++] = 0xc4;
		b[n++] = (uint8_t)(0xe0 | (map + 1)); /* R X B = 1 1 1 */
		b[n++] = (uint8_t)(w << 7 | 0x78 | l << 2 | pp);
		break;
	case ENC_EVEX:
		b[n++] = 0x62;
		b[n++] = (uint8_t)(0xf0 | (map + 1)); /* R X B R' = 1 1 1 1 */
		b[n++] = (uint8_t)(w << 7 | 0x78 | 0x04 | pp);
		b[n++] = (uint8_t)(l << 5 | 0x08); /* z=0 b=0 V'=1 aaa=0 */
		break;
	}
	b[n++] = (uint8_t)op;
	return n;
}

struct acc {
	bool any;
	bool imm_known;
	bool imm8;
	bool bad; /* inconsistent: give up on the whole entry */
	uint32_t valid;
	uint32_t orflags; /* FT_VECTOR | FT_YMM | FT_FULL | FT_READS */
	bool writes_all;  /* intersection */
	bool allregs;
};

static bool probe(struct disasm_ctx *ctx, const uint8_t *b, size_t want_len,
		  struct disasm_insn *out)
{
	uint8_t buf[32];
	memset(buf, 0, sizeof(buf));
	memcpy(buf, b, want_len);
	if (!disasm_decode(ctx, buf, sizeof(buf), 0x100000, out))
		return false;
	return out->kind == DISASM_OTHER &&
	       (out->flags & (DISASM_F_RIP_REL | DISASM_F_NO_FALLTHROUGH |
			      DISASM_F_RELOCATABLE)) == 0 &&
	       (out->flags & DISASM_F_MOVABLE) != 0 && out->target == 0 &&
	       out->imm_size == 0;
}

/* Records one accepted form; `fields` is what the fast decoder derives
 * from the ModRM/VEX fields of this probe. */
static void accept(struct acc *a, const struct disasm_insn *in, bool imm8,
		   uint32_t fields)
{
	if (a->imm_known && a->imm8 != imm8)
		a->bad = true;
	a->imm_known = true;
	a->imm8 = imm8;
	if (in->flags & DISASM_F_VECTOR)
		a->orflags |= FT_VECTOR;
	if (in->flags & DISASM_F_YMM)
		a->orflags |= FT_YMM;
	if (in->flags & DISASM_F_FULL_STATE)
		a->orflags |= FT_FULL;
	if (in->flags & DISASM_F_READS_FLAGS)
		a->orflags |= FT_READS;
	if (!(in->flags & DISASM_F_WRITES_ALL_FLAGS))
		a->writes_all = false;
	if (in->vector_regs & ~fields)
		a->allregs = true;
	a->any = true;
}

static uint32_t finish(const struct acc *a, uint32_t extra)
{
	if (!a->any || a->bad)
		return 0;
	uint32_t w = a->valid | a->orflags | extra;
	if (a->imm8)
		w |= FT_IMM8;
	if (a->writes_all)
		w |= FT_WRITES_ALL;
	if (a->allregs)
		w |= FT_ALLREGS;
	return w;
}

static uint32_t gen_entry(struct disasm_ctx *ctx, enum enc e, unsigned map,
			  unsigned pp, unsigned l, unsigned w, unsigned op)
{
	uint8_t b[32];
	struct disasm_insn in;
	size_t head = build_head(e, map, pp, l, w, op, b);
	/* The fields of the probes: VEX.vvvv = 1111 names register 0. */
	uint32_t vvvv_bit = e == ENC_LEGACY ? 0 : 1u;

	struct acc a;
	memset(&a, 0, sizeof(a));
	a.writes_all = true;

	/* No ModRM: capstone stops right after the opcode. */
	b[head] = 0;
	if (probe(ctx, b, head + 1, &in) && in.length == head) {
		accept(&a, &in, false, vvvv_bit);
		a.valid = 0;
		return finish(&a, FT_NOMODRM);
	}

	for (unsigned reg = 0; reg < 8; reg++) {
		bool ok = true;
		struct acc save = a;
		for (unsigned rm = 0; rm < 8 && ok; rm++) {
			b[head] = (uint8_t)(0xc0 | reg << 3 | rm);
			if (!probe(ctx, b, head + 1, &in) ||
			    (in.length != head + 1 && in.length != head + 2)) {
				ok = false;
				break;
			}
			accept(&a, &in, in.length == head + 2,
			       vvvv_bit | 1u << reg | 1u << rm);
		}
		if (ok)
			a.valid |= 1u << (FT_VALID_REG_SHIFT + reg);
		else
			a = save;
		/* Memory form [rax]: no SIB, no displacement. */
		save = a;
		b[head] = (uint8_t)(reg << 3);
		if (probe(ctx, b, head + 1, &in) &&
		    (in.length == head + 1 || in.length == head + 2)) {
			accept(&a, &in, in.length == head + 2,
			       vvvv_bit | 1u << reg);
			a.valid |= 1u << (FT_VALID_MEM_SHIFT + reg);
		} else {
			a = save;
		}
	}
	return finish(&a, 0);
}

/* Exactly what the fast decoder reports for an x87 escape. */
static bool x87_expected(unsigned op, uint8_t modrm,
			 const struct disasm_insn *in)
{
	uint32_t want =
	    DISASM_F_VECTOR | DISASM_F_FULL_STATE | DISASM_F_MOVABLE;
	if ((op == 0xda || op == 0xdb) && modrm >= 0xc0 &&
	    ((modrm >> 3) & 7) < 4)
		want |= DISASM_F_READS_FLAGS;
	return in->kind == DISASM_OTHER && in->length == 2 &&
	       in->flags == want && in->vector_regs == 0 && in->target == 0;
}

void disasm_fast_gen_run(struct disasm_ctx *ctx, struct disasm_fast_gen *g)
{
	memset(g, 0, sizeof(*g));
	for (unsigned map = 0; map < FT_MAPS; map++)
		for (unsigned pp = 0; pp < FT_PP; pp++)
			for (unsigned op = 0; op < 256; op++) {
				g->legacy[map][pp][op] = gen_entry(
				    ctx, ENC_LEGACY, map, pp, 0, 0, op);
				for (unsigned l = 0; l < 2; l++)
					for (unsigned w = 0; w < 2; w++)
						g->vex[map][pp][l][w][op] =
						    gen_entry(ctx, ENC_VEX, map,
							      pp, l, w, op);
				for (unsigned l = 0; l < 3; l++)
					for (unsigned w = 0; w < 2; w++)
						g->evex[map][pp][l][w][op] =
						    gen_entry(ctx, ENC_EVEX,
							      map, pp, l, w,
							      op);
			}
	for (unsigned op = 0xd8; op <= 0xdf; op++) {
		struct disasm_insn in;
		for (unsigned m = 0; m < 256; m++) {
			uint8_t b[16] = {(uint8_t)op, (uint8_t)m};
			if (m >= 0xc0) {
				if (disasm_decode(ctx, b, 2, 0x100000, &in) &&
				    x87_expected(op, (uint8_t)m, &in))
					g->x87_reg[op - 0xd8] |= 1ull
								 << (m & 63);
			} else if ((m & 0xc7) == 0) { /* [rax] */
				if (disasm_decode(ctx, b, sizeof(b), 0x100000,
						  &in) &&
				    x87_expected(op, (uint8_t)m, &in))
					g->x87_mem[op - 0xd8] |=
					    (uint8_t)(1u << (m >> 3));
			}
		}
	}
}

struct dedup {
	uint32_t words[256];
	unsigned count;
	bool overflow;
};

static unsigned index_of(struct dedup *d, uint32_t w)
{
	for (unsigned i = 0; i < d->count; i++)
		if (d->words[i] == w)
			return i;
	if (d->count == 256) {
		d->overflow = true;
		return 0;
	}
	d->words[d->count] = w;
	return d->count++;
}

/* Prints words[] as nested initializers of the given dimensions. */
static void print_nested(FILE *f, struct dedup *d, const uint32_t *words,
			 const size_t *dims, unsigned ndims, unsigned depth)
{
	size_t inner = 1;
	for (unsigned k = 1; k < ndims; k++)
		inner *= dims[k];
	if (ndims == 1) {
		for (size_t i = 0; i < dims[0]; i++) {
			if (i % 16 == 0)
				fprintf(f, "%*s", (int)depth, "");
			fprintf(f, "%u,%s", index_of(d, words[i]),
				i % 16 == 15 ? "\n" : " ");
		}
		return;
	}
	for (size_t i = 0; i < dims[0]; i++) {
		fprintf(f, "%*s{\n", (int)depth, "");
		print_nested(f, d, words + i * inner, dims + 1, ndims - 1,
			     depth + 1);
		fprintf(f, "%*s},\n", (int)depth, "");
	}
}

int disasm_fast_gen_print(const struct disasm_fast_gen *g, FILE *f)
{
	struct dedup d;
	memset(&d, 0, sizeof(d));
	index_of(&d, 0); /* index 0: unknown */
	fprintf(f, "/* Generated by //disasm:fast_gen_main from capstone "
		   "4.0.2; do not edit. */\n");
	fprintf(f, "/* clang-format off */\n");
	fprintf(f, "static const uint8_t ft_legacy[FT_MAPS][FT_PP][256] = "
		   "{\n");
	static const size_t legacy_dims[] = {FT_MAPS, FT_PP, 256};
	print_nested(f, &d, &g->legacy[0][0][0], legacy_dims, 3, 1);
	fprintf(f, "};\n");
	fprintf(f, "static const uint8_t ft_vex[FT_MAPS][FT_PP][2][2][256] = "
		   "{\n");
	static const size_t vex_dims[] = {FT_MAPS, FT_PP, 2, 2, 256};
	print_nested(f, &d, &g->vex[0][0][0][0][0], vex_dims, 5, 1);
	fprintf(f, "};\n");
	fprintf(f, "static const uint8_t ft_evex[FT_MAPS][FT_PP][3][2][256] = "
		   "{\n");
	static const size_t evex_dims[] = {FT_MAPS, FT_PP, 3, 2, 256};
	print_nested(f, &d, &g->evex[0][0][0][0][0], evex_dims, 5, 1);
	fprintf(f, "};\n");
	fprintf(f, "static const uint32_t ft_attr[%u] = {\n", d.count);
	for (unsigned i = 0; i < d.count; i++)
		fprintf(f, "\t0x%08x,\n", d.words[i]);
	fprintf(f, "};\n");
	fprintf(f, "static const uint64_t ft_x87_reg[8] = {\n");
	for (unsigned i = 0; i < 8; i++)
		fprintf(f, "\t0x%016llxull,\n",
			(unsigned long long)g->x87_reg[i]);
	fprintf(f, "};\n");
	fprintf(f, "static const uint8_t ft_x87_mem[8] = {\n");
	for (unsigned i = 0; i < 8; i++)
		fprintf(f, "\t0x%02x,\n", g->x87_mem[i]);
	fprintf(f, "};\n");
	fprintf(f, "/* clang-format on */\n");
	return d.overflow ? -1 : 0;
}
