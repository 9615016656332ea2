#include "trampoline/testing/test_tramp.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"

#define PAGE	      4096
#define SLOTS_OFFSET  64  /* entry_slot, resume_slot */
#define SITE_OFFSET   128 /* struct si_site */
#define REL32_REACH   0x7fff0000L
#define NEAR_DISTANCE (256L << 20)

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static bool rel32_fits(uintptr_t from_end, uintptr_t to)
{
	long d = (long)(to - from_end);
	return d > -REL32_REACH && d < REL32_REACH;
}

/* Maps a page near `target` (a hint, 256 MiB below it) so that jmp rel32
 * can usually reach it; returns the page or -errno. */
static uint8_t *map_page_near(uintptr_t target)
{
	uintptr_t hint = target & ~(uintptr_t)(PAGE - 1);

	hint = hint > (uintptr_t)NEAR_DISTANCE ? hint - NEAR_DISTANCE
					       : hint + NEAR_DISTANCE;
	return (uint8_t *)raw_syscall6(SYS_mmap, (long)hint, PAGE,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int test_tramp_build(struct test_tramp *t,
		     const struct test_tramp_options *opts)
{
	uintptr_t stub = opts->preserve_flags ? (uintptr_t)&si_entry_flags
					      : (uintptr_t)&si_entry;
	uint8_t *page = map_page_near(stub);
	uint8_t *p;
	uintptr_t *slots;
	struct si_site *site;
	long rc;

	memset(t, 0, sizeof(*t));
	if (raw_is_error((long)page))
		return (int)(long)page;
	p = page;
	slots = (uintptr_t *)(page + SLOTS_OFFSET);
	site = (struct si_site *)(page + SITE_OFFSET);

	t->entry = p;
	/* lea desc_N(%rip), %r11 */
	p[0] = 0x4c;
	p[1] = 0x8d;
	p[2] = 0x1d;
	put_u32(p + 3, (uint32_t)((uint8_t *)site - (p + 7)));
	p += 7;
	if (!opts->force_indirect && rel32_fits((uintptr_t)(p + 5), stub)) {
		/* jmp si_entry */
		p[0] = 0xe9;
		put_u32(p + 1, (uint32_t)(stub - (uintptr_t)(p + 5)));
		p += 5;
		t->used_rel32 = true;
	} else {
		/* jmp *entry_slot(%rip) */
		p[0] = 0xff;
		p[1] = 0x25;
		put_u32(p + 2, (uint32_t)((uint8_t *)&slots[0] - (p + 6)));
		p += 6;
		slots[0] = stub;
	}
	t->sys = p;
	/* syscall */
	p[0] = 0x0f;
	p[1] = 0x05;
	p += 2;
	/* jmp *resume_slot(%rip) */
	p[0] = 0xff;
	p[1] = 0x25;
	put_u32(p + 2, (uint32_t)((uint8_t *)&slots[1] - (p + 6)));
	slots[1] = (uintptr_t)opts->resume_to;

	site->syscall_addr = (uint64_t)(uintptr_t)t->sys;
	site->orig_addr = opts->orig_addr;
	site->object = NULL;
	site->flags = opts->site_flags;
	site->index = opts->site_index;

	rc =
	    raw_syscall3(SYS_mprotect, (long)page, PAGE, PROT_READ | PROT_EXEC);
	if (raw_is_error(rc)) {
		raw_syscall2(SYS_munmap, (long)page, PAGE);
		memset(t, 0, sizeof(*t));
		return (int)rc;
	}
	t->page = page;
	t->page_size = PAGE;
	t->site = site;
	return 0;
}

void test_tramp_free(struct test_tramp *t)
{
	if (t->page != NULL)
		raw_syscall2(SYS_munmap, (long)t->page, (long)t->page_size);
	t->page = NULL;
}
