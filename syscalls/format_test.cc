#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "syscalls/syscalls.h"

namespace
{

// The traced memory of a golden case: fake addresses mapped to bytes. A read
// succeeds only if it lies entirely inside one region, as process_vm_readv
// does for mapped pages.
struct FakeMem {
	std::map<uintptr_t, std::string> regions;

	static bool Read(void *ctx, uintptr_t addr, void *dst, size_t len)
	{
		auto *self = static_cast<FakeMem *>(ctx);
		auto it = self->regions.upper_bound(addr);
		if (it == self->regions.begin())
			return false;
		--it;
		uintptr_t off = addr - it->first;
		if (off > it->second.size() || len > it->second.size() - off)
			return false;
		memcpy(dst, it->second.data() + off, len);
		return true;
	}

	syscalls_mem Mem()
	{
		return syscalls_mem{&FakeMem::Read, this};
	}
};

bool RefuseAll(void *, uintptr_t, void *, size_t)
{
	return false;
}

// Little-endian bytes of 64-bit words: pointer arrays and structs.
std::string Words(std::initializer_list<uint64_t> words)
{
	std::string s;
	for (uint64_t w : words)
		s.append(reinterpret_cast<const char *>(&w), sizeof w);
	return s;
}

std::string Str(const char *s)
{
	return std::string(s, strlen(s) + 1);
}

struct Region {
	uintptr_t addr;
	std::string bytes;
};

struct Case {
	const char *name;
	long nr;
	std::vector<long> args;
	std::vector<Region> mem;
	const char *call;
	long result;
	const char *ret;
};

std::string Dirent64(uint64_t ino, const char *name)
{
	// d_ino, d_off, d_reclen, d_type, d_name, padded to 8 bytes
	size_t reclen = (19 + strlen(name) + 1 + 7) & ~size_t{7};
	std::string d(reclen, '\0');
	memcpy(&d[0], &ino, 8);
	uint16_t r = static_cast<uint16_t>(reclen);
	memcpy(&d[16], &r, 2);
	d[18] = 4;
	memcpy(&d[19], name, strlen(name));
	return d;
}

const std::string kDirents =
    Dirent64(1, ".") + Dirent64(2, "..") + Dirent64(3, "passwd");

std::string ManyDirents(int n)
{
	std::string s;
	for (int i = 0; i < n; i++)
		s += Dirent64(static_cast<uint64_t>(i), "file");
	return s;
}

// 100 entries of 24 bytes: more than one read window of the formatter.
const std::string kManyDirents = ManyDirents(100);

const long AT_FDCWD_ = -100;

const Case kCases[] = {
    // open family: flags, AT_FDCWD, modes only when creating
    {"openat_rdonly_cloexec",
     SYS_openat,
     {AT_FDCWD_, 0x1000, 02000000},
     {{0x1000, Str("/etc/passwd")}},
     "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)",
     3,
     "= 3"},
    {"openat_create_mode",
     SYS_openat,
     {AT_FDCWD_, 0x1000, 01101, 0644},
     {{0x1000, Str("out.txt")}},
     "openat(AT_FDCWD, \"out.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0644)",
     4,
     "= 4"},
    {"openat_dirfd_enoent",
     SYS_openat,
     {3, 0x1000, 02600000, 0777},
     {{0x1000, Str("sub")}},
     "openat(3, \"sub\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC)",
     -2,
     "= -1 ENOENT (No such file or directory)"},
    {"openat_tmpfile",
     SYS_openat,
     {AT_FDCWD_, 0x1000, 020200002, 0600},
     {{0x1000, Str("/tmp")}},
     "openat(AT_FDCWD, \"/tmp\", O_RDWR|O_TMPFILE, 0600)",
     5,
     "= 5"},
    {"open_excl",
     SYS_open,
     {0x1000, 0300, 0},
     {{0x1000, Str("/tmp/lock")}},
     "open(\"/tmp/lock\", O_RDONLY|O_CREAT|O_EXCL, 000)",
     -17,
     "= -1 EEXIST (File exists)"},
    {"open_unknown_flag_bits",
     SYS_open,
     {0x1000, 040000000001L},
     {{0x1000, Str("f")}},
     "open(\"f\", O_WRONLY|0x100000000)",
     3,
     "= 3"},
    {"openat2_how",
     SYS_openat2,
     {AT_FDCWD_, 0x1000, 0x2000, 24},
     {{0x1000, Str("/x")}, {0x2000, Words({02000000, 0, 8})}},
     "openat2(AT_FDCWD, \"/x\", {flags=O_RDONLY|O_CLOEXEC, "
     "resolve=RESOLVE_BENEATH}, 24)",
     3,
     "= 3"},
    {"creat",
     SYS_creat,
     {0x1000, 0755},
     {{0x1000, Str("a.sh")}},
     "creat(\"a.sh\", 0755)",
     3,
     "= 3"},

    // read: the buffer is shown after the call, escaped and cut at 32
    {"read_text",
     SYS_read,
     {3, 0x2000, 832},
     {{0x2000, "hello\n"}},
     "read(3, 0x2000, 832)",
     6,
     "= 6 \"hello\\n\""},
    {"read_binary",
     SYS_read,
     {3, 0x2000, 832},
     {{0x2000, std::string("\177ELF\2\1\1\0\0\0", 10)}},
     "read(3, 0x2000, 832)",
     10,
     "= 10 \"\\177ELF\\2\\1\\1\\0\\0\\0\""},
    {"read_octal_before_digit",
     SYS_read,
     {3, 0x2000, 16},
     {{0x2000, std::string("\0"
			   "12\x1b[0m",
			   7)}},
     "read(3, 0x2000, 16)",
     7,
     "= 7 \"\\00012\\33[0m\""},
    {"read_long",
     SYS_read,
     {3, 0x2000, 4096},
     {{0x2000, std::string(100, 'a')}},
     "read(3, 0x2000, 4096)",
     100,
     "= 100 \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"..."},
    {"read_eof",
     SYS_read,
     {3, 0x2000, 4096},
     {},
     "read(3, 0x2000, 4096)",
     0,
     "= 0 \"\""},
    {"read_eagain",
     SYS_read,
     {3, 0x2000, 4096},
     {},
     "read(3, 0x2000, 4096)",
     -EAGAIN,
     "= -1 EAGAIN (Resource temporarily unavailable)"},
    {"pread64",
     SYS_pread64,
     {3, 0x2000, 4, 4096},
     {{0x2000, "abcd"}},
     "pread64(3, 0x2000, 4, 4096)",
     4,
     "= 4 \"abcd\""},
    {"recvfrom",
     SYS_recvfrom,
     {3, 0x2000, 4096, 0, 0, 0},
     {{0x2000, "pong"}},
     "recvfrom(3, 0x2000, 4096, 0, NULL, NULL)",
     4,
     "= 4 \"pong\""},
    {"readlink",
     SYS_readlink,
     {0x1000, 0x2000, 4096},
     {{0x1000, Str("/proc/self/exe")}, {0x2000, "/usr/bin/cat"}},
     "readlink(\"/proc/self/exe\", 0x2000, 4096)",
     12,
     "= 12 \"/usr/bin/cat\""},
    {"getcwd",
     SYS_getcwd,
     {0x2000, 4096},
     {{0x2000, Str("/home/u")}},
     "getcwd(0x2000, 4096)",
     8,
     "= 8 \"/home/u\""},

    // write: the buffer is shown before the call
    {"write_escapes",
     SYS_write,
     {1, 0x2000, 9},
     {{0x2000, "hi \"x\"\t\\\n"}},
     "write(1, \"hi \\\"x\\\"\\t\\\\\\n\", 9)",
     9,
     "= 9"},
    {"write_long",
     SYS_write,
     {1, 0x2000, 40},
     {{0x2000, "0123456789abcdefghijklmnopqrstuvwxyzABCD"}},
     "write(1, \"0123456789abcdefghijklmnopqrstuv\"..., 40)",
     40,
     "= 40"},
    {"write_epipe",
     SYS_write,
     {1, 0x2000, 1},
     {{0x2000, "x"}},
     "write(1, \"x\", 1)",
     -EPIPE,
     "= -1 EPIPE (Broken pipe)"},
    {"pwrite64",
     SYS_pwrite64,
     {4, 0x2000, 2, 100},
     {{0x2000, "ok"}},
     "pwrite64(4, \"ok\", 2, 100)",
     2,
     "= 2"},
    {"writev",
     SYS_writev,
     {1, 0x3000, 2},
     {{0x3000, Words({0x2000, 2, 0x2100, 2})}, {0x2000, "ab"}, {0x2100, "c\n"}},
     "writev(1, [{iov_base=\"ab\", iov_len=2}, {iov_base=\"c\\n\", "
     "iov_len=2}], 2)",
     4,
     "= 4"},
    {"sendto",
     SYS_sendto,
     {3, 0x2000, 4, 0x4000, 0, 0},
     {{0x2000, "ping"}},
     "sendto(3, \"ping\", 4, 0x4000, NULL, 0)",
     4,
     "= 4"},

    // memory
    {"mmap_anon",
     SYS_mmap,
     {0, 8192, 3, 0x22, -1, 0},
     {},
     "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, "
     "-1, 0)",
     0x7f1234560000L,
     "= 0x7f1234560000"},
    {"mmap_file",
     SYS_mmap,
     {0x7f0000000000L, 4096, 5, 0x812, 3, 0x2000},
     {},
     "mmap(0x7f0000000000, 4096, PROT_READ|PROT_EXEC, "
     "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x2000)",
     0x7f0000000000L,
     "= 0x7f0000000000"},
    {"mmap_enomem",
     SYS_mmap,
     {0, 1L << 40, 1, 0x4022, -1, 0},
     {},
     "mmap(NULL, 1099511627776, PROT_READ, "
     "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)",
     -ENOMEM,
     "= -1 ENOMEM (Cannot allocate memory)"},
    {"mprotect_none",
     SYS_mprotect,
     {0x7f0000001000L, 4096, 0},
     {},
     "mprotect(0x7f0000001000, 4096, PROT_NONE)",
     0,
     "= 0"},
    {"munmap",
     SYS_munmap,
     {0x7f0000001000L, 4096},
     {},
     "munmap(0x7f0000001000, 4096)",
     0,
     "= 0"},
    {"mremap",
     SYS_mremap,
     {0x7f0000000000L, 4096, 8192, 1, 0},
     {},
     "mremap(0x7f0000000000, 4096, 8192, MREMAP_MAYMOVE, NULL)",
     0x7f0000100000L,
     "= 0x7f0000100000"},
    {"brk", SYS_brk, {0}, {}, "brk(NULL)", 0x555555559000L, "= 0x555555559000"},
    {"madvise",
     SYS_madvise,
     {0x7f0000000000L, 4096, 4},
     {},
     "madvise(0x7f0000000000, 4096, MADV_DONTNEED)",
     0,
     "= 0"},
    {"mseal",
     462,
     {0x7f0000000000L, 4096, 0},
     {},
     "mseal(0x7f0000000000, 4096, 0)",
     -ENOSYS,
     "= -1 ENOSYS (Function not implemented)"},
    {"memfd_create",
     SYS_memfd_create,
     {0x1000, 3},
     {{0x1000, Str("buf")}},
     "memfd_create(\"buf\", MFD_CLOEXEC|MFD_ALLOW_SEALING)",
     3,
     "= 3"},

    // processes
    {"clone_thread",
     SYS_clone,
     {0x3d0f00, 0x7f00000ff000L, 0x7f0000000a10L, 0x7f0000000a10L,
      0x7f0000000740L},
     {},
     "clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
     "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
     "0x7f00000ff000, 0x7f0000000a10, 0x7f0000000a10, 0x7f0000000740)",
     1235,
     "= 1235"},
    {"clone_fork",
     SYS_clone,
     {0x1200011, 0, 0, 0x7f0000000a10L, 0},
     {},
     "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, "
     "0x7f0000000a10, NULL)",
     0,
     "= 0"},
    {"clone3",
     SYS_clone3,
     {0x1000, 88},
     {{0x1000,
       Words({0x4100, 0, 0, 0, 17, 0x7f0000000000L, 0x9000, 0, 0, 0, 0})}},
     "clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, "
     "stack=0x7f0000000000, stack_size=0x9000}, 88)",
     4321,
     "= 4321"},
    {"clone3_thread_tls",
     SYS_clone3,
     {0x1000, 88},
     {{0x1000, Words({0x3d0f00, 0, 0x10, 0x10, 0, 0x7f0000000000L, 0x800000,
		      0x7f0000000740L, 0, 0, 0})}},
     "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
     "CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|"
     "CLONE_CHILD_CLEARTID, exit_signal=0, stack=0x7f0000000000, "
     "stack_size=0x800000, tls=0x7f0000000740}, 88)",
     4322,
     "= 4322"},
    {"fork", SYS_fork, {}, {}, "fork()", 1236, "= 1236"},
    {"vfork", SYS_vfork, {}, {}, "vfork()", 1237, "= 1237"},
    {"execve",
     SYS_execve,
     {0x1000, 0x2000, 0x3000},
     {{0x1000, Str("/bin/ls")},
      {0x2000, Words({0x1100, 0x1200, 0x1300, 0})},
      {0x1100, Str("ls")},
      {0x1200, Str("-la")},
      {0x1300, Str("/usr")},
      {0x3000, Words({0x1400, 0x1400, 0})},
      {0x1400, Str("A=1")}},
     "execve(\"/bin/ls\", [\"ls\", \"-la\", \"/usr\"], 0x3000 /* 2 vars */)",
     -ENOENT,
     "= -1 ENOENT (No such file or directory)"},
    {"execve_many_args",
     SYS_execve,
     {0x1000, 0x2000, 0},
     {{0x1000, Str("/bin/echo")},
      {0x2000, Words({0x1100, 0x1100, 0x1100, 0x1100, 0x1100, 0x1100, 0x1100,
		      0x1100, 0x1100, 0x1100, 0x1100, 0x1100, 0x1100, 0x1100,
		      0x1100, 0x1100, 0x1100, 0x1100, 0})},
      {0x1100, Str("x")}},
     "execve(\"/bin/echo\", [\"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", "
     "\"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", ...], "
     "NULL)",
     0,
     "= 0"},
    {"execveat",
     SYS_execveat,
     {3, 0x1000, 0, 0, 0x1000},
     {{0x1000, Str("")}},
     "execveat(3, \"\", NULL, NULL, AT_EMPTY_PATH)",
     0,
     "= 0"},
    {"exit", SYS_exit, {0}, {}, "exit(0)", 0, "= ?"},
    {"exit_group", SYS_exit_group, {1}, {}, "exit_group(1)", 0, "= ?"},
    {"wait4_exited",
     SYS_wait4,
     {-1, 0x1000, 0, 0},
     {{0x1000, std::string("\0\3\0\0", 4)}},
     "wait4(-1, 0x1000, 0, NULL)",
     1234,
     "= 1234 [{WIFEXITED(s) && WEXITSTATUS(s) == 3}]"},
    {"wait4_signaled",
     SYS_wait4,
     {1234, 0x1000, 0x40000001, 0},
     {{0x1000, std::string("\x8b\0\0\0", 4)}},
     "wait4(1234, 0x1000, WNOHANG|__WALL, NULL)",
     1234,
     "= 1234 [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && "
     "WCOREDUMP(s)}]"},
    {"wait4_nohang_none",
     SYS_wait4,
     {-1, 0x1000, 1, 0},
     {},
     "wait4(-1, 0x1000, WNOHANG, NULL)",
     0,
     "= 0"},
    {"getpid", SYS_getpid, {}, {}, "getpid()", 1234, "= 1234"},
    {"gettid", SYS_gettid, {}, {}, "gettid()", 1235, "= 1235"},
    {"getuid", SYS_getuid, {}, {}, "getuid()", 1000, "= 1000"},
    {"setresuid_unchanged",
     SYS_setresuid,
     {-1, 1000, -1},
     {},
     "setresuid(-1, 1000, -1)",
     0,
     "= 0"},
    {"set_tid_address",
     SYS_set_tid_address,
     {0x7f0000000a10L},
     {},
     "set_tid_address(0x7f0000000a10)",
     1234,
     "= 1234"},
    {"set_robust_list",
     SYS_set_robust_list,
     {0x7f0000000a20L, 24},
     {},
     "set_robust_list(0x7f0000000a20, 24)",
     0,
     "= 0"},
    {"rseq",
     SYS_rseq,
     {0x7f0000000e60L, 32, 0, 0x53053053},
     {},
     "rseq(0x7f0000000e60, 32, 0, 0x53053053)",
     0,
     "= 0"},
    {"prlimit64",
     SYS_prlimit64,
     {0, 7, 0, 0x7ffd0000},
     {},
     "prlimit64(0, RLIMIT_NOFILE, NULL, 0x7ffd0000)",
     0,
     "= 0"},
    {"arch_prctl",
     SYS_arch_prctl,
     {0x1002, 0x7f0000000740L},
     {},
     "arch_prctl(ARCH_SET_FS, 0x7f0000000740)",
     0,
     "= 0"},
    {"prctl",
     SYS_prctl,
     {15, 0x1000, 0, 0, 0},
     {},
     "prctl(PR_SET_NAME, 0x1000, 0, 0, 0)",
     0,
     "= 0"},
    {"pidfd_open",
     SYS_pidfd_open,
     {1234, 0},
     {},
     "pidfd_open(1234, 0)",
     3,
     "= 3"},
    {"pidfd_send_signal",
     SYS_pidfd_send_signal,
     {3, 9, 0, 0},
     {},
     "pidfd_send_signal(3, SIGKILL, NULL, 0)",
     0,
     "= 0"},

    // signals
    {"kill", SYS_kill, {1234, 15}, {}, "kill(1234, SIGTERM)", 0, "= 0"},
    {"kill_probe",
     SYS_kill,
     {1, 0},
     {},
     "kill(1, 0)",
     -EPERM,
     "= -1 EPERM (Operation not permitted)"},
    {"tgkill_rt",
     SYS_tgkill,
     {1234, 1235, 34},
     {},
     "tgkill(1234, 1235, SIGRT_2)",
     0,
     "= 0"},
    {"rt_sigaction",
     SYS_rt_sigaction,
     {2, 0x1000, 0, 8},
     {{0x1000, Words({0x401000, 0x14000000, 0x7f0000001234L, 0})}},
     "rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[], "
     "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f0000001234}, NULL, "
     "8)",
     0,
     "= 0"},
    {"rt_sigaction_ign",
     SYS_rt_sigaction,
     {17, 0x1000, 0x2000, 8},
     {{0x1000, Words({1, 0, 0, (1UL << 1) | (1UL << 14)})}},
     "rt_sigaction(SIGCHLD, {sa_handler=SIG_IGN, sa_mask=[INT TERM], "
     "sa_flags=0}, 0x2000, 8)",
     0,
     "= 0"},
    {"rt_sigprocmask",
     SYS_rt_sigprocmask,
     {0, 0x1000, 0, 8},
     {{0x1000, Words({1UL << 16})}},
     "rt_sigprocmask(SIG_BLOCK, [CHLD], NULL, 8)",
     0,
     "= 0"},
    {"rt_sigprocmask_full",
     SYS_rt_sigprocmask,
     {2, 0x1000, 0x2000, 8},
     {{0x1000, Words({~((1UL << 8) | (1UL << 18))})}},
     "rt_sigprocmask(SIG_SETMASK, ~[KILL STOP], 0x2000, 8)",
     0,
     "= 0"},
    {"rt_sigreturn", SYS_rt_sigreturn, {}, {}, "rt_sigreturn()", 0, "= 0"},

    // sockets
    {"socket_inet",
     SYS_socket,
     {2, 02000001, 0},
     {},
     "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)",
     3,
     "= 3"},
    {"socket_unix",
     SYS_socket,
     {1, 02004002, 0},
     {},
     "socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0)",
     3,
     "= 3"},
    {"socket_netlink",
     SYS_socket,
     {16, 3, 0},
     {},
     "socket(AF_NETLINK, SOCK_RAW, 0)",
     -EAFNOSUPPORT,
     "= -1 EAFNOSUPPORT (Address family not supported by protocol)"},
    {"connect_inet",
     SYS_connect,
     {3, 0x1000, 16},
     {{0x1000, std::string("\2\0\0\x50\x7f\0\0\1\0\0\0\0\0\0\0\0", 16)}},
     "connect(3, {sa_family=AF_INET, sin_port=htons(80), "
     "sin_addr=inet_addr(\"127.0.0.1\")}, 16)",
     -ECONNREFUSED,
     "= -1 ECONNREFUSED (Connection refused)"},
    {"connect_unix",
     SYS_connect,
     {3, 0x1000, 110},
     {{0x1000, std::string("\1\0/run/x.sock", 13) + std::string(97, '\0')}},
     "connect(3, {sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}, 110)",
     0,
     "= 0"},
    {"bind_inet6",
     SYS_bind,
     {3, 0x1000, 28},
     {{0x1000, std::string("\12\0\1\xbb\0\0\0\0", 8) +
		   std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0') +
		   std::string("\1\0\0\0\0", 5)}},
     "bind(3, {sa_family=AF_INET6, sin6_port=htons(443), "
     "sin6_addr=\"2001:db8:0:0:0:0:0:1\"}, 28)",
     0,
     "= 0"},
    {"accept4",
     SYS_accept4,
     {3, 0, 0, 02000000},
     {},
     "accept4(3, NULL, NULL, SOCK_CLOEXEC)",
     4,
     "= 4"},
    {"socketpair",
     SYS_socketpair,
     {1, 1, 0, 0x1000},
     {{0x1000, std::string("\5\0\0\0\6\0\0\0", 8)}},
     "socketpair(AF_UNIX, SOCK_STREAM, 0, 0x1000)",
     0,
     "= 0 [5, 6]"},

    // files and directories
    {"close", SYS_close, {3}, {}, "close(3)", 0, "= 0"},
    {"close_ebadf",
     SYS_close,
     {99},
     {},
     "close(99)",
     -EBADF,
     "= -1 EBADF (Bad file descriptor)"},
    {"close_range",
     SYS_close_range,
     {3, 0xffffffffL, 0},
     {},
     "close_range(3, 4294967295, 0)",
     0,
     "= 0"},
    {"statx",
     SYS_statx,
     {AT_FDCWD_, 0x1000, 0, 0x17ff, 0x2000},
     {{0x1000, Str("/etc")}},
     "statx(AT_FDCWD, \"/etc\", AT_STATX_SYNC_AS_STAT, "
     "STATX_BASIC_STATS|STATX_MNT_ID, 0x2000)",
     0,
     "= 0"},
    {"statx_nofollow_all",
     SYS_statx,
     {3, 0x1000, 0x1100, 0xfff, 0x2000},
     {{0x1000, Str("")}},
     "statx(3, \"\", AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH, STATX_ALL, 0x2000)",
     0,
     "= 0"},
    {"newfstatat",
     SYS_newfstatat,
     {3, 0x1000, 0x2000, 0x1000},
     {{0x1000, Str("")}},
     "newfstatat(3, \"\", 0x2000, AT_EMPTY_PATH)",
     0,
     "= 0"},
    {"stat",
     SYS_stat,
     {0x1000, 0x2000},
     {{0x1000, Str("/")}},
     "stat(\"/\", 0x2000)",
     0,
     "= 0"},
    {"fstat", SYS_fstat, {3, 0x2000}, {}, "fstat(3, 0x2000)", 0, "= 0"},
    {"getdents64",
     SYS_getdents64,
     {3, 0x4000, 32768},
     {{0x4000, kDirents}},
     "getdents64(3, 0x4000, 32768)",
     static_cast<long>(kDirents.size()),
     "= 80 /* 3 entries */"},
    {"getdents64_end",
     SYS_getdents64,
     {3, 0x4000, 32768},
     {},
     "getdents64(3, 0x4000, 32768)",
     0,
     "= 0 /* 0 entries */"},
    {"access",
     SYS_access,
     {0x1000, 4},
     {{0x1000, Str("/etc/ld.so.preload")}},
     "access(\"/etc/ld.so.preload\", R_OK)",
     -ENOENT,
     "= -1 ENOENT (No such file or directory)"},
    {"faccessat_f_ok",
     SYS_faccessat,
     {AT_FDCWD_, 0x1000, 0},
     {{0x1000, Str("x")}},
     "faccessat(AT_FDCWD, \"x\", F_OK)",
     0,
     "= 0"},
    {"faccessat2",
     SYS_faccessat2,
     {AT_FDCWD_, 0x1000, 5, 0x200},
     {{0x1000, Str("x")}},
     "faccessat2(AT_FDCWD, \"x\", R_OK|X_OK, AT_EACCESS)",
     0,
     "= 0"},
    {"unlinkat_dir",
     SYS_unlinkat,
     {AT_FDCWD_, 0x1000, 0x200},
     {{0x1000, Str("d")}},
     "unlinkat(AT_FDCWD, \"d\", AT_REMOVEDIR)",
     -ENOTEMPTY,
     "= -1 ENOTEMPTY (Directory not empty)"},
    {"unlink",
     SYS_unlink,
     {0x1000},
     {{0x1000, Str("f")}},
     "unlink(\"f\")",
     0,
     "= 0"},
    {"rename",
     SYS_rename,
     {0x1000, 0x1100},
     {{0x1000, Str("a")}, {0x1100, Str("b")}},
     "rename(\"a\", \"b\")",
     0,
     "= 0"},
    {"renameat2",
     SYS_renameat2,
     {AT_FDCWD_, 0x1000, 3, 0x1100, 1},
     {{0x1000, Str("a")}, {0x1100, Str("b")}},
     "renameat2(AT_FDCWD, \"a\", 3, \"b\", 0x1)",
     0,
     "= 0"},
    {"mkdir",
     SYS_mkdir,
     {0x1000, 0755},
     {{0x1000, Str("d")}},
     "mkdir(\"d\", 0755)",
     0,
     "= 0"},
    {"mkdirat",
     SYS_mkdirat,
     {3, 0x1000, 0700},
     {{0x1000, Str("d")}},
     "mkdirat(3, \"d\", 0700)",
     0,
     "= 0"},
    {"chdir",
     SYS_chdir,
     {0x1000},
     {{0x1000, Str("/tmp")}},
     "chdir(\"/tmp\")",
     0,
     "= 0"},
    {"umask", SYS_umask, {022}, {}, "umask(022)", 077, "= 077"},
    {"chmod_zero",
     SYS_chmod,
     {0x1000, 0},
     {{0x1000, Str("f")}},
     "chmod(\"f\", 000)",
     0,
     "= 0"},
    {"lseek",
     SYS_lseek,
     {3, -16, 2},
     {},
     "lseek(3, -16, SEEK_END)",
     1024,
     "= 1024"},
    {"dup", SYS_dup, {1}, {}, "dup(1)", 3, "= 3"},
    {"dup2", SYS_dup2, {3, 1}, {}, "dup2(3, 1)", 1, "= 1"},
    {"dup3", SYS_dup3, {3, 4, 02000000}, {}, "dup3(3, 4, O_CLOEXEC)", 4, "= 4"},
    {"pipe2",
     SYS_pipe2,
     {0x1000, 02000000},
     {{0x1000, std::string("\3\0\0\0\4\0\0\0", 8)}},
     "pipe2(0x1000, O_CLOEXEC)",
     0,
     "= 0 [3, 4]"},
    {"pipe_emfile",
     SYS_pipe,
     {0x1000},
     {},
     "pipe(0x1000)",
     -EMFILE,
     "= -1 EMFILE (Too many open files)"},
    {"fcntl_getfd",
     SYS_fcntl,
     {3, 1, 0x1234},
     {},
     "fcntl(3, F_GETFD)",
     1,
     "= 1"},
    {"fcntl_setfd",
     SYS_fcntl,
     {3, 2, 1},
     {},
     "fcntl(3, F_SETFD, FD_CLOEXEC)",
     0,
     "= 0"},
    {"fcntl_setfl",
     SYS_fcntl,
     {3, 4, 04000},
     {},
     "fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK)",
     0,
     "= 0"},
    {"fcntl_dupfd_cloexec",
     SYS_fcntl,
     {3, 1030, 10},
     {},
     "fcntl(3, F_DUPFD_CLOEXEC, 10)",
     10,
     "= 10"},
    {"ioctl_tcgets",
     SYS_ioctl,
     {1, 0x5401, 0x7ffd0000},
     {},
     "ioctl(1, TCGETS, 0x7ffd0000)",
     -ENOTTY,
     "= -1 ENOTTY (Inappropriate ioctl for device)"},
    {"ioctl_unknown",
     SYS_ioctl,
     {3, 0xc0186201, 0x7ffd0000},
     {},
     "ioctl(3, 0xc0186201, 0x7ffd0000)",
     0,
     "= 0"},
    {"flock",
     SYS_flock,
     {3, 6},
     {},
     "flock(3, LOCK_EX|LOCK_NB)",
     -EAGAIN,
     "= -1 EAGAIN (Resource temporarily unavailable)"},

    // waiting and time
    {"poll", SYS_poll, {0x1000, 2, -1}, {}, "poll(0x1000, 2, -1)", 1, "= 1"},
    {"ppoll",
     SYS_ppoll,
     {0x1000, 1, 0x2000, 0, 8},
     {{0x2000, Words({0, 500000000})}},
     "ppoll(0x1000, 1, {tv_sec=0, tv_nsec=500000000}, NULL, 8)",
     0,
     "= 0"},
    {"select",
     SYS_select,
     {4, 0x1000, 0, 0, 0},
     {},
     "select(4, 0x1000, NULL, NULL, NULL)",
     1,
     "= 1"},
    {"pselect6",
     SYS_pselect6,
     {4, 0x1000, 0, 0, 0, 0},
     {},
     "pselect6(4, 0x1000, NULL, NULL, NULL, NULL)",
     -EINTR,
     "= -1 EINTR (Interrupted system call)"},
    {"epoll_create1",
     SYS_epoll_create1,
     {02000000},
     {},
     "epoll_create1(O_CLOEXEC)",
     5,
     "= 5"},
    {"epoll_ctl",
     SYS_epoll_ctl,
     {5, 1, 3, 0x1000},
     {},
     "epoll_ctl(5, EPOLL_CTL_ADD, 3, 0x1000)",
     0,
     "= 0"},
    {"epoll_wait",
     SYS_epoll_wait,
     {5, 0x1000, 64, -1},
     {},
     "epoll_wait(5, 0x1000, 64, -1)",
     1,
     "= 1"},
    {"epoll_pwait2",
     SYS_epoll_pwait2,
     {5, 0x1000, 64, 0, 0, 8},
     {},
     "epoll_pwait2(5, 0x1000, 64, NULL, NULL, 8)",
     0,
     "= 0"},
    {"futex_wait",
     SYS_futex,
     {0x7f0000000a10L, 128, 2, 0, 0, 0},
     {},
     "futex(0x7f0000000a10, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0)",
     -EAGAIN,
     "= -1 EAGAIN (Resource temporarily unavailable)"},
    {"futex_bitset",
     SYS_futex,
     {0x7f0000000a10L, 393, 0, 0x1000, 0, 0xffffffffL},
     {{0x1000, Words({5, 0})}},
     "futex(0x7f0000000a10, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, "
     "0, {tv_sec=5, tv_nsec=0}, NULL, 4294967295)",
     -ETIMEDOUT,
     "= -1 ETIMEDOUT (Connection timed out)"},
    {"futex_waitv",
     SYS_futex_waitv,
     {0x1000, 2, 0, 0, 1},
     {},
     "futex_waitv(0x1000, 2, 0, NULL, CLOCK_MONOTONIC)",
     1,
     "= 1"},
    {"nanosleep",
     SYS_nanosleep,
     {0x1000, 0},
     {{0x1000, Words({1, 500000000})}},
     "nanosleep({tv_sec=1, tv_nsec=500000000}, NULL)",
     0,
     "= 0"},
    {"clock_nanosleep",
     SYS_clock_nanosleep,
     {0, 0, 0x1000, 0x2000},
     {{0x1000, Words({0, 1000})}},
     "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=1000}, 0x2000)",
     0,
     "= 0"},
    {"clock_gettime",
     SYS_clock_gettime,
     {1, 0x1000},
     {},
     "clock_gettime(CLOCK_MONOTONIC, 0x1000)",
     0,
     "= 0"},
    {"getrandom",
     SYS_getrandom,
     {0x1000, 4, 1},
     {{0x1000, std::string("\x12\x34\x56\x78", 4)}},
     "getrandom(0x1000, 4, 0x1)",
     4,
     "= 4 \"\\0224Vx\""},

    // the newer calls
    {"io_uring_setup",
     SYS_io_uring_setup,
     {256, 0x1000},
     {},
     "io_uring_setup(256, 0x1000)",
     5,
     "= 5"},
    {"io_uring_enter",
     SYS_io_uring_enter,
     {5, 1, 1, 1, 0, 8},
     {},
     "io_uring_enter(5, 1, 1, 0x1, NULL, 8)",
     1,
     "= 1"},
    {"io_uring_register",
     SYS_io_uring_register,
     {5, 0, 0x1000, 4},
     {},
     "io_uring_register(5, 0, 0x1000, 4)",
     0,
     "= 0"},
    {"landlock_create_ruleset",
     SYS_landlock_create_ruleset,
     {0, 0, 1},
     {},
     "landlock_create_ruleset(NULL, 0, 0x1)",
     6,
     "= 6"},
    {"landlock_add_rule",
     SYS_landlock_add_rule,
     {3, 1, 0x1000, 0},
     {},
     "landlock_add_rule(3, 1, 0x1000, 0)",
     0,
     "= 0"},
    {"landlock_restrict_self",
     SYS_landlock_restrict_self,
     {3, 0},
     {},
     "landlock_restrict_self(3, 0)",
     0,
     "= 0"},
    {"cachestat",
     451,
     {3, 0x1000, 0x2000, 0},
     {},
     "cachestat(3, 0x1000, 0x2000, 0)",
     0,
     "= 0"},

    // unknown numbers
    {"unknown_1000",
     1000,
     {1, 2, 0, -1, 0x7f0000000000L, 6},
     {},
     "syscall_1000(0x1, 0x2, 0, 0xffffffffffffffff, 0x7f0000000000, 0x6)",
     -ENOSYS,
     "= -1 ENOSYS (Function not implemented)"},
    {"unused_400",
     400,
     {0, 0, 0, 0, 0, 0},
     {},
     "syscall_400(0, 0, 0, 0, 0, 0)",
     -ENOSYS,
     "= -1 ENOSYS (Function not implemented)"},
    {"unknown_errno",
     SYS_read,
     {3, 0x2000, 1},
     {},
     "read(3, 0x2000, 1)",
     -512,
     "= -1 ERRNO_512 (Unknown error 512)"},
};

class Golden : public testing::TestWithParam<Case>
{
};

TEST_P(Golden, CallAndResult)
{
	const Case &c = GetParam();
	FakeMem fake;
	for (const Region &r : c.mem)
		fake.regions[r.addr] = r.bytes;
	syscalls_mem mem = fake.Mem();
	long args[6] = {0, 0, 0, 0, 0, 0};
	for (size_t i = 0; i < c.args.size(); i++)
		args[i] = c.args[i];

	char buf[1024];
	size_t n = syscalls_format_call(buf, sizeof buf, c.nr, args, &mem);
	EXPECT_EQ(std::string(buf), c.call);
	EXPECT_EQ(n, strlen(buf));
	n = syscalls_format_result(buf, sizeof buf, c.nr, args, c.result, &mem);
	EXPECT_EQ(std::string(buf), c.ret);
	EXPECT_EQ(n, strlen(buf));
}

INSTANTIATE_TEST_SUITE_P(Calls, Golden, testing::ValuesIn(kCases),
			 [](const testing::TestParamInfo<Case> &info) {
				 return std::string(info.param.name);
			 });

// Bad pointers: a reader that refuses everything, and no reader at all.
// Every pointer is shown as its address.
struct BadCase {
	const char *name;
	long nr;
	std::vector<long> args;
	const char *call;
	long result;
	const char *ret;
};

const BadCase kBadCases[] = {
    {"openat",
     SYS_openat,
     {AT_FDCWD_, 0x1234, 0},
     "openat(AT_FDCWD, 0x1234, O_RDONLY)",
     -EFAULT,
     "= -1 EFAULT (Bad address)"},
    {"read", SYS_read, {3, 0x2000, 16}, "read(3, 0x2000, 16)", 6, "= 6 0x2000"},
    {"write", SYS_write, {1, 0x2000, 5}, "write(1, 0x2000, 5)", 5, "= 5"},
    {"writev", SYS_writev, {1, 0x3000, 2}, "writev(1, 0x3000, 2)", 4, "= 4"},
    {"execve",
     SYS_execve,
     {0x1000, 0x2000, 0x3000},
     "execve(0x1000, 0x2000, 0x3000)",
     -EFAULT,
     "= -1 EFAULT (Bad address)"},
    {"rt_sigaction",
     SYS_rt_sigaction,
     {2, 0x1000, 0x2000, 8},
     "rt_sigaction(SIGINT, 0x1000, 0x2000, 8)",
     0,
     "= 0"},
    {"rt_sigprocmask",
     SYS_rt_sigprocmask,
     {0, 0x1000, 0, 8},
     "rt_sigprocmask(SIG_BLOCK, 0x1000, NULL, 8)",
     0,
     "= 0"},
    {"clone3", SYS_clone3, {0x1000, 88}, "clone3(0x1000, 88)", 1234, "= 1234"},
    {"openat2",
     SYS_openat2,
     {AT_FDCWD_, 0x1000, 0x2000, 24},
     "openat2(AT_FDCWD, 0x1000, 0x2000, 24)",
     3,
     "= 3"},
    {"connect",
     SYS_connect,
     {3, 0x1000, 16},
     "connect(3, 0x1000, 16)",
     0,
     "= 0"},
    {"nanosleep",
     SYS_nanosleep,
     {0x1000, 0},
     "nanosleep(0x1000, NULL)",
     0,
     "= 0"},
    {"getdents64",
     SYS_getdents64,
     {3, 0x4000, 32768},
     "getdents64(3, 0x4000, 32768)",
     72,
     "= 72 0x4000"},
    {"pipe2", SYS_pipe2, {0x6000, 0}, "pipe2(0x6000, 0)", 0, "= 0 0x6000"},
    {"wait4",
     SYS_wait4,
     {-1, 0x6100, 0, 0},
     "wait4(-1, 0x6100, 0, NULL)",
     42,
     "= 42 0x6100"},
    {"getcwd",
     SYS_getcwd,
     {0x7000, 4096},
     "getcwd(0x7000, 4096)",
     5,
     "= 5 0x7000"},
};

class BadPointers : public testing::TestWithParam<BadCase>
{
};

TEST_P(BadPointers, ShownAsAddresses)
{
	const BadCase &c = GetParam();
	long args[6] = {0, 0, 0, 0, 0, 0};
	for (size_t i = 0; i < c.args.size(); i++)
		args[i] = c.args[i];
	syscalls_mem refuse = {RefuseAll, nullptr};
	const syscalls_mem *readers[] = {&refuse, nullptr};
	for (const syscalls_mem *mem : readers) {
		char buf[512];
		syscalls_format_call(buf, sizeof buf, c.nr, args, mem);
		EXPECT_EQ(std::string(buf), c.call);
		syscalls_format_result(buf, sizeof buf, c.nr, args, c.result,
				       mem);
		EXPECT_EQ(std::string(buf), c.ret);
	}
}

INSTANTIATE_TEST_SUITE_P(Calls, BadPointers, testing::ValuesIn(kBadCases),
			 [](const testing::TestParamInfo<BadCase> &info) {
				 return std::string(info.param.name);
			 });

TEST(Strings, LongPathIsCut)
{
	FakeMem fake;
	fake.regions[0x1000] = Str(std::string(300, 'p').c_str());
	syscalls_mem mem = fake.Mem();
	long args[6] = {0x1000, 0, 0, 0, 0, 0};
	char buf[1024];
	syscalls_format_call(buf, sizeof buf, SYS_chdir, args, &mem);
	EXPECT_EQ(std::string(buf),
		  "chdir(\"" + std::string(SYSCALLS_STR_LIMIT, 'p') + "\"...)");
	// exactly at the limit: whole, no "..."
	fake.regions[0x1000] =
	    Str(std::string(SYSCALLS_STR_LIMIT, 'q').c_str());
	syscalls_format_call(buf, sizeof buf, SYS_chdir, args, &mem);
	EXPECT_EQ(std::string(buf),
		  "chdir(\"" + std::string(SYSCALLS_STR_LIMIT, 'q') + "\")");
}

TEST(Strings, EndingAtAnUnreadablePage)
{
	// The string's NUL is the last readable byte before an unreadable
	// page: read in chunks that never cross a page, it is found whole.
	FakeMem fake;
	std::string tail(64, 'x');
	tail.back() = '\0';
	fake.regions[0x1fc0] = tail;
	syscalls_mem mem = fake.Mem();
	long args[6] = {0x1fd0, 0, 0, 0, 0, 0};
	char buf[256];
	syscalls_format_call(buf, sizeof buf, SYS_unlink, args, &mem);
	EXPECT_EQ(std::string(buf), "unlink(\"" + std::string(47, 'x') + "\")");

	// Without a NUL before the unreadable page: what was read, cut.
	fake.regions[0x1fc0] = std::string(64, 'y');
	syscalls_format_call(buf, sizeof buf, SYS_unlink, args, &mem);
	EXPECT_EQ(std::string(buf),
		  "unlink(\"" + std::string(48, 'y') + "\"...)");
}

TEST(Output, NeverOverflowsAndIsCutCleanly)
{
	FakeMem fake;
	fake.regions[0x1000] = Str("/a/rather/long/path/name");
	syscalls_mem mem = fake.Mem();
	long args[6] = {AT_FDCWD_, 0x1000, 02000000, 0, 0, 0};
	char full[256];
	size_t whole =
	    syscalls_format_call(full, sizeof full, SYS_openat, args, &mem);
	ASSERT_EQ(std::string(full), "openat(AT_FDCWD, "
				     "\"/a/rather/long/path/name\", "
				     "O_RDONLY|O_CLOEXEC)");
	for (size_t size = 0; size <= whole + 2; size++) {
		std::vector<char> buf(size + 8, '#');
		size_t n = syscalls_format_call(buf.data(), size, SYS_openat,
						args, &mem);
		for (size_t i = size; i < buf.size(); i++)
			ASSERT_EQ(buf[i], '#') << "wrote past " << size;
		if (size == 0) {
			EXPECT_EQ(n, 0u);
			continue;
		}
		ASSERT_EQ(n, strlen(buf.data()));
		ASSERT_LT(n, size);
		if (size > whole) {
			EXPECT_EQ(std::string(buf.data()), full);
		} else if (size > 3) {
			std::string s(buf.data());
			EXPECT_EQ(s.substr(0, n - 3), std::string(full, n - 3));
			EXPECT_EQ(s.substr(n - 3), "...");
		}
	}
	char small[12];
	syscalls_format_result(small, sizeof small, SYS_openat, args, -ENOENT,
			       &mem);
	EXPECT_EQ(std::string(small), "= -1 ENO...");
}

// The formatter on the real process: process_vm_readv on itself, as the
// library reads memory, including a pointer into an inaccessible page.
bool ReadSelf(void *, uintptr_t addr, void *dst, size_t len)
{
	struct iovec local = {dst, len};
	struct iovec remote = {reinterpret_cast<void *>(addr), len};
	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) ==
	       static_cast<ssize_t>(len);
}

