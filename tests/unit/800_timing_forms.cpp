// The i486 timing model against the Intel486 manual's clock counts: each form
// runs in a warm loop (cache and TLB hits, no wait states) and its cycles must
// be the documented figure. Sources: Intel486 Programmer's Reference Manual
// clock tables (REFERENCE.md), MAME's i486 table where marked.
#include <catch2/catch.hpp>

#include "support/timing_rig.hpp"

using namespace l4sim;
using test::TimingRig;

namespace {

struct Form {
  const char* name;
  const char* before;  // run before the body in every iteration (padded with NOPs up to the body)
  const char* body;    // the first instruction is measured
  u32 clocks;
};

// ebx -> data at 0x20000 (warm), esi/edi -> string buffers, ecx small.
constexpr const char* kSetup =
    "mov ebx, 0x20000\nmov dword ptr [ebx], 0x1234\nmov esi, 0x21000\nmov edi, 0x22000\nmov ecx, 3\n";

const Form kForms[] = {
    {"mov r,r", "", "mov eax, ecx", 1},
    {"mov r,m", "", "mov eax, [ebx]", 1},
    {"mov m,r", "", "mov [ebx], eax", 1},
    {"mov r,imm", "", "mov eax, 7", 1},
    {"mov m,imm", "", "mov dword ptr [ebx], 7", 1},
    {"movzx r,m8", "", "movzx eax, byte ptr [ebx]", 3},
    {"movsx r,r16", "", "movsx eax, cx", 3},
    {"lea", "", "lea eax, [ebx + 8]", 1},
    {"xchg eax,r", "", "xchg eax, ecx", 3},
    {"xchg m,r", "", "xchg [ebx], ecx", 5},
    {"push r", "", "push eax\npop eax", 1},
    {"pop r", "push eax", "pop eax", 1},
    {"push m", "", "push dword ptr [ebx]\npop eax", 4},
    {"pop m", "push eax", "pop dword ptr [ebx]", 6},
    {"push imm", "", "push 5\npop eax", 1},
    {"pushad", "", "pushad\npopad", 11},
    {"popad", "pushad", "popad", 9},
    {"pushfd (protected)", "", "pushfd\npopfd", 3},
    {"popfd (protected)", "pushfd", "popfd", 6},
    {"add r,r", "", "add eax, ecx", 1},
    {"add r,m", "", "add eax, [ebx]", 2},
    {"add m,r", "", "add [ebx], eax", 3},
    {"add r,imm8", "", "add eax, 5", 1},
    {"add m,imm8", "", "add dword ptr [ebx], 5", 3},
    {"sub r,m", "", "sub eax, [ebx]", 2},
    {"and m,r", "", "and [ebx], eax", 3},
    {"xor r,r", "", "xor eax, eax", 1},
    {"adc r,r", "", "adc eax, ecx", 1},
    {"cmp r,r", "", "cmp eax, ecx", 1},
    {"cmp r,m", "", "cmp eax, [ebx]", 2},
    {"cmp m,imm", "", "cmp dword ptr [ebx], 5", 2},
    {"test r,r", "", "test eax, ecx", 1},
    {"inc r", "", "inc eax", 1},
    {"inc m", "", "inc dword ptr [ebx]", 3},
    {"dec r", "", "dec edx", 1},
    {"neg r", "", "neg eax", 1},
    {"not m", "", "not dword ptr [ebx]", 3},
    {"mul r32 (13-42, lower bound)", "mov eax, 3", "mul ecx", 13},
    {"imul r,r", "", "imul eax, ecx", 13},
    {"imul r,r,imm", "", "imul eax, ecx, 5", 13},
    {"div r32", "xor edx, edx\nmov eax, 100", "div ecx", 40},
    {"idiv r32", "xor edx, edx\nmov eax, 100", "idiv ecx", 43},
    {"div r8", "mov eax, 100", "div cl", 16},
    {"shl r,1", "", "shl eax, 1", 3},
    {"shl r,imm", "", "shl eax, 5", 2},
    {"shl r,cl", "", "shl eax, cl", 3},
    {"shl m,1", "", "shl dword ptr [ebx], 1", 4},
    {"sar m,cl", "", "sar dword ptr [ebx], cl", 4},
    {"rcl r,1", "", "rcl eax, 1", 3},
    {"rcl r,cl (8-30, lower bound)", "", "rcl eax, cl", 8},
    {"shld r,r,imm", "", "shld eax, edx, 3", 2},
    {"shld r,r,cl", "", "shld eax, edx, cl", 3},
    {"bt r,r", "", "bt eax, ecx", 3},
    {"bt m,r", "", "bt [ebx], ecx", 8},
    {"bts r,r", "", "bts eax, ecx", 6},
    {"bts m,imm", "", "bts dword ptr [ebx], 3", 8},
    {"bsf (6-42, lower bound)", "", "bsf eax, ecx", 6},
    {"setz r8", "", "setz al", 3},
    {"cwde", "", "cwde", 3},
    {"cdq", "", "cdq", 3},
    {"clc", "", "clc", 2},
    {"stc", "", "stc", 2},
    {"cmc", "", "cmc", 2},
    {"std", "", "std\ncld", 2},
    {"cli", "", "cli", 5},
    {"sti", "", "sti\ncli", 5},
    {"lahf", "", "lahf", 3},
    {"sahf", "", "sahf", 2},
    {"nop", "", "nop", 1},
    {"jmp short", "", "jmp 1f\n1:", 3},
    {"jmp r32", "mov eax, offset 1f", "jmp eax\n1:", 5},
    {"call r32", "mov eax, offset 1f", "call eax\n1: pop eax", 5},
    {"call near", "", "call 1f\n1: pop eax", 3},
    {"ret near", "push offset 1f", "ret\n1:", 5},
    {"enter 0,0", "", "enter 0, 0\nleave", 14},
    {"leave", "enter 0, 0", "leave", 5},
    {"mov cr3,r", "mov eax, cr3", "mov cr3, eax", 4},
    {"mov cr0,r", "mov eax, cr0", "mov cr0, eax", 16},
    {"mov r,cr0", "", "mov eax, cr0", 4},
    {"mov ds,r (protected)", "mov eax, 0x10", "mov ds, eax", 9},
    {"push ds", "", "push ds\npop ds", 3},
    {"pop ds (protected)", "push ds", "pop ds", 9},
    {"lds (protected)", "mov dword ptr [0x20200], 0x20000\nmov word ptr [0x20204], 0x10", "lds eax, [0x20200]", 12},
    {"lgdt", "sgdt [0x20300]", "lgdt [0x20300]", 11},
    {"lidt", "sidt [0x20300]", "lidt [0x20300]", 11},
    {"sgdt", "", "sgdt [0x20300]", 10},
    {"smsw r", "", "smsw eax", 2},
    {"lmsw r", "smsw eax", "lmsw ax", 13},
    {"clts", "", "clts", 7},
    {"invlpg", "", "invlpg [0x20000]", 12},
    {"in al,dx (CPL <= IOPL)", "mov edx, 0x100", "in al, dx", 8},
    {"out dx,al (CPL <= IOPL)", "mov edx, 0x100", "out dx, al", 10},
    {"in al,imm", "", "in al, 0x60", 9},
    {"out imm,al", "", "out 0x61, al", 11},
    {"xlat", "mov eax, 0", "xlat", 4},
    {"bswap", "", "bswap eax", 1},
    {"cmpxchg r,r", "", "cmpxchg ecx, edx", 6},
    {"xadd r,r", "", "xadd eax, ecx", 3},
    {"aaa", "", "aaa", 3},
    {"daa", "", "daa", 2},
    {"aad", "", "aad", 14},
    {"aam", "", "aam", 15},
    {"movsd", "", "movsd", 7},
    {"stosd", "", "stosd", 5},
    {"lodsd", "", "lodsd", 5},
    {"scasd", "", "scasd", 6},
    {"cmpsd", "", "cmpsd", 8},
};

}  // namespace

