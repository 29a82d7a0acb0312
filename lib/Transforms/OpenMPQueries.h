//===- OpenMPQueries.h - the OpenMP runtime calls Tick emits ----*- C++ -*-===//
//
// Code that runs as an OpenMP team (each thread's share of a loop) asks the
// runtime for its thread number and the team's size.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_LIB_TRANSFORMS_OPENMPQUERIES_H
#define TICK_LIB_TRANSFORMS_OPENMPQUERIES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace tick {

constexpr llvm::StringLiteral kOmpThreadNum = "omp_get_thread_num";
constexpr llvm::StringLiteral kOmpNumThreads = "omp_get_num_threads";

/// The module's declaration of `int name(void)` from the OpenMP runtime
/// (`kOmpThreadNum`, `kOmpNumThreads`), added if missing.
inline mlir::func::FuncOp declareOmpQuery(mlir::ModuleOp module,
                                          llvm::StringRef name) {
  if (auto existing = module.lookupSymbol<mlir::func::FuncOp>(name))
    return existing;
  mlir::OpBuilder b = mlir::OpBuilder::atBlockBegin(module.getBody());
  auto decl = mlir::func::FuncOp::create(
      b, module.getLoc(), name, b.getFunctionType({}, {b.getI32Type()}));
  decl.setPrivate();
  return decl;
}

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_OPENMPQUERIES_H
