/* The page-fault benchmark's touching loop, in assembly so that nothing but
 * the touch, its check and the loop runs between two faults. The loop lies
 * between the symbols pf_loop_begin and pf_loop_end: the region the
 * simulator times, once per round. */
    .text

/* uint32_t pf_touch(uint32_t base, uint32_t pages, uint32_t first_word):
 * reads the first word of each page from `base` on (each read faults, and
 * the pager's mapping lets it restart) and counts the pages whose word is
 * not first_word, first_word + 1, ... */
    .globl pf_touch
pf_touch:
    push %esi
    mov 8(%esp), %esi                    /* the first page */
    mov 12(%esp), %ecx                   /* pages (at least 1) */
    mov 16(%esp), %edx                   /* the word expected in the first page */
    xor %eax, %eax                       /* wrong words */
    .globl pf_loop_begin
pf_loop_begin:
1:  cmp %edx, (%esi)                     /* the touch: a page fault, then the restart */
    je 2f
    inc %eax
2:  add $4096, %esi
    inc %edx
    dec %ecx
    jnz 1b
    .globl pf_loop_end
pf_loop_end:
    pop %esi
    ret

    .section .note.GNU-stack, "", @progbits