TEST_CASE("800: at least 60 instruction forms take the Intel486 manual's clocks in a warm loop") {
  STATIC_REQUIRE(sizeof kForms / sizeof kForms[0] >= 60);
  for (const Form& f : kForms) {
    TimingRig rig;
    INFO(f.name << ": " << f.body);
    CHECK(rig.cycles(kSetup, f.body, f.before) == f.clocks);
  }
}

TEST_CASE("801: Jcc costs 3 clocks taken and 1 not taken") {
  TimingRig rig;
  auto steps = rig.run(kSetup, "test ebx, ebx\njnz 1f\n1:");
  REQUIRE(steps.size() == 2);
  CHECK(steps[1].cycles == 3);
  CHECK(steps[1].causes.branch == 2);  // the taken part
  steps = rig.run(kSetup, "test ebx, ebx\njz 1f\n1:");
  CHECK(steps[1].cycles == 1);
  steps = rig.run(kSetup, "mov ecx, 2\nloop 1f\n1:");
  CHECK(steps[1].cycles == 7);  // LOOP taken
  steps = rig.run(kSetup, "mov ecx, 1\nloop 1f\n1:");
  CHECK(steps[1].cycles == 6);  // not taken
  steps = rig.run(kSetup, "xor ecx, ecx\njecxz 1f\n1:");
  CHECK(steps[1].cycles == 8);
}

