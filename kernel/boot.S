/* Multiboot entry. The kernel is linked at 0xC0100000 and loaded at 1 MB:
 * until paging is on, code runs at its physical address, so every symbol is
 * used minus KERNEL_BASE. Paging starts with a boot directory that maps the
 * first 8 MB both at 0 and at 3 GB; kmain() then builds the real one. */
    .set KERNEL_BASE, 0xC0000000
    .set MB_MAGIC, 0x1BADB002
    .set MB_FLAGS, 0x00000003            /* page-aligned modules, memory map */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .section .boot.text, "ax"
    .globl _start
_start:
    cli
    mov %eax, %edi                       /* multiboot magic */
    mov %ebx, %esi                       /* boot information (physical) */
    /* Two boot page tables: 8 MB of identity-mapped memory. */
    mov $(boot_pt - KERNEL_BASE), %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $12, %eax
    or $0x003, %eax                      /* present, writable */
    mov %eax, (%ebx, %ecx, 4)
    inc %ecx
    cmp $2048, %ecx
    jb 1b
    mov $(boot_pgdir - KERNEL_BASE), %edx
    mov $(boot_pt - KERNEL_BASE + 0x003), %eax
    mov %eax, 0(%edx)                    /* 0..4 MB */
    mov %eax, 768*4(%edx)                /* 3 GB .. 3 GB + 4 MB */
    add $4096, %eax
    mov %eax, 4(%edx)
    mov %eax, 769*4(%edx)
    mov %edx, %cr3
    mov %cr0, %eax
    or $0x80010000, %eax                 /* PG, WP: the kernel honours read-only pages */
    mov %eax, %cr0
    lea higher_half, %eax
    jmp *%eax

    .text
higher_half:
    mov $boot_stack_top, %esp
    push %esi
    push %edi
    call kmain
1:  cli
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits

    .bss
    .align 4096
    .globl boot_pgdir
boot_pgdir:
    .skip 4096
boot_pt:
    .skip 8192
boot_stack:
    .skip 8192
boot_stack_top:
