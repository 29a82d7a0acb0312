//===- NNOps.h - nn dialect operations --------------------------*- C++ -*-===//

#ifndef TICK_DIALECT_NN_IR_NNOPS_H
#define TICK_DIALECT_NN_IR_NNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "tick/Dialect/NN/IR/NNDialect.h"

#include "tick/Dialect/NN/IR/NNOpsEnums.h.inc"
#include "tick/Dialect/NN/IR/NNInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "tick/Dialect/NN/IR/NNOpsAttributes.h.inc"

#define GET_OP_CLASSES
#include "tick/Dialect/NN/IR/NNOps.h.inc"

#endif // TICK_DIALECT_NN_IR_NNOPS_H
