// The 8259A pair: initialisation, masking, priorities, EOI flavours, cascade
// and the datasheet's spurious IR7 (Intel 8259A datasheet).
#include <catch2/catch.hpp>

#include "devices/pic8259.hpp"

using namespace l4sim;

namespace {

constexpr unsigned kMaster = Pic8259Pair::kMaster, kSlave = Pic8259Pair::kSlave;
constexpr u8 kNonSpecificEoi = 0x20, kReadIrr = 0x0A, kReadIsr = 0x0B, kPoll = 0x0C;

// The sequence PC kernels use: edge triggered, cascade on IR2, 8086 mode,
// master vectors 0x20.., slave 0x28.. (icw4 0x01 normal EOI, 0x03 AEOI).
void init_pc(Pic8259Pair& pic, u8 icw4 = 0x01) {
  pic.io_write(0x20, 1, 0x11);  // ICW1: edge, cascade, ICW4 follows
  pic.io_write(0x21, 1, 0x20);  // ICW2: vector base
  pic.io_write(0x21, 1, 0x04);  // ICW3: slave on IR2
  pic.io_write(0x21, 1, icw4);  // ICW4
  pic.io_write(0xA0, 1, 0x11);
  pic.io_write(0xA1, 1, 0x28);
  pic.io_write(0xA1, 1, 0x02);  // ICW3: slave ID 2
  pic.io_write(0xA1, 1, icw4);
}

// A fresh rising edge on a line.
void request(Pic8259Pair& pic, unsigned line) {
  pic.set_irq(line, false);
  pic.set_irq(line, true);
}

// The CPU's side: INTR is seen, then the INTA sequence.
u8 take(Pic8259Pair& pic) {
  REQUIRE(pic.intr_pending());
  return pic.intr_acknowledge();
}

}  // namespace

TEST_CASE("600: PIC power-on state and the ICW1-4 init sequence set vector bases", "[pic]") {
  Pic8259Pair pic;
  GIVEN("a pair nobody has initialised") {
    THEN("it behaves as a BIOS leaves it: vectors 0x08 and 0x70 and nothing masked") {
      CHECK(pic.imr(kMaster) == 0);
      CHECK(pic.imr(kSlave) == 0);
      CHECK_FALSE(pic.intr_pending());
      pic.set_irq(1, true);
      CHECK(take(pic) == 0x09);
      pic.set_irq(12, true);
      pic.io_write(0x20, 1, kNonSpecificEoi);
      CHECK(take(pic) == 0x74);
    }
  }
  GIVEN("a mask set before initialisation") {
    pic.io_write(0x21, 1, 0xFF);
    pic.io_write(0xA1, 1, 0xFF);
    WHEN("the ICW1-4 sequence runs") {
      init_pc(pic);
      THEN("the IMR is cleared and the new vector bases apply") {
        CHECK(pic.io_read(0x21, 1) == 0x00);
        CHECK(pic.io_read(0xA1, 1) == 0x00);
        CHECK(pic.vector_base(kMaster) == 0x20);
        CHECK(pic.vector_base(kSlave) == 0x28);
        pic.set_irq(3, true);
        CHECK(take(pic) == 0x23);
        CHECK(pic.isr(kMaster) == 0x08);
      }
    }
  }
  GIVEN("an ICW2 with low bits set") {
    pic.io_write(0x20, 1, 0x13);  // single, ICW4 follows: no ICW3
    pic.io_write(0x21, 1, 0x47);
    pic.io_write(0x21, 1, 0x01);  // ICW4, then the data port is the IMR again
    pic.io_write(0x21, 1, 0xFE);
    THEN("the low three bits are ignored in 8086 mode and ICW3 was skipped") {
      CHECK(pic.vector_base(kMaster) == 0x40);
      CHECK(pic.imr(kMaster) == 0xFE);
      pic.set_irq(0, true);
      CHECK(take(pic) == 0x40);
    }
  }
}

TEST_CASE("601: PIC masked requests stay in IRR and interrupt once unmasked", "[pic]") {
  Pic8259Pair pic;
  init_pc(pic);
  pic.io_write(0x21, 1, 0x10);  // mask IR4
  pic.set_irq(4, true);
  CHECK(pic.irr(kMaster) == 0x10);
  CHECK_FALSE(pic.intr_pending());
  WHEN("the mask bit is cleared") {
    pic.io_write(0x21, 1, 0x00);
    THEN("the latched request interrupts") { CHECK(take(pic) == 0x24); }
  }
  WHEN("the slave is masked on the master") {
    pic.io_write(0x21, 1, 0x04);
    pic.set_irq(4, false);
    pic.set_irq(14, true);
    THEN("the slave's request is held off") {
      CHECK(pic.irr(kSlave) == 0x40);
      CHECK(pic.irr(kMaster) == 0x04);
      CHECK_FALSE(pic.intr_pending());
    }
  }
}

