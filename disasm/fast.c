/*
 * The fast decoder: x86-64 (64-bit mode) length and classification from
 * tables, with no state, no allocation and no calls.
 *
 * The one-byte opcode map is described by hand (op1 below). The 0F, 0F38
 * and 0F3A maps, in legacy, VEX and EVEX form, and the x87 escapes come from
 * fast_tables.inc, generated from capstone's own answers (fast_gen.c).
 * Whatever is unusual (conflicting or unneeded prefixes, 67h addressing,
 * 66h on branches, XOP, 3DNow!, far transfers, forms the tables do not
 * cover) is declined, and capstone decides.
 */
#include "disasm/disasm.h"

#include "disasm/fast_tables.h"

#include "disasm/fast_tables.inc"

static const uint8_t (*const ft_legacy_p)[FT_PP][256] = ft_legacy;

const struct disasm_fast_tables *disasm_fast_tables(void)
{
	static const struct disasm_fast_tables t = {
	    ft_attr,	sizeof(ft_attr) / sizeof(ft_attr[0]),
	    ft_legacy,	ft_vex,
	    ft_evex,	ft_x87_reg,
	    ft_x87_mem,
	};
	(void)ft_legacy_p;
	return &t;
}

/* op1[]: the one-byte map. Low 3 bits: immediate; bit 3: ModRM; high
 * nibble: class. */
enum {
	I_NONE = 0,
	I_B = 1,     /* ib */
	I_W = 2,     /* iw */
	I_Z = 3,     /* iw or id by operand size */
	I_V = 4,     /* b8+r: id, or iq with REX.W */
	I_ENTER = 5, /* iw, ib */
	I_MOFFS = 6, /* 8-byte address */
	M = 8,
};

enum {
	C_BAD = 0x00,	  /* invalid in 64-bit mode, or unknown: no length */
	C_PLAIN = 0x10,	  /* OTHER, no flags */
	C_ALU = 0x20,	  /* OTHER, writes all flags */
	C_RF = 0x30,	  /* OTHER, reads flags */
	C_SPECIAL = 0x40, /* decided in the switch below */
	C_FPU = 0x50,	  /* x87 escape */
	C_STRING = 0x60,  /* string instruction: rep allowed */
	C_DECLINE = 0x70, /* length known, classification left to capstone */
};

#define ALU6(base)                                                             \
	[base + 0] = M | C_ALU, [base + 1] = M | C_ALU,                        \
		[base + 2] = M | C_ALU, [base + 3] = M | C_ALU,                \
		[base + 4] = I_B | C_ALU, [base + 5] = I_Z | C_ALU
#define RF6(base)                                                              \
	[base + 0] = M | C_RF, [base + 1] = M | C_RF, [base + 2] = M | C_RF,   \
		[base + 3] = M | C_RF, [base + 4] = I_B | C_RF,                \
		[base + 5] = I_Z | C_RF

static const uint8_t op1[256] = {
    ALU6(0x00),
    ALU6(0x08),
    RF6(0x10),
    RF6(0x18),
    ALU6(0x20),
    ALU6(0x28),
    ALU6(0x30),
    ALU6(0x38),
    [0x50] = C_PLAIN,
    [0x51] = C_PLAIN,
    [0x52] = C_PLAIN,
    [0x53] = C_PLAIN,
    [0x54] = C_PLAIN,
    [0x55] = C_PLAIN,
    [0x56] = C_PLAIN,
    [0x57] = C_PLAIN,
    [0x58] = C_PLAIN,
    [0x59] = C_PLAIN,
    [0x5a] = C_PLAIN,
    [0x5b] = C_PLAIN,
    [0x5c] = C_PLAIN,
    [0x5d] = C_PLAIN,
    [0x5e] = C_PLAIN,
    [0x5f] = C_PLAIN,
    [0x63] = M | C_PLAIN,	/* movsxd */
    [0x68] = I_Z | C_PLAIN,	/* push iz */
    [0x69] = M | I_Z | C_PLAIN, /* imul r, r/m, iz */
    [0x6a] = I_B | C_PLAIN,	/* push ib */
    [0x6b] = M | I_B | C_PLAIN, /* imul r, r/m, ib */
    [0x6c] = C_STRING,		/* ins/outs */
    [0x6d] = C_STRING,
    [0x6e] = C_STRING,
    [0x6f] = C_STRING,
    [0x70] = I_B | C_SPECIAL, /* jcc rel8 */
    [0x71] = I_B | C_SPECIAL,
    [0x72] = I_B | C_SPECIAL,
    [0x73] = I_B | C_SPECIAL,
    [0x74] = I_B | C_SPECIAL,
    [0x75] = I_B | C_SPECIAL,
    [0x76] = I_B | C_SPECIAL,
    [0x77] = I_B | C_SPECIAL,
    [0x78] = I_B | C_SPECIAL,
    [0x79] = I_B | C_SPECIAL,
    [0x7a] = I_B | C_SPECIAL,
    [0x7b] = I_B | C_SPECIAL,
    [0x7c] = I_B | C_SPECIAL,
    [0x7d] = I_B | C_SPECIAL,
    [0x7e] = I_B | C_SPECIAL,
    [0x7f] = I_B | C_SPECIAL,
    [0x80] = M | I_B | C_SPECIAL, /* group 1 */
    [0x81] = M | I_Z | C_SPECIAL,
    [0x83] = M | I_B | C_SPECIAL,
    [0x84] = M | C_ALU, /* test */
    [0x85] = M | C_ALU,
    [0x86] = M | C_PLAIN, /* xchg */
    [0x87] = M | C_PLAIN,
    [0x88] = M | C_PLAIN, /* mov */
    [0x89] = M | C_PLAIN,
    [0x8a] = M | C_PLAIN,
    [0x8b] = M | C_PLAIN,
    [0x8c] = M | C_DECLINE, /* mov r/m, sreg */
    [0x8d] = M | C_SPECIAL, /* lea */
    [0x8e] = M | C_DECLINE, /* mov sreg, r/m */
    [0x8f] = M | C_SPECIAL, /* pop r/m; XOP */
    [0x90] = C_SPECIAL,	    /* nop, pause, xchg r8 */
    [0x91] = C_PLAIN,	    /* xchg */
    [0x92] = C_PLAIN,
    [0x93] = C_PLAIN,
    [0x94] = C_PLAIN,
    [0x95] = C_PLAIN,
    [0x96] = C_PLAIN,
    [0x97] = C_PLAIN,
    [0x98] = C_PLAIN, /* cbw/cwde/cdqe */
    [0x99] = C_PLAIN, /* cwd/cdq/cqo */
    [0x9b] = C_BAD,   /* fwait: capstone may fuse it with what follows */
    [0x9c] = C_RF,    /* pushf */
    [0x9d] = C_PLAIN, /* popf */
    [0x9e] = C_PLAIN, /* sahf */
    [0x9f] = C_RF,    /* lahf */
    [0xa0] = I_MOFFS | C_PLAIN,
    [0xa1] = I_MOFFS | C_PLAIN,
    [0xa2] = I_MOFFS | C_PLAIN,
    [0xa3] = I_MOFFS | C_PLAIN,
    [0xa4] = C_STRING, /* movs */
    [0xa5] = C_STRING,
    [0xa6] = C_STRING, /* cmps */
    [0xa7] = C_STRING,
    [0xa8] = I_B | C_ALU, /* test al, ib */
    [0xa9] = I_Z | C_ALU,
    [0xaa] = C_STRING, /* stos */
    [0xab] = C_STRING,
    [0xac] = C_STRING, /* lods */
    [0xad] = C_STRING,
    [0xae] = C_STRING, /* scas */
    [0xaf] = C_STRING,
    [0xb0] = I_B | C_PLAIN,
    [0xb1] = I_B | C_PLAIN,
    [0xb2] = I_B | C_PLAIN,
    [0xb3] = I_B | C_PLAIN,
    [0xb4] = I_B | C_PLAIN,
    [0xb5] = I_B | C_PLAIN,
    [0xb6] = I_B | C_PLAIN,
    [0xb7] = I_B | C_PLAIN,
    [0xb8] = I_V | C_PLAIN,
    [0xb9] = I_V | C_PLAIN,
    [0xba] = I_V | C_PLAIN,
    [0xbb] = I_V | C_PLAIN,
    [0xbc] = I_V | C_PLAIN,
    [0xbd] = I_V | C_PLAIN,
    [0xbe] = I_V | C_PLAIN,
    [0xbf] = I_V | C_PLAIN,
    [0xc0] = M | I_B | C_SPECIAL, /* shift group 2 */
    [0xc1] = M | I_B | C_SPECIAL,
    [0xc2] = I_W | C_SPECIAL,	  /* ret iw */
    [0xc3] = C_SPECIAL,		  /* ret */
    [0xc6] = M | I_B | C_SPECIAL, /* mov r/m8, ib */
    [0xc7] = M | I_Z | C_SPECIAL, /* mov r/m, iz */
    [0xc8] = I_ENTER | C_PLAIN,	  /* enter iw, ib */
    [0xc9] = C_PLAIN,		  /* leave */
    [0xca] = I_W | C_DECLINE,	  /* retf iw */
    [0xcb] = C_DECLINE,		  /* retf */
    [0xcc] = C_SPECIAL,		  /* int3 */
    [0xcd] = I_B | C_SPECIAL,	  /* int ib */
    [0xcf] = C_DECLINE,		  /* iret */
    [0xd0] = M | C_SPECIAL,	  /* shift group 2 */
    [0xd1] = M | C_SPECIAL,
    [0xd2] = M | C_SPECIAL,
    [0xd3] = M | C_SPECIAL,
    [0xd7] = C_PLAIN, /* xlat */
    [0xd8] = M | C_FPU,
    [0xd9] = M | C_FPU,
    [0xda] = M | C_FPU,
    [0xdb] = M | C_FPU,
    [0xdc] = M | C_FPU,
    [0xdd] = M | C_FPU,
    [0xde] = M | C_FPU,
    [0xdf] = M | C_FPU,
    [0xe0] = I_B | C_SPECIAL, /* loopne, loope, loop, jrcxz */
    [0xe1] = I_B | C_SPECIAL,
    [0xe2] = I_B | C_SPECIAL,
    [0xe3] = I_B | C_SPECIAL,
    [0xe4] = I_B | C_PLAIN, /* in/out ib */
    [0xe5] = I_B | C_PLAIN,
    [0xe6] = I_B | C_PLAIN,
    [0xe7] = I_B | C_PLAIN,
    [0xe8] = I_Z | C_SPECIAL, /* call rel32 (rel16 under 66) */
    [0xe9] = I_Z | C_SPECIAL, /* jmp rel32 (rel16 under 66) */
    [0xeb] = I_B | C_SPECIAL, /* jmp rel8 */
    [0xec] = C_PLAIN,	      /* in/out dx */
    [0xed] = C_PLAIN,
    [0xee] = C_PLAIN,
    [0xef] = C_PLAIN,
    [0xf4] = C_SPECIAL,	    /* hlt */
    [0xf5] = C_RF,	    /* cmc */
    [0xf6] = M | C_SPECIAL, /* group 3 */
    [0xf7] = M | C_SPECIAL,
    [0xf8] = C_PLAIN, /* clc stc cli sti cld std */
    [0xf9] = C_PLAIN,
    [0xfa] = C_PLAIN,
    [0xfb] = C_PLAIN,
    [0xfc] = C_PLAIN,
    [0xfd] = C_PLAIN,
    [0xfe] = M | C_SPECIAL, /* group 4 */
    [0xff] = M | C_SPECIAL, /* group 5 */
};

