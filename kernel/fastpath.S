/* The short-IPC fast path (int 0x30), after Liedtke's 486 kernel and
 * Pistachio's glue/v4-x86/x32/trap.S.
 *
 * Preconditions, each checked by a guard below; any failure enters the slow
 * path (ipc.c) with the frame already built and nothing changed:
 *   1. EAX = 0: a send phase with a short message (three words, no map item).
 *   2. ECX = 0: both timeouts infinite.
 *   3. EBP != -1: a receive phase follows (call, or reply and wait); EBP bit 0
 *      selects an open receive, otherwise the receive is from ESI.
 *   4. DS is the flat user data segment the kernel runs on.
 *   5. Nobody is queued to send to the caller (its receive phase will block).
 *   6. ESI names a live thread (TCB->myself == ESI; an unused TCB reads the
 *      zero page) that waits in a receive phase (TS_WAIT_RECV) for the caller
 *      or for anyone, is not waiting for a fault reply, and is on a ready
 *      queue (lazy scheduling: every ready thread must be queued).
 * Then, past the point of no return: the words go straight into the
 * receiver's user frame, the receiver becomes ready, the caller blocks in its
 * receive phase with a context that resumes in the trap exit, and the CPU
 * switches directly to the receiver (direct process switch): no scheduler, no
 * ready-queue update, no CR3 load when both share an address space. */
#include "asm.h"

#define RECV_FRAME(off) (TCB_SIZE - FRAME_SIZE + (off))

    .text
    .globl ipc_entry
ipc_entry:
    push $0                              /* error code */
    push $0x30                           /* vector */
    pushal                               /* the frame of struct frame; ESP points to it */

    /* ---- guards ---- */
    test %eax, %eax                      /* 1 */
    jnz slow
    test %ecx, %ecx                      /* 2 */
    jnz slow
    cmp $-1, %ebp                        /* 3 */
    je slow
    mov %ds, %eax                        /* 4 */
    cmp $SEL_UDATA, %ax
    jne slow
    mov %esp, %ecx                       /* ECX = the caller's TCB */
    and $~(TCB_SIZE - 1), %ecx
    cmpl $0, TCB_OFF_SENDQ_FIRST(%ecx)   /* 5 */
    jne slow
    mov %esi, %eax                       /* 6: EAX = the receiver's TCB */
    and $TID_NUMBER_MASK_ASM, %eax
    shl $12, %eax
    add $TCB_AREA_ASM, %eax
    cmp %esi, TCB_OFF_MYSELF(%eax)
    jne slow
    cmpl $ASM_TS_WAIT_RECV, TCB_OFF_STATE(%eax)
    jne slow
    cmpl $0, TCB_OFF_FAULT(%eax)
    jne slow
    cmpl $0, TCB_OFF_IN_READY(%eax)
    je slow
    mov TCB_OFF_PARTNER(%eax), %ebp
    test %ebp, %ebp
    jz 1f
    cmp TCB_OFF_MYSELF(%ecx), %ebp
    jne slow
1:
    /* ---- point of no return ---- */
#ifdef L4SIM_TEST_SLOWER_FASTPATH
    nop                                  /* deliberately slower: for the trace-diff and budget tests only */
#endif
    mov %edx, RECV_FRAME(FRAME_OFF_EDX)(%eax)      /* word 0 */
    mov %ebx, RECV_FRAME(FRAME_OFF_EBX)(%eax)      /* word 1 */
    mov %edi, RECV_FRAME(FRAME_OFF_EDI)(%eax)      /* word 2 */
    mov TCB_OFF_MYSELF(%ecx), %edx
    mov %edx, RECV_FRAME(FRAME_OFF_ESI)(%eax)      /* the sender */
    movl $0, RECV_FRAME(FRAME_OFF_EAX)(%eax)       /* result: ok */
    movl $ASM_TS_READY, TCB_OFF_STATE(%eax)

    /* The caller blocks in its receive phase. */
    mov FRAME_OFF_EBP(%esp), %ebp                  /* its receive descriptor */
    mov %ebp, TCB_OFF_RCV_DESC(%ecx)
    xor %edx, %edx                                 /* open: from anyone */
    test $1, %ebp
    jnz 2f
    mov %esi, %edx                                 /* closed: from the callee */
2:  mov %edx, TCB_OFF_PARTNER(%ecx)
    movl $ASM_TS_WAIT_RECV, TCB_OFF_STATE(%ecx)
    lea -20(%esp), %edx                            /* a context that resumes in the trap exit */
    movl $ret_from_trap, 16(%edx)
    mov %edx, TCB_OFF_KESP(%ecx)

    /* Switch: address space (only if it differs), kernel stack, frame. */
    mov TCB_OFF_PGDIR(%eax), %edx
    cmp TCB_OFF_PGDIR(%ecx), %edx
    je 3f
    mov %edx, %cr3
3:  lea TCB_SIZE(%eax), %edx
    mov tss_esp0_slot, %ebp
    mov %edx, (%ebp)
    lea RECV_FRAME(0)(%eax), %esp
    popal
    add $8, %esp
    iret

slow:
    jmp trap_body

    .section .note.GNU-stack, "", @progbits
