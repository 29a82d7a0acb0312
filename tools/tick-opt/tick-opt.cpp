//===- tick-opt.cpp - MLIR optimizer driver with Tick's dialects ----------===//
//
// mlir-opt with every upstream dialect and pass plus Tick's, so each Tick
// pass and pipeline can be run and tested on its own.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "tick/Conversion/Passes.h"
#include "tick/Dialect/NN/IR/NNDialect.h"
#include "tick/Dialect/NN/Transforms/Passes.h"
#include "tick/Pipelines/Pipelines.h"
#include "tick/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  tick::registerTickConversionPasses();
  tick::nn::registerNNPasses();
  tick::registerTickTransformsPasses();
  tick::registerTickPipelines();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR on the way to PTX.
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<tick::nn::NNDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Tick optimizer driver\n", registry));
}