/* Immediate bytes by op1 immediate code and operand size (default, 66,
 * REX.W). */
static const uint8_t imm_len[8][3] = {
    [I_NONE] = {0, 0, 0},  [I_B] = {1, 1, 1}, [I_W] = {2, 2, 2},
    [I_Z] = {4, 2, 4},	   [I_V] = {4, 2, 8}, [I_ENTER] = {3, 3, 3},
    [I_MOFFS] = {8, 8, 8},
};

/* Flags of the classes that need no further look. */
static const uint8_t class_flags[16] = {
    [C_ALU >> 4] = DISASM_F_WRITES_ALL_FLAGS,
    [C_RF >> 4] = DISASM_F_READS_FLAGS,
    /* cmps/scas under repe/repne read ZF. */
    [C_STRING >> 4] = DISASM_F_READS_FLAGS,
};

/* Legacy prefixes seen before the opcode. */
enum {
	P_66 = 1u << 0,
	P_67 = 1u << 1,
	P_LOCK = 1u << 2,
	P_F2 = 1u << 3,
	P_F3 = 1u << 4,
	P_SEG = 1u << 5,
	P_CONFLICT = 1u << 6, /* f2 with f3, or two different segments */
};

static const uint8_t prefix_bit[256] = {
    [0x26] = P_SEG,  [0x2e] = P_SEG, [0x36] = P_SEG, [0x3e] = P_SEG,
    [0x64] = P_SEG,  [0x65] = P_SEG, [0x66] = P_66,  [0x67] = P_67,
    [0xf0] = P_LOCK, [0xf2] = P_F2,  [0xf3] = P_F3,
};

struct modrm {
	unsigned mod, reg, rm;
	unsigned disp_off; /* of a rip-relative disp32, else 0 */
	bool sib;
	unsigned index; /* SIB index (0-7), if sib */
};

/* modrm_shape[modrm]: displacement bytes (0, 1, 4) | MS_SIB | MS_RIP. */
enum { MS_SIB = 0x10, MS_RIP = 0x20 };

#define MODRM_ROW(mod)                                                         \
	MODRM_CELL(mod, 0), MODRM_CELL(mod, 1), MODRM_CELL(mod, 2),            \
	    MODRM_CELL(mod, 3), MODRM_CELL(mod, 4), MODRM_CELL(mod, 5),        \
	    MODRM_CELL(mod, 6), MODRM_CELL(mod, 7)
#define MODRM_CELL(mod, rm)                                                    \
	((mod) == 3		   ? 0                                         \
	 : (rm) == 4		   ? MS_SIB | ((mod) == 1   ? 1                \
					       : (mod) == 2 ? 4                \
							    : 0)               \
	 : (mod) == 0 && (rm) == 5 ? MS_RIP | 4                                \
	 : (mod) == 1		   ? 1                                         \
	 : (mod) == 2		   ? 4                                         \
				   : 0)
#define MODRM_MOD(mod)                                                         \
	MODRM_ROW(mod), MODRM_ROW(mod), MODRM_ROW(mod), MODRM_ROW(mod),        \
	    MODRM_ROW(mod), MODRM_ROW(mod), MODRM_ROW(mod), MODRM_ROW(mod)

static const uint8_t modrm_shape[256] = {
    MODRM_MOD(0),
    MODRM_MOD(1),
    MODRM_MOD(2),
    MODRM_MOD(3),
};

/* Parses ModRM, SIB and displacement at code[i]; returns the offset after
 * them, or 0 if they do not fit in n bytes. */
static inline size_t parse_modrm(const uint8_t *code, size_t i, size_t n,
				 struct modrm *m)
{
	if (i >= n)
		return 0;
	uint8_t b = code[i++];
	unsigned shape = modrm_shape[b];
	m->mod = b >> 6;
	m->reg = (b >> 3) & 7;
	m->rm = b & 7;
	m->disp_off = (shape & MS_RIP) ? (unsigned)i : 0;
	m->sib = false;
	m->index = 0;
	size_t disp = shape & 0x0f;
	if (shape & MS_SIB) {
		if (i >= n)
			return 0;
		uint8_t sib = code[i++];
		m->sib = true;
		m->index = (sib >> 3) & 7;
		if (m->mod == 0 && (sib & 7) == 5)
			disp = 4;
	}
	i += disp;
	return i <= n ? i : 0;
}

