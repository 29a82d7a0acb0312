//===- AddParallelFor.cpp - the model's threads, lent to the runtime ------===//
//
// The trainer gathers each batch (bytes to floats) on one thread while the
// compiled code's other threads wait: 10% of a tick of the reference net
// at batch 64 on 2 cores, most of it spent taking the batch's cache lines
// from the core that read them last. The runtime links no OpenMP of its
// own (a CUDA trainer needs none); a CPU model library lends it its thread
// team instead, through one function that runs a callback for each index
// of a range, split among the threads the way the compiled loops split
// their rows.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace tick {
#define GEN_PASS_DEF_TICKADDPARALLELFOR
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

struct AddParallelForPass
    : tick::impl::TickAddParallelForBase<AddParallelForPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module.lookupSymbol(tick::kParallelForName))
      return;
    MLIRContext *context = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(context);
    auto i64 = IntegerType::get(context, 64);
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    Location loc = module.getLoc();
    // void _tick_parallel_for(void (*body)(void *, int64_t), void *context,
    //                         int64_t count)
    auto func = func::FuncOp::create(b, loc, tick::kParallelForName,
                                     b.getFunctionType({ptr, ptr, i64}, {}));
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value body = entry->getArgument(0), bodyContext = entry->getArgument(1);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value count = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                             entry->getArgument(2));
    auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                        ValueRange{count}, ValueRange{one});
    b.setInsertionPointToStart(loop.getBody());
    Value index =
        arith::IndexCastOp::create(b, loc, i64, loop.getInductionVars()[0]);
    LLVM::CallOp::create(b, loc,
                         LLVM::LLVMFunctionType::get(
                             LLVM::LLVMVoidType::get(context), {ptr, i64}),
                         ValueRange{body, bodyContext, index});
    b.setInsertionPointAfter(loop);
    func::ReturnOp::create(b, loc);
  }
};

} // namespace
