#include "testing/process/process_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace si_process
{

namespace
{

std::string EnvOr(const char *name, const std::string &fallback)
{
	const char *v = getenv(name);
	return v != nullptr && *v ? std::string(v) : fallback;
}

long NowMs()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

} // namespace

std::string Runfile(const std::string &workspace_relative)
{
	std::string root = EnvOr("TEST_SRCDIR", "");
	if (root.empty())
		throw std::runtime_error("TEST_SRCDIR is not set");
	return root + "/" + EnvOr("TEST_WORKSPACE", "syscall_intercept") + "/" +
	       workspace_relative;
}

std::string LibraryPath()
{
	return Runfile("libsyscall_intercept.so");
}

std::string StaticHookPath()
{
	return Runfile("testing/process/libsi_hook_static.so");
}

std::string SharedHookPath()
{
	return Runfile("testing/process/libsi_hook_shared.so");
}

std::string HelperPath(const std::string &name)
{
	return Runfile("testing/process/" + name);
}

std::string MakeTempDir(const std::string &tag)
{
	std::string tmpl = EnvOr("TEST_TMPDIR", "/tmp") + "/" + tag + ".XXXXXX";
	std::vector<char> buf(tmpl.begin(), tmpl.end());
	buf.push_back('\0');
	if (mkdtemp(buf.data()) == nullptr)
		throw std::runtime_error("mkdtemp " + tmpl + ": " +
					 strerror(errno));
	return std::string(buf.data());
}

RunResult RunProgram(const std::string &path,
		     const std::vector<std::string> &argv,
		     const std::vector<std::string> &env, int timeout_s,
		     const std::string &cwd)
{
	std::vector<std::string> envs = {
	    "PATH=/usr/local/bin:/usr/bin:/bin",
	    "LC_ALL=C",
	    "TZ=UTC",
	    "HOME=" + EnvOr("TEST_TMPDIR", "/tmp"),
	    "TMPDIR=" + EnvOr("TEST_TMPDIR", "/tmp"),
	};
	for (const std::string &e : env) {
		std::string name = e.substr(0, e.find('='));
		for (auto it = envs.begin(); it != envs.end();) {
			if (it->substr(0, it->find('=')) == name)
				it = envs.erase(it);
			else
				++it;
		}
		envs.push_back(e);
	}
	std::vector<char *> cargv, cenv;
	for (const std::string &a : argv)
		cargv.push_back(const_cast<char *>(a.c_str()));
	cargv.push_back(nullptr);
	for (const std::string &e : envs)
		cenv.push_back(const_cast<char *>(e.c_str()));
	cenv.push_back(nullptr);

	int out_pipe[2], err_pipe[2];
	if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
		throw std::runtime_error("pipe2 failed");
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
	if (!cwd.empty())
		posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());

	RunResult r;
	int err = posix_spawn(&r.pid, path.c_str(), &fa, nullptr, cargv.data(),
			      cenv.data());
	posix_spawn_file_actions_destroy(&fa);
	close(out_pipe[1]);
	close(err_pipe[1]);
	if (err != 0) {
		close(out_pipe[0]);
		close(err_pipe[0]);
		r.err = "posix_spawn " + path + ": " + strerror(err);
		return r;
	}

	struct pollfd pfd[2] = {{out_pipe[0], POLLIN, 0},
				{err_pipe[0], POLLIN, 0}};
	std::string *sink[2] = {&r.out, &r.err};
	int open_fds = 2;
	long deadline = NowMs() + timeout_s * 1000L;
	while (open_fds > 0) {
		long left = deadline - NowMs();
		if (left <= 0) {
			r.timed_out = true;
			kill(r.pid, SIGKILL);
			break;
		}
		int n = poll(pfd, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 ||
			    !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[65536];
			ssize_t got = read(pfd[i].fd, buf, sizeof(buf));
			if (got > 0) {
				sink[i]->append(buf, (size_t)got);
			} else if (got == 0 || errno != EINTR) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	int status = 0;
	while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
	}
	r.exit_code =
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return r;
}

std::string DirName(const std::string &path)
{
	return path.substr(0, path.rfind('/'));
}

std::vector<std::string> DirEntries(const std::string &dir)
{
	std::vector<std::string> names;
	DIR *d = opendir(dir.c_str());
	if (!d)
		return names;
	while (struct dirent *e = readdir(d))
		if (e->d_name[0] != '.')
			names.push_back(e->d_name);
	closedir(d);
	return names;
}

std::vector<std::string> HookEnv(const std::string &hook,
				 const std::string &rec_dir,
				 const std::vector<std::string> &extra)
{
	std::vector<std::string> env = {"LD_PRELOAD=" + hook};
	if (!rec_dir.empty())
		env.push_back("SI_REC_DIR=" + rec_dir);
	env.insert(env.end(), extra.begin(), extra.end());
	return env;
}

std::string ReadFile(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

void WriteFile(const std::string &path, const std::string &data)
{
	std::ofstream out(path, std::ios::binary | std::ios::trunc);
	out << data;
	if (!out)
		throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> SplitLines(const std::string &s)
{
	std::vector<std::string> lines;
	std::istringstream in(s);
	std::string line;
	while (std::getline(in, line))
		lines.push_back(line);
	return lines;
}

bool CountsExist(const std::string &rec_dir, pid_t pid)
{
	return access((rec_dir + "/counts." + std::to_string(pid)).c_str(),
		      F_OK) == 0;
}

std::map<long, long> ReadCounts(const std::string &rec_dir, pid_t pid)
{
	std::map<long, long> counts;
	std::istringstream in(
	    ReadFile(rec_dir + "/counts." + std::to_string(pid)));
	long nr, count;
	while (in >> nr >> count)
		counts[nr] = count;
	return counts;
}

std::map<pid_t, std::map<long, long>> ReadAllCounts(const std::string &rec_dir)
{
	std::map<pid_t, std::map<long, long>> all;
	DIR *d = opendir(rec_dir.c_str());
	if (d == nullptr)
		return all;
	while (struct dirent *e = readdir(d)) {
		if (strncmp(e->d_name, "counts.", 7) != 0)
			continue;
		pid_t pid = (pid_t)strtol(e->d_name + 7, nullptr, 10);
		all[pid] = ReadCounts(rec_dir, pid);
	}
	closedir(d);
	return all;
}

long Total(const std::map<long, long> &counts)
{
	long t = 0;
	for (const auto &kv : counts)
		t += kv.second;
	return t;
}

long CountOf(const std::map<long, long> &counts, long nr)
{
	auto it = counts.find(nr);
	return it == counts.end() ? 0 : it->second;
}

std::vector<Event> ReadEvents(const std::string &rec_dir)
{
	std::vector<Event> events;
	for (const std::string &line :
	     SplitLines(ReadFile(rec_dir + "/events"))) {
		std::istringstream in(line);
		Event e;
		if (in >> e.name >> e.pid >> e.tid >> e.ppid >> e.arg)
			events.push_back(e);
	}
	return events;
}

std::string EventsToString(const std::vector<Event> &events)
{
	std::string s;
	for (const Event &e : events)
		s += "  " + e.name + " pid=" + std::to_string(e.pid) +
		     " tid=" + std::to_string(e.tid) +
		     " ppid=" + std::to_string(e.ppid) +
		     " arg=" + std::to_string(e.arg) + "\n";
	return s.empty() ? "  (none)\n" : s;
}

} // namespace si_process
