//===- NNToLinalg.h - nn to linalg-on-tensors conversion --------*- C++ -*-===//

#ifndef TICK_CONVERSION_NNTOLINALG_NNTOLINALG_H
#define TICK_CONVERSION_NNTOLINALG_NNTOLINALG_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tick {

/// Patterns that rewrite the nn layer and loss ops into linalg, tensor,
/// arith and math ops on tensors.
void populateNNToLinalgConversionPatterns(mlir::RewritePatternSet &patterns);

} // namespace tick

#endif // TICK_CONVERSION_NNTOLINALG_NNTOLINALG_H
