/* The root task: in-guest kernel tests (tests.c), the ping-pong benchmark
 * (pingpong.c, pingpong.S) and the page-fault benchmark (pfbench.c, pfbench.S). */
#pragma once
#include "l4.h"

extern l4_threadid_t sigma0_id, root_pager_id;
extern int failures;

void check(int ok, const char *what);
void park(void) __attribute__((noreturn)); /* block forever */
/* Starts lthread n of this task at fn on the given stack (top address). */
l4_threadid_t start_thread(uint32_t lthread, void (*fn)(void), void *stack_top);
void run_tests(void);
void run_pingpong(void);
void run_pingpong_long(uint32_t rounds); /* root_bench.elf only */
void run_pagefault(void); /* pfbench.c, pfbench.S */

/* The root task's image bounds (linker symbols) for the pager. */
extern char __image_start[], __data_start[], __image_end[];