TEST(RealMemory, ProcessVmReadvOnSelf)
{
	syscalls_mem mem = {ReadSelf, nullptr};
	static const char path[] = "/etc/hostname";
	long args[6] = {AT_FDCWD_, reinterpret_cast<long>(path), 0, 0, 0, 0};
	char buf[512];
	syscalls_format_call(buf, sizeof buf, SYS_openat, args, &mem);
	EXPECT_EQ(std::string(buf),
		  "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY)");

	void *page =
	    mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(page, MAP_FAILED);
	char hex[32];
	snprintf(hex, sizeof hex, "%p", page);
	args[1] = reinterpret_cast<long>(page);
	syscalls_format_call(buf, sizeof buf, SYS_openat, args, &mem);
	EXPECT_EQ(std::string(buf),
		  std::string("openat(AT_FDCWD, ") + hex + ", O_RDONLY)");

	long rargs[6] = {0, reinterpret_cast<long>(page), 64, 0, 0, 0};
	syscalls_format_result(buf, sizeof buf, SYS_read, rargs, 64, &mem);
	EXPECT_EQ(std::string(buf), std::string("= 64 ") + hex);
	munmap(page, 4096);
}

// Random words as arguments and random bytes behind every address: every
// known syscall formats under its own name, bounded, without a crash.
struct Noise {
	uint64_t state;
	uint64_t Next()
	{
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		return state;
	}
	static bool Read(void *ctx, uintptr_t addr, void *dst, size_t len)
	{
		auto *self = static_cast<Noise *>(ctx);
		if (addr & 0x10) // half the addresses are unreadable
			return false;
		auto *d = static_cast<unsigned char *>(dst);
		for (size_t i = 0; i < len; i++) // mostly NULs end the strings
			d[i] = (self->Next() % 4)
				   ? static_cast<unsigned char>(self->Next())
				   : 0;
		return true;
	}
};