static inline int32_t le32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* What the decoder found, before it becomes a struct disasm_insn. */
struct result {
	uint8_t kind;
	bool claim;
	uint32_t flags; /* vector and arithmetic flag bits, NO_FALLTHROUGH */
	uint32_t vector_regs;
	unsigned disp_off; /* rip-relative disp32 */
	unsigned imm_off;  /* relative branch immediate */
	unsigned imm_size;
	uint8_t condition;
};

static inline uint32_t table_flags(uint32_t a)
{
	uint32_t f = 0;
	if (a & FT_VECTOR)
		f |= DISASM_F_VECTOR;
	if (a & FT_YMM)
		f |= DISASM_F_YMM;
	if (a & FT_FULL)
		f |= DISASM_F_FULL_STATE;
	if (a & FT_WRITES_ALL)
		f |= DISASM_F_WRITES_ALL_FLAGS;
	if (a & FT_READS)
		f |= DISASM_F_READS_FLAGS;
	return f;
}

/* An instruction of a table-described map, from its opcode byte at code[i].
 * `vex` is 0 (legacy), 1 (VEX) or 2 (EVEX); `field_regs` holds the vector
 * registers its prefix fields (VEX.vvvv) name. Returns the length or 0. */
static inline size_t table_insn(const uint8_t *code, size_t i, size_t n,
				uint32_t attr, unsigned vex, unsigned rex_r,
				unsigned rex_x, unsigned rex_b,
				uint32_t field_regs, struct result *r)
{
	if (attr == 0)
		return 0;
	r->flags |= table_flags(attr);
	if (attr & FT_NOMODRM) {
		r->vector_regs = field_regs;
		if (attr & FT_ALLREGS)
			r->vector_regs = 0xffffffffu;
		return i + 1;
	}
	struct modrm m;
	size_t j = parse_modrm(code, i + 1, n, &m);
	if (j == 0)
		return 0;
	uint32_t valid = m.mod == 3 ? attr >> FT_VALID_REG_SHIFT
				    : attr >> FT_VALID_MEM_SHIFT;
	if (!(valid & (1u << m.reg)))
		r->claim = false;
	if (attr & FT_IMM8) {
		if (j >= n)
			return 0;
		if (vex == 1)
			field_regs |= 1u << (code[j] >> 4);
		j++;
	}
	r->disp_off = m.disp_off;
	if (vex == 2 || (attr & FT_ALLREGS)) {
		/* EVEX reaches 32 registers through four fields; xsave and
		 * friends name all of them. */
		r->vector_regs = 0xffffffffu;
	} else if (attr & FT_VECTOR) {
		uint32_t regs = field_regs | 1u << (m.reg | rex_r << 3);
		if (m.mod == 3)
			regs |= 1u << (m.rm | rex_b << 3);
		else if (m.sib && vex == 1)
			regs |= 1u << (m.index | rex_x << 3);
		r->vector_regs = regs;
	}
	return j;
}

