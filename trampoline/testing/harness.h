/*
 * Test support: assembly drivers that execute a trampoline in place of a
 * `syscall` instruction with every register under control, and record every
 * register afterwards. Layout shared by C and harness.S. testonly.
 */
#ifndef SYSCALL_INTERCEPT_TRAMPOLINE_TESTING_HARNESS_H
#define SYSCALL_INTERCEPT_TRAMPOLINE_TESTING_HARNESS_H

/* Indices into harness.gpr_in/gpr_out (rsp is checked separately). */
#define H_RAX  0
#define H_RBX  1
#define H_RCX  2
#define H_RDX  3
#define H_RSI  4
#define H_RDI  5
#define H_RBP  6
#define H_R8   7
#define H_R9   8
#define H_R10  9
#define H_R11  10
#define H_R12  11
#define H_R13  12
#define H_R14  13
#define H_R15  14
#define H_NGPR 15

#define H_GPR_IN      0
#define H_GPR_OUT     128
#define H_REDZONE_IN  256
#define H_REDZONE_OUT 384
#define H_VEC_IN      512
#define H_VEC_OUT     1024
#define H_RFLAGS_IN   1536
#define H_RFLAGS_OUT  1544
#define H_TRAMP	      1552
#define H_STACK_ADJ   1560
#define H_RSP_AT_JUMP 1568
#define H_RSP_AFTER   1576
#define H_USE_AVX     1584
#define H_MXCSR_IN    1588
#define H_MXCSR_OUT   1592
#define H_DIRTY_STACK 1596
#define H_RET_ADDR    1600
#define H_SIZE	      1608

/* struct clone_result offsets (written by the thread-style clone child). */
#define C_RSP  0
#define C_RAX  8
#define C_RBX  16
#define C_RBP  24
#define C_R12  32
#define C_R13  40
#define C_R14  48
#define C_R15  56
#define C_RDI  64
#define C_RSI  72
#define C_RDX  80
#define C_R8   88
#define C_R9   96
#define C_R10  104
#define C_DONE 112
#define C_SIZE 120

/* Values clone_run holds in callee-saved registers across the clone. */
#define CLONE_SENTINEL_RBX 0x1111222233334444
#define CLONE_SENTINEL_RBP 0x5555666677778888
#define CLONE_SENTINEL_R13 0x13131313deadbeef
#define CLONE_SENTINEL_R14 0x14141414deadbeef
#define CLONE_SENTINEL_R15 0x15151515deadbeef

/* struct clone_side / struct clone_drive offsets (clone_drive). */
#define CS_GPR	   0
#define CS_RSP	   128
#define CS_FLAGS   136
#define CS_REDZONE 144
#define CS_XMM	   272
#define CS_SIZE	   528

#define CD_TRAMP	  0
#define CD_GPR_IN	  8
#define CD_REDZONE_IN	  136
#define CD_XMM_IN	  264
#define CD_RFLAGS_IN	  520
#define CD_RSP_AT_JUMP	  528
#define CD_CHILD_TRAMP	  536
#define CD_CHILD_NR	  544
#define CD_CHILD_ARGS	  552
#define CD_PARENT	  576
#define CD_CHILD	  (CD_PARENT + CS_SIZE)
#define CD_CHILD_RECORDED (CD_CHILD + CS_SIZE)
#define CD_SIZE		  (CD_CHILD_RECORDED + 8)

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct harness {
	uint64_t gpr_in[16];	  /* loaded just before jumping in */
	uint64_t gpr_out[16];	  /* stored at the resume label */
	uint64_t redzone_in[16];  /* [i] goes to -8*(i+1)(%rsp) */
	uint64_t redzone_out[16]; /* read back from the same places */
	uint8_t vec_in[16][32];	  /* xmm0-15 (or ymm0-15 with use_avx) */
	uint8_t vec_out[16][32];
	uint64_t rflags_in;
	uint64_t rflags_out;
	uint64_t tramp;	      /* trampoline entry to jump to */
	uint64_t stack_adj;   /* 0..15: rsp at the jump is 16-aligned - adj */
	uint64_t rsp_at_jump; /* recorded */
	uint64_t rsp_after;   /* rsp seen at the resume label */
	uint32_t use_avx;     /* load/store ymm instead of xmm */
	uint32_t mxcsr_in;
	uint32_t mxcsr_out;
	/* Fill the 16 KiB below the red zone with 0xff first, so code that
	 * relies on fresh stack contents fails deterministically. */
	uint32_t dirty_stack;
	uint64_t ret_addr; /* harness_run's return address, for unwind tests */
};