TEST_CASE("602: PIC fully nested mode lets higher levels interrupt and holds lower ones until EOI", "[pic]") {
  Pic8259Pair pic;
  init_pc(pic);
  pic.set_irq(3, true);
  REQUIRE(take(pic) == 0x23);
  GIVEN("IR3 in service") {
    pic.set_irq(5, true);
    THEN("a lower level waits") {
      CHECK(pic.irr(kMaster) == 0x20);
      CHECK_FALSE(pic.intr_pending());
    }
    WHEN("a higher level arrives") {
      pic.set_irq(1, true);
      THEN("it interrupts the handler of IR3") {
        CHECK(take(pic) == 0x21);
        CHECK(pic.isr(kMaster) == 0x0A);
        AND_WHEN("the two handlers send their EOIs") {
          pic.io_write(0x20, 1, kNonSpecificEoi);
          CHECK(pic.isr(kMaster) == 0x08);  // the highest (IR1) was reset
          CHECK_FALSE(pic.intr_pending());
          pic.io_write(0x20, 1, kNonSpecificEoi);
          THEN("IR5 is delivered last") {
            CHECK(pic.isr(kMaster) == 0x00);
            CHECK(take(pic) == 0x25);
          }
        }
      }
    }
    WHEN("special mask mode is on and IR3 masks itself") {
      pic.io_write(0x21, 1, 0x08);
      pic.io_write(0x20, 1, 0x68);  // OCW3: ESMM + SMM
      pic.set_irq(5, true);
      THEN("the lower IR5 interrupts although IR3 is in service") {
        CHECK(take(pic) == 0x25);
        CHECK(pic.isr(kMaster) == 0x28);
        AND_WHEN("a non-specific EOI is sent") {
          pic.io_write(0x20, 1, kNonSpecificEoi);
          THEN("the masked IR3 keeps its ISR bit (datasheet)") { CHECK(pic.isr(kMaster) == 0x08); }
        }
      }
    }
  }
}

TEST_CASE("603: PIC non-specific and specific EOI reset the right ISR bits", "[pic]") {
  Pic8259Pair pic;
  init_pc(pic);
  pic.set_irq(6, true);
  REQUIRE(take(pic) == 0x26);
  pic.set_irq(3, true);
  REQUIRE(take(pic) == 0x23);
  pic.set_irq(0, true);
  REQUIRE(take(pic) == 0x20);
  REQUIRE(pic.isr(kMaster) == 0x49);
  WHEN("a specific EOI names level 3") {
    pic.io_write(0x20, 1, 0x63);
    THEN("only bit 3 is reset") { CHECK(pic.isr(kMaster) == 0x41); }
  }
  WHEN("a non-specific EOI is sent") {
    pic.io_write(0x20, 1, kNonSpecificEoi);
    THEN("the highest-priority level (0) is reset") { CHECK(pic.isr(kMaster) == 0x48); }
  }
  WHEN("a specific EOI names a level not in service") {
    pic.io_write(0x20, 1, 0x65);
    THEN("nothing changes") { CHECK(pic.isr(kMaster) == 0x49); }
  }
}

TEST_CASE("604: PIC automatic EOI never sets ISR and needs no EOI command", "[pic]") {
  Pic8259Pair pic;
  init_pc(pic, 0x03);  // ICW4: 8086 mode + AEOI
  pic.set_irq(3, true);
  CHECK(take(pic) == 0x23);
  CHECK(pic.isr(kMaster) == 0x00);
  CHECK(pic.irr(kMaster) == 0x00);
  WHEN("a lower level arrives without any EOI") {
    pic.set_irq(6, true);
    THEN("it is delivered at once") {
      CHECK(take(pic) == 0x26);
      CHECK(pic.isr(kMaster) == 0x00);
    }
  }
  WHEN("a slave level arrives") {
    pic.set_irq(13, true);
    THEN("both chips acknowledge without in-service bits") {
      CHECK(take(pic) == 0x2D);
      CHECK(pic.isr(kMaster) == 0x00);
      CHECK(pic.isr(kSlave) == 0x00);
    }
  }
}

