/*
 * si_sites: prints the syscall-site analysis of an ELF file or of the live
 * libc: every site, the instructions around it and which bytes of its
 * neighbourhood are branch targets or function starts.
 *
 *   si_sites [--summary] [--sweep] [FILE]
 *
 * Without FILE, the libc loaded in this process is analyzed. --sweep uses
 * the reference full capstone sweep instead of the fast analysis.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "disasm/disasm.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"
#include "patcher/sites.h"

static void usage(void)
{
	fprintf(stderr, "usage: si_sites [--summary] [--sweep] [FILE]\n"
			"  FILE  an ELF shared object or executable "
			"(default: the live libc)\n");
}

static void print_site(struct disasm_ctx *ctx, const struct locator_object *obj,
		       const struct sites_site *s)
{
	printf("site 0x%llx  in %s [0x%llx, 0x%llx)%s%s\n",
	       (unsigned long long)(s->address - obj->bias),
	       (s->flags & SITES_OUTSIDE_FDE) ? "gap" : "function",
	       (unsigned long long)(s->range_start - obj->bias),
	       (unsigned long long)(s->range_end - obj->bias),
	       (s->flags & SITES_USES_VECTOR) ? "  uses-vector" : "",
	       (s->vector_flags & DISASM_F_FULL_STATE) ? "(full)" : "");
	for (unsigned i = 0; i < s->n_insns; i++) {
		const struct disasm_insn *insn = &s->insns[i];
		const uint8_t *code =
		    locator_bytes(obj, insn->address, insn->length);
		char text[96] = "?";
		char hex[3 * DISASM_MAX_INSN_LEN + 1] = "";
		if (code) {
			disasm_format(ctx, code, insn->length, insn->address,
				      text, sizeof(text));
			for (unsigned b = 0; b < insn->length; b++)
				snprintf(hex + 3 * b, 4, "%02x ", code[b]);
		}
		/* Flags of each byte: E entry (branch target), F function or
		 * symbol start, . neither. */
		char marks[DISASM_MAX_INSN_LEN + 1];
		for (unsigned b = 0; b < insn->length; b++) {
			uint64_t a = insn->address + b;
			marks[b] = sites_is_func_start(s, a) ? 'F'
				   : sites_is_entry(s, a)    ? 'E'
							     : '.';
		}
		marks[insn->length] = 0;
		printf("  %c 0x%llx  %-45s %-15s %s\n",
		       i == s->syscall_index ? '>' : ' ',
		       (unsigned long long)(insn->address - obj->bias), hex,
		       marks, text);
	}
}

int main(int argc, char **argv)
{
	int summary = 0, sweep = 0;
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--summary"))
			summary = 1;
		else if (!strcmp(argv[i], "--sweep"))
			sweep = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
			return 0;
		} else if (argv[i][0] == '-') {
			usage();
			return 2;
		} else
			file = argv[i];
	}

	struct arena arena;
	if (arena_init_mmap(&arena, 256u << 20) != 0) {
		fprintf(stderr, "si_sites: cannot map working memory\n");
		return 1;
	}
	void *cs_mem = arena_alloc(&arena, DISASM_ARENA_MIN * 4, 16);
	struct disasm_ctx *ctx = disasm_open(cs_mem, DISASM_ARENA_MIN * 4);
	if (!ctx) {
		fprintf(stderr, "si_sites: cannot open capstone\n");
		return 1;
	}

	struct locator_object obj;
	int err = file ? locator_open_file(file, &arena, &obj)
		       : locator_open_loaded((const void *)&getpid, NULL, 0,
					     &arena, &obj);
	if (err) {
		fprintf(stderr, "si_sites: %s: %s\n", file ? file : "libc",
			locator_strerror(err));
		return 1;
	}
	struct sites_input in;
	struct sites_result res;
	if (object_sites_input(&obj, &arena, &in) != 0 ||
	    (err = sweep ? sites_find_sweep(&in, ctx, &arena, &res)
			 : sites_find(&in, ctx, &arena, &res)) != 0) {
		fprintf(stderr, "si_sites: analysis failed (%d)\n", err);
		return 1;
	}

	size_t outside = 0, vector = 0;
	for (size_t i = 0; i < res.n_sites; i++) {
		const struct sites_site *s = &res.sites[i];
		outside += (s->flags & SITES_OUTSIDE_FDE) != 0;
		vector += (s->flags & SITES_USES_VECTOR) != 0;
		if (!summary)
			print_site(ctx, &obj, s);
	}
	printf("%s: %zu syscall sites (%zu `0f 05` byte pairs), %zu outside "
	       "every FDE, %zu in functions using vector state; %zu ranges "
	       "decoded (%zu bytes), %zu cross-range branch checks; %zu FDE "
	       "ranges, %zu symbol starts, %zu padding runs\n",
	       obj.path, res.n_sites, res.n_candidates, outside, vector,
	       res.n_functions_decoded, res.bytes_decoded, res.n_cross_checks,
	       obj.function_count, obj.symbol_count, obj.padding_count);
	locator_close(&obj);
	disasm_close(ctx);
	arena_release(&arena);
	return 0;
}
