// Every way of creating a process or thread works under the library: the
// child runs and ends with its status, and the hook fires in the child (its
// getppid call is in the event log under the child's id).
#include <string>

#include "gtest/gtest.h"
#include "testing/process/process_creation_cases.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

class ProcessCreationTest : public ::testing::TestWithParam<CreationCase>
{
};

TEST_P(ProcessCreationTest, ChildRunsAndIsHooked)
{
	const CreationCase &c = GetParam();
	CreationRun run = RunCreation(c);
	ASSERT_FALSE(run.result.timed_out) << run.result.out << run.result.err;
	ASSERT_EQ(run.result.exit_code, 0) << run.result.out << run.result.err;
	ASSERT_EQ(run.parent, (long)run.result.pid) << run.result.out;
	EXPECT_EQ(run.status, c.status) << run.result.out << run.result.err;
	if (c.id_known) {
		EXPECT_GT(run.child, 0) << run.result.out;
	}

	int child_getppid = 0;
	for (const Event &e : run.events)
		if (e.name == "getppid" && FromChild(c, run, e))
			child_getppid++;
	EXPECT_GE(child_getppid, 1)
	    << "no getppid from child " << run.child << " of " << run.parent
	    << " in the hook's events:\n"
	    << EventsToString(run.events);
	// The parent itself never calls getppid.
	for (const Event &e : run.events) {
		if (e.name == "getppid") {
			EXPECT_FALSE(e.pid == run.parent && e.tid == run.parent)
			    << EventsToString(run.events);
		}
	}
}

INSTANTIATE_TEST_SUITE_P(
    Modes, ProcessCreationTest, ::testing::ValuesIn(CreationCases()),
    [](const ::testing::TestParamInfo<CreationCase> &info) {
	    return std::string(info.param.mode);
    });

} // namespace
} // namespace si_process