/* The core: returns the length (0 if unknown) and fills *r. */
static inline size_t decode(const uint8_t *code, size_t avail, struct result *r)
{
	size_t n = avail < DISASM_MAX_INSN_LEN ? avail : DISASM_MAX_INSN_LEN;
	size_t i = 0;
	unsigned pfx = 0;
	uint8_t seg = 0, rep = 0;
	r->kind = DISASM_OTHER;
	r->claim = true;
	r->flags = 0;
	r->vector_regs = 0;
	r->disp_off = 0;
	r->imm_off = 0;
	r->imm_size = 0;
	r->condition = 0;

	uint8_t b;
	for (;;) {
		if (i >= n)
			return 0;
		b = code[i];
		unsigned bit = prefix_bit[b];
		if (bit == 0)
			break;
		if (bit == P_SEG) {
			if (seg != 0 && seg != b)
				pfx |= P_CONFLICT;
			seg = b;
		} else if (bit & (P_F2 | P_F3)) {
			if (rep != 0 && rep != b)
				pfx |= P_CONFLICT;
			rep = b;
		}
		pfx |= bit;
		i++;
	}
	if (pfx & (P_CONFLICT | P_67))
		r->claim = false;

	unsigned rex = 0;
	if ((b & 0xf0) == 0x40) {
		rex = b;
		if (++i >= n)
			return 0;
		b = code[i];
		if (prefix_bit[b] != 0 || (b & 0xf0) == 0x40)
			return 0; /* a prefix after REX: REX is ignored */
	}
	unsigned rex_w = (rex >> 3) & 1, rex_r = (rex >> 2) & 1;
	unsigned rex_x = (rex >> 1) & 1, rex_b = rex & 1;

	/* ---- two- and three-byte maps, VEX, EVEX ---- */
	if (b == 0x0f) {
		if (++i >= n)
			return 0;
		uint8_t op = code[i];
		unsigned map = 0;
		if (op == 0x38 || op == 0x3a) {
			map = op == 0x38 ? 1 : 2;
			if (++i >= n)
				return 0;
			op = code[i];
		} else if (op == 0x0f) {
			return 0; /* 3DNow! */
		}
		bool plain_pfx = (pfx & ~(unsigned)P_SEG) == 0;
		if (map == 0) {
			switch (op) {
			case 0x05: /* syscall */
			case 0x34: /* sysenter */
			case 0x0b: /* ud2 */
				r->kind = op == 0x05   ? DISASM_SYSCALL
					  : op == 0x34 ? DISASM_SYSENTER
						       : DISASM_UD2;
				if (op == 0x0b)
					r->flags |= DISASM_F_NO_FALLTHROUGH;
				else /* rflags reach the kernel (r11) */
					r->flags |= DISASM_F_READS_FLAGS;
				if (!plain_pfx || seg != 0 || rex != 0)
					r->claim = false;
				return i + 1;
			case 0x1e:
				/* f3 0f 1e fa: endbr64 */
				if (i + 1 < n && code[i + 1] == 0xfa &&
				    pfx == P_F3 && rex == 0) {
					r->kind = DISASM_ENDBR64;
					return i + 2;
				}
				break;
			case 0x1f: {
				struct modrm m;
				size_t j = parse_modrm(code, i + 1, n, &m);
				if (j == 0)
					return 0;
				/* The nops gas pads with: 0f 1f /0 under any
				 * number of 66 and an optional cs. */
				if (m.mod == 3 || m.reg != 0 ||
				    (pfx & ~(unsigned)(P_66 | P_SEG)) != 0 ||
				    (seg != 0 && seg != 0x2e) || rex != 0)
					r->claim = false;
				r->kind = DISASM_NOP;
				r->disp_off = m.disp_off;
				if (m.disp_off != 0)
					r->claim = false;
				return j;
			}
			default:
				if (op >= 0x80 && op <= 0x8f) {
					/* jcc rel32 (rel16 under 66) */
					unsigned sz =
					    (pfx & P_66) && !rex_w ? 2 : 4;
					if (i + 1 + sz > n)
						return 0;
					if (pfx & ~(unsigned)(P_SEG | P_F2))
						r->claim = false;
					r->kind = DISASM_JCC_REL32;
					r->condition = op & 0x0f;
					r->imm_off = (unsigned)i + 1;
					r->imm_size = sz;
					r->flags |= DISASM_F_READS_FLAGS;
					return i + 1 + sz;
				}
				break;
			}
		}
		unsigned pp = 0;
		if (rep != 0) {
			pp = rep == 0xf3 ? 2 : 3;
			if (pfx & P_66)
				r->claim = false;
		} else if (pfx & P_66) {
			pp = 1;
		}
		if (pfx & P_LOCK) {
			bool lockable = map == 0 && (op == 0xb0 || op == 0xb1 ||
						     op == 0xc0 || op == 0xc1 ||
						     op == 0xab || op == 0xb3 ||
						     op == 0xbb);
			if (!lockable || (i + 1 < n && code[i + 1] >= 0xc0))
				r->claim = false;
		}
		uint32_t attr = ft_attr[ft_legacy[map][pp][op]];
		return table_insn(code, i, n, attr, 0, rex_r, rex_x, rex_b, 0,
				  r);
	}

	if (b == 0xc4 || b == 0xc5) {
		/* VEX: no 66/f2/f3/f0/REX may precede it. */
		if ((pfx & (P_66 | P_F2 | P_F3 | P_LOCK)) || rex != 0)
			return 0;
		unsigned map, vr, vx, vb, w, vvvv, l, pp;
		if (b == 0xc5) {
			if (i + 2 >= n)
				return 0;
			uint8_t p1 = code[i + 1];
			vr = ((p1 >> 7) & 1) ^ 1;
			vx = 0;
			vb = 0;
			w = 0;
			map = 0;
			vvvv = ((p1 >> 3) & 15) ^ 15;
			l = (p1 >> 2) & 1;
			pp = p1 & 3;
			i += 2;
		} else {
			if (i + 3 >= n)
				return 0;
			uint8_t p1 = code[i + 1], p2 = code[i + 2];
			unsigned mm = p1 & 0x1f;
			if (mm < 1 || mm > 3)
				return 0;
			map = mm - 1;
			vr = ((p1 >> 7) & 1) ^ 1;
			vx = ((p1 >> 6) & 1) ^ 1;
			vb = ((p1 >> 5) & 1) ^ 1;
			w = (p2 >> 7) & 1;
			vvvv = ((p2 >> 3) & 15) ^ 15;
			l = (p2 >> 2) & 1;
			pp = p2 & 3;
			i += 3;
		}
		uint32_t attr = ft_attr[ft_vex[map][pp][l][w][code[i]]];
		return table_insn(code, i, n, attr, 1, vr, vx, vb, 1u << vvvv,
				  r);
	}

	if (b == 0x62) {
		/* EVEX (always, in 64-bit mode). */
		if ((pfx & (P_66 | P_F2 | P_F3 | P_LOCK)) || rex != 0)
			return 0;
		if (i + 4 >= n)
			return 0;
		uint8_t p0 = code[i + 1], p1 = code[i + 2], p2 = code[i + 3];
		unsigned mm = p0 & 0x0f;
		if (mm < 1 || mm > 3 || !(p1 & 0x04))
			return 0;
		unsigned w = (p1 >> 7) & 1, pp = p1 & 3;
		unsigned ll = (p2 >> 5) & 3;
		i += 4;
		if (ll == 3) {
			r->claim = false;
			ll = 2; /* same shape; only the length is used */
		}
		uint32_t attr = ft_attr[ft_evex[mm - 1][pp][ll][w][code[i]]];
		r->flags |= DISASM_F_FULL_STATE | DISASM_F_VECTOR;
		return table_insn(code, i, n, attr, 2, 0, 0, 0, 0, r);
	}

	/* ---- the one-byte map ---- */
	uint8_t a = op1[b];
	unsigned cls = a & 0xf0;
	if (cls == C_BAD)
		return 0;
	size_t j = i + 1;
	struct modrm m = {0, 0, 0, 0, false, 0};
	if (a & M) {
		if (b == 0x8f && j < n && (code[j] & 0x38) != 0)
			return 0; /* XOP */
		j = parse_modrm(code, j, n, &m);
		if (j == 0)
			return 0;
		r->disp_off = m.disp_off;
	}
	/* Operand size: 0 default, 1 under 66, 2 under REX.W (which wins).
	 * 66 also shrinks a near branch to rel16 (capstone and AMD agree on
	 * the length; Intel ignores the prefix): only the length is given. */
	unsigned osz = rex_w ? 2 : (pfx & P_66) ? 1 : 0;
	unsigned imm = imm_len[a & 7][osz];
	if ((a & 7) == I_MOFFS && (pfx & P_67))
		imm = 4;
	/* f6/f7 /0 and /1 (test) carry an immediate; the rest do not. */
	if ((b == 0xf6 || b == 0xf7) && m.reg < 2)
		imm = imm_len[b == 0xf6 ? I_B : I_Z][osz];
	size_t len = j + imm;
	if (len > n)
		return 0;

	/* Prefixes that only some instructions may carry. */
	if ((pfx & P_66) && rex_w)
		r->claim = false;
	if (pfx & P_LOCK) {
		bool lockable = false;
		if (m.mod != 3 && (a & M)) {
			if (b < 0x40)
				lockable = (b & 7) < 2 && b < 0x38;
			else if (b >= 0x80 && b <= 0x83)
				lockable = m.reg != 7;
			else if (b == 0x86 || b == 0x87)
				lockable = true;
			else if (b == 0xf6 || b == 0xf7)
				lockable = m.reg == 2 || m.reg == 3;
			else if (b == 0xfe || b == 0xff)
				lockable = m.reg < 2;
		}
		if (!lockable || rep != 0)
			r->claim = false;
	}
	/* rep/repne: string instructions, pause, rep ret; branches take bnd
	 * (f2) below. */
	bool rep_ok = cls == C_STRING || b == 0x90 || b == 0xc2 || b == 0xc3;

	r->flags |= class_flags[cls >> 4];
	if (cls < C_SPECIAL)
		goto done;
	switch (cls) {
	case C_STRING:
		if (rep == 0xf2 &&
		    !(b == 0xa6 || b == 0xa7 || b == 0xae || b == 0xaf))
			r->claim = false;
		break;
	case C_DECLINE:
		r->claim = false;
		break;
	case C_FPU: {
		unsigned e = b - 0xd8;
		bool ok = m.mod == 3
			      ? (ft_x87_reg[e] >> ((m.reg << 3) | m.rm)) & 1
			      : (ft_x87_mem[e] >> m.reg) & 1;
		if (!ok || pfx != 0 || rex != 0)
			r->claim = false;
		r->flags |= DISASM_F_VECTOR | DISASM_F_FULL_STATE;
		if ((b == 0xda || b == 0xdb) && m.mod == 3 && m.reg < 4)
			r->flags |= DISASM_F_READS_FLAGS; /* fcmovcc */
		break;
	}
	default: /* C_SPECIAL */
		switch (b) {
		case 0x80:
		case 0x81:
		case 0x83:
			r->flags |= m.reg == 2 || m.reg == 3
					? DISASM_F_READS_FLAGS
					: DISASM_F_WRITES_ALL_FLAGS;
			break;
		case 0x8d: /* lea */
			if (m.mod == 3)
				return 0;
			break;
		case 0x8f: /* pop r/m */
			break;
		case 0x90:
			if (rex_b) {
				if (rep != 0)
					r->claim = false;
				break; /* xchg eax, r8d */
			}
			if (rep == 0xf3)
				break; /* pause */
			if (rep != 0 || (pfx & ~(unsigned)P_66) != 0)
				r->claim = false;
			r->kind = DISASM_NOP;
			break;
		case 0xc0:
		case 0xc1:
		case 0xd0:
		case 0xd1:
		case 0xd2:
		case 0xd3:
			/* Shifts and rotates: a zero count writes nothing. */
			if (m.reg == 2 || m.reg == 3)
				r->flags |= DISASM_F_READS_FLAGS; /* rcl rcr */
			if (m.reg == 6)
				r->claim = false; /* sal alias */
			break;
		case 0xc2:
		case 0xc3:
			r->kind = DISASM_RET;
			r->flags |= DISASM_F_NO_FALLTHROUGH;
			if (pfx & ~(unsigned)(P_F2 | P_F3))
				r->claim = false;
			break;
		case 0xc6:
		case 0xc7:
			if (m.reg != 0) {
				if (m.mod == 3 && m.rm == 0 && m.reg == 7) {
					/* xabort ib / xbegin rel32 */
					r->claim = false;
					break;
				}
				return 0;
			}
			break;
		case 0xcc:
			r->kind = DISASM_INT3;
			r->flags |= DISASM_F_READS_FLAGS;
			if (pfx != 0 || rex != 0)
				r->claim = false;
			break;
		case 0xcd:
			if (code[i + 1] == 0x80)
				r->kind = DISASM_INT80;
			r->flags |= DISASM_F_READS_FLAGS;
			if (pfx != 0 || rex != 0)
				r->claim = false;
			break;
		case 0xf4:
			r->kind = DISASM_HLT;
			r->flags |= DISASM_F_NO_FALLTHROUGH;
			if (pfx != 0 || rex != 0)
				r->claim = false;
			break;
		case 0xf6:
		case 0xf7:
			if (m.reg == 0 || m.reg == 3)
				r->flags |= DISASM_F_WRITES_ALL_FLAGS;
			else if (m.reg == 1)
				r->claim = false; /* test alias */
			break;
		case 0xfe:
			if (m.reg >= 2)
				return 0;
			break;
		case 0xff:
			switch (m.reg) {
			case 2: /* call r/m */
				r->kind = DISASM_CALL_INDIRECT;
				break;
			case 4: /* jmp r/m */
				r->kind = DISASM_JMP_INDIRECT;
				r->flags |= DISASM_F_NO_FALLTHROUGH;
				break;
			case 3:
			case 5: /* far call/jmp */
				if (m.mod == 3)
					return 0;
				r->claim = false;
				break;
			case 7:
				return 0;
			default:
				break;
			}
			if (m.reg == 2 || m.reg == 4) {
				/* notrack (3e) and bnd (f2) are fine. */
				rep_ok = rep == 0xf2;
				if (pfx & ~(unsigned)(P_SEG | P_F2))
					r->claim = false;
			}
			break;
		default:
			/* Relative branches: 70-7f, e0-e3, e8, e9, eb. */
			r->imm_off = (unsigned)j;
			r->imm_size = (unsigned)imm;
			if (b >= 0x70 && b <= 0x7f) {
				r->kind = DISASM_JCC_REL8;
				r->condition = b & 0x0f;
				r->flags |= DISASM_F_READS_FLAGS;
			} else if (b >= 0xe0 && b <= 0xe3) {
				r->kind = DISASM_LOOP_REL8;
				if (b <= 0xe1)
					r->flags |= DISASM_F_READS_FLAGS;
			} else if (b == 0xe8) {
				r->kind = DISASM_CALL_REL32;
			} else {
				r->kind = b == 0xe9 ? DISASM_JMP_REL32
						    : DISASM_JMP_REL8;
				r->flags |= DISASM_F_NO_FALLTHROUGH;
			}
			/* 66/67 change the size of the branch: capstone's
			 * business. bnd (f2) and hints (2e/3e) are fine. */
			rep_ok = rep == 0xf2 && !(b >= 0xe0 && b <= 0xe3);
			if (pfx & ~(unsigned)(P_SEG | P_F2))
				r->claim = false;
			break;
		}
		break;
	}
done:
	if (rep != 0 && !rep_ok)
		r->claim = false;
	return len;
}