TEST(Table, EverySyscallFormatsUnderItsName)
{
	Noise noise = {0x9e3779b97f4a7c15ULL};
	syscalls_mem mem = {Noise::Read, &noise};
	int known = 0;
	for (long nr = 0; nr < SYSCALLS_LIMIT; nr++) {
		const char *name = syscalls_name(nr);
		if (!name) {
			EXPECT_EQ(syscalls_arg_count(nr), -1) << nr;
			continue;
		}
		known++;
		int count = syscalls_arg_count(nr);
		ASSERT_GE(count, 0) << name;
		ASSERT_LE(count, 6) << name;
		for (int round = 0; round < 50; round++) {
			long args[6];
			for (long &a : args)
				a = static_cast<long>(noise.Next() >>
						      (noise.Next() % 64));
			long result = static_cast<long>(
			    noise.Next() % 3 == 0 ? -(noise.Next() % 200)
						  : noise.Next() % 5000);
			char buf[300];
			size_t n = syscalls_format_call(buf, sizeof buf, nr,
							args, &mem);
			ASSERT_EQ(n, strlen(buf));
			ASSERT_EQ(
			    std::string(buf).rfind(std::string(name) + "(", 0),
			    0u)
			    << buf;
			n = syscalls_format_result(buf, sizeof buf, nr, args,
						   result, &mem);
			ASSERT_EQ(n, strlen(buf));
			ASSERT_EQ(std::string(buf).rfind("= ", 0), 0u) << buf;
		}
	}
	EXPECT_GT(known, 370);
}

