#include "tools/tool_object.h"

#include <stdio.h>
#include <unistd.h>

#include "patcher/object_input.h"

bool tool_object_open(struct tool_object *t, const char *tool, const char *file,
		      bool sweep)
{
	if (arena_init_mmap(&t->arena, 256u << 20) != 0) {
		fprintf(stderr, "%s: cannot map working memory\n", tool);
		return false;
	}
	void *cs_mem = arena_alloc(&t->arena, DISASM_ARENA_MIN * 4, 16);
	t->ctx = disasm_open(cs_mem, DISASM_ARENA_MIN * 4);
	if (!t->ctx) {
		fprintf(stderr, "%s: cannot open capstone\n", tool);
		return false;
	}
	int err = file ? locator_open_file(file, &t->arena, &t->obj)
		       : locator_open_loaded((const void *)&getpid, NULL, 0,
					     &t->arena, &t->obj);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", tool, file ? file : "libc",
			locator_strerror(err));
		return false;
	}
	if ((err = object_sites_input(&t->obj, &t->arena, &t->in)) != 0 ||
	    (err = sweep
		       ? sites_find_sweep(&t->in, t->ctx, &t->arena, &t->sites)
		       : sites_find(&t->in, t->ctx, &t->arena, &t->sites)) !=
		0) {
		fprintf(stderr, "%s: %s: analysis failed (%d)\n", tool,
			t->obj.path, err);
		return false;
	}
	return true;
}

void tool_object_close(struct tool_object *t)
{
	locator_close(&t->obj);
	disasm_close(t->ctx);
	arena_release(&t->arena);
}

void tool_insn_text(struct tool_object *t, const struct disasm_insn *insn,
		    char *text, size_t text_size, char *hex, size_t hex_size)
{
	const uint8_t *code =
	    locator_bytes(&t->obj, insn->address, insn->length);
	snprintf(text, text_size, "?");
	if (hex_size)
		hex[0] = 0;
	if (!code)
		return;
	disasm_format(t->ctx, code, insn->length, insn->address, text,
		      text_size);
	for (unsigned b = 0; b < insn->length && 3 * b + 4 <= hex_size; b++)
		snprintf(hex + 3 * b, 4, "%02x ", code[b]);
}
