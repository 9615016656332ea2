/*
 * The capstone-backed decoder, and disasm_analyze() which puts the fast
 * decoder in front of it.
 *
 * capstone's memory functions are process-global (cs_option(CS_OPT_MEM)),
 * so they are installed once and serve every context: a bump allocator over
 * the arena of the context in use on this thread, and a small vsnprintf.
 * Opening allocates capstone's handle and one instruction; decoding through
 * cs_disasm_iter() allocates only a transient copy of a mnemonic (the Intel
 * printer's cs_strdup/cs_mem_free for prefixed instructions), which the bump
 * allocator takes back at once. No capstone call reaches malloc or any libc
 * function that can make a system call.
 */
#include "disasm/disasm.h"

#include <stdarg.h>
#include <string.h>

#include "disasm/capstone_wrapper.h"
#include "disasm/disasm_internal.h"

struct disasm_ctx {
	csh handle;
	cs_insn *insn;
	bool lazy;     /* opened by disasm_open_lazy and not yet started */
	bool failed;   /* a lazy start failed: never retried */
	uint8_t *base; /* the caller's arena; this struct sits at its start */
	size_t size;
	size_t used;
	size_t last; /* offset of the most recent block, for in-place realloc */
};

/* ------------------------------------------------------------------ */
/* Memory: capstone allocates from the arena of `current`, the context
 * whose call is running on this thread. Initial-exec TLS: reading it is a
 * plain %fs-relative load, safe in signal handlers. */

static __thread struct disasm_ctx *current
    __attribute__((tls_model("initial-exec")));
static int open_lock; /* cs_option(CS_OPT_MEM) writes capstone's globals */

#define BLOCK_ALIGN  16u
#define BLOCK_HEADER 16u

static void *arena_malloc(size_t n)
{
	struct disasm_ctx *c = current;
	if (c == NULL)
		return NULL;
	size_t start = (c->used + BLOCK_ALIGN - 1) & ~(size_t)(BLOCK_ALIGN - 1);
	size_t need =
	    BLOCK_HEADER + ((n + BLOCK_ALIGN - 1) & ~(size_t)(BLOCK_ALIGN - 1));
	if (start > c->size || need > c->size - start)
		return NULL;
	uint8_t *block = c->base + start;
	*(size_t *)(void *)block = n;
	c->last = start;
	c->used = start + need;
	return block + BLOCK_HEADER;
}

static void *arena_calloc(size_t count, size_t n)
{
	if (n != 0 && count > (size_t)-1 / n)
		return NULL;
	uint8_t *p = arena_malloc(count * n);
	if (p != NULL)
		memset(p, 0, count * n);
	return p;
}

static bool in_current(const void *p)
{
	const uint8_t *b = p;
	return current != NULL && b >= current->base + BLOCK_HEADER &&
	       b < current->base + current->size;
}

static void *arena_realloc(void *p, size_t n)
{
	if (p == NULL)
		return arena_malloc(n);
	if (!in_current(p))
		return NULL;
	uint8_t *block = (uint8_t *)p - BLOCK_HEADER;
	size_t old = *(size_t *)(void *)block;
	if ((size_t)(block - current->base) == current->last) {
		size_t need = BLOCK_HEADER + ((n + BLOCK_ALIGN - 1) &
					      ~(size_t)(BLOCK_ALIGN - 1));
		if (need <= current->size - current->last) {
			*(size_t *)(void *)block = n;
			current->used = current->last + need;
			return p;
		}
		return NULL;
	}
	void *q = arena_malloc(n);
	if (q != NULL)
		memcpy(q, p, old < n ? old : n);
	return q;
}

static void arena_free(void *p)
{
	/* Only the most recent block can be given back; the rest of the
	 * arena is released with it as a whole by its owner. */
	if (p == NULL || !in_current(p))
		return;
	uint8_t *block = (uint8_t *)p - BLOCK_HEADER;
	if ((size_t)(block - current->base) == current->last)
		current->used = current->last;
}

static struct disasm_ctx *enter(struct disasm_ctx *ctx)
{
	struct disasm_ctx *saved = current;
	current = ctx;
	return saved;
}

