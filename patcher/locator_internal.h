/*
 * locator internals: the pure parsers behind locator.c (no OS calls), split
 * out so tests can feed them hand-made bytes.
 */
#ifndef SYSCALL_INTERCEPT_PATCHER_LOCATOR_INTERNAL_H
#define SYSCALL_INTERCEPT_PATCHER_LOCATOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "patcher/locator.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Length of the one filler instruction at `p` (at most `avail` bytes):
 * 90, cc, or [66]* [2e] followed by 90 (with a 66) or 0f 1f /0 with a zero
 * displacement (the forms gas and gcc emit for alignment). 0 otherwise. */
size_t locator_filler_len(const uint8_t *p, size_t avail);

/* Sorts by (start, end), stably, using `scratch` (n entries). */
void locator_sort_ranges(struct locator_range *r, size_t n,
			 struct locator_range *scratch);

/* DW_EH_PE_* pointer encodings (the LSB names). */
enum {
	LOCATOR_PE_ABSPTR = 0x00,
	LOCATOR_PE_ULEB128 = 0x01,
	LOCATOR_PE_UDATA2 = 0x02,
	LOCATOR_PE_UDATA4 = 0x03,
	LOCATOR_PE_UDATA8 = 0x04,
	LOCATOR_PE_SLEB128 = 0x09,
	LOCATOR_PE_SDATA2 = 0x0a,
	LOCATOR_PE_SDATA4 = 0x0b,
	LOCATOR_PE_SDATA8 = 0x0c,
	LOCATOR_PE_PCREL = 0x10,
	LOCATOR_PE_DATAREL = 0x30,
	LOCATOR_PE_INDIRECT = 0x80,
	LOCATOR_PE_OMIT = 0xff,
};

/* Reads a pointer encoded as `enc` at *p (not past `end`), advancing *p.
 * `p_addr` is the object address of *p (for pcrel), `data_base` the base
 * for datarel (0: datarel not allowed). Returns 0, LOCATOR_ERR_BAD_ENCODING
 * for forms it does not support (textrel, funcrel, aligned, indirect), or
 * LOCATOR_ERR_BAD_EH_FRAME when the value runs past `end`. */
int locator_read_encoded(const uint8_t **p, const uint8_t *end, uint8_t enc,
			 uintptr_t p_addr, uintptr_t data_base, uint64_t *out);

/* An .eh_frame image: bytes, their object address, and a small cache of
 * parsed CIEs (offset -> FDE pointer encoding). */
#define LOCATOR_CIE_CACHE 8
struct locator_eh {
	const uint8_t *data;
	size_t len;
	uintptr_t addr;
	size_t cie_off[LOCATOR_CIE_CACHE];
	uint8_t cie_enc[LOCATOR_CIE_CACHE];
	bool cie_signal[LOCATOR_CIE_CACHE]; /* 'S' augmentation */
	unsigned cie_valid;
	unsigned cie_next;
};

enum locator_eh_entry {
	LOCATOR_EH_FDE = 1, /* *fde filled */
	LOCATOR_EH_CIE = 2,
	LOCATOR_EH_END = 3, /* zero terminator, or the end of the data */
};

/* Prepares `eh` over [data, data+len) seen at object address `addr`. */
void locator_eh_init(struct locator_eh *eh, const uint8_t *data, size_t len,
		     uintptr_t addr);

/* Parses the CIE or FDE at byte offset `off`, storing the next entry's
 * offset in *next. Returns a locator_eh_entry, or LOCATOR_ERR_BAD_EH_FRAME /
 * LOCATOR_ERR_BAD_ENCODING. */
int locator_eh_entry_at(struct locator_eh *eh, size_t off,
			struct locator_range *fde, size_t *next);

/* Counts the FDEs of a linear walk (stops at the terminator). Returns the
 * count or LOCATOR_ERR_BAD_EH_FRAME. */
long locator_eh_count(const struct locator_eh *eh);

#ifdef __cplusplus
}
#endif

#endif