TEST(Table, ArgumentCountsMatchTheKernel)
{
	// SYSCALL_DEFINEn of linux 6.x for a sample of 40 calls.
	const struct {
		long nr;
		int n;
	} sample[] = {
	    {SYS_read, 3},
	    {SYS_write, 3},
	    {SYS_open, 3},
	    {SYS_openat, 4},
	    {SYS_openat2, 4},
	    {SYS_close, 1},
	    {SYS_newfstatat, 4},
	    {SYS_statx, 5},
	    {SYS_mmap, 6},
	    {SYS_mprotect, 3},
	    {SYS_mremap, 5},
	    {SYS_brk, 1},
	    {SYS_clone, 5},
	    {SYS_clone3, 2},
	    {SYS_fork, 0},
	    {SYS_execve, 3},
	    {SYS_execveat, 5},
	    {SYS_exit_group, 1},
	    {SYS_wait4, 4},
	    {SYS_rt_sigaction, 4},
	    {SYS_rt_sigprocmask, 4},
	    {SYS_rt_sigreturn, 0},
	    {SYS_socket, 3},
	    {SYS_accept4, 4},
	    {SYS_sendto, 6},
	    {SYS_recvfrom, 6},
	    {SYS_ioctl, 3},
	    {SYS_fcntl, 3},
	    {SYS_getdents64, 3},
	    {SYS_faccessat2, 4},
	    {SYS_renameat2, 5},
	    {SYS_pselect6, 6},
	    {SYS_ppoll, 5},
	    {SYS_futex, 6},
	    {SYS_prlimit64, 4},
	    {SYS_io_uring_enter, 6},
	    {SYS_landlock_add_rule, 4},
	    {SYS_futex_waitv, 5},
	    {SYS_close_range, 3},
	    {SYS_getpid, 0},
	};
	static_assert(sizeof sample / sizeof sample[0] == 40, "40 calls");
	for (const auto &s : sample)
		EXPECT_EQ(syscalls_arg_count(s.nr), s.n) << syscalls_name(s.nr);
	EXPECT_EQ(syscalls_arg_count(451), 4); // cachestat
	EXPECT_EQ(syscalls_arg_count(462), 3); // mseal
	EXPECT_EQ(syscalls_arg_count(1000), -1);
	EXPECT_EQ(syscalls_arg_count(-1), -1);
}

TEST(Errno, NamesAndTextsMatchGlibc)
{
	for (int e = 1; e <= 133; e++) {
		const char *name = strerrorname_np(e);
		if (!name) { // 41 and 58 are unused on Linux
			EXPECT_EQ(syscalls_errno_name(e), nullptr) << e;
			EXPECT_EQ(syscalls_errno_text(e), nullptr) << e;
			continue;
		}
		EXPECT_STREQ(syscalls_errno_name(e), name) << e;
		EXPECT_STREQ(syscalls_errno_text(e), strerrordesc_np(e)) << e;
	}
	EXPECT_EQ(syscalls_errno_name(0), nullptr);
	EXPECT_EQ(syscalls_errno_name(134), nullptr);
	EXPECT_EQ(syscalls_errno_name(-1), nullptr);
	EXPECT_EQ(syscalls_errno_text(4096), nullptr);
}

} // namespace