/* ------------------------------------------------------------------ */
/* A vsnprintf for what capstone's printers format: %s %c %d %i %u %x %X
 * %o %p %% with flags '-', '0', '#', width, precision and h/hh/l/ll/z/j/t
 * length modifiers. No locale, no allocation, no system calls. */

struct out_buf {
	char *buf;
	size_t size;
	size_t len;
};

static void put_char(struct out_buf *o, char ch)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = ch;
	o->len++;
}

static void put_repeat(struct out_buf *o, char ch, int n)
{
	for (int i = 0; i < n; i++)
		put_char(o, ch);
}

static int vsnprintf_small(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out_buf o = {buf, size, 0};
	va_list args;
	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put_char(&o, *f);
			continue;
		}
		f++;
		bool left = false, zero = false, alt = false, plus = false;
		bool space = false;
		for (;; f++) {
			if (*f == '-')
				left = true;
			else if (*f == '0')
				zero = true;
			else if (*f == '#')
				alt = true;
			else if (*f == '+')
				plus = true;
			else if (*f == ' ')
				space = true;
			else
				break;
		}
		int width = 0, prec = -1;
		if (*f == '*') {
			width = va_arg(args, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				width = width * 10 + (*f++ - '0');
		}
		if (*f == '.') {
			f++;
			prec = 0;
			if (*f == '*') {
				prec = va_arg(args, int);
				f++;
			} else {
				while (*f >= '0' && *f <= '9')
					prec = prec * 10 + (*f++ - '0');
			}
		}
		int lng = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long */
		for (;; f++) {
			if (*f == 'h')
				lng--;
			else if (*f == 'l')
				lng++;
			else if (*f == 'z' || *f == 'j' || *f == 't')
				lng = 2;
			else
				break;
		}
		char conv = *f;
		if (conv == '\0')
			break;
		if (conv == '%') {
			put_char(&o, '%');
			continue;
		}
		if (conv == 'c') {
			if (!left)
				put_repeat(&o, ' ', width - 1);
			put_char(&o, (char)va_arg(args, int));
			if (left)
				put_repeat(&o, ' ', width - 1);
			continue;
		}
		if (conv == 's') {
			const char *s = va_arg(args, const char *);
			if (s == NULL)
				s = "(null)";
			int n = 0;
			while (s[n] && (prec < 0 || n < prec))
				n++;
			if (!left)
				put_repeat(&o, ' ', width - n);
			for (int i = 0; i < n; i++)
				put_char(&o, s[i]);
			if (left)
				put_repeat(&o, ' ', width - n);
			continue;
		}
		unsigned long long v;
		bool neg = false;
		unsigned base = 10;
		bool upper = false;
		const char *prefix = "";
		if (conv == 'd' || conv == 'i') {
			long long s;
			if (lng >= 2)
				s = va_arg(args, long long);
			else if (lng == 1)
				s = va_arg(args, long);
			else
				s = va_arg(args, int);
			if (lng == -1)
				s = (short)s;
			else if (lng <= -2)
				s = (signed char)s;
			neg = s < 0;
			v = neg ? 0ull - (unsigned long long)s
				: (unsigned long long)s;
			if (neg)
				prefix = "-";
			else if (plus)
				prefix = "+";
			else if (space)
				prefix = " ";
		} else if (conv == 'u' || conv == 'x' || conv == 'X' ||
			   conv == 'o' || conv == 'p') {
			if (conv == 'p') {
				v = (unsigned long long)(uintptr_t)va_arg(
				    args, void *);
				alt = true;
				conv = 'x';
			} else if (lng >= 2) {
				v = va_arg(args, unsigned long long);
			} else if (lng == 1) {
				v = va_arg(args, unsigned long);
			} else {
				v = va_arg(args, unsigned int);
			}
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng <= -2)
				v = (unsigned char)v;
			if (conv == 'x' || conv == 'X') {
				base = 16;
				upper = conv == 'X';
				if (alt && v != 0)
					prefix = upper ? "0X" : "0x";
			} else if (conv == 'o') {
				base = 8;
				if (alt)
					prefix = "0";
			}
		} else {
			/* Unsupported conversion: print it verbatim. */
			put_char(&o, '%');
			put_char(&o, conv);
			continue;
		}
		char digits[24];
		int nd = 0;
		const char *set =
		    upper ? "0123456789ABCDEF" : "0123456789abcdef";
		do {
			digits[nd++] = set[v % base];
			v /= base;
		} while (v != 0);
		if (prec == 0 && nd == 1 && digits[0] == '0')
			nd = 0;
		int zeros = prec > nd ? prec - nd : 0;
		int plen = (int)strlen(prefix);
		int total = plen + zeros + nd;
		if (zero && !left && prec < 0 && width > total) {
			zeros += width - total;
			total = width;
		}
		if (!left)
			put_repeat(&o, ' ', width - total);
		for (int i = 0; i < plen; i++)
			put_char(&o, prefix[i]);
		put_repeat(&o, '0', zeros);
		while (nd > 0)
			put_char(&o, digits[--nd]);
		if (left)
			put_repeat(&o, ' ', width - total);
	}
	va_end(args);
	if (o.size > 0)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return (int)o.len;
}

