#include "patcher/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "base/raw_syscall.h"

#define CACHE_MAGIC   "SIPLAN01"
#define CACHE_VERSION 3u

struct cache_header {
	char magic[8];
	uint32_t version;
	uint32_t record_size;
	uint64_t n_sites;
	struct cache_key key;
	uint64_t checksum; /* records_sum of the records */
};

/* The records are summed in 32-byte blocks (see struct sum). */
#define SUM_BLOCK 32

struct cache_record {
	struct sites_site site; /* addresses relative to the load bias */
	struct plan_site plan;	/* .site is not stored */
	uint8_t orig_site[16];	/* the object's bytes at plan.patch_start */
	uint8_t orig_pad[8];	/* ... and at plan.pad_slot */
	uint8_t zero[8];	/* to a whole number of SUM_BLOCKs */
};
_Static_assert(sizeof(struct cache_record) % SUM_BLOCK == 0,
	       "cache records are summed in whole blocks");

/* FNV-1a-style mixing over 64-bit words in four lanes, folded, then any
 * tail bytes: the hash in a cache file's name. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = (const uint8_t *)p;
	uint64_t l[4] = {h, h ^ 1, h ^ 2, h ^ 3};
	size_t i = 0;
	for (; i + 32 <= n; i += 32)
		for (int k = 0; k < 4; k++) {
			uint64_t w;
			__builtin_memcpy(&w, b + i + 8 * k, 8);
			l[k] ^= w;
			l[k] *= 0x100000001b3ULL;
			l[k] ^= l[k] >> 29;
		}
	for (int k = 0; k < 4; k++) {
		h ^= l[k];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_SEED 0xcbf29ce484222325ULL

/* The records' checksum, read at every start over a few hundred KiB:
 * Fletcher-style running sums of 64-bit words in four lanes (a += word,
 * s += a), so the loop is additions that keep pace with the loads, where a
 * chain of multiplies per word would not. s weighs each word by its
 * position, so moved or swapped words change it too. It detects damage, not
 * tampering: the directory's ownership guards against that. */
struct sum {
	uint64_t a[4], s[4];
};

static void sum_init(struct sum *st)
{
	for (int k = 0; k < 4; k++) {
		st->a[k] = FNV_SEED + (uint64_t)k;
		st->s[k] = 0;
	}
}

/* n is a multiple of SUM_BLOCK. The lanes live in locals: bytes may alias
 * *st, so sums kept there would be stored and reloaded every word (6x
 * slower). */
static void sum_blocks(struct sum *st, const void *p, size_t n)
{
	const uint8_t *b = (const uint8_t *)p;
	uint64_t a[4], s[4];
	for (int k = 0; k < 4; k++) {
		a[k] = st->a[k];
		s[k] = st->s[k];
	}
	for (size_t i = 0; i + SUM_BLOCK <= n; i += SUM_BLOCK) {
		uint64_t w[4];
		__builtin_memcpy(w, b + i, sizeof(w));
		for (int k = 0; k < 4; k++) {
			a[k] += w[k];
			s[k] += a[k];
		}
	}
	for (int k = 0; k < 4; k++) {
		st->a[k] = a[k];
		st->s[k] = s[k];
	}
}

static uint64_t sum_final(const struct sum *st)
{
	uint64_t h = 0;
	for (int k = 0; k < 4; k++)
		for (int j = 0; j < 2; j++) {
			h ^= j ? st->s[k] : st->a[k];
			h *= 0x100000001b3ULL;
			h ^= h >> 29;
		}
	return h;
}

/* The header's checksum, which cache_save computes record by record as it
 * writes them: the same, since records are whole blocks. */
static uint64_t records_sum(const struct cache_record *rec, size_t n)
{
	struct sum st;
	sum_init(&st);
	sum_blocks(&st, rec, n * sizeof(*rec));
	return sum_final(&st);
}

static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* Appends s to out[*len..size), keeping it NUL-terminated. */
static bool append(char *out, size_t size, size_t *len, const char *s)
{
	size_t n = str_len(s);
	if (*len + n + 1 > size)
		return false;
	__builtin_memcpy(out + *len, s, n + 1);
	*len += n;
	return true;
}

