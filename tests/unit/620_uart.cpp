#include <catch2/catch.hpp>

#include "devices/uart16550.hpp"
#include "support/device_rig.hpp"

using namespace l4sim;
using namespace l4sim::uart;

namespace {

constexpr u16 kCom1 = 0x3F8;
constexpr unsigned kIrq4 = 4;
constexpr u64 kHz = 50'000'000;
// 8N1 at divisor 1: 10 bits * 16 / 1.8432 MHz = 5.425 us = 4340.28 cycles at 50 MHz, rounded up.
constexpr u64 kChar8N1 = 4341;

using test::IrqEdge;
using test::IrqRecorder;

struct Bench {
  explicit Bench(std::vector<u8> rx = {})
      : uart(
            kCom1, clock, q, IrqLine(&irq, kIrq4), [this](u8 b) { sent.push_back(b); }, std::move(rx)) {}
  void run_to(u64 target) { test::run_events_to(clock, q, target); }
  u8 in(u16 reg) { return static_cast<u8>(uart.io_read(static_cast<u16>(kCom1 + reg), 1)); }
  void out(u16 reg, u8 v) { uart.io_write(static_cast<u16>(kCom1 + reg), 1, v); }
  void set_8n1() { out(kLcr, 0x03); }

  Clock clock{kHz};
  EventQueue q;
  IrqRecorder irq{clock};
  std::vector<u8> sent;
  Uart16550 uart;
};

}  // namespace

TEST_CASE("620: UART transmit hands THR bytes to the sink in order", "[uart]") {
  Bench b;
  for (u8 c : {u8{'h'}, u8{'i'}, u8{'\n'}}) b.out(kRbrThr, c);
  CHECK(b.sent == std::vector<u8>{'h', 'i', '\n'});
  CHECK(b.uart.bytes_transmitted() == 3);
  // The transmitter empties at once: THRE and TEMT stay set.
  CHECK((b.in(kLsr) & (kLsrThre | kLsrTemt)) == (kLsrThre | kLsrTemt));
  CHECK(b.irq.edges.empty());
}

TEST_CASE("621: UART reset state follows the datasheet", "[uart]") {
  Bench b;
  CHECK(b.in(kLsr) == 0x60);
  CHECK(b.in(kIirFcr) == 0x01);
  CHECK(b.in(kIer) == 0x00);
  CHECK(b.in(kLcr) == 0x00);
  CHECK(b.in(kMcr) == 0x00);
  CHECK(b.in(kMsr) == 0xB0);  // CTS DSR DCD from a connected terminal and no deltas
  CHECK(b.uart.io_read(kCom1, 2) == 0xFFFF);
  CHECK(b.q.next_due() == kNever);  // no input: no timer
}

TEST_CASE("622: UART divisor latch is reached through DLAB and SCR is a scratch register", "[uart]") {
  Bench b;
  GIVEN("DLAB set") {
    b.out(kLcr, kLcrDlab | 0x03);
    WHEN("the divisor is written as 12 (9600 baud)") {
      b.out(kDll, 0x0C);
      b.out(kDlm, 0x00);
      THEN("DLL and DLM read back and the character time follows") {
        CHECK(b.in(kDll) == 0x0C);
        CHECK(b.in(kDlm) == 0x00);
        CHECK(b.uart.char_cycles() == 52084);  // 10 bits * 12 * 16 / 1.8432 MHz at 50 MHz
        b.out(kLcr, 0x03);
        CHECK(b.in(kIer) == 0x00);  // with DLAB clear offset 1 is IER again
        CHECK(b.sent.empty());      // the DLL write did not transmit
      }
    }
  }
  b.out(kScr, 0xA5);
  CHECK(b.in(kScr) == 0xA5);
  b.out(kScr, 0x5A);
  CHECK(b.in(kScr) == 0x5A);
}

