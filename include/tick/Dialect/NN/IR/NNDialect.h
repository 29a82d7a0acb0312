//===- NNDialect.h - nn dialect declaration ---------------------*- C++ -*-===//

#ifndef TICK_DIALECT_NN_IR_NNDIALECT_H
#define TICK_DIALECT_NN_IR_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "tick/Dialect/NN/IR/NNOpsDialect.h.inc"

#endif // TICK_DIALECT_NN_IR_NNDIALECT_H
