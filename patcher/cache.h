/*
 * The plan cache: an object's site analysis and patch plan, saved on disk
 * so that later processes skip the analysis (most of the library's
 * start-up). A cache file is keyed by the identity (device, inode, size,
 * modification time) of the object's file and of the library's own file,
 * so a changed libc or a rebuilt library never meets an old plan; and
 * before a loaded plan is used, every byte it would overwrite is compared
 * with what the plan saw, so a damaged or foreign file is ignored, never
 * applied.
 *
 * Files live in a directory only the user can write (created 0700, owner
 * checked), are written to a temporary name and renamed into place, and
 * are read and written with raw syscalls.
 */
#ifndef SYSCALL_INTERCEPT_PATCHER_CACHE_H
#define SYSCALL_INTERCEPT_PATCHER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "patcher/locator.h"
#include "patcher/planner.h"
#include "patcher/sites.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cache_error {
	CACHE_OK = 0,
	CACHE_E_NOMEM = -30001,	  /* the arena is exhausted */
	CACHE_E_FORMAT = -30002,  /* not a cache file, or another version */
	CACHE_E_KEY = -30003,	  /* made for another object or library */
	CACHE_E_CORRUPT = -30004, /* checksum or bounds wrong */
	CACHE_E_STALE = -30005,	  /* the object's bytes differ from the plan */
	CACHE_E_DIR = -30006,	  /* no usable cache directory */
	CACHE_E_PATH = -30007,	  /* a path does not fit */
};

struct cache_file_id {
	uint64_t dev, ino, size, mtime_sec, mtime_nsec;
};

struct cache_key {
	struct cache_file_id object;
	struct cache_file_id library;
};

/* Stats both files. Returns 0 or -errno. */
int cache_key_for(const char *object_path, const char *library_path,
		  struct cache_key *key);

/* The directory to use: $INTERCEPT_CACHE_DIR, else
 * $XDG_CACHE_HOME/syscall_intercept, else $HOME/.cache/syscall_intercept;
 * created (0700) if missing. It must be owned by this user and writable by
 * no one else. Writes it to out. Returns 0 or CACHE_E_DIR/CACHE_E_PATH. */
int cache_dir(char *out, size_t size);

/* The file for an object in dir: "<dir>/<basename>-<hash of the key>". */
int cache_file(const char *dir, const char *object_path,
	       const struct cache_key *key, char *out, size_t size);

/* Saves the sites and plan of a loaded object, then prunes older plans for
 * it (cache_prune). Returns 0, -errno, or a cache_error. Writes nothing
 * visible unless it all succeeds. */
int cache_save(const char *path, const struct cache_key *key,
	       const struct locator_object *obj,
	       const struct plan_result *plan);

/* How many plans cache_prune keeps per object (one per library build or
 * object version in use). */
#define CACHE_KEEP 4

/* After `path` (a cache file) was written: removes the oldest other plans
 * for the same object in its directory beyond CACHE_KEEP, and leftovers of
 * interrupted saves older than a minute. Best effort; raw syscalls only.
 * Returns the number of files removed. */
int cache_prune(const char *path);

/* Loads a plan saved for this key into *sites and *plan (memory from the
 * arena), rebased to the object's current load address, after checking
 * that the object still holds the bytes every site will overwrite.
 * Returns 0, -errno, or a cache_error. */
int cache_load(const char *path, const struct cache_key *key,
	       const struct locator_object *obj, struct arena *arena,
	       struct sites_result *sites, struct plan_result *plan);

/* A static description of an error code. */
const char *cache_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