/* ------------------------------------------------------------------ */

/* Instructions whose printing makes capstone's X86 module sort its implicit
 * register table (once per process): decoded at open, under the lock, so
 * that no decode ever does it. */
static const uint8_t warm_up_code[] = {
    0x05, 0x01, 0x00, 0x00, 0x00, /* add eax, 1 */
    0xec,			  /* in al, dx */
    0xa8, 0x01,			  /* test al, 1 */
};

/* Lays out the context at the start of the caller's arena. */
static struct disasm_ctx *ctx_init(void *arena, size_t arena_size)
{
	if (arena == NULL || arena_size < DISASM_ARENA_MIN ||
	    ((uintptr_t)arena & (BLOCK_ALIGN - 1)) != 0)
		return NULL;
	struct disasm_ctx *c = arena;
	c->handle = 0;
	c->insn = NULL;
	c->lazy = false;
	c->failed = false;
	c->base = arena;
	c->size = arena_size;
	c->used = (sizeof(*c) + BLOCK_ALIGN - 1) & ~(size_t)(BLOCK_ALIGN - 1);
	c->last = c->used;
	return c;
}

/* Opens capstone in c. Returns false if it cannot be opened. */
static bool ctx_start(struct disasm_ctx *c)
{
	while (__atomic_test_and_set(&open_lock, __ATOMIC_ACQUIRE))
		;
	cs_opt_mem mem = {
	    .malloc = arena_malloc,
	    .calloc = arena_calloc,
	    .realloc = arena_realloc,
	    .free = arena_free,
	    .vsnprintf = vsnprintf_small,
	};
	bool ok = false;
	struct disasm_ctx *saved = enter(c);
	if (cs_option(0, CS_OPT_MEM, (size_t)&mem) == CS_ERR_OK &&
	    cs_open(CS_ARCH_X86, CS_MODE_64, &c->handle) == CS_ERR_OK) {
		if (cs_option(c->handle, CS_OPT_DETAIL, CS_OPT_ON) ==
			CS_ERR_OK &&
		    (c->insn = cs_malloc(c->handle)) != NULL) {
			const uint8_t *p = warm_up_code;
			size_t n = sizeof(warm_up_code);
			uint64_t a = 0;
			while (n > 0 &&
			       cs_disasm_iter(c->handle, &p, &n, &a, c->insn))
				;
			ok = true;
		} else {
			cs_close(&c->handle);
		}
	}
	current = saved;
	__atomic_clear(&open_lock, __ATOMIC_RELEASE);
	return ok;
}

struct disasm_ctx *disasm_open(void *arena, size_t arena_size)
{
	struct disasm_ctx *c = ctx_init(arena, arena_size);
	return c && ctx_start(c) ? c : NULL;
}

struct disasm_ctx *disasm_open_lazy(void *arena, size_t arena_size)
{
	struct disasm_ctx *c = ctx_init(arena, arena_size);
	if (c)
		c->lazy = true;
	return c;
}