#ifdef __cplusplus
static_assert(offsetof(struct harness, gpr_out) == H_GPR_OUT, "gpr_out");
static_assert(offsetof(struct harness, redzone_in) == H_REDZONE_IN, "rz");
static_assert(offsetof(struct harness, redzone_out) == H_REDZONE_OUT, "rz");
static_assert(offsetof(struct harness, vec_in) == H_VEC_IN, "vec_in");
static_assert(offsetof(struct harness, vec_out) == H_VEC_OUT, "vec_out");
static_assert(offsetof(struct harness, rflags_in) == H_RFLAGS_IN, "rf");
static_assert(offsetof(struct harness, rflags_out) == H_RFLAGS_OUT, "rf");
static_assert(offsetof(struct harness, tramp) == H_TRAMP, "tramp");
static_assert(offsetof(struct harness, stack_adj) == H_STACK_ADJ, "adj");
static_assert(offsetof(struct harness, rsp_at_jump) == H_RSP_AT_JUMP, "rsp");
static_assert(offsetof(struct harness, rsp_after) == H_RSP_AFTER, "rsp");
static_assert(offsetof(struct harness, use_avx) == H_USE_AVX, "avx");
static_assert(offsetof(struct harness, mxcsr_in) == H_MXCSR_IN, "mxcsr");
static_assert(offsetof(struct harness, mxcsr_out) == H_MXCSR_OUT, "mxcsr");
static_assert(offsetof(struct harness, dirty_stack) == H_DIRTY_STACK, "dirty");
static_assert(offsetof(struct harness, ret_addr) == H_RET_ADDR, "ret");
static_assert(sizeof(struct harness) == H_SIZE, "size");
#endif

/* Loads every register from h, jumps to h->tramp with rsp = a 16-aligned
 * address minus h->stack_adj; the trampoline must resume at
 * harness_resume, which records every register into h and returns. */
void harness_run(struct harness *h);
/* The resume label (not callable). */
void harness_resume(void);
/* The instruction that jumps into the trampoline: use as si_site.orig_addr
 * (orig_addr + 2 lies inside it, where harness_run's CFI is valid). */
void harness_site(void);
/* First byte after harness_run. */
void harness_run_end(void);

struct clone_result {
	uint64_t rsp, rax, rbx, rbp, r12, r13, r14, r15;
	uint64_t rdi, rsi, rdx, r8, r9, r10;
	uint64_t done; /* set to 1 by a thread-style child before it exits */
};

#ifdef __cplusplus
static_assert(offsetof(struct clone_result, done) == C_DONE, "done");
static_assert(sizeof(struct clone_result) == C_SIZE, "size");
#endif

/* Runs clone(flags, new_stack, ptid, ctid, tls) through `tramp` (which must
 * resume at clone_resume). r12 = child_out; rbx rbp r13 r14 r15 hold
 * CLONE_SENTINEL_* across the call. The child (rax == 0) records its
 * registers into *child_out; with new_stack != 0 it then exits the thread
 * (raw exit(0), after setting child_out->done), else it returns 0 from this
 * function like fork. Returns the parent's raw result. */
long clone_run(void *tramp, long flags, void *new_stack, int *ptid, int *ctid,
	       long tls, struct clone_result *child_out);
void clone_resume(void);

/* What one side of a clone saw at clone_drive_resume. */
struct clone_side {
	uint64_t gpr[16]; /* H_* indices; [H_RAX] = the clone's result */
	uint64_t rsp;
	/* lahf into bits 8-15 (SF ZF - AF - PF 1 CF), seto into bits 0-7 */
	uint64_t flags;
	uint64_t redzone[16]; /* -8*(i+1)(%rsp) */
	uint8_t xmm[16][16];
};

/* One clone through a trampoline, every register under control. Put it in
 * MAP_SHARED memory when the child is a process. */