TEST_CASE("605: PIC OCW3 selects IRR or ISR reads and the poll command acknowledges", "[pic]") {
  Pic8259Pair pic;
  init_pc(pic);
  pic.set_irq(4, true);
  REQUIRE(take(pic) == 0x24);
  pic.set_irq(6, true);  // waits behind IR4
  WHEN("reading after OCW3 read-IRR") {
    pic.io_write(0x20, 1, kReadIrr);
    THEN("the command port returns IRR every time") {
      CHECK(pic.io_read(0x20, 1) == 0x40);
      CHECK(pic.io_read(0x20, 1) == 0x40);
      CHECK(pic.io_read(0x21, 1) == 0x00);  // the data port is always the IMR
    }
  }
  WHEN("reading after OCW3 read-ISR") {
    pic.io_write(0x20, 1, kReadIsr);
    THEN("the command port returns ISR until told otherwise") {
      CHECK(pic.io_read(0x20, 1) == 0x10);
      CHECK(pic.io_read(0x20, 1) == 0x10);
      pic.io_write(0x20, 1, kReadIrr);
      CHECK(pic.io_read(0x20, 1) == 0x40);
    }
  }
  WHEN("the poll command is issued") {
    pic.set_irq(1, true);
    pic.io_write(0x20, 1, kPoll);
    THEN("the next read returns the highest request and acknowledges it like INTA") {
      CHECK(pic.io_read(0x20, 1) == 0x81);
      CHECK(pic.isr(kMaster) == 0x12);
      CHECK(pic.irr(kMaster) == 0x40);
      AND_THEN("the poll is one-shot: the next read is IRR again") { CHECK(pic.io_read(0x20, 1) == 0x40); }
    }
  }
  WHEN("a poll finds no request that may interrupt") {
    pic.io_write(0x20, 1, kPoll);
    THEN("it reads 0 and changes nothing") {
      CHECK(pic.io_read(0x20, 1) == 0x00);
      CHECK(pic.isr(kMaster) == 0x10);
    }
  }
}

TEST_CASE("606: PIC cascade delivers the slave vector with master ISR bit 2 set", "[pic]") {
  Pic8259Pair pic;
  init_pc(pic);
  pic.set_irq(12, true);
  CHECK(pic.irr(kSlave) == 0x10);
  CHECK(pic.irr(kMaster) == 0x04);
  CHECK(take(pic) == 0x2C);
  CHECK(pic.isr(kMaster) == 0x04);
  CHECK(pic.isr(kSlave) == 0x10);
  CHECK(pic.irr(kMaster) == 0x00);
  CHECK(pic.irr(kSlave) == 0x00);
  WHEN("another slave level of lower priority arrives") {
    pic.set_irq(14, true);
    THEN("it waits for both EOIs") {
      CHECK_FALSE(pic.intr_pending());
      pic.io_write(0xA0, 1, kNonSpecificEoi);
      CHECK(pic.isr(kSlave) == 0x00);
      CHECK_FALSE(pic.intr_pending());  // the master still has IR2 in service
      pic.io_write(0x20, 1, kNonSpecificEoi);
      CHECK(pic.isr(kMaster) == 0x00);
      CHECK(take(pic) == 0x2E);
    }
  }
  WHEN("the master runs in special fully nested mode") {
    Pic8259Pair sfnm;
    init_pc(sfnm, 0x11);  // ICW4: 8086 + SFNM (on both; only the master uses it)
    sfnm.set_irq(12, true);
    REQUIRE(take(sfnm) == 0x2C);
    sfnm.set_irq(9, true);
    THEN("a higher slave level passes the master's in-service IR2") {
      CHECK(take(sfnm) == 0x29);
      CHECK(sfnm.isr(kSlave) == 0x12);
    }
  }
}

