// Placeholder until the family is written (helper task in progress).
#include "cpu486/optable.hpp"

namespace l4sim {
void register_far_control(OpTable&) {}
}  // namespace l4sim
