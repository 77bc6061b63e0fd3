// Segment and gate descriptors decoded behind named accessors (Intel SDM vol. 3
// §3.4.5, §5.8.3, §6.11). A Descriptor is the raw 8 bytes; nothing else in the
// simulator picks descriptor bits apart by hand.
#pragma once

#include "common/types.hpp"

namespace l4sim {

// System descriptor and gate types (S = 0).
namespace sdt {
constexpr u8 kTss16Avail = 0x1;
constexpr u8 kLdt = 0x2;
constexpr u8 kTss16Busy = 0x3;
constexpr u8 kCallGate16 = 0x4;
constexpr u8 kTaskGate = 0x5;
constexpr u8 kIntGate16 = 0x6;
constexpr u8 kTrapGate16 = 0x7;
constexpr u8 kTss32Avail = 0x9;
constexpr u8 kTss32Busy = 0xB;
constexpr u8 kCallGate32 = 0xC;
constexpr u8 kIntGate32 = 0xE;
constexpr u8 kTrapGate32 = 0xF;
}  // namespace sdt

struct Selector {
  u16 v;
  constexpr u16 index() const { return v >> 3; }
  constexpr bool ldt() const { return (v & 4) != 0; }  // TI
  constexpr u8 rpl() const { return v & 3; }
  constexpr bool null() const { return (v & ~3u) == 0; }
  constexpr u32 offset() const { return v & ~7u; }  // byte offset into the table
};

struct Descriptor {
  u32 lo = 0;
  u32 hi = 0;

  constexpr u32 base() const { return (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u); }
  constexpr u32 raw_limit() const { return (lo & 0xFFFF) | (hi & 0x000F0000u); }
  // Byte-granular limit after applying G (4 KB granularity fills the low bits with ones).
  constexpr u32 limit() const { return granular() ? (raw_limit() << 12) | 0xFFF : raw_limit(); }
  constexpr u8 access() const { return static_cast<u8>(hi >> 8); }  // P DPL S TYPE
  constexpr u8 type() const { return (hi >> 8) & 0xF; }
  constexpr bool system() const { return (hi & (1u << 12)) == 0; }  // S = 0
  constexpr u8 dpl() const { return (hi >> 13) & 3; }
  constexpr bool present() const { return (hi & (1u << 15)) != 0; }
  constexpr bool avl() const { return (hi & (1u << 20)) != 0; }
  constexpr bool big() const { return (hi & (1u << 22)) != 0; }  // D/B
  constexpr bool granular() const { return (hi & (1u << 23)) != 0; }

  // Code/data segments (S = 1).
  constexpr bool code() const { return !system() && (type() & 8); }
  constexpr bool data() const { return !system() && !(type() & 8); }
  constexpr bool conforming() const { return code() && (type() & 4); }
  constexpr bool readable() const { return data() || (type() & 2); }  // code: R bit
  constexpr bool writable() const { return data() && (type() & 2); }
  constexpr bool expand_down() const { return data() && (type() & 4); }
  constexpr bool accessed() const { return type() & 1; }
  constexpr u32 with_accessed_hi() const { return hi | (1u << 8); }

  // Gates.
  constexpr u16 gate_selector() const { return static_cast<u16>(lo >> 16); }
  constexpr u32 gate_offset() const { return (lo & 0xFFFF) | (hi & 0xFFFF0000u); }
  constexpr u8 gate_params() const { return hi & 0x1F; }  // call gate parameter count
  constexpr bool gate32() const { return (type() & 8) != 0; }
  constexpr bool is_gate() const {
    const u8 t = type();
    return system() && (t == sdt::kCallGate16 || t == sdt::kCallGate32 || t == sdt::kTaskGate || t == sdt::kIntGate16 ||
                        t == sdt::kIntGate32 || t == sdt::kTrapGate16 || t == sdt::kTrapGate32);
  }
  constexpr bool is_tss() const {
    const u8 t = type();
    return system() && (t == sdt::kTss16Avail || t == sdt::kTss16Busy || t == sdt::kTss32Avail || t == sdt::kTss32Busy);
  }
  constexpr bool tss_busy() const { return (type() & 2) != 0; }
  constexpr bool tss32() const { return (type() & 8) != 0; }
};

// The hidden part of a segment register (the descriptor cache), with the checks
// every memory access needs precomputed.
struct SegCache {
  u16 selector = 0;
  u32 base = 0;
  u32 limit = 0xFFFF;  // byte granular
  u8 access = 0x93;    // P=1 DPL=0 S=1 type=3 (read/write data, accessed): real-mode default
  bool big = false;    // D/B
  bool granular = false;

  // Derived: the valid offset range [lo, hi] and the access rights.
  u32 off_lo = 0;
  u32 off_hi = 0xFFFF;
  bool usable = true;  // false for a null selector loaded in protected mode
  bool readable = true;
  bool writable = true;

  constexpr u8 dpl() const { return (access >> 5) & 3; }
  constexpr bool present() const { return (access & 0x80) != 0; }
  constexpr u8 type() const { return access & 0xF; }
  constexpr bool code() const { return (access & 0x18) == 0x18; }
  constexpr bool conforming() const { return code() && (access & 4); }

  // Recompute the derived fields after any field above changed.
  void refresh() {
    const bool code_seg = (access & 0x18) == 0x18;
    const bool sys = (access & 0x10) == 0;
    const bool expand_down = !code_seg && !sys && (access & 4);
    if (expand_down) {
      off_lo = limit + 1;  // valid offsets lie strictly above the limit
      off_hi = big ? 0xFFFFFFFFu : 0xFFFFu;
      if (limit == 0xFFFFFFFFu) off_lo = 1, off_hi = 0;  // empty range: nothing valid
    } else {
      off_lo = 0;
      off_hi = limit;
    }
    readable = !sys && (!code_seg || (access & 2));
    writable = !sys && !code_seg && (access & 2);
  }

  void load_from(u16 sel, const Descriptor& d) {
    selector = sel;
    base = d.base();
    limit = d.limit();
    access = d.access();
    big = d.big();
    granular = d.granular();
    usable = true;
    refresh();
  }

  // A null selector in protected mode (or a register invalidated by a return to
  // an outer level): any access through it faults.
  void load_null(u16 sel) {
    selector = sel;
    usable = false;
    readable = writable = false;
  }

  // Real-mode and virtual-8086 load: base = selector << 4, limit and rights unchanged
  // in real mode (so "unreal mode" works as on the chip); v86 forces 64 KB read/write.
  void load_real(u16 sel) {
    selector = sel;
    base = static_cast<u32>(sel) << 4;
    usable = true;
  }
};

struct TableReg {  // GDTR / IDTR
  u32 base = 0;
  u32 limit = 0xFFFF;
};

}  // namespace l4sim