/* Starts a lazy context on first use. False if capstone is unavailable. */
static bool ctx_ready(struct disasm_ctx *c)
{
	if (c->insn != NULL)
		return true;
	if (!c->lazy || c->failed)
		return false;
	c->lazy = false;
	if (!ctx_start(c))
		c->failed = true;
	return c->insn != NULL;
}

void disasm_close(struct disasm_ctx *ctx)
{
	if (ctx == NULL || ctx->insn == NULL) /* never started */
		return;
	/* capstone frees into the arena: nothing to give back. */
	struct disasm_ctx *saved = enter(ctx);
	cs_free(ctx->insn, 1);
	cs_close(&ctx->handle);
	ctx->insn = NULL;
	current = saved;
}

/* ------------------------------------------------------------------ */

#define ARITH_MODIFY                                                           \
	(X86_EFLAGS_MODIFY_AF | X86_EFLAGS_MODIFY_CF | X86_EFLAGS_MODIFY_SF |  \
	 X86_EFLAGS_MODIFY_ZF | X86_EFLAGS_MODIFY_PF | X86_EFLAGS_MODIFY_OF)
#define ARITH_TEST                                                             \
	(X86_EFLAGS_TEST_OF | X86_EFLAGS_TEST_SF | X86_EFLAGS_TEST_ZF |        \
	 X86_EFLAGS_TEST_PF | X86_EFLAGS_TEST_CF | X86_EFLAGS_TEST_AF |        \
	 X86_EFLAGS_PRIOR_OF | X86_EFLAGS_PRIOR_SF | X86_EFLAGS_PRIOR_ZF |     \
	 X86_EFLAGS_PRIOR_AF | X86_EFLAGS_PRIOR_PF | X86_EFLAGS_PRIOR_CF)
#define ANY_TEST                                                               \
	(ARITH_TEST | X86_EFLAGS_TEST_NT | X86_EFLAGS_TEST_DF |                \
	 X86_EFLAGS_TEST_RF | X86_EFLAGS_TEST_IF | X86_EFLAGS_TEST_TF)

/* Whether capstone's eflags say each arithmetic flag is written. */
static bool writes_all_arith(uint64_t e)
{
	static const uint64_t per_flag[6] = {
	    X86_EFLAGS_MODIFY_CF | X86_EFLAGS_RESET_CF | X86_EFLAGS_SET_CF |
		X86_EFLAGS_UNDEFINED_CF,
	    X86_EFLAGS_MODIFY_PF | X86_EFLAGS_RESET_PF | X86_EFLAGS_SET_PF |
		X86_EFLAGS_UNDEFINED_PF,
	    X86_EFLAGS_MODIFY_AF | X86_EFLAGS_RESET_AF | X86_EFLAGS_SET_AF |
		X86_EFLAGS_UNDEFINED_AF,
	    X86_EFLAGS_MODIFY_ZF | X86_EFLAGS_RESET_ZF | X86_EFLAGS_SET_ZF |
		X86_EFLAGS_UNDEFINED_ZF,
	    X86_EFLAGS_MODIFY_SF | X86_EFLAGS_RESET_SF | X86_EFLAGS_SET_SF |
		X86_EFLAGS_UNDEFINED_SF,
	    X86_EFLAGS_MODIFY_OF | X86_EFLAGS_RESET_OF | X86_EFLAGS_SET_OF |
		X86_EFLAGS_UNDEFINED_OF,
	};
	for (int i = 0; i < 6; i++)
		if ((e & per_flag[i]) == 0)
			return false;
	return true;
}

static bool is_shift_or_rotate(unsigned id)
{
	switch (id) {
	case X86_INS_SHL:
	case X86_INS_SHR:
	case X86_INS_SAR:
	case X86_INS_SAL:
	case X86_INS_ROL:
	case X86_INS_ROR:
	case X86_INS_RCL:
	case X86_INS_RCR:
	case X86_INS_SHLD:
	case X86_INS_SHRD:
		return true;
	default:
		return false;
	}
}

