/* Multiboot v1 entry for the machine test kernels: header, a stack, and a
 * call to kmain(magic, info). Also the interrupt entry stubs. */
    .set MB_MAGIC, 0x1BADB002
    .set MB_FLAGS, 0x00000003          /* page-align modules, memory info */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .bss
    .align 16
stack_bottom:
    .skip 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
    .section .text
    .globl _start
_start:
    mov $stack_top, %esp
    push %ebx
    push %eax
    call kmain
    push $0x7e
    call guest_exit
1:  cli
    hlt
    jmp 1b

/* Interrupt stubs for vectors 0..47: push a dummy error code where the CPU
 * does not push one, then the vector, then the common path. */
    .macro STUB vec
    .globl isr_\vec
isr_\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17)
    .else
    push $0
    .endif
    push $\vec
    jmp isr_common
    .endm

    .altmacro
    .set i, 0
    .rept 48
    STUB %i
    .set i, i + 1
    .endr

isr_common:
    pusha
    push %esp                   /* struct frame * */
    call trap
    add $4, %esp
    popa
    add $8, %esp                /* vector, error code */
    iret

    .section .rodata
    .align 4
    .globl isr_table
isr_table:
    .macro ENTRY vec
    .long isr_\vec
    .endm
    .set i, 0
    .rept 48
    ENTRY %i
    .set i, i + 1
    .endr
