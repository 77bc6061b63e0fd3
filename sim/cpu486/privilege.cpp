#include "cpu486/task.hpp"

namespace l4sim {

TssStack tss_stack_for(Cpu& c, u8 cpl, bool ext) {
  const SegCache& tr = c.s.tr;
  const bool tss32 = (tr.type() & 8) != 0;
  if (tss32) {
    const u32 off = 4 + 8u * cpl;
    if (off + 5 > tr.limit) c.raise(vec::TS, sel_error(tr.selector, ext));
    const u32 esp = c.read_sys<u32>(tr.base + off);
    const u16 ss = c.read_sys<u16>(tr.base + off + 4);
    return {ss, esp};
  }
  const u32 off = 2 + 4u * cpl;
  if (off + 3 > tr.limit) c.raise(vec::TS, sel_error(tr.selector, ext));
  const u16 sp = c.read_sys<u16>(tr.base + off);
  const u16 ss = c.read_sys<u16>(tr.base + off + 2);
  return {ss, sp};
}

Descriptor check_inner_ss(Cpu& c, u16 ss, u8 cpl, bool ext) {
  const Selector sel{ss};
  if (sel.null()) c.raise(vec::TS, ext ? 1u : 0u);
  if (!c.descriptor_in_limits(ss)) c.raise(vec::TS, sel_error(ss, ext));
  const Descriptor d = c.read_descriptor(ss, vec::TS);
  if (sel.rpl() != cpl || d.dpl() != cpl || !d.writable()) c.raise(vec::TS, sel_error(ss, ext));
  if (!d.present()) c.raise(vec::SS, sel_error(ss, ext));
  return d;
}

Descriptor check_outer_ss(Cpu& c, u16 ss, u8 rpl) {
  const Selector sel{ss};
  if (sel.null()) c.raise_gp(0);
  if (!c.descriptor_in_limits(ss)) c.raise_gp(sel_error(ss));
  const Descriptor d = c.read_descriptor(ss);
  if (sel.rpl() != rpl || !d.writable() || d.dpl() != rpl) c.raise_gp(sel_error(ss));
  if (!d.present()) c.raise(vec::SS, sel_error(ss));
  return d;
}

void switch_stack(Cpu& c, u16 ss, Descriptor& sd, u32 esp) {
  c.set_accessed(ss, sd);
  c.load_ss(ss, sd);
  c.s.r[ESP] = sd.big() ? esp : ((c.s.r[ESP] & 0xFFFF0000u) | (esp & 0xFFFF));
}

void invalidate_outer_segments(Cpu& c) {
  for (unsigned sr : {ES, DS, FS, GS}) {
    SegCache& sc = c.s.seg[sr];
    if (!sc.usable) continue;
    const bool data_or_nc_code = !sc.code() || !sc.conforming();
    if (data_or_nc_code && sc.dpl() < c.s.cpl) sc.load_null(0);
  }
}

}  // namespace l4sim
