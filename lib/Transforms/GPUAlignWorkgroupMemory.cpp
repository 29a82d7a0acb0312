//===- GPUAlignWorkgroupMemory.cpp - workgroup buffers for vector reads ---===//
//
// The NVVM lowering places a kernel's workgroup buffers at the alignment of
// their element type (4 bytes for f32) unless the attribution says more.
// The matmul tiles are read 16 bytes at a time (tick-gpu-matmul-tiles): a
// vector read needs its buffer aligned to its width.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPUALIGNWORKGROUPMEMORY
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

struct GPUAlignWorkgroupMemoryPass
    : tick::impl::TickGPUAlignWorkgroupMemoryBase<GPUAlignWorkgroupMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    StringRef name = LLVM::LLVMDialect::getAlignAttrName();
    auto bytes = IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                  static_cast<int64_t>(alignment));
    getOperation().walk([&](gpu::GPUFuncOp func) {
      for (unsigned i = 0; i < func.getNumWorkgroupAttributions(); ++i) {
        auto current = dyn_cast_or_null<IntegerAttr>(
            func.getWorkgroupAttributionAttr(i, name));
        if (!current || current.getInt() < alignment)
          func.setWorkgroupAttributionAttr(i, name, bytes);
      }
    });
  }
};

} // namespace
