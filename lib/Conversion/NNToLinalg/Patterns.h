//===- Patterns.h - the groups of nn lowering patterns ----------*- C++ -*-===//

#ifndef TICK_LIB_CONVERSION_NNTOLINALG_PATTERNS_H
#define TICK_LIB_CONVERSION_NNTOLINALG_PATTERNS_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tick::lowering {

/// The backward ops nn-autodiff builds.
void populateGradientLoweringPatterns(mlir::RewritePatternSet &patterns);
/// The optimizer steps and the correct-prediction count.
void populateOptimizerLoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace tick::lowering

#endif // TICK_LIB_CONVERSION_NNTOLINALG_PATTERNS_H
