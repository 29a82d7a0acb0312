//===- DropInPlaceResults.cpp - in-place updates leave the signature ------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace tick {
#define GEN_PASS_DEF_TICKDROPINPLACERESULTS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// The function argument `v` is, looking through casts; null if none.
BlockArgument argumentBehind(Value v, func::FuncOp func) {
  while (auto cast = v.getDefiningOp<memref::CastOp>())
    v = cast.getSource();
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner()->getParentOp() == func ? arg : BlockArgument();
}

struct DropInPlaceResultsPass
    : tick::impl::TickDropInPlaceResultsBase<DropInPlaceResultsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTableCollection symbols;
    SymbolUserMap users(symbols, module);
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || !users.getUsers(func).empty() ||
          !func.getBody().hasOneBlock())
        continue;
      auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
      llvm::BitVector dropped(func.getNumResults());
      for (auto [index, value] : llvm::enumerate(ret.getOperands()))
        if (BlockArgument arg = argumentBehind(value, func)) {
          dropped.set(index);
          func.setArgAttr(arg.getArgNumber(), "tick.updated",
                          UnitAttr::get(&getContext()));
        }
      if (dropped.none())
        continue;
      ret->eraseOperands(dropped);
      if (failed(func.eraseResults(dropped)))
        return signalPassFailure();
    }
  }
};

} // namespace
