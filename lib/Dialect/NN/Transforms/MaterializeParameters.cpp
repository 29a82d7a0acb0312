//===- MaterializeParameters.cpp - parameters as function arguments -------===//
//
// Code generation works on values, not on symbols: this pass binds each
// parameter to a leading argument of every function, so a compiled entry
// point receives the parameter buffers from the runtime that owns them.
//
//===----------------------------------------------------------------------===//

#include "tick/Dialect/NN/IR/NNOps.h"
#include "tick/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

namespace tick::nn {
#define GEN_PASS_DEF_NNMATERIALIZEPARAMETERS
#include "tick/Dialect/NN/Transforms/Passes.h.inc"
} // namespace tick::nn

using namespace mlir;
using namespace tick::nn;

namespace {

struct MaterializeParametersPass
    : tick::nn::impl::NNMaterializeParametersBase<MaterializeParametersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<ParameterOp> params(module.getOps<ParameterOp>());
    if (params.empty())
      return;

    SmallVector<Type> paramTypes;
    llvm::StringMap<unsigned> indexOf;
    for (auto [index, param] : llvm::enumerate(params)) {
      paramTypes.push_back(param.getType());
      indexOf[param.getSymName()] = index;
    }

    SmallVector<func::FuncOp> funcs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        funcs.push_back(func);

    llvm::StringSet<> defined;
    for (func::FuncOp func : funcs) {
      defined.insert(func.getSymName());
      prependParameters(func, params, paramTypes);
      if (failed(returnWrittenParameters(func, params, indexOf)))
        return signalPassFailure();
    }

    for (func::FuncOp func : funcs) {
      ValueRange args = func.getArguments().take_front(params.size());
      func.walk([&](GetParameterOp read) {
        read.replaceAllUsesWith(args[indexOf.lookup(read.getName())]);
        read.erase();
      });
      // Calls to functions that now take the parameters pass them on.
      WalkResult walk = func.walk([&](func::CallOp call) {
        if (!defined.contains(call.getCallee()))
          return WalkResult::advance();
        auto callee = getOperation().lookupSymbol<func::FuncOp>(call.getCallee());
        if (callee.getNumResults() != call.getNumResults()) {
          call.emitError("cannot call a function that sets parameters");
          return WalkResult::interrupt();
        }
        SmallVector<Value> operands(args);
        llvm::append_range(operands, call.getOperands());
        call->setOperands(operands);
        return WalkResult::advance();
      });
      if (walk.wasInterrupted())
        return signalPassFailure();
    }
    for (ParameterOp param : params)
      param.erase();
  }

  /// Each nn.set_parameter becomes a result of the function, after its own
  /// results, in parameter declaration order. Bufferization writes it into
  /// the parameter's argument buffer and drops the result.
  static LogicalResult
  returnWrittenParameters(func::FuncOp func, ArrayRef<ParameterOp> params,
                          const llvm::StringMap<unsigned> &indexOf) {
    SmallVector<Value> written(params.size());
    SmallVector<SetParameterOp> writes;
    WalkResult walk = func.walk([&](SetParameterOp write) {
      Value &slot = written[indexOf.lookup(write.getName())];
      if (slot) {
        write.emitError("expects one nn.set_parameter of @")
            << write.getName() << " per function";
        return WalkResult::interrupt();
      }
      slot = write.getValue();
      writes.push_back(write);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    if (writes.empty())
      return success();
    if (!func.getBody().hasOneBlock())
      return func.emitError("expects one block in a function that sets "
                            "parameters");
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    SmallVector<Type> types(func.getResultTypes());
    for (Value v : written)
      if (v) {
        results.push_back(v);
        types.push_back(v.getType());
      }
    ret->setOperands(results);
    func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                   types));
    for (SetParameterOp write : writes)
      write.erase();
    return success();
  }

  static void prependParameters(func::FuncOp func, ArrayRef<ParameterOp> params,
                                ArrayRef<Type> paramTypes) {
    Builder b(func.getContext());
    SmallVector<unsigned> positions(params.size(), 0);
    SmallVector<DictionaryAttr> attrs;
    SmallVector<Location> locs;
    for (ParameterOp param : params) {
      attrs.push_back(b.getDictionaryAttr(b.getNamedAttr(
          kParameterArgAttr, b.getStringAttr(param.getSymName()))));
      locs.push_back(param.getLoc());
    }
    if (failed(func.insertArguments(positions, paramTypes, attrs, locs)))
      llvm_unreachable("inserting leading arguments cannot fail");
  }
};

} // namespace