TEST_CASE("607: PIC a request withdrawn before INTA gives the spurious IR7 without an ISR bit", "[pic]") {
  Pic8259Pair pic;
  init_pc(pic);
  GIVEN("an edge on IR5 that falls before the CPU acknowledges") {
    pic.set_irq(5, true);
    REQUIRE(pic.intr_pending());
    pic.set_irq(5, false);
    THEN("the request is lost and INTA returns the master's IR7 vector") {
      CHECK(pic.irr(kMaster) == 0x00);
      CHECK(pic.intr_acknowledge() == 0x27);
      CHECK(pic.isr(kMaster) == 0x00);
      CHECK(pic.spurious_count() == 1);
    }
  }
  GIVEN("the master's cascade input requests while the slave has nothing") {
    pic.set_irq(2, true);  // pulses master IR2 directly (see set_irq)
    THEN("the slave answers with its IR7 vector and the master keeps ISR bit 2") {
      CHECK(take(pic) == 0x2F);
      CHECK(pic.isr(kMaster) == 0x04);
      CHECK(pic.isr(kSlave) == 0x00);
      CHECK(pic.spurious_count() == 1);
      pic.io_write(0x20, 1, kNonSpecificEoi);
      CHECK(pic.isr(kMaster) == 0x00);
    }
  }
  GIVEN("a slave request withdrawn before INTA") {
    pic.set_irq(11, true);
    pic.set_irq(11, false);
    THEN("the slave's INT falls too and the master answers with its IR7") {
      CHECK(pic.intr_acknowledge() == 0x27);
      CHECK(pic.isr(kMaster) == 0x00);
    }
  }
}

TEST_CASE("608: PIC level-triggered mode makes IRR follow the line", "[pic]") {
  Pic8259Pair pic;
  pic.io_write(0x20, 1, 0x19);  // ICW1 with LTIM
  pic.io_write(0x21, 1, 0x20);
  pic.io_write(0x21, 1, 0x04);
  pic.io_write(0x21, 1, 0x01);
  pic.set_irq(3, true);
  CHECK(pic.irr(kMaster) == 0x08);
  REQUIRE(take(pic) == 0x23);
  THEN("the IRR bit stays set while the line is high") { CHECK(pic.irr(kMaster) == 0x08); }
  WHEN("the EOI comes while the line is still high") {
    pic.io_write(0x20, 1, kNonSpecificEoi);
    THEN("the level interrupts again without a new edge") { CHECK(take(pic) == 0x23); }
  }
  WHEN("the device lowers the line before the EOI") {
    pic.set_irq(3, false);
    pic.io_write(0x20, 1, kNonSpecificEoi);
    THEN("nothing is pending") {
      CHECK(pic.irr(kMaster) == 0x00);
      CHECK_FALSE(pic.intr_pending());
    }
  }
  WHEN("the same line is edge triggered") {
    Pic8259Pair edge;
    init_pc(edge);
    edge.set_irq(3, true);
    REQUIRE(take(edge) == 0x23);
    edge.io_write(0x20, 1, kNonSpecificEoi);
    THEN("a line held high does not interrupt twice") { CHECK_FALSE(edge.intr_pending()); }
  }
}

TEST_CASE("609: PIC rotation changes which of two simultaneous requests goes first", "[pic]") {
  Pic8259Pair pic;
  init_pc(pic);
  pic.set_irq(1, true);
  REQUIRE(take(pic) == 0x21);
  pic.set_irq(1, false);
  WHEN("the handler ends with a plain non-specific EOI") {
    pic.io_write(0x20, 1, kNonSpecificEoi);
    request(pic, 1);
    request(pic, 3);
    THEN("IR1 keeps its priority over IR3") { CHECK(take(pic) == 0x21); }
  }
  WHEN("the handler ends with rotate on non-specific EOI") {
    pic.io_write(0x20, 1, 0xA0);
    CHECK(pic.isr(kMaster) == 0x00);
    request(pic, 1);
    request(pic, 3);
    THEN("IR1 became the lowest priority and IR3 goes first") {
      CHECK(take(pic) == 0x23);
      pic.io_write(0x20, 1, kNonSpecificEoi);
      CHECK(take(pic) == 0x21);
    }
  }
  WHEN("set priority makes IR4 the lowest") {
    pic.io_write(0x20, 1, kNonSpecificEoi);
    pic.io_write(0x20, 1, 0xC4);
    request(pic, 0);
    request(pic, 6);
    THEN("IR5 has the highest priority so IR6 wins over IR0") { CHECK(take(pic) == 0x26); }
  }
  WHEN("rotate in AEOI mode is set") {
    Pic8259Pair aeoi;
    init_pc(aeoi, 0x03);
    aeoi.io_write(0x20, 1, 0x80);
    aeoi.set_irq(1, true);
    REQUIRE(take(aeoi) == 0x21);
    request(aeoi, 1);
    request(aeoi, 3);
    THEN("each acknowledged level becomes the lowest") { CHECK(take(aeoi) == 0x23); }
  }
}