/* ---- the fast path ----
 *
 * Most instructions are simple: at most three legacy prefixes (66, one
 * segment, f2/f3 for the 0f maps), at most a REX, then a one-byte opcode or
 * 0f (38|3a) opcode, an optional ModRM, SIB and displacement and an
 * immediate. fast() handles exactly those it can claim, with a few table
 * lookups and (for the one-byte map) no data-dependent branch, and returns
 * their length; for anything else (67, lock, VEX, EVEX, x87, an encoding
 * declined or refused) it returns 0 and decode() decides. It runs only with
 * at least DISASM_MAX_INSN_LEN readable bytes, and what it accepts is at
 * most 15 bytes long, so it needs no bounds checks: it reads ModRM, SIB and
 * immediates whether they exist or not.
 *
 * op1_desc[row][opcode], row = REX | REX.W << 1 | 66 << 2: the one-byte map
 * as the fast path sees it, with the immediate size resolved for the row.
 * An entry without D_VALID is left to decode(): what a REX makes capstone's
 * business (int3, hlt, 90), what 66 does (branches, ret, 66 with REX.W).
 */
enum {
	D_IMM_MASK = 15,    /* bits 0-3: immediate bytes */
	D_M = 1u << 4,	    /* ModRM (SIB, displacement) follows */
	D_REL = 1u << 5,    /* the immediate is a relative branch's */
	D_NOSEG = 1u << 6,  /* not claimed after a segment prefix */
	D_VALID = 1u << 7,  /* claimed (but see the group) */
	D_GROUP_SHIFT = 8,  /* bits 8-11: group (fast_grp) */
	D_KIND_SHIFT = 12,  /* bits 12-16: kind */
	D_FLAGS_SHIFT = 17, /* bits 17-25: DISASM_F_* */
	D_REL8 = 1u << 26,  /* rel8 */
	D_COND = 1u << 27,  /* jcc: condition is the opcode's low nibble */
	D_NOP = 1u << 28,
	D_FORCE = 1u << 29, /* never set: see fast() */
};

#define D_KIND(k) ((uint32_t)(k) << D_KIND_SHIFT)
#define D_FL(f)	  ((uint32_t)(f) << D_FLAGS_SHIFT)
#define D_GRP(g)  ((uint32_t)(g) << D_GROUP_SHIFT)
#define D_PLAIN	  (D_VALID | D_KIND(DISASM_OTHER) | D_FL(DISASM_F_MOVABLE))
#define D_ALU	  (D_PLAIN | D_FL(DISASM_F_WRITES_ALL_FLAGS))
#define D_RF	  (D_PLAIN | D_FL(DISASM_F_READS_FLAGS))
#define D_NF	  DISASM_F_NO_FALLTHROUGH
/* A relative branch; a segment prefix (a hint) is fine. */
#define D_BR(k, imm, f) (D_VALID | (imm) | D_REL | D_KIND(k) | D_FL(f))
#define D_BR8(k, f)	(D_BR(k, 1, f) | D_REL8)
/* ret, int3, hlt, nop: no segment prefix. */
#define D_ONLY(k, f)                                                           \
	(D_VALID | D_NOSEG | D_KIND(k) | D_FL((f) | DISASM_F_MOVABLE))

/* Groups: what ModRM.reg (and mod) make of the opcode (fast_grp). */
enum {
	G_NONE,
	G_1,	/* 80 81 83: add or adc sbb and sub xor cmp */
	G_2,	/* c0 c1 d0-d3: shifts and rotates */
	G_3B,	/* f6 */
	G_3Z,	/* f7 */
	G_4,	/* fe */
	G_5,	/* ff */
	G_REG0, /* c6 c7 8f: only /0 */
	G_LEA,	/* 8d: the register form is not claimed */
	G_COUNT
};

#define ALU6_D(base, cls, IZ)                                                  \
	[base + 0] = D_M | (cls), [base + 1] = D_M | (cls),                    \
		[base + 2] = D_M | (cls), [base + 3] = D_M | (cls),            \
		[base + 4] = 1 | (cls), [base + 5] = IZ | (cls)
#define RANGE8_D(base, v)                                                      \
	[base + 0] = (v), [base + 1] = (v), [base + 2] = (v),                  \
		[base + 3] = (v), [base + 4] = (v), [base + 5] = (v),          \
		[base + 6] = (v), [base + 7] = (v)
#define JCC8_D(cc, NO66)                                                       \
	[0x70 + cc] = NO66(D_BR8(DISASM_JCC_REL8, DISASM_F_READS_FLAGS |       \
						      DISASM_F_RELOCATABLE) |  \
			   D_COND)
#define LOOP_D(op, f, NO66) [op] = NO66(D_BR8(DISASM_LOOP_REL8, f))

/* One row of op1_desc. NOREX(x) and NO66(x): x, or 0 in a row with REX or
 * 66; IZ, IV: the size of iz and iv immediates. */
