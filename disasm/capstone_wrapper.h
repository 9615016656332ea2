/*
 * The one place capstone's header enters the project. Only files inside
 * disasm/ include this; no capstone type leaves the package.
 */
#ifndef SYSCALL_INTERCEPT_DISASM_CAPSTONE_WRAPPER_H
#define SYSCALL_INTERCEPT_DISASM_CAPSTONE_WRAPPER_H

#include <capstone/capstone.h>

/* Capstone's private handle type (cs_priv.h); only its address is used. */
struct cs_struct;

#endif
