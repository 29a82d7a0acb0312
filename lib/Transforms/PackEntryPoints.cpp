//===- PackEntryPoints.cpp - arity-independent entry points ---------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace tick {
#define GEN_PASS_DEF_TICKPACKENTRYPOINTS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

constexpr StringLiteral kCInterfacePrefix = "_mlir_ciface_";
constexpr StringLiteral kPackedPrefix = "_tick_packed_";
constexpr StringLiteral kArityPrefix = "_tick_arity_";

struct PackEntryPointsPass
    : tick::impl::TickPackEntryPointsBase<PackEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> interfaces;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (func.getName().starts_with(kCInterfacePrefix) && !func.isExternal())
        interfaces.push_back(func);

    for (LLVM::LLVMFuncOp callee : interfaces) {
      LLVM::LLVMFunctionType type = callee.getFunctionType();
      if (!isa<LLVM::LLVMVoidType>(type.getReturnType()) ||
          !llvm::all_of(type.getParams(), llvm::IsaPred<LLVM::LLVMPointerType>)) {
        callee.emitError("expects a C interface that takes pointers and "
                         "returns nothing");
        return signalPassFailure();
      }
      OpBuilder b(module.getBodyRegion());
      b.setInsertionPointToEnd(module.getBody());
      Location loc = callee.getLoc();
      auto ptr = LLVM::LLVMPointerType::get(&getContext());
      std::string name =
          (kPackedPrefix + callee.getName().drop_front(kCInterfacePrefix.size()))
              .str();
      auto packed = LLVM::LLVMFuncOp::create(
          b, loc, name,
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(&getContext()),
                                      {ptr}));
      Block *entry = packed.addEntryBlock(b);
      b.setInsertionPointToStart(entry);
      SmallVector<Value> args;
      for (unsigned i = 0; i < type.getNumParams(); ++i) {
        Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, entry->getArgument(0),
                                         ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        args.push_back(LLVM::LoadOp::create(b, loc, ptr, slot));
      }
      LLVM::CallOp::create(b, loc, callee, args);
      LLVM::ReturnOp::create(b, loc, ValueRange{});

      // How many pointers the packed entry reads: a caller can check it
      // passes as many (tickrt_model_arity) instead of crashing.
      b.setInsertionPointToEnd(module.getBody());
      StringRef function = callee.getName().drop_front(kCInterfacePrefix.size());
      LLVM::GlobalOp::create(b, loc, b.getI64Type(), /*isConstant=*/true,
                             LLVM::Linkage::External,
                             (kArityPrefix + function).str(),
                             b.getI64IntegerAttr(type.getNumParams()));
    }
  }
};

} // namespace
