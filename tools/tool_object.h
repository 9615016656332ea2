/*
 * What si_sites and si_plan share: working memory, a capstone context, and
 * the object to look at (an ELF file, or the libc loaded in the tool),
 * analyzed into its syscall sites. Errors are printed with the tool's name.
 */
#ifndef SYSCALL_INTERCEPT_TOOLS_TOOL_OBJECT_H
#define SYSCALL_INTERCEPT_TOOLS_TOOL_OBJECT_H

#include <stdbool.h>

#include "base/arena.h"
#include "disasm/disasm.h"
#include "patcher/locator.h"
#include "patcher/sites.h"

struct tool_object {
	struct arena arena;
	struct disasm_ctx *ctx;
	struct locator_object obj;
	struct sites_input in;
	struct sites_result sites;
};

/* Opens `file` (NULL: the live libc) and finds its sites, with the full
 * capstone sweep when `sweep`. Returns false after printing why. */
bool tool_object_open(struct tool_object *t, const char *tool, const char *file,
		      bool sweep);

/* Releases everything tool_object_open acquired. */
void tool_object_close(struct tool_object *t);

/* Writes capstone's text and the hex bytes of one instruction of the
 * object ("?" when its bytes are not readable). */
void tool_insn_text(struct tool_object *t, const struct disasm_insn *insn,
		    char *text, size_t text_size, char *hex, size_t hex_size);

#endif
