// What both golden tests do alike: analyze the loaded fixture as the
// library does at start-up, and check their own process for W^X.
#ifndef SYSCALL_INTERCEPT_TESTING_GOLDEN_GOLDEN_UTIL_H
#define SYSCALL_INTERCEPT_TESTING_GOLDEN_GOLDEN_UTIL_H

#include <stdio.h>

#include <string>
#include <vector>

#include "base/arena.h"
#include "disasm/disasm.h"
#include "gtest/gtest.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"
#include "patcher/sites.h"

// Maps a 64 MiB arena, opens a decoder in it, and finds the syscall sites of
// the loaded object that holds `symbol`. Fails the test (fatally) if any
// step fails.
inline void AnalyzeLoaded(const void *symbol, struct arena *arena,
			  struct disasm_ctx **ctx, struct locator_object *obj,
			  struct sites_result *sites)
{
	ASSERT_EQ(arena_init_mmap(arena, 64u << 20), 0);
	void *mem = arena_alloc(arena, DISASM_ARENA_MIN * 4, 16);
	*ctx = disasm_open(mem, DISASM_ARENA_MIN * 4);
	ASSERT_NE(*ctx, nullptr);
	ASSERT_EQ(locator_open_loaded(symbol, nullptr, 0, arena, obj), 0);
	struct sites_input in;
	ASSERT_EQ(object_sites_input(obj, arena, &in), 0);
	ASSERT_EQ(sites_find(&in, *ctx, arena, sites), SITES_OK);
}

// The mappings of this process that are writable and executable at once,
// as lines of /proc/self/maps (a line saying so if it cannot be read).
inline std::vector<std::string> WritableExecutableMappings()
{
	std::vector<std::string> wx;
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return {"(/proc/self/maps cannot be read)"};
	char line[512];
	while (fgets(line, sizeof line, f)) {
		char perms[8] = {0};
		if (sscanf(line, "%*s %7s", perms) != 1 ||
		    (perms[1] == 'w' && perms[2] == 'x'))
			wx.push_back(line);
	}
	fclose(f);
	return wx;
}

#endif
