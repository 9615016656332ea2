#include "testing/util/test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

namespace si_test
{

std::string Runfile(const std::string &rel)
{
	const char *dir = getenv("TEST_SRCDIR");
	return std::string(dir ? dir : ".") + "/syscall_intercept/" + rel;
}

std::string Shell(const std::string &cmd, int *rc)
{
	FILE *p = popen((cmd + " 2>&1").c_str(), "r");
	std::string out;
	if (!p) {
		*rc = -1;
		return out;
	}
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		out.append(buf, n);
	int status = pclose(p);
	*rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return out;
}

} // namespace si_test