TEST_CASE("802: an address-generation interlock costs one clock") {
  TimingRig rig;
  auto steps = rig.run(kSetup, "mov ebx, 0x20000\nmov eax, [ebx]");
  CHECK(steps[1].cycles == 2);
  CHECK(steps[1].causes.agi == 1);
  steps = rig.run(kSetup, "mov edx, 0x20000\nmov eax, [ebx]");  // an unrelated register: no interlock
  CHECK(steps[1].cycles == 1);
  steps = rig.run(kSetup, "push eax\nmov eax, [esp]\npop eax");  // PUSH's implicit ESP update: no interlock
  CHECK(steps[1].cycles == 1);
}

TEST_CASE("803: index addressing, displacement with immediate, prefixes, misalignment and partial registers") {
  TimingRig rig;
  CHECK(rig.cycles(kSetup, "mov eax, [ebx + ecx * 4]") == 2);    // base + scaled index
  CHECK(rig.cycles(kSetup, "add dword ptr [ebx + 4], 5") == 4);  // displacement and immediate
  CHECK(rig.cycles(kSetup, "mov ax, cx") == 2);                  // operand-size prefix
  CHECK(rig.cycles(kSetup, "mov eax, [ebx + 2]") == 4);          // crosses a 4-byte boundary
  auto steps = rig.run(kSetup, "mov al, 1\nadd edx, eax");       // full register after a byte write
  CHECK(steps[1].cycles == 2);
  CHECK(steps[1].causes.partial_reg == 1);
}

TEST_CASE("804: REP MOVSD takes 5, 13 and 12+3n clocks") {
  for (auto [n, clocks] : {std::pair<u32, u32>{0, 5}, {1, 13}, {2, 18}, {10, 42}, {100, 312}}) {
    TimingRig rig;
    const auto steps =
        rig.run(kSetup, "rep movsd", "mov esi, 0x21000\nmov edi, 0x23000\nmov ecx, " + std::to_string(n) + "\ncld");
    u32 total = 0;
    for (const auto& s : steps)
      if (s.addr == TimingRig::kTarget) total += s.cycles;
    INFO("n = " << n);
    CHECK(total == clocks);
  }
}

TEST_CASE("805: a data cache miss costs a 2-1-1-1 line fill, 5 clocks at 50 MHz") {
  TimingRig rig;
  // Four other lines of cache set 0 push the line of [ebx] out (4 ways).
  const char* evict = "mov eax, [0x20800]\nmov eax, [0x21000]\nmov eax, [0x21800]\nmov eax, [0x22000]";
  auto steps = rig.run(kSetup, "mov edx, [ebx]", evict);
  CHECK(steps[0].cycles == 1 + 5);
  CHECK(steps[0].causes.cache_miss == 5);
  steps = rig.run(kSetup, "mov edx, [ebx]");
  CHECK(steps[0].cycles == 1);
  // One wait state makes the first transfer of the burst 3 clocks.
  I486TimingConfig slow;
  slow.bus.wait_states = 1;
  TimingRig rig2(slow);
  CHECK(rig2.run(kSetup, "mov edx, [ebx]", evict)[0].cycles == 1 + 6);
}
