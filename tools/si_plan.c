/*
 * si_plan: prints the patch plan for every syscall site of an ELF file (or
 * of the live libc): per site its kind, the bytes it overwrites, the
 * instructions moved into its trampoline and the entry it uses; then
 * totals.
 *
 *   si_plan [--summary] [FILE]
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "patcher/planner.h"
#include "tools/tool_object.h"
#include "trampoline/entry_abi.h"

static const char *save_name(unsigned save)
{
	switch (save) {
	case SI_SITE_SAVE_NONE:
		return "none";
	case SI_SITE_SAVE_SSE:
		return "sse";
	case SI_SITE_SAVE_FULL:
		return "full";
	}
	return "?";
}

static void print_insn(struct tool_object *t, const struct disasm_insn *insn,
		       const char *mark)
{
	char text[96], hex[3 * DISASM_MAX_INSN_LEN + 1];
	tool_insn_text(t, insn, text, sizeof(text), hex, sizeof(hex));
	printf("    %s 0x%llx  %-36s %s\n", mark,
	       (unsigned long long)(insn->address - t->obj.bias), hex, text);
}

int main(int argc, char **argv)
{
	int summary = 0;
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--summary"))
			summary = 1;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: si_plan [--summary] [FILE]\n");
			return strcmp(argv[i], "-h") &&
				       strcmp(argv[i], "--help")
				   ? 2
				   : 0;
		} else
			file = argv[i];
	}
	struct tool_object t;
	if (!tool_object_open(&t, "si_plan", file, false))
		return 1;
	const struct locator_object *obj = &t.obj;
	struct plan_result plan;
	int err = planner_plan(obj, &t.sites, t.ctx, &t.arena, &plan);
	if (err != 0) {
		fprintf(stderr, "si_plan: %s: planning failed (%d)\n",
			obj->path, err);
		return 1;
	}
	size_t moved = 0, flags_live = 0, by_save[3] = {0, 0, 0};
	for (size_t i = 0; i < plan.n_sites; i++) {
		const struct plan_site *p = &plan.sites[i];
		const struct sites_site *s = p->site;
		if (p->kind == PLAN_INLINE)
			moved += p->count - 1u;
		flags_live += p->flags_live;
		by_save[p->save & 3]++;
		if (summary)
			continue;
		printf("site 0x%llx: %s",
		       (unsigned long long)(s->address - obj->bias),
		       planner_kind_name((enum plan_kind)p->kind));
		if (p->kind == PLAN_FALLBACK)
			printf(" (%s), trapped: int3 at 0x%llx",
			       planner_reason_name((enum plan_reason)p->reason),
			       (unsigned long long)(s->address - obj->bias));
		else
			printf(
			    ", %u bytes at 0x%llx", p->patch_len,
			    (unsigned long long)(p->patch_start - obj->bias));
		if (p->kind == PLAN_PADDING)
			printf(", slot at 0x%llx",
			       (unsigned long long)(p->pad_slot - obj->bias));
		printf(", entry %s, save %s\n",
		       p->flags_live ? "si_entry_flags" : "si_entry",
		       save_name(p->save));
		for (unsigned k = 0; k < s->n_insns; k++) {
			bool in_range = p->kind == PLAN_INLINE &&
					k >= p->first &&
					k < p->first + p->count;
			const char *mark = k == s->syscall_index ? ">"
					   : in_range		 ? "*"
								 : " ";
			print_insn(&t, &s->insns[k], mark);
		}
	}
	printf("%s: %zu sites: %zu inline, %zu padding, %zu fallback; %zu "
	       "instructions moved; %zu sites need rflags kept; vector save "
	       "none/sse/full: %zu/%zu/%zu\n",
	       obj->path, plan.n_sites, plan.n_inline, plan.n_padding,
	       plan.n_fallback, moved, flags_live, by_save[0], by_save[1],
	       by_save[2]);
	tool_object_close(&t);
	return 0;
}