TEST_CASE("623: UART loopback echoes TX into RBR and MSR mirrors MCR", "[uart]") {
  Bench b;
  WHEN("loopback is entered with RTS and OUT2") {
    b.out(kMcr, kMcrLoop | kMcrRts | kMcrOut2);
    THEN("MSR shows CTS and DCD with the DSR delta then without it") {
      CHECK(b.in(kMsr) == (kMsrCts | kMsrDcd | kMsrDdsr));
      CHECK(b.in(kMsr) == 0x90);  // Linux's 8250 autoconfig test expects exactly this
    }
    AND_WHEN("a byte is written to THR") {
      b.out(kRbrThr, 'Z');
      THEN("it is received instead of sent") {
        CHECK(b.sent.empty());
        CHECK(b.uart.bytes_transmitted() == 0);
        CHECK((b.in(kLsr)&kLsrDr) == kLsrDr);
        CHECK(b.in(kRbrThr) == 'Z');
        CHECK((b.in(kLsr)&kLsrDr) == 0);
      }
    }
    AND_WHEN("two bytes are looped without FIFOs") {
      b.out(kRbrThr, '1');
      b.out(kRbrThr, '2');
      THEN("the second overwrites RBR and sets OE once") {
        CHECK(b.in(kLsr) == (kLsrDr | kLsrOe | kLsrThre | kLsrTemt));
        CHECK(b.in(kLsr) == (kLsrDr | kLsrThre | kLsrTemt));
        CHECK(b.in(kRbrThr) == '2');
      }
    }
    AND_WHEN("OUT1 and DTR replace RTS and OUT2") {
      b.in(kMsr);
      b.out(kMcr, kMcrLoop | kMcrDtr | kMcrOut1);
      CHECK(b.in(kMsr) == (kMsrDsr | kMsrRi | kMsrDcts | kMsrDdsr | kMsrDdcd));
      b.out(kMcr, kMcrLoop);
      CHECK(b.in(kMsr) == (kMsrDdsr | kMsrTeri));  // TERI on the trailing edge of RI
    }
  }
}

TEST_CASE("624: UART receive delivers rx_input at the character time and not before", "[uart]") {
  Bench b({'o', 'k'});
  b.set_8n1();
  REQUIRE(b.uart.char_cycles() == kChar8N1);
  b.run_to(kChar8N1 - 1);
  CHECK((b.in(kLsr)&kLsrDr) == 0);
  CHECK(b.uart.bytes_received() == 0);
  b.run_to(kChar8N1);
  CHECK((b.in(kLsr)&kLsrDr) == kLsrDr);
  CHECK(b.in(kRbrThr) == 'o');
  b.run_to(2 * kChar8N1 - 1);
  CHECK((b.in(kLsr)&kLsrDr) == 0);
  b.run_to(2 * kChar8N1);
  CHECK(b.in(kRbrThr) == 'k');
  CHECK(b.uart.bytes_received() == 2);
  CHECK(b.q.next_due() == kNever);  // input exhausted: no timer left
}

TEST_CASE("625: UART flow control delivers every byte to a guest that reads late", "[uart]") {
  const std::vector<u8> text = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j',
                                'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't'};
  SECTION("without FIFOs the sender waits for RBR to be read") {
    Bench b(text);
    b.set_8n1();
    b.run_to(kHz);  // a second of not reading
    CHECK(b.uart.bytes_received() == 1);
    CHECK(b.in(kLsr) == (kLsrDr | kLsrThre | kLsrTemt));  // no overrun
    CHECK(b.in(kRbrThr) == 'a');
    // The next byte comes one character time after room appeared.
    b.run_to(kHz + kChar8N1 - 1);
    CHECK(b.uart.bytes_received() == 1);
    b.run_to(kHz + kChar8N1);
    CHECK(b.uart.bytes_received() == 2);
    std::vector<u8> got = {'a'};
    for (u64 t = kHz + kChar8N1; got.size() < text.size(); t += 100'000) {
      b.run_to(t);
      if (b.in(kLsr)&kLsrDr) got.push_back(b.in(kRbrThr));
    }
    CHECK(got == text);
  }
  SECTION("with FIFOs the sender stops at 16 queued bytes") {
    Bench b(text);
    b.set_8n1();
    b.out(kIirFcr, kFcrEnable);
    b.run_to(kHz);
    CHECK(b.uart.bytes_received() == kFifoSize);
    CHECK((b.in(kLsr)&kLsrOe) == 0);
    std::vector<u8> got;
    for (u64 t = kHz; got.size() < text.size(); t += 100'000) {
      b.run_to(t);
      while (b.in(kLsr)&kLsrDr) got.push_back(b.in(kRbrThr));
    }
    CHECK(got == text);
  }
}

