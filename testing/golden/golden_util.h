// The mappings of this process that are writable and executable at once,
// as lines of /proc/self/maps (a line saying so if it cannot be read).
#ifndef SYSCALL_INTERCEPT_TESTING_GOLDEN_WX_MAPS_H
#define SYSCALL_INTERCEPT_TESTING_GOLDEN_WX_MAPS_H

#include <stdio.h>

#include <string>
#include <vector>

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
