/* Kernel entry and exit: interrupt and exception stubs, the system-call
 * vectors, the return to user mode and the context switch. The frame built
 * here is struct frame (kernel.h). */
#include "asm.h"

    .text

/* ---- Exceptions and IRQs --------------------------------------------------- */
.macro TRAP vec, has_error
    .globl trap_\vec
trap_\vec:
    .if \has_error == 0
    push $0
    .endif
    push $\vec
    jmp trap_common
.endm

TRAP 0,0;  TRAP 1,0;  TRAP 2,0;  TRAP 3,0;  TRAP 4,0;  TRAP 5,0;  TRAP 6,0;  TRAP 7,0
TRAP 8,1;  TRAP 9,0;  TRAP 10,1; TRAP 11,1; TRAP 12,1; TRAP 13,1; TRAP 14,1; TRAP 15,0
TRAP 16,0; TRAP 17,1; TRAP 18,0; TRAP 19,0
TRAP 32,0; TRAP 33,0; TRAP 34,0; TRAP 35,0; TRAP 36,0; TRAP 37,0; TRAP 38,0; TRAP 39,0
TRAP 40,0; TRAP 41,0; TRAP 42,0; TRAP 43,0; TRAP 44,0; TRAP 45,0; TRAP 46,0; TRAP 47,0
TRAP 0x31,0; TRAP 0x32,0; TRAP 0x33,0; TRAP 0x34,0; TRAP 0x35,0; TRAP 0x36,0; TRAP 0x37,0

trap_common:
    pushal
    /* The fast path enters here, frame complete, when a guard fails. */
    .globl trap_body
trap_body:
    mov $SEL_UDATA, %eax                 /* the user may have loaded anything into DS/ES */
    mov %eax, %ds
    mov %eax, %es
    push %esp
    call trap_dispatch
    add $4, %esp
    .globl ret_from_trap
ret_from_trap:
    popal
    add $8, %esp                         /* vector and error code */
    iret

/* ret_to_user(): abandon the kernel stack and return to user mode with the
 * current thread's frame (at the top of its TCB). */
    .globl ret_to_user
ret_to_user:
    mov %esp, %eax
    and $~(TCB_SIZE - 1), %eax
    lea (TCB_SIZE - FRAME_SIZE)(%eax), %esp
    jmp ret_from_trap

/* switch_context(cur, next): save the callee-saved registers and the stack
 * pointer of cur, continue on next's stack. A thread blocked in the receive
 * phase of ipc has a context that "returns" into ret_from_trap (wake_to_user). */
    .globl switch_context
switch_context:
    mov 4(%esp), %eax
    mov 8(%esp), %edx
    push %ebp
    push %edi
    push %esi
    push %ebx
    mov %esp, TCB_OFF_KESP(%eax)
    mov TCB_OFF_KESP(%edx), %esp
    pop %ebx
    pop %esi
    pop %edi
    pop %ebp
    ret

/* The first instruction a new kernel context runs (idle thread). */
    .globl kernel_thread_start
kernel_thread_start:
    call idle_start

    .section .note.GNU-stack, "", @progbits