static int stat_id(const char *path, struct cache_file_id *id)
{
	struct stat st;
	long r =
	    raw_syscall4(SYS_newfstatat, AT_FDCWD, (long)path, (long)&st, 0);
	if (raw_is_error(r))
		return (int)r;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = (uint64_t)st.st_size;
	id->mtime_sec = (uint64_t)st.st_mtim.tv_sec;
	id->mtime_nsec = (uint64_t)st.st_mtim.tv_nsec;
	return 0;
}

int cache_key_for(const char *object_path, const char *library_path,
		  struct cache_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	int err = stat_id(object_path, &key->object);
	return err ? err : stat_id(library_path, &key->library);
}

/* The directory exists (made 0700 if not), belongs to us, and no one else
 * may write to it. */
static bool usable_dir(const char *path)
{
	raw_syscall2(SYS_mkdir, (long)path, 0700);
	struct stat st;
	long r =
	    raw_syscall4(SYS_newfstatat, AT_FDCWD, (long)path, (long)&st, 0);
	return !raw_is_error(r) && S_ISDIR(st.st_mode) &&
	       st.st_uid == (uid_t)raw_syscall0(SYS_geteuid) &&
	       (st.st_mode & 022) == 0;
}

int cache_dir(char *out, size_t size)
{
	size_t len = 0;
	const char *dir = getenv("INTERCEPT_CACHE_DIR");
	if (dir && *dir) {
		if (!append(out, size, &len, dir))
			return CACHE_E_PATH;
		return usable_dir(out) ? 0 : CACHE_E_DIR;
	}
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg == '/') {
		if (!append(out, size, &len, xdg))
			return CACHE_E_PATH;
	} else if (home && *home == '/') {
		if (!append(out, size, &len, home) ||
		    !append(out, size, &len, "/.cache"))
			return CACHE_E_PATH;
		raw_syscall2(SYS_mkdir, (long)out, 0700);
	} else {
		return CACHE_E_DIR;
	}
	if (!append(out, size, &len, "/syscall_intercept"))
		return CACHE_E_PATH;
	return usable_dir(out) ? 0 : CACHE_E_DIR;
}

int cache_file(const char *dir, const char *object_path,
	       const struct cache_key *key, char *out, size_t size)
{
	const char *base = object_path;
	for (const char *p = object_path; *p; p++)
		if (*p == '/')
			base = p + 1;
	uint64_t h = fnv(FNV_SEED, object_path, str_len(object_path));
	h = fnv(h, key, sizeof(*key));
	char hex[18] = "-";
	for (int i = 0; i < 16; i++)
		hex[1 + i] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 15];
	hex[17] = 0;
	size_t len = 0;
	if (!append(out, size, &len, dir) || !append(out, size, &len, "/") ||
	    !append(out, size, &len, base) || !append(out, size, &len, hex))
		return CACHE_E_PATH;
	return 0;
}

/* Adds delta to every address of a site and its plan (delta is the load
 * bias, or minus it). Instruction targets of 0 mean "none". */
static void rebase(struct sites_site *s, struct plan_site *p, uint64_t delta)
{
	s->address += delta;
	s->range_start += delta;
	s->range_end += delta;
	s->window_start += delta;
	for (unsigned k = 0; k < SITES_MAX_INSNS; k++) {
		s->insns[k].address += delta;
		if (s->insns[k].target)
			s->insns[k].target += delta;
	}
	p->patch_start += delta;
	if (p->pad_slot)
		p->pad_slot += delta;
	p->resume += delta;
}

