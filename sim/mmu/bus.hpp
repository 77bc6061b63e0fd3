// The physical address space: RAM, ROM images and unclaimed space, plus the
// I/O port space. Memory is always coherent; caches elsewhere hold tags only.
#pragma once

#include <cstring>
#include <vector>

#include "common/types.hpp"
#include "mmu/guest_ram.hpp"
#include "mmu/io_port.hpp"

namespace l4sim {

// Told when guest code writes a physical page that holds decoded instructions,
// so that decoded-instruction caches can drop stale entries.
class CodeWriteListener {
 public:
  virtual ~CodeWriteListener() = default;
  virtual void on_code_write(PhysAddr addr, unsigned size) = 0;
};

class Bus {
 public:
  // How a RAM page behaves on access; one byte per 4 KB page so the fast path
  // is a single table lookup.
  enum PageKind : u8 {
    kRam = 0,      // plain RAM
    kRamCode = 1,  // RAM holding decoded instructions: writes notify the listener
    kRom = 2,      // a ROM image shadows this page: reads from ROM, writes ignored
  };

  explicit Bus(u32 ram_bytes);

  u32 ram_size() const { return ram_size_; }
  u8* ram() { return ram_.data(); }
  const u8* ram() const { return ram_.data(); }

  // Map a ROM image at `base` (any address, page aligned). Reads return image
  // bytes; writes are ignored as on a real ROM.
  void map_rom(u32 base, std::vector<u8> image);

  template <class T>
  T read(PhysAddr a) const {
    if (a.v <= ram_size_ - sizeof(T) && page_kind_[a.v >> 12] != kRom && same_page<T>(a)) {
      T v;
      std::memcpy(&v, &ram_[a.v], sizeof(T));
      return v;
    }
    return static_cast<T>(read_slow(a, sizeof(T)));
  }

  template <class T>
  void write(PhysAddr a, T v) {
    if (a.v <= ram_size_ - sizeof(T) && page_kind_[a.v >> 12] == kRam && same_page<T>(a)) {
      std::memcpy(&ram_[a.v], &v, sizeof(T));
      return;
    }
    write_slow(a, sizeof(T), static_cast<u32>(v));
  }

  // Bulk copies for loaders; bypass ROM and notify code listeners.
  void load(PhysAddr dst, const void* src, u32 size);
  bool in_ram(PhysAddr a, u32 size) const { return a.v <= ram_size_ && size <= ram_size_ - a.v; }

  // Code tracking for decoded-instruction caches.
  void set_code_listener(CodeWriteListener* l) { listener_ = l; }
  void mark_code_page(u32 ppn) {
    if (ppn < page_kind_.size() && page_kind_[ppn] == kRam) page_kind_[ppn] = kRamCode;
  }
  void unmark_code_page(u32 ppn) {
    if (ppn < page_kind_.size() && page_kind_[ppn] == kRamCode) page_kind_[ppn] = kRam;
  }
  PageKind page_kind(u32 ppn) const { return ppn < page_kind_.size() ? static_cast<PageKind>(page_kind_[ppn]) : kRom; }

  // Byte-level access to ROM/RAM for the decoder when an address is not plain RAM.
  u8 read_byte(PhysAddr a) const { return static_cast<u8>(read_slow(a, 1)); }

  // Port I/O. The handler is owned elsewhere (the machine's device set).
  void set_io_handler(IoPortHandler* h) { io_ = h; }
  u32 io_read(u16 port, unsigned size) { return io_ ? io_->io_read(port, size) : ~0u >> (32 - 8 * size); }
  void io_write(u16 port, unsigned size, u32 v) {
    if (io_) io_->io_write(port, size, v);
  }

 private:
  template <class T>
  static bool same_page(PhysAddr a) {
    return (a.v & kPageMask) <= kPageSize - sizeof(T);
  }
  u32 read_slow(PhysAddr a, unsigned size) const;
  void write_slow(PhysAddr a, unsigned size, u32 v);
  u8 read_byte_slow(u32 a) const;
  void write_byte_slow(u32 a, u8 v);

  struct Rom {
    u32 base;
    std::vector<u8> data;
  };

  u32 ram_size_;
  GuestRam ram_;
  std::vector<u8> page_kind_;
  std::vector<Rom> roms_;
  CodeWriteListener* listener_ = nullptr;
  IoPortHandler* io_ = nullptr;
};

}  // namespace l4sim
