// A raw `syscall` in the main executable, PIE and position-dependent: seen
// with INTERCEPT_ALL_OBJS=1, not by default (only libc and the loader).
#include <elf.h>

#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

uint16_t ElfType(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	Elf64_Ehdr h = {};
	in.read(reinterpret_cast<char *>(&h), sizeof(h));
	return h.e_type;
}

struct ExeCase {
	const char *prog;
	uint16_t type; // ET_DYN: PIE; ET_EXEC: position-dependent
};

class ExeTest : public ::testing::TestWithParam<ExeCase>
{
};

TEST_P(ExeTest, RawSyscallInTheProgram)
{
	const ExeCase &c = GetParam();
	std::string path = HelperPath(c.prog);
	ASSERT_EQ(ElfType(path), c.type) << "built as intended";
	RunResult plain = RunProgram(path, {c.prog});
	EXPECT_EQ(plain.out, "kernel\n");
	RunResult def =
	    RunProgram(path, {c.prog}, HookEnv(StaticHookPath(), ""));
	EXPECT_EQ(def.exit_code, 0) << def.err;
	EXPECT_EQ(def.out, "kernel\n") << "not patched by default";
	RunResult all =
	    RunProgram(path, {c.prog},
		       HookEnv(StaticHookPath(), "", {"INTERCEPT_ALL_OBJS=1"}));
	EXPECT_EQ(all.exit_code, 0) << all.err;
	EXPECT_EQ(all.out, "hooked\n") << all.err;
}

INSTANTIATE_TEST_SUITE_P(Builds, ExeTest,
			 ::testing::Values(ExeCase{"prog_raw_pie", ET_DYN},
					   ExeCase{"prog_raw_nopie", ET_EXEC}),
			 [](const ::testing::TestParamInfo<ExeCase> &info) {
				 return std::string(info.param.type == ET_DYN
							? "Pie"
							: "NoPie");
			 });

} // namespace
} // namespace si_process