static bool has_group(const cs_detail *d, unsigned group)
{
	for (unsigned i = 0; i < d->groups_count; i++)
		if (d->groups[i] == group)
			return true;
	return false;
}

static void note_vector_reg(unsigned reg, struct disasm_insn *out)
{
	if (reg >= X86_REG_XMM0 && reg <= X86_REG_XMM31) {
		unsigned n = reg - X86_REG_XMM0;
		out->flags |= DISASM_F_VECTOR;
		out->vector_regs |= 1u << n;
		if (n >= 16)
			out->flags |= DISASM_F_FULL_STATE;
	} else if (reg >= X86_REG_YMM0 && reg <= X86_REG_YMM31) {
		unsigned n = reg - X86_REG_YMM0;
		out->flags |= DISASM_F_VECTOR | DISASM_F_YMM;
		out->vector_regs |= 1u << n;
		if (n >= 16)
			out->flags |= DISASM_F_FULL_STATE;
	} else if (reg >= X86_REG_ZMM0 && reg <= X86_REG_ZMM31) {
		out->flags |= DISASM_F_VECTOR | DISASM_F_FULL_STATE;
		out->vector_regs |= 1u << (reg - X86_REG_ZMM0);
	} else if ((reg >= X86_REG_K0 && reg <= X86_REG_K7) ||
		   (reg >= X86_REG_MM0 && reg <= X86_REG_MM7) ||
		   (reg >= X86_REG_ST0 && reg <= X86_REG_ST7) ||
		   reg == X86_REG_FPSW) {
		out->flags |= DISASM_F_VECTOR | DISASM_F_FULL_STATE;
	}
}

static enum disasm_kind jump_kind(uint8_t imm_size, enum disasm_kind rel8,
				  enum disasm_kind rel32)
{
	if (imm_size == 1)
		return rel8;
	if (imm_size == 4)
		return rel32;
	/* A 66-prefixed rel16 form: its length is disputed between vendors
	 * (and capstone 4.0.2), so it is never modelled as a branch. */
	return DISASM_OTHER;
}

static bool is_jcc(unsigned id)
{
	switch (id) {
	case X86_INS_JAE:
	case X86_INS_JA:
	case X86_INS_JBE:
	case X86_INS_JB:
	case X86_INS_JE:
	case X86_INS_JGE:
	case X86_INS_JG:
	case X86_INS_JLE:
	case X86_INS_JL:
	case X86_INS_JNE:
	case X86_INS_JNO:
	case X86_INS_JNP:
	case X86_INS_JNS:
	case X86_INS_JO:
	case X86_INS_JP:
	case X86_INS_JS:
		return true;
	default:
		return false;
	}
}

static int32_t read_le32(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return (int32_t)v;
}

/* Whether the opcode after the legacy prefixes and REX is an x87 escape
 * (d8-df). capstone 4.0.2 leaves some of them (fstp st(i), fnstcw...) out
 * of X86_GRP_FPU while still filling eflags with FPU flags. */
static bool is_x87_escape(const uint8_t *code, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = code[i];
		switch (b) {
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
		case 0x64:
		case 0x65:
		case 0x66:
		case 0x67:
		case 0xf0:
		case 0xf2:
		case 0xf3:
			continue;
		default:
			if ((b & 0xf0) == 0x40 && i + 1 < len)
				continue;
			return b >= 0xd8 && b <= 0xdf;
		}
	}
	return false;
}

void disasm_insn_invalid(uint64_t address, struct disasm_insn *out)
{
	memset(out, 0, sizeof(*out));
	out->address = address;
	out->length = 1;
	out->kind = DISASM_INVALID;
}

static void map_insn(const cs_insn *in, const uint8_t *code, uint64_t address,
		     struct disasm_insn *out)
{
	const cs_detail *d = in->detail;
	const cs_x86 *x = &d->x86;
	memset(out, 0, sizeof(*out));
	out->address = address;
	out->length = (uint8_t)in->size;
	out->kind = DISASM_OTHER;

	bool relative = has_group(d, X86_GRP_BRANCH_RELATIVE);
	uint64_t branch_target = 0;
	for (unsigned i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_IMM)
			branch_target = (uint64_t)x->operands[i].imm;