#define OP1_ROW(NOREX, NO66, IZ, IV)                                           \
	{                                                                      \
		ALU6_D(0x00, D_ALU, IZ), ALU6_D(0x08, D_ALU, IZ),              \
		    ALU6_D(0x10, D_RF, IZ), ALU6_D(0x18, D_RF, IZ),            \
		    ALU6_D(0x20, D_ALU, IZ), ALU6_D(0x28, D_ALU, IZ),          \
		    ALU6_D(0x30, D_ALU, IZ), ALU6_D(0x38, D_ALU, IZ),          \
		    RANGE8_D(0x50, D_PLAIN), RANGE8_D(0x58, D_PLAIN),          \
		    [0x63] = D_M | D_PLAIN, [0x68] = IZ | D_PLAIN,             \
		    [0x69] = D_M | IZ | D_PLAIN, [0x6a] = 1 | D_PLAIN,         \
		    [0x6b] = D_M | 1 | D_PLAIN, [0x6c] = D_RF, [0x6d] = D_RF,  \
		    [0x6e] = D_RF, [0x6f] = D_RF, JCC8_D(0, NO66),             \
		    JCC8_D(1, NO66), JCC8_D(2, NO66), JCC8_D(3, NO66),         \
		    JCC8_D(4, NO66), JCC8_D(5, NO66), JCC8_D(6, NO66),         \
		    JCC8_D(7, NO66), JCC8_D(8, NO66), JCC8_D(9, NO66),         \
		    JCC8_D(10, NO66), JCC8_D(11, NO66), JCC8_D(12, NO66),      \
		    JCC8_D(13, NO66), JCC8_D(14, NO66),                        \
		    JCC8_D(15, NO66), [0x80] = D_M | 1 | D_GRP(G_1) | D_PLAIN, \
		    [0x81] = D_M | IZ | D_GRP(G_1) | D_PLAIN,                  \
		    [0x83] = D_M | 1 | D_GRP(G_1) | D_PLAIN,                   \
		    [0x84] = D_M | D_ALU, [0x85] = D_M | D_ALU,                \
		    [0x86] = D_M | D_PLAIN, [0x87] = D_M | D_PLAIN,            \
		    [0x88] = D_M | D_PLAIN, [0x89] = D_M | D_PLAIN,            \
		    [0x8a] = D_M | D_PLAIN, [0x8b] = D_M | D_PLAIN,            \
		    [0x8d] = D_M | D_GRP(G_LEA) | D_PLAIN,                     \
		    [0x8f] = D_M | D_GRP(G_REG0) | D_PLAIN,                    \
		    [0x90] = NOREX(D_ONLY(DISASM_NOP, 0) | D_NOP),             \
		    [0x91] = D_PLAIN, [0x92] = D_PLAIN, [0x93] = D_PLAIN,      \
		    [0x94] = D_PLAIN, [0x95] = D_PLAIN, [0x96] = D_PLAIN,      \
		    [0x97] = D_PLAIN, [0x98] = D_PLAIN, [0x99] = D_PLAIN,      \
		    [0x9c] = D_RF, [0x9d] = D_PLAIN, [0x9e] = D_PLAIN,         \
		    [0x9f] = D_RF, [0xa0] = 8 | D_PLAIN, [0xa1] = 8 | D_PLAIN, \
		    [0xa2] = 8 | D_PLAIN, [0xa3] = 8 | D_PLAIN, [0xa4] = D_RF, \
		    [0xa5] = D_RF, [0xa6] = D_RF, [0xa7] = D_RF,               \
		    [0xa8] = 1 | D_ALU, [0xa9] = IZ | D_ALU, [0xaa] = D_RF,    \
		    [0xab] = D_RF, [0xac] = D_RF, [0xad] = D_RF,               \
		    [0xae] = D_RF, [0xaf] = D_RF, RANGE8_D(0xb0, 1 | D_PLAIN), \
		    RANGE8_D(0xb8, IV | D_PLAIN),                              \
		    [0xc0] = D_M | 1 | D_GRP(G_2) | D_PLAIN,                   \
		    [0xc1] = D_M | 1 | D_GRP(G_2) | D_PLAIN,                   \
		    [0xc2] = NO66(D_ONLY(DISASM_RET, D_NF) | 2),               \
		    [0xc3] = NO66(D_ONLY(DISASM_RET, D_NF)),                   \
		    [0xc6] = D_M | 1 | D_GRP(G_REG0) | D_PLAIN,                \
		    [0xc7] = D_M | IZ | D_GRP(G_REG0) | D_PLAIN,               \
		    [0xc8] = 3 | D_PLAIN, [0xc9] = D_PLAIN,                    \
		    [0xcc] = NO66(                                             \
			NOREX(D_ONLY(DISASM_INT3, DISASM_F_READS_FLAGS))),     \
		    [0xd0] = D_M | D_GRP(G_2) | D_PLAIN,                       \
		    [0xd1] = D_M | D_GRP(G_2) | D_PLAIN,                       \
		    [0xd2] = D_M | D_GRP(G_2) | D_PLAIN,                       \
		    [0xd3] = D_M | D_GRP(G_2) | D_PLAIN, [0xd7] = D_PLAIN,     \
		    LOOP_D(0xe0, DISASM_F_READS_FLAGS, NO66),                  \
		    LOOP_D(0xe1, DISASM_F_READS_FLAGS, NO66),                  \
		    LOOP_D(0xe2, 0, NO66), LOOP_D(0xe3, 0, NO66),              \
		    [0xe4] = 1 | D_PLAIN, [0xe5] = 1 | D_PLAIN,                \
		    [0xe6] = 1 | D_PLAIN, [0xe7] = 1 | D_PLAIN,                \
		    [0xe8] = NO66(                                             \
			D_BR(DISASM_CALL_REL32, 4, DISASM_F_RELOCATABLE)),     \
		    [0xe9] = NO66(D_BR(DISASM_JMP_REL32, 4,                    \
				       D_NF | DISASM_F_RELOCATABLE)),          \
		    [0xeb] = NO66(                                             \
			D_BR8(DISASM_JMP_REL8, D_NF | DISASM_F_RELOCATABLE)),  \
		    [0xec] = D_PLAIN, [0xed] = D_PLAIN, [0xee] = D_PLAIN,      \
		    [0xef] = D_PLAIN,                                          \
		    [0xf4] = NO66(NOREX(D_ONLY(DISASM_HLT, D_NF))),            \
		    [0xf5] = D_RF, [0xf6] = D_M | D_GRP(G_3B) | D_PLAIN,       \
		    [0xf7] = D_M | D_GRP(G_3Z) | D_PLAIN, [0xf8] = D_PLAIN,    \
		    [0xf9] = D_PLAIN, [0xfa] = D_PLAIN, [0xfb] = D_PLAIN,      \
		    [0xfc] = D_PLAIN, [0xfd] = D_PLAIN,                        \
		    [0xfe] = D_M | D_GRP(G_4) | D_PLAIN,                       \
		    [0xff] = D_M | D_GRP(G_5) | D_PLAIN,                       \
	}
#define KEEP(x) (x)
#define DROP(x) 0

static const uint32_t op1_desc[8][256] = {
    OP1_ROW(KEEP, KEEP, 4, 4), /* - */
    OP1_ROW(DROP, KEEP, 4, 4), /* REX */
    {0},		       /* (REX.W without REX) */
    OP1_ROW(DROP, KEEP, 4, 8), /* REX.W */
    OP1_ROW(KEEP, DROP, 2, 2), /* 66 */
    OP1_ROW(DROP, DROP, 2, 2), /* 66 REX */
    {0},		       /* (REX.W without REX) */
    {0},		       /* 66 REX.W: capstone's */
};

/* fast_grp[66][group][ModRM >> 3]: flags to add (bits 0-7), kind ^ OTHER
 * (bits 8-12), FG_SLOW (leave to decode()), immediate bytes to add (bits
 * 16-19). */