static bool write_all(long fd, const void *buf, size_t n)
{
	const uint8_t *b = (const uint8_t *)buf;
	while (n) {
		long w = raw_syscall3(SYS_write, fd, (long)b, (long)n);
		if (w == -EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}

int cache_save(const char *path, const struct cache_key *key,
	       const struct locator_object *obj, const struct plan_result *plan)
{
	char tmp[4096];
	size_t len = 0;
	char pid[24];
	long id = raw_syscall0(SYS_getpid);
	int n = 0;
	do {
		pid[n++] = (char)('0' + id % 10);
		id /= 10;
	} while (id && n < 20);
	char pid_rev[24];
	for (int i = 0; i < n; i++)
		pid_rev[i] = pid[n - 1 - i];
	pid_rev[n] = 0;
	if (!append(tmp, sizeof(tmp), &len, path) ||
	    !append(tmp, sizeof(tmp), &len, ".tmp.") ||
	    !append(tmp, sizeof(tmp), &len, pid_rev))
		return CACHE_E_PATH;

	/* Records are built one at a time; the checksum goes in a header
	 * rewritten at the end. */
	long fd = raw_syscall4(SYS_openat, AT_FDCWD, (long)tmp,
			       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (raw_is_error(fd))
		return (int)fd;
	struct cache_header h;
	__builtin_memset(&h, 0, sizeof(h));
	__builtin_memcpy(h.magic, CACHE_MAGIC, 8);
	h.version = CACHE_VERSION;
	h.record_size = sizeof(struct cache_record);
	h.n_sites = plan->n_sites;
	h.key = *key;
	struct sum st;
	sum_init(&st);
	h.checksum = 0; /* written last */
	bool ok = write_all(fd, &h, sizeof(h));
	for (size_t i = 0; ok && i < plan->n_sites; i++) {
		struct cache_record rec;
		__builtin_memset(&rec, 0, sizeof(rec));
		rec.site = *plan->sites[i].site;
		rec.plan = plan->sites[i];
		rec.plan.site = 0;
		const uint8_t *b = locator_bytes(obj, rec.plan.patch_start,
						 rec.plan.patch_len);
		if (rec.plan.patch_len > sizeof(rec.orig_site) ||
		    (rec.plan.patch_len && !b)) {
			ok = false;
			break;
		}
		if (rec.plan.patch_len)
			__builtin_memcpy(rec.orig_site, b, rec.plan.patch_len);
		if (rec.plan.kind == PLAN_PADDING) {
			b = locator_bytes(obj, rec.plan.pad_slot, 5);
			if (!b) {
				ok = false;
				break;
			}
			__builtin_memcpy(rec.orig_pad, b, 5);
		}
		rebase(&rec.site, &rec.plan, -(uint64_t)obj->bias);
		sum_blocks(&st, &rec, sizeof(rec));
		ok = write_all(fd, &rec, sizeof(rec));
	}
	h.checksum = sum_final(&st);
	if (ok)
		ok = raw_syscall4(SYS_pwrite64, fd, (long)&h, sizeof(h), 0) ==
		     (long)sizeof(h);
	raw_syscall1(SYS_close, fd);
	if (ok &&
	    !raw_is_error(raw_syscall2(SYS_rename, (long)tmp, (long)path))) {
		cache_prune(path);
		return 0;
	}
	raw_syscall1(SYS_unlink, (long)tmp);
	return CACHE_E_PATH;
}

/* Is every byte the plan overwrites still what it saw? */
/* The object still holds, at the rebased site s and plan p, the bytes the
 * record r saw there. */
static bool still_there(const struct locator_object *obj,
			const struct sites_site *s, const struct plan_site *p,
			const struct cache_record *r)
{
	const uint8_t *b = locator_bytes(obj, s->address, 2);
	if (!b || b[0] != 0x0f || b[1] != 0x05)
		return false;
	if (p->patch_len) {
		b = locator_bytes(obj, p->patch_start, p->patch_len);
		if (!b || __builtin_memcmp(b, r->orig_site, p->patch_len))
			return false;
	}
	if (p->kind == PLAN_PADDING) {
		b = locator_bytes(obj, p->pad_slot, 5);
		if (!b || __builtin_memcmp(b, r->orig_pad, 5))
			return false;
	}
	return true;
}

static bool plausible(const struct sites_site *s, const struct plan_site *p)
{
	return s->n_insns >= 1 && s->n_insns <= SITES_MAX_INSNS &&
	       s->syscall_index < s->n_insns &&
	       (p->kind == PLAN_INLINE || p->kind == PLAN_PADDING ||
		p->kind == PLAN_FALLBACK) &&
	       p->patch_len <= sizeof(((struct cache_record *)0)->orig_site) &&
	       (unsigned)p->first + p->count <= s->n_insns && p->save <= 2;
}

int cache_load(const char *path, const struct cache_key *key,
	       const struct locator_object *obj, struct arena *arena,
	       struct sites_result *sites, struct plan_result *plan)
{
	long fd = raw_syscall4(SYS_openat, AT_FDCWD, (long)path,
			       O_RDONLY | O_CLOEXEC, 0);
	if (raw_is_error(fd))
		return (int)fd;
	struct stat st;
	long r = raw_syscall2(SYS_fstat, fd, (long)&st);
	if (raw_is_error(r) || st.st_uid != (uid_t)raw_syscall0(SYS_geteuid) ||
	    (size_t)st.st_size < sizeof(struct cache_header)) {
		raw_syscall1(SYS_close, fd);
		return raw_is_error(r) ? (int)r : CACHE_E_FORMAT;
	}
	size_t size = (size_t)st.st_size;
	/* Populated: one syscall instead of a page fault per 4 KiB. */
	long m = raw_syscall6(SYS_mmap, 0, (long)size, PROT_READ,
			      MAP_PRIVATE | MAP_POPULATE, fd, 0);
	raw_syscall1(SYS_close, fd);
	if (raw_is_error(m))
		return (int)m;
	const struct cache_header *h = (const struct cache_header *)m;
	const struct cache_record *rec = (const struct cache_record *)(h + 1);
	int err = 0;
	if (__builtin_memcmp(h->magic, CACHE_MAGIC, 8) ||
	    h->version != CACHE_VERSION ||
	    h->record_size != sizeof(struct cache_record))
		err = CACHE_E_FORMAT;
	else if (__builtin_memcmp(&h->key, key, sizeof(*key)))
		err = CACHE_E_KEY;
	else if (h->n_sites > (size - sizeof(*h)) / sizeof(*rec) ||
		 size != sizeof(*h) + h->n_sites * sizeof(*rec) ||
		 records_sum(rec, h->n_sites) != h->checksum)
		err = CACHE_E_CORRUPT;
	size_t n = err ? 0 : (size_t)h->n_sites;
	struct sites_site *ss = 0;
	struct plan_site *ps = 0;
	if (!err && n) {
		ss = (struct sites_site *)arena_alloc_uninit(
		    arena, n * sizeof(*ss), 16);
		ps = (struct plan_site *)arena_alloc_uninit(
		    arena, n * sizeof(*ps), 16);
		if (!ss || !ps)
			err = CACHE_E_NOMEM;
		else {
			arena_prefault(ss, n * sizeof(*ss));
			arena_prefault(ps, n * sizeof(*ps));
		}
	}
	__builtin_memset(plan, 0, sizeof(*plan));
	for (size_t i = 0; !err && i < n; i++) {
		/* Straight into place, then checked there. */
		ss[i] = rec[i].site;
		ps[i] = rec[i].plan;
		rebase(&ss[i], &ps[i], (uint64_t)obj->bias);
		if (!plausible(&ss[i], &ps[i])) {
			err = CACHE_E_CORRUPT;
			break;
		}
		if (!still_there(obj, &ss[i], &ps[i], &rec[i])) {
			err = CACHE_E_STALE;
			break;
		}
		ps[i].site = &ss[i];
		plan->n_inline += ps[i].kind == PLAN_INLINE;
		plan->n_padding += ps[i].kind == PLAN_PADDING;
		plan->n_fallback += ps[i].kind == PLAN_FALLBACK;
	}
	raw_syscall2(SYS_munmap, m, (long)size);
	if (err) {
		__builtin_memset(plan, 0, sizeof(*plan));
		return err;
	}
	__builtin_memset(sites, 0, sizeof(*sites));
	sites->sites = ss;
	sites->n_sites = n;
	plan->sites = ps;
	plan->n_sites = n;
	return 0;
}

const char *cache_strerror(int err)
{
	switch (err) {
	case CACHE_OK:
		return "ok";
	case CACHE_E_NOMEM:
		return "out of working memory";
	case CACHE_E_FORMAT:
		return "not a plan cache of this version";
	case CACHE_E_KEY:
		return "made for another object or library build";
	case CACHE_E_CORRUPT:
		return "damaged";
	case CACHE_E_STALE:
		return "the object's code differs from the cached plan";
	case CACHE_E_DIR:
		return "no private cache directory";
	case CACHE_E_PATH:
		return "cannot write the cache file";
	}
	return err < 0 && err > -4096 ? "system error" : "unknown error";
}

/* ---- pruning ------------------------------------------------------------ */

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* name starts with the base_len bytes of base, then '-'. */
static bool starts_with_base(const char *name, const char *base,
			     size_t base_len)
{
	for (size_t i = 0; i < base_len; i++)
		if (name[i] != base[i])
			return false;
	return name[base_len] == '-';
}

/* "<base>-" followed by exactly 16 hex digits. */
static bool is_plan_of(const char *name, const char *base, size_t base_len)
{
	if (!starts_with_base(name, base, base_len))
		return false;
	const char *h = name + base_len + 1;
	for (int i = 0; i < 16; i++)
		if (!((h[i] >= '0' && h[i] <= '9') ||
		      (h[i] >= 'a' && h[i] <= 'f')))
			return false;
	return h[16] == 0;
}

/* "<base>-<16 hex>.tmp.<digits>": a save that did not finish. */
static bool is_tmp_of(const char *name, const char *base, size_t base_len)
{
	if (!starts_with_base(name, base, base_len))
		return false;
	const char *t = name + base_len + 17;
	if (str_len(name) < base_len + 17 + 5)
		return false;
	return t[0] == '.' && t[1] == 't' && t[2] == 'm' && t[3] == 'p' &&
	       t[4] == '.';
}

static bool same_name(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int cache_prune(const char *path)
{
	char dir[4096];
	size_t len = str_len(path), slash = len;
	while (slash > 0 && path[slash - 1] != '/')
		slash--;
	if (slash == 0 || slash >= sizeof(dir) || len - slash < 18)
		return 0;
	__builtin_memcpy(dir, path, slash);
	dir[slash] = 0;
	const char *self = path + slash;
	size_t base_len = len - slash - 17; /* "<base>" before "-<hex>" */
	long fd = raw_syscall4(SYS_openat, AT_FDCWD, (long)dir,
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (raw_is_error(fd))
		return 0;
	struct timespec now;
	raw_syscall2(SYS_clock_gettime, CLOCK_REALTIME, (long)&now);
	/* The CACHE_KEEP - 1 newest others survive; anything older goes. */
	struct {
		char name[256];
		int64_t mtime;
	} keep[CACHE_KEEP - 1];
	size_t n_keep = 0;
	int removed = 0;
	char buf[4096];
	for (;;) {
		long n =
		    raw_syscall3(SYS_getdents64, fd, (long)buf, sizeof(buf));
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d =
			    (struct linux_dirent64 *)(buf + off);
			off += d->d_reclen;
			const char *name = d->d_name;
			bool plan = is_plan_of(name, self, base_len);
			bool tmp = !plan && is_tmp_of(name, self, base_len);
			if ((!plan && !tmp) || same_name(name, self))
				continue;
			struct stat st;
			if (raw_is_error(raw_syscall4(SYS_newfstatat, fd,
						      (long)name, (long)&st,
						      AT_SYMLINK_NOFOLLOW)) ||
			    !S_ISREG(st.st_mode))
				continue;
			int64_t mt = (int64_t)st.st_mtim.tv_sec;
			if (tmp) {
				if (now.tv_sec - mt > 60 &&
				    !raw_syscall3(SYS_unlinkat, fd, (long)name,
						  0))
					removed++;
				continue;
			}
			/* Keep the newest CACHE_KEEP - 1; the victim is the
			 * oldest of those and this one. */
			const char *victim = name;
			char held[256];
			if (n_keep < CACHE_KEEP - 1 && str_len(name) < 256) {
				__builtin_memcpy(keep[n_keep].name, name,
						 str_len(name) + 1);
				keep[n_keep++].mtime = mt;
				continue;
			}
			size_t oldest = 0;
			for (size_t k = 1; k < n_keep; k++)
				if (keep[k].mtime < keep[oldest].mtime)
					oldest = k;
			if (n_keep && keep[oldest].mtime < mt &&
			    str_len(name) < 256) {
				__builtin_memcpy(held, keep[oldest].name,
						 str_len(keep[oldest].name) +
						     1);
				__builtin_memcpy(keep[oldest].name, name,
						 str_len(name) + 1);
				keep[oldest].mtime = mt;
				victim = held;
			}
			if (!raw_syscall3(SYS_unlinkat, fd, (long)victim, 0))
				removed++;
		}
	}
	raw_syscall1(SYS_close, fd);
	return removed;
}
