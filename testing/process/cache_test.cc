// The plan cache seen from whole processes: the first run saves the plan,
// later runs use it and behave the same, a damaged cache is never applied
// (and is replaced), and the cache can be turned off or refused.
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

RunResult RunHooked(const std::string &cache, const std::string &rec,
		    const std::vector<std::string> &extra = {})
{
	std::vector<std::string> env = {"INTERCEPT_CACHE_DIR=" + cache,
					"INTERCEPT_DEBUG_DUMP=1",
					"SI_REC_GETPPID=424242"};
	env.insert(env.end(), extra.begin(), extra.end());
	return RunProgram(HelperPath("prog_getppid"), {"prog_getppid", "3"},
			  HookEnv(StaticHookPath(), rec, env));
}

const char kFromCache[] = "526 sites, 526 inline, 0 padding, 0 not patched "
			  "(plan from the cache)";
const char kLoaderFromCache[] = "46 sites, 46 inline, 0 padding, 0 not "
				"patched (plan from the cache)";

// The cache files, libc's first: one for libc and one for the loader, the
// two objects patched by default.
std::vector<std::string> CacheFiles(const std::string &dir)
{
	std::vector<std::string> files = DirEntries(dir);
	std::sort(files.begin(), files.end(),
		  [](const std::string &a, const std::string &b) {
			  return (a.rfind("libc", 0) == 0) >
				 (b.rfind("libc", 0) == 0);
		  });
	return files;
}

TEST(CacheTest, FirstRunSavesLaterRunsUseIt)
{
	std::string cache = MakeTempDir("cache");
	RunResult first = RunHooked(cache, MakeTempDir("rec1"));
	ASSERT_EQ(first.exit_code, 0) << first.err;
	EXPECT_EQ(first.out, "getppid 424242\n");
	EXPECT_EQ(first.err.find("(plan from the cache)"), std::string::npos);
	std::vector<std::string> files = CacheFiles(cache);
	ASSERT_EQ(files.size(), 2u);
	EXPECT_EQ(files[0].rfind("libc.so.6-", 0), 0u) << files[0];
	EXPECT_EQ(files[1].rfind("ld-linux-x86-64.so.2-", 0), 0u) << files[1];
	for (const std::string &f : files) {
		struct stat st;
		ASSERT_EQ(stat((cache + "/" + f).c_str(), &st), 0);
		EXPECT_EQ(st.st_mode & 0777, 0600u);
	}

	std::string rec = MakeTempDir("rec2");
	RunResult second = RunHooked(cache, rec);
	ASSERT_EQ(second.exit_code, 0) << second.err;
	EXPECT_EQ(second.out, first.out);
	EXPECT_NE(second.err.find(kFromCache), std::string::npos) << second.err;
	EXPECT_NE(second.err.find(kLoaderFromCache), std::string::npos)
	    << second.err;
	EXPECT_EQ(CountOf(ReadCounts(rec, second.pid), SYS_getppid), 3);
}

TEST(CacheTest, DamagedCacheIsNotAppliedAndIsReplaced)
{
	std::string cache = MakeTempDir("cache_bad");
	ASSERT_EQ(RunHooked(cache, MakeTempDir("r1")).exit_code, 0);
	std::vector<std::string> files = CacheFiles(cache);
	ASSERT_EQ(files.size(), 2u);
	ASSERT_EQ(files[0].rfind("libc.so.6-", 0), 0u) << files[0];
	std::string path = cache + "/" + files[0];
	std::string data = ReadFile(path);
	ASSERT_GT(data.size(), 4096u);
	for (size_t i = 1000; i < 1100; i++) // inside the first records
		data[i] = (char)(data[i] ^ 0x5a);
	WriteFile(path, data);
	chmod(path.c_str(), 0600);

	RunResult r = RunHooked(cache, MakeTempDir("r2"));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "getppid 424242\n");
	EXPECT_EQ(r.err.find(kFromCache), std::string::npos) << r.err;
	RunResult again = RunHooked(cache, MakeTempDir("r3"));
	EXPECT_NE(again.err.find(kFromCache), std::string::npos) << again.err;

	WriteFile(path, "not a cache"); // too short to be one
	chmod(path.c_str(), 0600);
	r = RunHooked(cache, MakeTempDir("r4"));
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "getppid 424242\n");
}