enum { FG_KIND_SHIFT = 8, FG_SLOW = 1u << 13, FG_IMM_SHIFT = 16 };
#define FG_WA	   DISASM_F_WRITES_ALL_FLAGS
#define FG_RF	   DISASM_F_READS_FLAGS
#define FG_S	   FG_SLOW
#define FG_KIND(k) ((uint32_t)((k) ^ DISASM_OTHER) << FG_KIND_SHIFT)
#define FG_IMM(n)  ((uint32_t)(n) << FG_IMM_SHIFT)
/* Same for every mod. */
#define BYREG(a, b, c, d, e, f, g, h)                                          \
	{                                                                      \
		a, b, c, d, e, f, g, h, a, b, c, d, e, f, g, h, a, b, c, d, e, \
		    f, g, h, a, b, c, d, e, f, g, h                            \
	}
#define GROUPS(IZ, CALLJMP)                                                    \
	{                                                                      \
		[G_LEA] = {[24] = FG_S, FG_S, FG_S, FG_S,                      \
			   FG_S,	FG_S, FG_S, FG_S},                     \
		[G_1] = BYREG(FG_WA, FG_WA, FG_RF, FG_RF, FG_WA, FG_WA, FG_WA, \
			      FG_WA),                                          \
		[G_2] = BYREG(0, 0, FG_RF, FG_RF, 0, 0, FG_S, 0),              \
		[G_3B] = BYREG(FG_WA | FG_IMM(1), FG_S, 0, FG_WA, 0, 0, 0, 0), \
		[G_3Z] =                                                       \
		    BYREG(FG_WA | FG_IMM(IZ), FG_S, 0, FG_WA, 0, 0, 0, 0),     \
		[G_4] = BYREG(0, 0, FG_S, FG_S, FG_S, FG_S, FG_S, FG_S),       \
		[G_5] =                                                        \
		    BYREG(0, 0, CALLJMP(FG_KIND(DISASM_CALL_INDIRECT)), FG_S,  \
			  CALLJMP(FG_KIND(DISASM_JMP_INDIRECT) |               \
				  DISASM_F_NO_FALLTHROUGH),                    \
			  FG_S, 0, FG_S),                                      \
		[G_REG0] = BYREG(0, FG_S, FG_S, FG_S, FG_S, FG_S, FG_S, FG_S), \
	}
#define SLOW_IF_66(x) FG_S

static const uint32_t fast_grp[2][G_COUNT][32] = {
    GROUPS(4, KEEP),
    GROUPS(2, SLOW_IF_66),
};

/* modrm_len[has ModRM][modrm]: bytes of ModRM, SIB and displacement (bits
 * 0-2), when a SIB's base of 5 adds a disp32 (ML_SIB0), rip-relative
 * (ML_RIP). */
enum { ML_SIB0 = 0x40, ML_RIP = 0x80 };
#define ML_CELL(mod, rm)                                                       \
	((mod) == 3   ? 1                                                      \
	 : (rm) == 4  ? ((mod) == 0   ? 2 | ML_SIB0                            \
			 : (mod) == 1 ? 3                                      \
				      : 6)                                     \
	 : (mod) == 0 ? ((rm) == 5 ? 5 | ML_RIP : 1)                           \
	 : (mod) == 1 ? 2                                                      \
		      : 5)
#define ML_ROW(mod)                                                            \
	ML_CELL(mod, 0), ML_CELL(mod, 1), ML_CELL(mod, 2), ML_CELL(mod, 3),    \
	    ML_CELL(mod, 4), ML_CELL(mod, 5), ML_CELL(mod, 6), ML_CELL(mod, 7)
#define ML_MOD(mod)                                                            \
	ML_ROW(mod), ML_ROW(mod), ML_ROW(mod), ML_ROW(mod), ML_ROW(mod),       \
	    ML_ROW(mod), ML_ROW(mod), ML_ROW(mod)

static const uint8_t modrm_len[2][256] = {
    {0},
    {ML_MOD(0), ML_MOD(1), ML_MOD(2), ML_MOD(3)},
};

/* Length of ModRM, SIB and displacement at code[j] (readable), from its
 * modrm_len entry. */
static inline size_t modrm_bytes(const uint8_t *code, size_t j, unsigned t)
{
	unsigned sib0 = (t >> 6) & 1;
	return (t & 7) + ((sib0 & ((code[j + 1] & 7) == 5)) << 2);
}

/* struct disasm_insn but for address and length, as three words. */
struct fast_out {
	uint64_t target;
	uint64_t flags_regs; /* flags | vector_regs << 32 */
	uint64_t tail;	     /* kind << 8 | disp_offset << 16 | ... */
};

/* The tail word but for the length (and nop_len). */
static inline uint64_t tail_word(unsigned kind, size_t disp_off, size_t imm_off,
				 size_t imm_size, unsigned condition)
{
	return (uint64_t)kind << 8 | (uint64_t)disp_off << 16 |
	       (uint64_t)imm_off << 24 | (uint64_t)imm_size << 32 |
	       (uint64_t)condition << 40;
}

/* Flags of a table attribute word. */
static inline uint32_t attr_flags(uint32_t a)
{
	return ((a >> 16) &
		(DISASM_F_VECTOR | DISASM_F_YMM | DISASM_F_FULL_STATE)) |
	       ((a >> 17) & (DISASM_F_WRITES_ALL_FLAGS | DISASM_F_READS_FLAGS));
}

/* The 0f, 0f 38 and 0f 3a maps; code[i] is 0f, `pfx` the legacy prefixes
 * (P_66, P_SEG, P_F2, P_F3, no conflict), `seg` the segment one. */
static size_t fast_0f(const uint8_t *code, size_t i, unsigned pfx, unsigned seg,
		      unsigned rex, uint64_t next_base, struct fast_out *o)
{
	size_t p = i + 1; /* the opcode */
	uint8_t op = code[p];
	unsigned map = 0;
	if (op == 0x38 || op == 0x3a) {
		map = op == 0x38 ? 1 : 2;
		op = code[++p];
	}
	if ((pfx & P_66) && (pfx & (P_F2 | P_F3)))
		return 0;
	unsigned pp = (pfx & P_F3) ? 2 : (pfx & P_F2) ? 3 : (pfx & P_66);
	uint32_t attr = ft_attr[ft_legacy[map][pp][op]];
	if (attr == 0) {
		/* Not OTHER: the opcodes the code above decides. */
		if (map != 0)
			return 0;
		if (op >= 0x80 && op <= 0x8f) {
			if (pfx & ~(unsigned)(P_SEG | P_F2))
				return 0;
			o->target = next_base + p + 5 +
				    (uint64_t)(int64_t)le32(code + p + 1);
			o->flags_regs =
			    DISASM_F_READS_FLAGS | DISASM_F_RELOCATABLE;
			o->tail =
			    tail_word(DISASM_JCC_REL32, 0, p + 1, 4, op & 0x0f);
			return p + 5;
		}
		if (rex != 0)
			return 0;
		if (op == 0x1f) {
			uint8_t m = code[p + 1];
			unsigned t = modrm_len[1][m];
			/* nop [mem] only, under 66 and cs; rip-relative is
			 * declined. */
			if (m >= 0xc0 || (m & 0x38) != 0 || (t & ML_RIP) ||
			    (pfx & ~(unsigned)(P_66 | P_SEG)) ||
			    (seg != 0 && seg != 0x2e))
				return 0;
			size_t len = p + 1 + modrm_bytes(code, p + 1, t);
			o->target = 0;
			o->flags_regs = DISASM_F_MOVABLE;
			o->tail = tail_word(DISASM_NOP, 0, 0, 0, 0) |
				  (uint64_t)len << 48;
			return len;
		}
		if (pfx != 0)
			return 0;
		unsigned kind;
		uint32_t flags;
		if (op == 0x05 || op == 0x34) {
			kind = op == 0x05 ? DISASM_SYSCALL : DISASM_SYSENTER;
			flags = DISASM_F_READS_FLAGS | DISASM_F_MOVABLE;
		} else if (op == 0x0b) {
			kind = DISASM_UD2;
			flags = DISASM_F_NO_FALLTHROUGH | DISASM_F_MOVABLE;
		} else {
			return 0;
		}
		o->target = 0;
		o->flags_regs = flags;
		o->tail = tail_word(kind, 0, 0, 0, 0);
		return p + 1;
	}
	uint32_t flags = attr_flags(attr);
	o->tail = tail_word(DISASM_OTHER, 0, 0, 0, 0);
	o->target = 0;
	if (attr & FT_NOMODRM) {
		uint64_t regs = (attr & FT_ALLREGS) ? 0xffffffffu : 0;
		o->flags_regs = flags | DISASM_F_MOVABLE | regs << 32;
		return p + 1;
	}
	uint8_t m = code[p + 1];
	unsigned reg = (m >> 3) & 7;
	uint32_t valid =
	    m >= 0xc0 ? attr >> FT_VALID_REG_SHIFT : attr >> FT_VALID_MEM_SHIFT;
	if (!((valid >> reg) & 1))
		return 0;
	unsigned t = modrm_len[1][m];
	size_t len =
	    p + 1 + modrm_bytes(code, p + 1, t) + ((attr & FT_IMM8) != 0);
	if (t & ML_RIP) {
		o->tail |= (uint64_t)(p + 2) << 16;
		o->target =
		    next_base + len + (uint64_t)(int64_t)le32(code + p + 2);
		flags |= DISASM_F_RIP_REL | DISASM_F_RELOCATABLE;
	} else {
		flags |= DISASM_F_MOVABLE;
	}
	uint64_t regs = 0;
	if (attr & FT_ALLREGS) {
		regs = 0xffffffffu;
	} else if (attr & FT_VECTOR) {
		regs = 1u << (reg | (rex & 4) << 1);
		if (m >= 0xc0)
			regs |= 1u << ((m & 7) | (rex & 1) << 3);
	}
	o->flags_regs = flags | regs << 32;
	return len;
}

