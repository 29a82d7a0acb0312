//===- FoldedInit.h - an output's initial value, read at its source -------===//
//
// A reduction or matmul on buffers starts from what its output holds; after
// bufferization that is usually a broadcast written just before it (zeros,
// a bias row). A GPU kernel that writes every element of the output can
// read the initial value at its source instead, and the broadcast, a kernel
// of its own, goes.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_LIB_TRANSFORMS_FOLDEDINIT_H
#define TICK_LIB_TRANSFORMS_FOLDEDINIT_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace tick {

/// The broadcast that initializes the output `out` of `user`.
class FoldedInit {
public:
  /// The broadcast writing `out` (a scalar, or a projection of a buffer,
  /// into every element), when nothing else touches `out` between it and
  /// `user`; or a copy into `out` of a buffer a scalar was broadcast into.
  static std::optional<FoldedInit> find(mlir::Operation *user,
                                        mlir::Value out);

  /// The initial value of `out` at `indices`.
  mlir::Value valueAt(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::ValueRange indices);

  /// The broadcast's source (a buffer or a scalar) and the map from
  /// `out`'s indices to it: an input for an op over `out`'s elements.
  std::pair<mlir::Value, mlir::AffineMap> source() const;

  /// Erases the broadcast (or the copy): call once the kernel that
  /// replaces `user` writes every element of the output.
  void erase() { writer->erase(); }

private:
  FoldedInit(mlir::Operation *writer, mlir::linalg::GenericOp broadcast)
      : writer(writer), broadcast(broadcast) {}
  /// The op that writes the output's initial value.
  mlir::Operation *writer;
  /// Where that value comes from.
  mlir::linalg::GenericOp broadcast;
};

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_FOLDEDINIT_H