struct clone_drive {
	uint64_t tramp;		 /* resumes at clone_drive_resume */
	uint64_t gpr_in[16];	 /* every register at the jump (rax = nr) */
	uint64_t redzone_in[16]; /* [i] goes to -8*(i+1)(%rsp) */
	uint8_t xmm_in[16][16];
	uint64_t rflags_in;
	uint64_t rsp_at_jump; /* recorded */
	/* After recording, the child sets child_recorded and makes the call
	 * child_nr(child_args) through child_tramp (which resumes at
	 * clone_drive_child_fail, exit_group(127)), or with a raw `syscall`
	 * if child_tramp is 0. It never returns. */
	uint64_t child_tramp;
	uint64_t child_nr;
	uint64_t child_args[3];
	struct clone_side parent;
	struct clone_side child;
	uint64_t child_recorded;
};

#ifdef __cplusplus
static_assert(offsetof(struct clone_side, rsp) == CS_RSP, "rsp");
static_assert(offsetof(struct clone_side, flags) == CS_FLAGS, "flags");
static_assert(offsetof(struct clone_side, redzone) == CS_REDZONE, "rz");
static_assert(offsetof(struct clone_side, xmm) == CS_XMM, "xmm");
static_assert(sizeof(struct clone_side) == CS_SIZE, "size");
static_assert(offsetof(struct clone_drive, gpr_in) == CD_GPR_IN, "gpr");
static_assert(offsetof(struct clone_drive, redzone_in) == CD_REDZONE_IN, "rz");
static_assert(offsetof(struct clone_drive, xmm_in) == CD_XMM_IN, "xmm");
static_assert(offsetof(struct clone_drive, rflags_in) == CD_RFLAGS_IN, "rf");
static_assert(offsetof(struct clone_drive, rsp_at_jump) == CD_RSP_AT_JUMP,
	      "rsp");
static_assert(offsetof(struct clone_drive, child_tramp) == CD_CHILD_TRAMP,
	      "ct");
static_assert(offsetof(struct clone_drive, child_nr) == CD_CHILD_NR, "cn");
static_assert(offsetof(struct clone_drive, child_args) == CD_CHILD_ARGS, "ca");
static_assert(offsetof(struct clone_drive, parent) == CD_PARENT, "parent");
static_assert(offsetof(struct clone_drive, child) == CD_CHILD, "child");
static_assert(offsetof(struct clone_drive, child_recorded) == CD_CHILD_RECORDED,
	      "recorded");
static_assert(sizeof(struct clone_drive) == CD_SIZE, "size");
#endif

/* Loads every register from d (rsp = a 16-aligned address below this
 * function's frame), jumps to d->tramp; at clone_drive_resume each side
 * records itself into d->parent or d->child (rax == 0) without writing
 * below its rsp. A new-stack child needs 32 bytes above its stack top for
 * scratch. The parent returns its rax; the child does what d->child_*
 * says. One clone_drive at a time per process (the child finds d through a
 * global). */
long clone_drive_run(struct clone_drive *d);
void clone_drive_site(void);
void clone_drive_resume(void);
void clone_drive_child_fail(void);

/* A __restore_rt lookalike for SA_RESTORER: eax = SYS_rt_sigreturn, then
 * jmp *sigreturn_tramp (a trampoline whose resume is never reached). */
void sigreturn_restorer(void);
extern void *sigreturn_tramp;
/* Loads every register from h and runs the raw `syscall` at
 * signal_site_syscall instead of a trampoline (use h->tramp =
 * signal_site), then records like harness_run. */
void signal_site(void);
void signal_site_syscall(void);

/* Runs `n` times: eax = nr, jump to `tramp` (which resumes at
 * bench_resume). Returns the last rax. For benchmarks. */
long bench_tramp_loop(void *tramp, long nr, long n);
void bench_resume(void);
/* The same loop with a plain `syscall` in place of the trampoline. */
long bench_raw_loop(long nr, long n);
/* The same loop through the least stub with the hook ABI (see harness.S):
 * the floor under the real stub's emulated path. */
long bench_floor_loop(void *hook, long nr, long n);

#ifdef __cplusplus
}
#endif

#endif /* __ASSEMBLER__ */

#endif
