/* Prints fast_tables.inc:
 *   bazel run //disasm:fast_gen_main > disasm/fast_tables.inc */
#include <stdio.h>
#include <stdlib.h>

#include "disasm/disasm.h"
#include "disasm/fast_gen.h"

int main(void)
{
	static unsigned char arena[DISASM_ARENA_MIN]
	    __attribute__((aligned(16)));
	struct disasm_ctx *ctx = disasm_open(arena, sizeof(arena));
	if (ctx == NULL) {
		fprintf(stderr, "fast_gen: cannot open capstone\n");
		return 1;
	}
	struct disasm_fast_gen *g = malloc(sizeof(*g));
	if (g == NULL)
		return 1;
	disasm_fast_gen_run(ctx, g);
	int rc = disasm_fast_gen_print(g, stdout);
	if (rc != 0)
		fprintf(stderr, "fast_gen: more than 255 attribute words\n");
	free(g);
	disasm_close(ctx);
	return rc == 0 ? 0 : 1;
}