	switch (in->id) {
	case X86_INS_SYSCALL:
		out->kind = DISASM_SYSCALL;
		break;
	case X86_INS_SYSENTER:
		out->kind = DISASM_SYSENTER;
		break;
	case X86_INS_INT:
		if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM &&
		    x->operands[0].imm == 0x80)
			out->kind = DISASM_INT80;
		break;
	case X86_INS_INT3:
		out->kind = DISASM_INT3;
		break;
	case X86_INS_JMP:
		out->flags |= DISASM_F_NO_FALLTHROUGH;
		out->kind = relative
				? jump_kind(x->encoding.imm_size,
					    DISASM_JMP_REL8, DISASM_JMP_REL32)
				: DISASM_JMP_INDIRECT;
		break;
	case X86_INS_CALL:
		out->kind = relative
				? jump_kind(x->encoding.imm_size, DISASM_OTHER,
					    DISASM_CALL_REL32)
				: DISASM_CALL_INDIRECT;
		break;
	case X86_INS_LOOP:
	case X86_INS_LOOPE:
	case X86_INS_LOOPNE:
	case X86_INS_JCXZ:
	case X86_INS_JECXZ:
	case X86_INS_JRCXZ:
		out->kind = DISASM_LOOP_REL8;
		break;
	case X86_INS_RET:
		out->kind = DISASM_RET;
		out->flags |= DISASM_F_NO_FALLTHROUGH;
		break;
	case X86_INS_RETF:
	case X86_INS_RETFQ:
	case X86_INS_IRET:
	case X86_INS_IRETD:
	case X86_INS_IRETQ:
	case X86_INS_LJMP:
	case X86_INS_SYSRET:
	case X86_INS_SYSEXIT:
		out->flags |= DISASM_F_NO_FALLTHROUGH;
		break;
	case X86_INS_NOP:
		out->kind = DISASM_NOP;
		out->nop_len = out->length;
		break;
	case X86_INS_ENDBR64:
		out->kind = DISASM_ENDBR64;
		break;
	case X86_INS_UD2:
		out->kind = DISASM_UD2;
		out->flags |= DISASM_F_NO_FALLTHROUGH;
		break;
	case X86_INS_HLT:
		out->kind = DISASM_HLT;
		out->flags |= DISASM_F_NO_FALLTHROUGH;
		break;
	default:
		if (is_jcc(in->id))
			out->kind =
			    jump_kind(x->encoding.imm_size, DISASM_JCC_REL8,
				      DISASM_JCC_REL32);
		break;
	}

	if (relative) {
		out->target = branch_target;
		out->imm_offset = x->encoding.imm_offset;
		out->imm_size = x->encoding.imm_size;
		if ((out->kind == DISASM_JCC_REL8 ||
		     out->kind == DISASM_JCC_REL32) &&
		    out->imm_offset > 0)
			out->condition = code[out->imm_offset - 1] & 0x0f;
	}

	/* Operands: rip-relative memory and vector registers. */
	bool eip_relative = false;
	int64_t rip_disp = 0;
	for (unsigned i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type == X86_OP_REG) {
			note_vector_reg(op->reg, out);
		} else if (op->type == X86_OP_MEM) {
			note_vector_reg(op->mem.base, out);
			note_vector_reg(op->mem.index, out);
			if (op->mem.base == X86_REG_RIP ||
			    op->mem.base == X86_REG_EIP) {
				uint64_t next = address + in->size;
				out->flags |= DISASM_F_RIP_REL;
				out->disp_offset = x->encoding.disp_offset;
				rip_disp = op->mem.disp;
				out->target = next + (uint64_t)op->mem.disp;
				if (op->mem.base == X86_REG_EIP) {
					eip_relative = true;
					out->target = (uint32_t)out->target;
				}
			}
		}
	}
	for (unsigned i = 0; i < d->regs_read_count; i++)
		note_vector_reg(d->regs_read[i], out);
	for (unsigned i = 0; i < d->regs_write_count; i++)
		note_vector_reg(d->regs_write[i], out);
	bool x87 = has_group(d, X86_GRP_FPU) || is_x87_escape(code, in->size);
	if (x87 || has_group(d, X86_GRP_MMX) || has_group(d, X86_GRP_3DNOW) ||
	    has_group(d, X86_GRP_AVX512))
		out->flags |= DISASM_F_VECTOR | DISASM_F_FULL_STATE;
	switch (in->id) {
	case X86_INS_LDMXCSR:
	case X86_INS_STMXCSR:
	case X86_INS_VLDMXCSR:
	case X86_INS_VSTMXCSR:
		out->flags |= DISASM_F_VECTOR;
		break;
	case X86_INS_FXSAVE:
	case X86_INS_FXSAVE64:
	case X86_INS_FXRSTOR:
	case X86_INS_FXRSTOR64:
		out->flags |= DISASM_F_VECTOR | DISASM_F_FULL_STATE;
		out->vector_regs = 0xffff;
		break;
	case X86_INS_XSAVE:
	case X86_INS_XSAVE64:
	case X86_INS_XSAVEC:
	case X86_INS_XSAVEC64:
	case X86_INS_XSAVEOPT:
	case X86_INS_XSAVEOPT64:
	case X86_INS_XSAVES:
	case X86_INS_XSAVES64:
	case X86_INS_XRSTOR:
	case X86_INS_XRSTOR64:
	case X86_INS_XRSTORS:
	case X86_INS_XRSTORS64:
		out->flags |=
		    DISASM_F_VECTOR | DISASM_F_YMM | DISASM_F_FULL_STATE;
		out->vector_regs = 0xffffffffu;
		break;
	default:
		break;
	}

	/* Arithmetic flags. For x87 instructions capstone's eflags field
	 * holds FPU flags instead; only fcmovcc (group CMOV) reads eflags. */
	bool reads_rflags = false;
	for (unsigned i = 0; i < d->regs_read_count; i++)
		if (d->regs_read[i] == X86_REG_EFLAGS)
			reads_rflags = true;
	if (x87) {
		if (has_group(d, X86_GRP_CMOV))
			out->flags |= DISASM_F_READS_FLAGS;
	} else {
		uint64_t e = x->eflags;
		/* adc, sbb, pushf, lahf...: capstone lists rflags as read but
		 * no TEST bit; a read of DF alone (string ops) comes with
		 * its TEST_DF bit and is not an arithmetic read. */
		if ((e & ARITH_TEST) != 0 || (reads_rflags && !(e & ANY_TEST)))
			out->flags |= DISASM_F_READS_FLAGS;
		/* A shift or rotate by zero leaves every flag alone. */
		/* Entering the kernel or a handler hands it every flag
		 * (syscall saves rflags in r11); capstone says "modified". */
		if (in->id == X86_INS_SYSCALL || in->id == X86_INS_SYSENTER ||
		    in->id == X86_INS_INT || in->id == X86_INS_INT3 ||
		    in->id == X86_INS_INT1 || in->id == X86_INS_INTO)
			out->flags |= DISASM_F_READS_FLAGS;
		if (!(out->flags & DISASM_F_READS_FLAGS) && !reads_rflags &&
		    !is_shift_or_rotate(in->id) && writes_all_arith(e))
			out->flags |= DISASM_F_WRITES_ALL_FLAGS;
	}

	/* Where the instruction may go. */
	bool rel_branch = relative;
	if (!rel_branch && !(out->flags & DISASM_F_RIP_REL)) {
		out->flags |= DISASM_F_MOVABLE;
	} else if (out->flags & DISASM_F_RIP_REL) {
		/* Re-basing needs the disp32 where capstone says it is. */
		if (!eip_relative && out->disp_offset != 0 &&
		    out->disp_offset + 4u <= out->length &&
		    (int64_t)read_le32(code + out->disp_offset) == rip_disp)
			out->flags |= DISASM_F_RELOCATABLE;
	} else {
		switch (out->kind) {
		case DISASM_JMP_REL8:
		case DISASM_JMP_REL32:
		case DISASM_JCC_REL8:
		case DISASM_JCC_REL32:
		case DISASM_CALL_REL32:
			out->flags |= DISASM_F_RELOCATABLE;
			break;
		default:
			break;
		}
	}
}

