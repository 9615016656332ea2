// Small helpers shared by tests that run the project's binaries.
#ifndef SYSCALL_INTERCEPT_TESTING_UTIL_TEST_UTIL_H
#define SYSCALL_INTERCEPT_TESTING_UTIL_TEST_UTIL_H

#include <string>

namespace si_test
{

// Absolute path of a file in this workspace's runfiles, e.g.
// Runfile("tools/si_plan").
std::string Runfile(const std::string &workspace_relative);

// Runs `cmd` with /bin/sh; returns what it wrote to stdout and stderr, and
// its exit status in *rc (-1 if it did not exit normally).
std::string Shell(const std::string &cmd, int *rc);

} // namespace si_test

#endif
