#include "syscalls/syscalls.h"

#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include <string>

#include "gtest/gtest.h"

namespace
{

TEST(Syscalls, NamesMatchTheSystemHeaders)
{
	// Every __NR_ constant of the installed kernel headers is in the
	// table under its own name.
	FILE *f = fopen("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "r");
	ASSERT_NE(f, nullptr);
	char line[256];
	int seen = 0;
	while (fgets(line, sizeof line, f)) {
		char name[128];
		long nr;
		if (sscanf(line, "#define __NR_%127s %ld", name, &nr) != 2)
			continue;
		seen++;
		ASSERT_NE(syscalls_name(nr), nullptr) << name;
		EXPECT_STREQ(syscalls_name(nr), name);
		EXPECT_EQ(syscalls_number(name), nr);
	}
	fclose(f);
	EXPECT_GT(seen, 350);
}

TEST(Syscalls, NewerThanTheHeaders)
{
	EXPECT_STREQ(syscalls_name(435), "clone3");
	EXPECT_STREQ(syscalls_name(437), "openat2");
	EXPECT_STREQ(syscalls_name(332), "statx");
	EXPECT_STREQ(syscalls_name(449), "futex_waitv");
	EXPECT_STREQ(syscalls_name(451), "cachestat");
	EXPECT_STREQ(syscalls_name(462), "mseal");
	EXPECT_EQ(syscalls_number("landlock_create_ruleset"), 444);
	EXPECT_EQ(syscalls_number("io_uring_setup"), SYS_io_uring_setup);
}

TEST(Syscalls, UnknownNumbersAndNames)
{
	EXPECT_EQ(syscalls_name(-1), nullptr);
	EXPECT_EQ(syscalls_name(400), nullptr); // unused on x86_64
	EXPECT_EQ(syscalls_name(SYSCALLS_LIMIT), nullptr);
	EXPECT_EQ(syscalls_name(1L << 40), nullptr);
	EXPECT_EQ(syscalls_number("no_such_call"), -1);
	EXPECT_EQ(syscalls_number(""), -1);
}

TEST(Syscalls, PathArgs)
{
	EXPECT_EQ(syscalls_path_args(SYS_open), 1u);
	EXPECT_EQ(syscalls_path_args(SYS_openat), 2u);
	EXPECT_EQ(syscalls_path_args(SYS_rename), 3u);
	EXPECT_EQ(syscalls_path_args(SYS_renameat2), (1u << 1) | (1u << 3));
	EXPECT_EQ(syscalls_path_args(SYS_linkat), (1u << 1) | (1u << 3));
	EXPECT_EQ(syscalls_path_args(SYS_symlinkat), (1u << 0) | (1u << 2));
	EXPECT_EQ(syscalls_path_args(SYS_inotify_add_watch), 2u);
	EXPECT_EQ(syscalls_path_args(SYS_fanotify_mark), 1u << 4);
	EXPECT_EQ(syscalls_path_args(SYS_execve), 1u);
	EXPECT_EQ(syscalls_path_args(SYS_statx), 2u);
	EXPECT_EQ(syscalls_path_args(437), 2u); // openat2
	EXPECT_EQ(syscalls_path_args(SYS_read), 0u);
	EXPECT_EQ(syscalls_path_args(SYS_fstat), 0u);
	EXPECT_EQ(syscalls_path_args(SYS_mount), 2u); // source is a string
	EXPECT_EQ(syscalls_path_args(-1), 0u);
	EXPECT_EQ(syscalls_path_args(400), 0u);
	EXPECT_EQ(syscalls_path_args(SYSCALLS_LIMIT), 0u);
	// Only argument bits, and on the calls that take paths.
	int with_paths = 0;
	for (long nr = 0; nr < SYSCALLS_LIMIT; nr++) {
		unsigned m = syscalls_path_args(nr);
		EXPECT_LT(m, 1u << 6) << nr;
		if (m) {
			EXPECT_LT(31 - __builtin_clz(m), syscalls_arg_count(nr))
			    << nr;
		}
		with_paths += m != 0;
	}
	EXPECT_GT(with_paths, 60);
}

} // namespace
