//===- GPUFuseMultiplyAdd.cpp - a kernel's a * b + c as one fma ------------===//
//
// LLVM's NVPTX back end fuses a multiply and the add that takes its result
// into one `fma.rn` only where both carry the `contract` fast-math flag;
// without it, it emits `mul.rn` and `add.rn`, whose explicit rounding also
// keeps ptxas from fusing them. A matmul tile's inner loop then issues two
// floating-point instructions per multiply-add instead of one. nvcc fuses
// by default (`-fmad=true`); so do Tick's kernels: every floating-point
// `arith` op inside a `gpu.launch` gets `contract`. The fused result is
// rounded once instead of twice; nothing else about the arithmetic changes
// (no reassociation, no assumptions about NaN or infinity).
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPUFUSEMULTIPLYADD
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

struct GPUFuseMultiplyAddPass
    : tick::impl::TickGPUFuseMultiplyAddBase<GPUFuseMultiplyAddPass> {
  void runOnOperation() override {
    getOperation().walk([](gpu::LaunchOp launch) {
      launch.getBody().walk([](arith::ArithFastMathInterface op) {
        auto flags = op.getFastMathFlagsAttr();
        arith::FastMathFlags with =
            (flags ? flags.getValue() : arith::FastMathFlags::none) |
            arith::FastMathFlags::contract;
        op->setAttr(op.getFastMathAttrName(),
                    arith::FastMathFlagsAttr::get(op->getContext(), with));
      });
    });
  }
};

} // namespace
