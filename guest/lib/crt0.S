/* User program entry: a stack in .bss, then main(eax) (the kernel passes
 * sigma0's memory bounds and the root task's sigma0 ID in EAX/EBX). */
    .text
    .globl _start
_start:
    mov $stack_top, %esp
    push %ebx
    push %eax
    call main
    push $0x7E
    call exit_run
1:  jmp 1b

    .globl exit_run
exit_run:
    mov 4(%esp), %edx
    mov $3, %eax
    int $0x37
1:  jmp 1b

    .bss
    .align 16
    .skip 8192
stack_top:

    .section .note.GNU-stack, "", @progbits