// The checksum catches the smallest damage too: one bit flipped in the
// last record, or two different words of the records swapped (a sum of the
// words alone would miss the swap). Each time the plan is not applied, the
// program runs as before, and the next run has a good cache again.
TEST(CacheTest, OneBitOrTwoSwappedWordsAreCaught)
{
	std::string cache = MakeTempDir("cache_small");
	ASSERT_EQ(RunHooked(cache, MakeTempDir("s1")).exit_code, 0);
	std::vector<std::string> files = CacheFiles(cache);
	ASSERT_EQ(files.size(), 2u);
	std::string path = cache + "/" + files[0];
	const std::string good = ReadFile(path);
	ASSERT_GT(good.size(), 8192u);

	std::string flipped = good;
	flipped[flipped.size() - 1] ^= 0x10;
	// Two 8-byte words deep in the records that differ, swapped.
	std::string swapped = good;
	size_t i = 4096, j = 4096 + 32 * 3; // the same lane
	while (j + 8 <= good.size() && good.compare(i, 8, good, j, 8) == 0)
		i += 8, j += 8;
	ASSERT_LE(j + 8, good.size());
	for (size_t k = 0; k < 8; k++)
		std::swap(swapped[i + k], swapped[j + k]);

	for (const std::string *damaged : {&flipped, &swapped}) {
		WriteFile(path, *damaged);
		chmod(path.c_str(), 0600);
		RunResult r = RunHooked(cache, MakeTempDir("s2"));
		ASSERT_EQ(r.exit_code, 0) << r.err;
		EXPECT_EQ(r.out, "getppid 424242\n");
		EXPECT_EQ(r.err.find(kFromCache), std::string::npos)
		    << (damaged == &flipped ? "flipped bit" : "swapped words");
		RunResult again = RunHooked(cache, MakeTempDir("s3"));
		EXPECT_NE(again.err.find(kFromCache), std::string::npos)
		    << again.err;
	}
}

// Saving a plan keeps the newest few plans per object (other library
// builds) and removes older ones and abandoned temporary files; nothing
// else in the directory is touched.
TEST(CacheTest, OldPlansArePruned)
{
	std::string cache = MakeTempDir("cache_prune");
	std::string rec = MakeTempDir("cache_prune_rec");
	auto make = [&](const std::string &name, time_t age_s) {
		std::string path = cache + "/" + name;
		WriteFile(path, "old");
		struct timespec t[2];
		clock_gettime(CLOCK_REALTIME, &t[0]);
		t[0].tv_sec -= age_s;
		t[1] = t[0];
		ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), t, 0), 0);
	};
	for (int i = 0; i < 6; i++)
		make("libc.so.6-00000000000000a" + std::to_string(i),
		     1000 * (i + 1)); // a0 newest ... a5 oldest
	make("libc.so.6-00000000000000b0.tmp.123", 3600);
	make("libc.so.6-00000000000000b1.tmp.124", 0); // may be in use
	make("unrelated-file", 99999);
	make("libm.so.6-00000000000000c0", 99999); // another object's
	RunResult r = RunHooked(cache, rec);
	ASSERT_EQ(r.exit_code, 0) << r.err;
	std::vector<std::string> files = DirEntries(cache);
	auto has = [&](const std::string &n) {
		for (const std::string &f : files)
			if (f == n)
				return true;
		return false;
	};
	size_t libc_plans = 0;
	for (const std::string &f : files)
		libc_plans += f.rfind("libc.so.6-", 0) == 0 &&
			      f.find(".tmp.") == std::string::npos;
	EXPECT_EQ(libc_plans, 4u); // the new one and the 3 newest old ones
	EXPECT_TRUE(has("libc.so.6-00000000000000a0"));
	EXPECT_TRUE(has("libc.so.6-00000000000000a1"));
	EXPECT_TRUE(has("libc.so.6-00000000000000a2"));
	EXPECT_FALSE(has("libc.so.6-00000000000000a3"));
	EXPECT_FALSE(has("libc.so.6-00000000000000a5"));
	EXPECT_FALSE(has("libc.so.6-00000000000000b0.tmp.123"));
	EXPECT_TRUE(has("libc.so.6-00000000000000b1.tmp.124"));
	EXPECT_TRUE(has("unrelated-file"));
	EXPECT_TRUE(has("libm.so.6-00000000000000c0"));
}

TEST(CacheTest, TurnedOff)
{
	std::string cache = MakeTempDir("cache_off");
	RunResult r = RunHooked(cache, MakeTempDir("r"), {"INTERCEPT_CACHE=0"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "getppid 424242\n");
	EXPECT_TRUE(DirEntries(cache).empty());
}

TEST(CacheTest, DirectoryOthersCanWriteIsRefused)
{
	std::string cache = MakeTempDir("cache_shared");
	ASSERT_EQ(chmod(cache.c_str(), 0777), 0);
	RunResult r = RunHooked(cache, MakeTempDir("r"));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "getppid 424242\n");
	EXPECT_TRUE(DirEntries(cache).empty());
}

} // namespace
} // namespace si_process
