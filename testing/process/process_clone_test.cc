// intercept_hook_point_clone_child and intercept_hook_point_clone_parent
// fire exactly once per creation: once in the parent, with the child's id,
// and once in the child. prog_spawn creates exactly one child per run and
// nothing else in the run creates any, so the whole log must hold exactly
// one of each.
#include <string>

#include "gtest/gtest.h"
#include "testing/process/process_creation_cases.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

class ProcessCloneTest : public ::testing::TestWithParam<CreationCase>
{
};

TEST_P(ProcessCloneTest, CloneHooksFireOncePerCreation)
{
	const CreationCase &c = GetParam();
	CreationRun run = RunCreation(c);
	ASSERT_FALSE(run.result.timed_out) << run.result.out << run.result.err;
	ASSERT_EQ(run.result.exit_code, 0) << run.result.out << run.result.err;
	ASSERT_EQ(run.status, c.status) << run.result.out << run.result.err;

	std::vector<Event> parents, children;
	for (const Event &e : run.events) {
		if (e.name == "clone_parent")
			parents.push_back(e);
		else if (e.name == "clone_child")
			children.push_back(e);
	}
	const std::string log = EventsToString(run.events);
	ASSERT_EQ(parents.size(), 1u) << "clone_parent events:\n" << log;
	ASSERT_EQ(children.size(), 1u) << "clone_child events:\n" << log;

	const Event &p = parents[0], &ch = children[0];
	// In the parent, on the thread that made the call, with the child's id.
	EXPECT_EQ(p.pid, run.parent) << log;
	EXPECT_EQ(p.tid, run.parent) << log;
	if (c.id_known) {
		EXPECT_EQ(p.arg, run.child) << log;
	}
	// In the child: the process (or thread) the parent was told about.
	EXPECT_TRUE(FromChild(c, run, ch)) << "child " << run.child << "\n"
					   << log;
	EXPECT_EQ(c.is_thread ? ch.tid : ch.pid, p.arg) << log;
}

INSTANTIATE_TEST_SUITE_P(
    Modes, ProcessCloneTest, ::testing::ValuesIn(CreationCases()),
    [](const ::testing::TestParamInfo<CreationCase> &info) {
	    return std::string(info.param.mode);
    });

} // namespace
} // namespace si_process
