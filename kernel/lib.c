/* The few C library functions a freestanding kernel needs (GCC may emit
 * calls to memset/memcpy itself). */
#include "kernel.h"

void *memset(void *d, int c, size_t n) {
  uint8_t *p = d;
  if (!(((uint32_t)p | n) & 3)) { /* whole words: rep stosl */
    uint32_t v = (uint8_t)c * 0x01010101u, words = n / 4;
    __asm__ volatile("rep stosl" : "+D"(p), "+c"(words) : "a"(v) : "memory");
    return d;
  }
  while (n--) *p++ = (uint8_t)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) {
  void *dd = d;
  uint32_t words = n / 4, rest = n & 3;
  __asm__ volatile("rep movsl\n\tmov %3, %%ecx\n\trep movsb" : "+D"(dd), "+S"(s), "+c"(words) : "r"(rest) : "memory");
  return d;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *p = a, *q = b;
  for (; n--; ++p, ++q)
    if (*p != *q) return *p - *q;
  return 0;
}