bool disasm_decode(struct disasm_ctx *ctx, const uint8_t *code, size_t avail,
		   uint64_t address, struct disasm_insn *out)
{
	if (ctx == NULL || avail == 0 || !ctx_ready(ctx)) {
		disasm_insn_invalid(address, out);
		return false;
	}
	const uint8_t *p = code;
	size_t n = avail < DISASM_MAX_INSN_LEN ? avail : DISASM_MAX_INSN_LEN;
	uint64_t a = address;
	struct disasm_ctx *saved = enter(ctx);
	bool ok = cs_disasm_iter(ctx->handle, &p, &n, &a, ctx->insn);
	current = saved;
	if (!ok || ctx->insn->size == 0 ||
	    ctx->insn->size > DISASM_MAX_INSN_LEN) {
		disasm_insn_invalid(address, out);
		return false;
	}
	map_insn(ctx->insn, code, address, out);
	return true;
}

bool disasm_analyze(struct disasm_ctx *ctx, const uint8_t *code, size_t avail,
		    uint64_t address, struct disasm_insn *out)
{
	if (disasm_decode_fast(code, avail, address, out))
		return true;
	if (ctx != NULL)
		return disasm_decode(ctx, code, avail, address, out);
	size_t len = disasm_length_fast(code, avail);
	disasm_insn_invalid(address, out);
	out->length = (uint8_t)(len != 0 ? len : 1);
	return false;
}

