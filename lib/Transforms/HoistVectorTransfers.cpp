//===- HoistVectorTransfers.cpp - accumulators in registers ---------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"

namespace tick {
#define GEN_PASS_DEF_TICKHOISTVECTORTRANSFERS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

namespace {

struct HoistVectorTransfersPass
    : tick::impl::TickHoistVectorTransfersBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    // Hoisting only walks scf.for; verifyNonZeroTrip keeps a read from
    // moving above a loop that might not run.
    mlir::linalg::hoistRedundantVectorTransfers(getOperation(),
                                                /*verifyNonZeroTrip=*/true);
  }
};

} // namespace
