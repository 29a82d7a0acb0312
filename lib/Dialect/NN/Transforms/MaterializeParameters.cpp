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
    }

    for (func::FuncOp func : funcs) {
      ValueRange args = func.getArguments().take_front(params.size());
      func.walk([&](GetParameterOp read) {
        read.replaceAllUsesWith(args[indexOf.lookup(read.getName())]);
        read.erase();
      });
      // Calls to functions that now take the parameters pass them on.
      func.walk([&](func::CallOp call) {
        if (!defined.contains(call.getCallee()))
          return;
        SmallVector<Value> operands(args);
        llvm::append_range(operands, call.getOperands());
        call->setOperands(operands);
      });
    }
    for (ParameterOp param : params)
      param.erase();
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