/* See above: the length of a claimed instruction, or 0. `address` is where
 * it is (for the target). */
static inline __attribute__((always_inline)) size_t
fast(const uint8_t *code, uint64_t address, struct fast_out *o)
{
	size_t i = 0;
	unsigned pfx = 0, seg = 0;
	/* Bits of an op1_desc entry that refuse it: D_VALID clear, D_NOSEG
	 * after a segment prefix, anything after f2/f3 (D_FORCE). */
	uint32_t refuse = D_VALID;
	uint8_t b = code[0];
	unsigned bit = prefix_bit[b];
	if (bit != 0) {
		/* At most three, so that what follows fits in 15 bytes. */
		unsigned rep = 0;
		do {
			if (bit & (P_67 | P_LOCK) || i == 3)
				return 0;
			if (bit == P_SEG) {
				if (seg != 0 && seg != b)
					return 0;
				seg = b;
				refuse |= D_NOSEG;
			} else if (bit & (P_F2 | P_F3)) {
				if (rep != 0 && rep != b)
					return 0;
				rep = b;
				refuse |= D_FORCE;
			}
			pfx |= bit;
			b = code[++i];
			bit = prefix_bit[b];
		} while (bit != 0);
	}
	unsigned is_rex = (unsigned)(b - 0x40) < 16;
	unsigned rex = b & (0u - is_rex);
	i += is_rex;
	b = code[i];
	if (b == 0x0f)
		return fast_0f(code, i, pfx, seg, rex, address, o);
	unsigned p66 = pfx & P_66;
	uint32_t d = op1_desc[is_rex | (rex >> 2 & 2) | p66 << 2][b];
	size_t j = i + 1;
	uint8_t m = code[j];
	uint32_t e = fast_grp[p66][(d >> D_GROUP_SHIFT) & 15][m >> 3];
	if ((((d ^ (D_VALID | D_FORCE)) & refuse) | (e & FG_SLOW)) != 0)
		return 0;
	unsigned has_m = (d >> 4) & 1; /* D_M */
	unsigned rel = (d >> 5) & 1;   /* D_REL */
	unsigned t = modrm_len[has_m][m];
	unsigned rip = t >> 7;
	size_t imm = (d & D_IMM_MASK) + (e >> FG_IMM_SHIFT);
	size_t len = j + modrm_bytes(code, j, t) + imm;
	uint32_t flags = ((d >> D_FLAGS_SHIFT) & 0x1ff) | (e & 0xff);
	flags ^= (DISASM_F_RIP_REL | DISASM_F_RELOCATABLE | DISASM_F_MOVABLE) &
		 (0u - rip);
	/* The disp32 after ModRM, or a branch's immediate (no ModRM). */
	int32_t v = le32(code + j + rip);
	if (d & D_REL8)
		v = (int8_t)v;
	uint64_t target = address + len + (uint64_t)(int64_t)v;
	o->target = target & (0 - (uint64_t)(rip | rel));
	o->flags_regs = flags;
	unsigned kind = ((d >> D_KIND_SHIFT) ^ (e >> FG_KIND_SHIFT)) & 31;
	o->tail = tail_word(kind, (j + 1) & (0 - (size_t)rip),
			    j & (0 - (size_t)rel), imm & (0 - (size_t)rel),
			    (b & 0x0f) & (0u - ((d >> 27) & 1))) |
		  ((uint64_t)len << 48 & (0 - (uint64_t)((d >> 28) & 1)));
	return len;
}

size_t disasm_length_fast(const uint8_t *code, size_t avail)
{
	if (avail >= DISASM_MAX_INSN_LEN) {
		struct fast_out o;
		size_t len = fast(code, 0, &o);
		if (len != 0)
			return len;
	}
	struct result r;
	return decode(code, avail, &r);
}

/* decode() for what fast() leaves. */
static __attribute__((noinline)) bool decode_slow(const uint8_t *code,
						  size_t avail,
						  uint64_t address,
						  struct disasm_insn *out)
{
	struct result r;
	size_t len = decode(code, avail, &r);
	if (len == 0 || !r.claim)
		return false;
	uint64_t next = address + len;
	out->address = address;
	out->target = 0;
	out->flags = r.flags;
	out->vector_regs = r.vector_regs;
	out->length = (uint8_t)len;
	out->kind = r.kind;
	out->disp_offset = 0;
	out->imm_offset = 0;
	out->imm_size = 0;
	out->condition = r.condition;
	out->nop_len = r.kind == DISASM_NOP ? (uint8_t)len : 0;
	out->reserved = 0;
	if (r.disp_off != 0) {
		out->flags |= DISASM_F_RIP_REL | DISASM_F_RELOCATABLE;
		out->disp_offset = (uint8_t)r.disp_off;
		out->target = next + (uint64_t)(int64_t)le32(code + r.disp_off);
	} else if (r.imm_size != 0) {
		out->imm_offset = (uint8_t)r.imm_off;
		out->imm_size = (uint8_t)r.imm_size;
		int64_t rel = r.imm_size == 1 ? (int8_t)code[r.imm_off]
					      : le32(code + r.imm_off);
		out->target = next + (uint64_t)rel;
		if (r.kind != DISASM_LOOP_REL8)
			out->flags |= DISASM_F_RELOCATABLE;
	} else {
		out->flags |= DISASM_F_MOVABLE;
	}
	return true;
}

bool disasm_decode_fast(const uint8_t *code, size_t avail, uint64_t address,
			struct disasm_insn *out)
{
	if (avail < DISASM_MAX_INSN_LEN)
		return decode_slow(code, avail, address, out);
	struct fast_out o;
	size_t len = fast(code, address, &o);
	if (len == 0)
		return decode_slow(code, avail, address, out);
	uint64_t tail = o.tail | len;
	/* Field by field; the compiler merges the stores. */
	out->address = address;
	out->target = o.target;
	out->flags = (uint32_t)o.flags_regs;
	out->vector_regs = (uint32_t)(o.flags_regs >> 32);
	out->length = (uint8_t)tail;
	out->kind = (uint8_t)(tail >> 8);
	out->disp_offset = (uint8_t)(tail >> 16);
	out->imm_offset = (uint8_t)(tail >> 24);
	out->imm_size = (uint8_t)(tail >> 32);
	out->condition = (uint8_t)(tail >> 40);
	out->nop_len = (uint8_t)(tail >> 48);
	out->reserved = 0;
	return true;
}
