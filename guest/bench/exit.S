/* A multiboot v1 kernel that exits at once through the isa-debug-exit port
 * (0xF4, status 0): l4sim bench runs it to measure start-up (process start to
 * the first guest instruction, and teardown), under l4sim and QEMU alike. */
    .set MB_MAGIC, 0x1BADB002
    .set MB_FLAGS, 0x00000000
    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .globl _start
_start:
    xor %eax, %eax
    out %al, $0xf4
1:  cli
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
