/* Build-time configuration of the kernel. */
#pragma once

#define MAX_PHYS_MB 64            /* physical memory the direct map covers */
#define TCB_AREA 0xE0000000u      /* the virtual TCB array */
#define MAX_TASKS 256
#define THREADS_PER_TASK 64
#define TIMER_HZ 1000             /* PIT tick rate */
#define DEFAULT_TIMESLICE_TICKS 10
#define ROOT_PRIORITY 100
#define KERNEL_POOL_FRACTION 4    /* 1/4 of memory is kept for kernel objects */
