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

#include "tools/tool_object.h"

static void usage(void)
{
	fprintf(stderr, "usage: si_sites [--summary] [--sweep] [FILE]\n"
			"  FILE  an ELF shared object or executable "
			"(default: the live libc)\n");
}

static void print_site(struct tool_object *t, const struct sites_site *s)
{
	const struct locator_object *obj = &t->obj;
	printf("site 0x%llx  in %s [0x%llx, 0x%llx)%s%s\n",
	       (unsigned long long)(s->address - obj->bias),
	       (s->flags & SITES_OUTSIDE_FDE) ? "gap" : "function",
	       (unsigned long long)(s->range_start - obj->bias),
	       (unsigned long long)(s->range_end - obj->bias),
	       (s->flags & SITES_USES_VECTOR) ? "  uses-vector" : "",
	       (s->vector_flags & DISASM_F_FULL_STATE) ? "(full)" : "");
	for (unsigned i = 0; i < s->n_insns; i++) {
		const struct disasm_insn *insn = &s->insns[i];
		char text[96], hex[3 * DISASM_MAX_INSN_LEN + 1];
		tool_insn_text(t, insn, text, sizeof(text), hex, sizeof(hex));
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
	struct tool_object t;
	if (!tool_object_open(&t, "si_sites", file, sweep))
		return 1;
	const struct sites_result *res = &t.sites;
	size_t outside = 0, vector = 0;
	for (size_t i = 0; i < res->n_sites; i++) {
		const struct sites_site *s = &res->sites[i];
		outside += (s->flags & SITES_OUTSIDE_FDE) != 0;
		vector += (s->flags & SITES_USES_VECTOR) != 0;
		if (!summary)
			print_site(&t, s);
	}
	printf("%s: %zu syscall sites (%zu `0f 05` byte pairs), %zu outside "
	       "every FDE, %zu in functions using vector state; %zu ranges "
	       "decoded (%zu bytes), %zu cross-range branch checks; %zu FDE "
	       "ranges, %zu symbol starts, %zu padding runs\n",
	       t.obj.path, res->n_sites, res->n_candidates, outside, vector,
	       res->n_functions_decoded, res->bytes_decoded,
	       res->n_cross_checks, t.obj.function_count, t.obj.symbol_count,
	       t.obj.padding_count);
	tool_object_close(&t);
	return 0;
}