bool disasm_format(struct disasm_ctx *ctx, const uint8_t *code, size_t avail,
		   uint64_t address, char *buf, size_t size)
{
	if (size == 0)
		return false;
	buf[0] = '\0';
	if (ctx == NULL || avail == 0 || !ctx_ready(ctx))
		return false;
	const uint8_t *p = code;
	size_t n = avail < DISASM_MAX_INSN_LEN ? avail : DISASM_MAX_INSN_LEN;
	uint64_t a = address;
	struct disasm_ctx *saved = enter(ctx);
	bool ok = cs_disasm_iter(ctx->handle, &p, &n, &a, ctx->insn);
	current = saved;
	if (!ok)
		return false;
	const cs_insn *in = ctx->insn;
	size_t len = 0;
	for (const char *s = in->mnemonic; *s && len + 1 < size; s++)
		buf[len++] = *s;
	if (in->op_str[0] != '\0' && len + 1 < size)
		buf[len++] = ' ';
	for (const char *s = in->op_str; *s && len + 1 < size; s++)
		buf[len++] = *s;
	buf[len] = '\0';
	return true;
}

const char *disasm_kind_name(enum disasm_kind kind)
{
	static const char *const names[DISASM_KIND_COUNT] = {
	    [DISASM_INVALID] = "invalid",
	    [DISASM_OTHER] = "other",
	    [DISASM_SYSCALL] = "syscall",
	    [DISASM_SYSENTER] = "sysenter",
	    [DISASM_INT80] = "int 0x80",
	    [DISASM_JMP_REL8] = "jmp rel8",
	    [DISASM_JMP_REL32] = "jmp rel32",
	    [DISASM_JCC_REL8] = "jcc rel8",
	    [DISASM_JCC_REL32] = "jcc rel32",
	    [DISASM_LOOP_REL8] = "loop rel8",
	    [DISASM_CALL_REL32] = "call rel32",
	    [DISASM_JMP_INDIRECT] = "jmp indirect",
	    [DISASM_CALL_INDIRECT] = "call indirect",
	    [DISASM_RET] = "ret",
	    [DISASM_NOP] = "nop",
	    [DISASM_INT3] = "int3",
	    [DISASM_ENDBR64] = "endbr64",
	    [DISASM_UD2] = "ud2",
	    [DISASM_HLT] = "hlt",
	};
	if ((unsigned)kind >= DISASM_KIND_COUNT)
		return "unknown";
	return names[kind];
}