TEST_CASE("626: UART FIFO trigger level raises the received data interrupt and IIR shows the FIFO bits", "[uart]") {
  Bench b(std::vector<u8>(10, 'x'));
  b.set_8n1();
  b.out(kIirFcr, kFcrEnable | (2u << kFcrTriggerShift));  // trigger at 8 bytes
  CHECK(b.in(kIirFcr) == (kIirFifosEnabled | kIirNone));
  b.out(kIer, kIerErbfi);
  b.out(kMcr, kMcrOut2);
  b.run_to(8 * kChar8N1 - 1);
  CHECK(b.irq.edges.empty());
  CHECK(b.in(kIirFcr) == 0xC1);
  b.run_to(8 * kChar8N1);
  REQUIRE(b.irq.edges.size() == 1);
  CHECK(b.irq.edges[0] == IrqEdge{8 * kChar8N1, kIrq4, true});
  CHECK(b.in(kIirFcr) == (kIirFifosEnabled | kIirRxData));
  // Reading one byte drops below the trigger level: the interrupt goes away.
  b.in(kRbrThr);
  CHECK(b.in(kIirFcr) == 0xC1);
  REQUIRE(b.irq.edges.size() == 2);
  CHECK_FALSE(b.irq.edges[1].level);
  // Disabling the FIFOs clears them and the IIR FIFO bits.
  b.out(kIirFcr, 0);
  CHECK(b.in(kIirFcr) == 0x01);
  CHECK((b.in(kLsr)&kLsrDr) == 0);
}

TEST_CASE("627: UART character timeout reports IIR 0xC after four quiet character times", "[uart]") {
  Bench b({'a', 'b', 'c'});
  b.set_8n1();
  b.out(kIirFcr, kFcrEnable | (3u << kFcrTriggerShift));  // trigger at 14: never reached
  b.out(kIer, kIerErbfi);
  b.out(kMcr, kMcrOut2);
  const u64 last = 3 * kChar8N1;
  const u64 timeout = last + 4 * kChar8N1;
  b.run_to(timeout - 1);
  CHECK(b.irq.edges.empty());
  CHECK(b.in(kIirFcr) == 0xC1);
  b.run_to(timeout);
  REQUIRE(b.irq.edges.size() == 1);
  CHECK(b.irq.edges[0] == IrqEdge{timeout, kIrq4, true});
  CHECK(b.in(kIirFcr) == (kIirFifosEnabled | kIirTimeout));
  // Reading the FIFO restarts the timeout count.
  CHECK(b.in(kRbrThr) == 'a');
  CHECK(b.in(kIirFcr) == 0xC1);
  b.run_to(timeout + 4 * kChar8N1);
  CHECK(b.in(kIirFcr) == 0xCC);
}

TEST_CASE("628: UART THRE interrupt is set by ETBEI and cleared by reading IIR", "[uart]") {
  Bench b;
  b.out(kMcr, kMcrOut2);
  b.clock.advance_to(100);
  b.out(kIer, kIerEtbei);
  REQUIRE(b.irq.edges.size() == 1);
  CHECK(b.irq.edges[0] == IrqEdge{100, kIrq4, true});
  CHECK(b.in(kIirFcr) == kIirThre);
  CHECK(b.in(kIirFcr) == kIirNone);  // the first read cleared it
  REQUIRE(b.irq.edges.size() == 2);
  CHECK_FALSE(b.irq.edges[1].level);
  WHEN("THR is written") {
    b.clock.advance_to(200);
    b.out(kRbrThr, '!');
    THEN("the transmitter empties at once and THRE is pending again") {
      REQUIRE(b.irq.edges.size() == 3);
      CHECK(b.irq.edges[2] == IrqEdge{200, kIrq4, true});
      CHECK(b.in(kIirFcr) == kIirThre);
    }
    AND_WHEN("THR is written again without reading IIR") {
      b.out(kRbrThr, '?');
      THEN("the line drops and rises again so an edge-triggered PIC sees a new interrupt") {
        REQUIRE(b.irq.edges.size() == 5);
        CHECK_FALSE(b.irq.edges[3].level);
        CHECK(b.irq.edges[4].level);
      }
    }
  }
}

TEST_CASE("629: UART IRQ line is gated by MCR OUT2 as on a PC", "[uart]") {
  Bench b;
  b.out(kIer, kIerEtbei);
  CHECK(b.irq.edges.empty());        // pending, but OUT2 is clear
  b.out(kMcr, kMcrOut2);             // the gate opens on the pending interrupt
  b.out(kMcr, kMcrOut2 | kMcrLoop);  // loopback forces OUT2 inactive
  b.out(kMcr, 0);
  REQUIRE(b.irq.edges.size() == 2);
  CHECK(b.irq.edges[0].level);
  CHECK_FALSE(b.irq.edges[1].level);
  CHECK(b.in(kIirFcr) == kIirThre);  // a polling guest still sees it
}
