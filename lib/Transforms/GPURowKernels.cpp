//===- GPURowKernels.cpp - a run of row-wise ops as one kernel ------------===//
//
// LayerNorm forward is a chain of ops over the same rows: a sum, the mean,
// a sum of squared deviations, the reciprocal deviation, the normalized
// row, with zero-filled buffers copied in as the sums' initial values. Its
// backward and the loss's softmax look alike. As a kernel per op, the
// chain launches six kernels and two copies, and reads each row three
// times from memory.
//
// Here a run of such ops becomes one kernel in which a warp owns a row:
// each lane holds its columns in registers from their first load to their
// last use, a row's statistics combine with xor shuffles and are then
// known to every lane of the warp, and the kernel stores only what code
// after the run reads.
//
// A lane's columns come in groups of up to four neighbours (columns 4l to
// 4l + 3, then 128 + 4l to 128 + 4l + 3, ... for rows of a multiple of 128),
// so that each group of a row's f32 elements is one 16-byte load or store:
// a quarter of the memory instructions of a column a lane at a time, for
// kernels that only move rows through registers (LayerNorm forward reads
// and writes 8 bytes an element and computes little).
//
// The last layer's matmuls (64 x 10 forward, 10 x 64 input gradient) sit
// between such runs and took a kernel each for a few hundred
// multiply-adds a row. A small matmul that reads its left operand by rows
// (Matmuls.h) joins the run: each element of the row reaches every lane by
// a shuffle, and each lane computes its own columns.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "BufferEffects.h"
#include "GPUReductions.h"
#include "Matmuls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/SetVector.h"

#include <vector>

namespace tick {
#define GEN_PASS_DEF_TICKGPUROWKERNELS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;
using namespace tick;

namespace {

constexpr int64_t kWarp = 32;

/// How an op indexes one of its buffers, with d0 the row and d1 the column.
enum class Access {
  Row,       // [d0]: one value per row (statistics)
  RowColumn, // [d0, d1]: the row's elements
  Column,    // [d1]: the same vector for every row (LayerNorm's weight)
  Scalar,    // []: one value for everything
  Chunk,     // [z, d0, d1], z a constant: the row's elements in the partial
             // result z of a split matmul (ChunkSums.h)
  Matrix,    // [d2, d1] or [d1, d2]: a row matmul's right operand, the same
             // for every row
};

/// Operands every lane reads whole, the same for every row: never written
/// by the run that reads them.
bool isShared(Access access) {
  return access == Access::Column || access == Access::Scalar ||
         access == Access::Matrix;
}

/// An op that works on each row independently of the others: a
/// `linalg.generic` over rows (and columns) whose buffers are indexed as
/// above, or a copy of one value per row.
struct RowOp {
  Operation *op;
  int64_t rows;
  int64_t columns = 1;
  /// How each operand is indexed (for a copy: source, target).
  SmallVector<Access> accesses;
  /// For each operand, the chunk z an Access::Chunk reads (0 for others).
  SmallVector<int64_t> chunks;
  /// For a reduction along the row: how each output combines.
  SmallVector<Combiner> combiners;
  /// For a row matmul (Matmuls.h): k, the columns of a row of its left
  /// operand (0 for other ops), and whether its right operand is n x k.
  int64_t depth = 0;
  bool rhsTransposed = false;

  bool isReduction() const { return !combiners.empty(); }
  bool isMatmul() const { return depth > 0; }
};

std::optional<Access> accessOf(AffineMap map, Type type, int64_t rows,
                               int64_t columns, int64_t &chunk) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref)
    return map.getNumResults() == 0 ? std::optional(Access::Scalar)
                                    : std::nullopt;
  if (!memref.getLayout().isIdentity())
    return std::nullopt;
  MLIRContext *ctx = map.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx);
  auto shapeIs = [&](ArrayRef<int64_t> shape) {
    return memref.getShape() == shape;
  };
  if (map.getNumResults() == 0 && shapeIs({}))
    return Access::Scalar;
  if (map.getResults() == ArrayRef<AffineExpr>{d0} && shapeIs({rows}))
    return Access::Row;
  if (map.getNumDims() < 2)
    return std::nullopt;
  AffineExpr d1 = getAffineDimExpr(1, ctx);
  if (map.getResults() == ArrayRef<AffineExpr>{d1} && shapeIs({columns}))
    return Access::Column;
  if (map.getResults() == ArrayRef<AffineExpr>{d0, d1} &&
      shapeIs({rows, columns}))
    return Access::RowColumn;
  auto z = map.getNumResults() == 3
               ? dyn_cast<AffineConstantExpr>(map.getResult(0))
               : AffineConstantExpr();
  if (z && map.getResults().drop_front() == ArrayRef<AffineExpr>{d0, d1} &&
      shapeIs({memref.getDimSize(0), rows, columns})) {
    chunk = z.getValue();
    return Access::Chunk;
  }
  return std::nullopt;
}

/// A row of C[i, j] += A[i, k] * B[k, j] (`isRowMatmul`): A's row and C's
/// are the row's elements, B is shared.
std::optional<RowOp> rowMatmulOf(linalg::GenericOp op, int64_t maxColumns,
                                 int64_t maxMacsPerRow) {
  std::optional<MatmulLayout> layout = matmulLayout(op);
  if (!layout || !isRowMatmul(op, *layout, maxMacsPerRow))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges[1] > maxColumns || ranges[2] > maxColumns ||
      llvm::any_of(op->getOperandTypes(), [](Type type) {
        return !cast<MemRefType>(type).getLayout().isIdentity();
      }))
    return std::nullopt;
  RowOp row{op, ranges[0], ranges[1], {}, {0, 0, 0}, {}};
  row.accesses = {Access::RowColumn, Access::Matrix, Access::RowColumn};
  row.depth = ranges[2];
  row.rhsTransposed = layout->rhsTransposed;
  return row;
}

std::optional<RowOp> rowOpOf(linalg::GenericOp op, int64_t maxColumns,
                             int64_t maxMacsPerRow) {
  if (!op.hasPureBufferSemantics())
    return std::nullopt;
  if (op.getNumLoops() == 3)
    return rowMatmulOf(op, maxColumns, maxMacsPerRow);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty() || ranges.size() > 2 ||
      llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  RowOp row{op, ranges[0], ranges.size() == 2 ? ranges[1] : 1, {}, {}, {}};
  if (row.columns > maxColumns)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators[0] != utils::IteratorType::parallel)
    return std::nullopt;
  bool reduces =
      iterators.back() == utils::IteratorType::reduction && ranges.size() == 2;
  if (reduces) {
    // Shuffles move 32-bit values: sums and maxima of floats along the
    // row, the first index of its maximum.
    std::optional<SmallVector<Combiner>> combiners = reductionCombiners(op);
    if (!combiners || !outputsFitShuffles(op))
      return std::nullopt;
    row.combiners = *combiners;
  }
  for (OpOperand &operand : op->getOpOperands()) {
    int64_t chunk = 0;
    std::optional<Access> access =
        accessOf(op.getMatchingIndexingMap(&operand), operand.get().getType(),
                 row.rows, row.columns, chunk);
    if (!access)
      return std::nullopt;
    row.accesses.push_back(*access);
    row.chunks.push_back(chunk);
  }
  for (OpOperand &output : op.getDpsInitsMutable()) {
    Access access = row.accesses[output.getOperandNumber()];
    Access expected =
        ranges.size() == 2 && !reduces ? Access::RowColumn : Access::Row;
    if (access != expected)
      return std::nullopt;
  }
  return row;
}

std::optional<RowOp> rowOpOf(memref::CopyOp copy) {
  auto type = dyn_cast<MemRefType>(copy.getSource().getType());
  if (!type || type != copy.getTarget().getType() || type.getRank() != 1 ||
      !type.hasStaticShape() || !type.getLayout().isIdentity())
    return std::nullopt;
  return RowOp{copy, type.getDimSize(0), 1, {Access::Row, Access::Row}, {0, 0},
               {}};
}

std::optional<RowOp> rowOpOf(Operation *op, int64_t maxColumns,
                             int64_t maxMacsPerRow) {
  if (auto generic = dyn_cast<linalg::GenericOp>(op))
    return rowOpOf(generic, maxColumns, maxMacsPerRow);
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return rowOpOf(copy);
  return std::nullopt;
}

/// Whether the block argument standing for output `output` is read by the
/// op's body (or, for a reduction, as its initial value).
bool readsOutput(const RowOp &row, unsigned output) {
  auto generic = cast<linalg::GenericOp>(row.op);
  return row.isReduction() ||
         !generic
              .getMatchingBlockArgument(&generic.getDpsInitsMutable()[output])
              .use_empty();
}

/// A run of row ops over the same rows, and what makes it safe as one
/// kernel: lanes read only their own elements of what the run writes, or,
/// for a row's statistics, the value every lane of the warp holds; so no
/// lane reads memory another lane writes in the same kernel.
class RowRun {
public:
  explicit RowRun(int64_t rows) : rows(rows) {}

  /// Adds `row` if the run stays safe with it.
  bool tryAdd(const RowOp &row) {
    if (row.rows != rows)
      return false;
    // The ops passed over run after the kernel: nothing the run does after
    // them may touch what they write or write what they read.
    if (!deferred.empty()) {
      FailureOr<BufferAccesses> accesses = nestedAccesses(row.op);
      if (failed(accesses) ||
          llvm::any_of(deferred, [&](const BufferAccesses &passed) {
            return passed.conflictsWith(*accesses);
          }))
        return false;
    }
    SmallVector<std::pair<Value, Access>> reads, writes;
    if (auto copy = dyn_cast<memref::CopyOp>(row.op)) {
      reads.push_back({copy.getSource(), Access::Row});
      writes.push_back({copy.getTarget(), Access::Row});
    } else {
      auto generic = cast<linalg::GenericOp>(row.op);
      for (OpOperand *input : generic.getDpsInputOperands())
        if (isa<MemRefType>(input->get().getType()))
          reads.push_back(
              {input->get(), row.accesses[input->getOperandNumber()]});
      for (OpOperand &output : generic.getDpsInitsMutable()) {
        Access access = row.accesses[output.getOperandNumber()];
        unsigned index = output.getOperandNumber() - generic.getNumDpsInputs();
        // A reduction's initial value, or an output the body reads, must
        // be one the run wrote: lane 0 stores a row's statistic, and
        // another lane reading it from memory could read it before or
        // after.
        bool read = readsOutput(row, index);
        if (read && access == Access::Row && !written.contains(output.get()))
          return false;
        if (read)
          reads.push_back({output.get(), access});
        writes.push_back({output.get(), access});
      }
    }
    // Every buffer is reached through one value, so the values a lane
    // holds stand for memory: no views of a buffer beside it.
    for (auto [buffer, access] :
         llvm::concat<std::pair<Value, Access>>(reads, writes)) {
      auto [it, inserted] = accessedAs.try_emplace(rootBuffer(buffer), buffer);
      if (!inserted && it->second != buffer)
        return false;
    }
    for (auto [buffer, access] : reads) {
      if (isShared(access) && written.contains(buffer))
        return false;
      if (isShared(access))
        sharedReads.insert(buffer);
      else if (access == Access::Row && !written.contains(buffer))
        readFromMemory.insert(buffer);
    }
    for (auto [buffer, access] : writes) {
      if (sharedReads.contains(buffer) || readFromMemory.contains(buffer))
        return false;
    }
    for (auto [buffer, access] : writes)
      written.insert(buffer);
    ops.push_back(row);
    return true;
  }

  /// Passes over `op`, an op on buffers that is no row op (the loss's mean
  /// over the batch between the loss and its gradient): it will run after
  /// the kernel.
  bool tryPassOver(Operation &op) {
    if (!isa<linalg::LinalgOp, memref::CopyOp>(op))
      return false;
    FailureOr<BufferAccesses> accesses = nestedAccesses(&op);
    if (failed(accesses))
      return false;
    deferred.push_back(*accesses);
    return true;
  }

  int64_t rows;
  SmallVector<RowOp> ops;

private:
  /// What the ops passed over access.
  SmallVector<BufferAccesses> deferred;
  DenseMap<Value, Value> accessedAs;
  DenseSet<Value> written, sharedReads, readFromMemory;
};

/// How many neighbouring columns a lane holds together in rows of
/// `columns`: the widest group, at most `maxWidth`, that every lane fills
/// in every stretch of 32 groups (1: lane l holds l, l + 32, ...).
int64_t groupWidth(int64_t columns, int64_t maxWidth) {
  int64_t width = 1;
  while (width * 2 <= maxWidth && columns % (kWarp * width * 2) == 0)
    width *= 2;
  return width;
}

/// Builds the kernel of a run: a warp per row, each lane holding its
/// columns in groups of `groupWidth` neighbours.
class RowKernelBuilder {
public:
  RowKernelBuilder(OpBuilder &b, Location loc, const RowRun &run,
                   int64_t rowsPerBlock, int64_t maxGroupWidth)
      : b(b), loc(loc), run(run), maxGroupWidth(maxGroupWidth) {
    for (const RowOp &row : run.ops)
      inRun.insert(row.op);
    rowsPerBlock = std::min(rowsPerBlock, run.rows);
    Value one = constant(1);
    launch = gpu::LaunchOp::create(
        b, loc, constant((run.rows + rowsPerBlock - 1) / rowsPerBlock), one,
        one, constant(rowsPerBlock * kWarp), one, one);
    b.setInsertionPointToEnd(&launch.getBody().front());
    auto end = gpu::TerminatorOp::create(b, loc);
    b.setInsertionPoint(end);
    Value thread = launch.getThreadIds().x;
    Value warp = constant(kWarp);
    lane = arith::RemUIOp::create(b, loc, thread, warp);
    Value row = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                              constant(rowsPerBlock)),
        arith::DivUIOp::create(b, loc, thread, warp));
    // Every lane of every warp takes part in the shuffles; a warp past the
    // last row works on row 0 and stores nothing.
    inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                                    constant(run.rows));
    safeRow = arith::SelectOp::create(b, loc, inRange, row, constant(0));
    Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                        constant(0));
    storesRow = arith::AndIOp::create(b, loc, first, inRange);
  }

  void build() {
    for (const RowOp &row : run.ops) {
      b.setInsertionPoint(launch.getBody().front().getTerminator());
      if (auto copy = dyn_cast<memref::CopyOp>(row.op)) {
        setRowValue(copy.getTarget(), rowValue(copy.getSource()));
        continue;
      }
      auto generic = cast<linalg::GenericOp>(row.op);
      if (row.isMatmul())
        buildMatmul(generic, row);
      else if (row.isReduction())
        buildReduction(generic, row);
      else if (generic.getNumLoops() == 2)
        buildElementwise(generic, row);
      else
        buildPerRow(generic, row);
    }
    storeRowValues();
  }

private:
  Value constant(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }

  /// Whether what the run writes into `buffer` is read after it.
  bool readAfterRun(Value buffer) {
    if (!buffer.getDefiningOp<memref::AllocOp>())
      return true;
    return llvm::any_of(buffer.getUsers(), [&](Operation *user) {
      return !inRun.contains(user) && !isa<memref::DeallocOp>(user);
    });
  }

  /// The column of lane l's `k`-th element in rows of `columns`: with
  /// groups of w neighbours, 32 w g + w l + k % w for g = k / w (l + 32 k
  /// for w = 1); and whether it lies inside the row (null where every
  /// lane's does). A lane past the row's end reads its last element, and
  /// stores nothing.
  std::pair<Value, Value> column(int64_t k, int64_t columns) {
    auto key = std::make_pair(k, columns);
    auto it = columnsOf.find(key);
    if (it != columnsOf.end())
      return it->second;
    // The kernel is straight-line code (stores aside): a value made here
    // is there for every later op.
    int64_t width = groupWidth(columns, maxGroupWidth);
    Value first = lane;
    if (width > 1) {
      Value &scaled = laneTimes[width];
      if (!scaled)
        scaled = arith::MulIOp::create(b, loc, lane, constant(width));
      first = scaled;
    }
    Value index = first;
    if (int64_t offset = k / width * kWarp * width + k % width)
      index = arith::AddIOp::create(b, loc, first, constant(offset));
    if ((k / width + 1) * kWarp * width <= columns)
      return columnsOf[key] = {index, Value()};
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         index, constant(columns));
    Value safe = arith::MinUIOp::create(b, loc, index, constant(columns - 1));
    return columnsOf[key] = {safe, inside};
  }

  /// Whether `buffer`'s groups of neighbouring elements move as vectors.
  static bool movesGroups(Value buffer) {
    Type element = getElementTypeOrSelf(buffer.getType());
    return element.isF32() || element.isInteger(32);
  }

  /// A group of `width` of `buffer`'s elements as one value.
  static VectorType groupType(Value buffer, int64_t width) {
    return VectorType::get({width}, getElementTypeOrSelf(buffer.getType()));
  }
  /// A group's accesses are aligned to its size: rows are whole groups of
  /// 32 lanes, so a group starts at a multiple of its size from the
  /// buffer's start, which must lie at 16 bytes (device allocations start
  /// at 256).
  static llvm::MaybeAlign groupAlignment(int64_t width) {
    return llvm::MaybeAlign(width * 4);
  }

  /// Lane's element `k` of rows of `columns` in `buffer`, at `leading`
  /// indices (the row, or a chunk and the row): read with its group's
  /// neighbours, once per group (`chunk` tells chunks of one buffer apart).
  Value elementAt(Value buffer, ValueRange leading, int64_t k, int64_t columns,
                  int64_t chunk = -1) {
    int64_t width = groupWidth(columns, maxGroupWidth);
    auto at = [&](int64_t element) {
      SmallVector<Value> indices(leading);
      indices.push_back(column(element, columns).first);
      return indices;
    };
    if (width == 1 || !movesGroups(buffer))
      return load(buffer, at(k));
    // Every element is taken out of the vector at once: only scalars live
    // on across shuffles, as tick-gpu-launch-to-loops (kernels on the CPU)
    // requires.
    SmallVector<Value> &group = groups[{buffer, chunk, k / width}];
    if (group.empty()) {
      Value vector = vector::LoadOp::create(
          b, loc, groupType(buffer, width), buffer, at(k - k % width),
          /*nontemporal=*/false, groupAlignment(width));
      for (int64_t e = 0; e < width; ++e)
        group.push_back(vector::ExtractOp::create(b, loc, vector, e));
    }
    return group[k % width];
  }

  Value load(Value buffer, ValueRange indices) {
    return memref::LoadOp::create(b, loc, buffer, indices);
  }

  Value rowValue(Value buffer) {
    Value &value = rowValues[buffer];
    if (!value)
      value = load(buffer, safeRow);
    return value;
  }

  void setRowValue(Value buffer, Value value) {
    rowValues[buffer] = value;
    rowsWritten.insert(buffer);
  }

  /// Lane 0 stores the last value of each row's value that is read after
  /// the run (no lane reads them from memory before the kernel ends).
  void storeRowValues() {
    auto store = scf::IfOp::create(b, loc, storesRow, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(store.thenBlock()->getTerminator());
    for (Value buffer : rowsWritten)
      if (readAfterRun(buffer))
        memref::StoreOp::create(b, loc, rowValues[buffer], buffer, safeRow);
  }

  /// The value of operand `access` of an op at this lane's column
  /// `k`-th column (`chunk`: the z of an Access::Chunk).
  Value operandAt(Value operand, Access access, int64_t k, int64_t columns,
                  int64_t chunk = 0) {
    if (!isa<MemRefType>(operand.getType()))
      return operand;
    switch (access) {
    case Access::Row:
      return rowValue(operand);
    case Access::Scalar: {
      Value &value = scalars[operand];
      if (!value)
        value = load(operand, {});
      return value;
    }
    case Access::Column: {
      Value &value = columnValues[{operand, k}];
      if (!value)
        value = elementAt(operand, {}, k, columns);
      return value;
    }
    case Access::RowColumn: {
      Value &value = elements[{operand, k}];
      if (!value)
        value = elementAt(operand, safeRow, k, columns);
      return value;
    }
    case Access::Chunk:
      // Read once, by the sum of the chunks.
      return elementAt(operand, {constant(chunk), safeRow}, k, columns, chunk);
    case Access::Matrix:
      break; // buildMatmul reads its right operand itself
    }
    llvm_unreachable("no element of this operand is a lane's own");
  }

  SmallVector<Value> inputsAt(linalg::GenericOp op, const RowOp &row,
                              int64_t k) {
    SmallVector<Value> inputs;
    for (OpOperand *input : op.getDpsInputOperands()) {
      unsigned i = input->getOperandNumber();
      inputs.push_back(operandAt(input->get(), row.accesses[i], k, row.columns,
                                 row.chunks[i]));
    }
    return inputs;
  }

  /// One value per row: every lane computes it.
  void buildPerRow(linalg::GenericOp op, const RowOp &row) {
    SmallVector<Value> outputs;
    for (OpOperand &output : op.getDpsInitsMutable())
      outputs.push_back(readsOutput(row, outputs.size())
                            ? rowValue(output.get())
                            : placeholder(output.get()));
    SmallVector<Value> results =
        applyBody(b, op, safeRow, inputsAt(op, row, 0), outputs);
    for (auto [output, result] : llvm::zip(op.getDpsInits(), results))
      setRowValue(output, result);
  }

  /// The row's elements: each lane computes and keeps its own.
  void buildElementwise(linalg::GenericOp op, const RowOp &row) {
    for (int64_t k = 0; k * kWarp < row.columns; ++k) {
      auto [index, inside] = column(k, row.columns);
      SmallVector<Value> outputs;
      for (OpOperand &output : op.getDpsInitsMutable())
        outputs.push_back(
            readsOutput(row, outputs.size())
                ? operandAt(output.get(), Access::RowColumn, k, row.columns)
                : placeholder(output.get()));
      SmallVector<Value> results = applyBody(b, op, ValueRange{safeRow, index},
                                             inputsAt(op, row, k), outputs);
      for (auto [output, result] : llvm::zip(op.getDpsInits(), results))
        setElement(output, k, row.columns, result);
    }
  }

  /// Sets this lane's element `k` of `output` (rows of `columns`) to
  /// `value`, stored if read after the run: a group of neighbours at once,
  /// when its last element is set (ops set a row's elements in order). A
  /// value the run overwrites later (a bias, or zeros, that a row matmul
  /// then adds to) is not stored: nothing in the run reads it from memory,
  /// and the later value is.
  void setElement(Value output, int64_t k, int64_t columns, Value value) {
    elements[{output, k}] = value;
    if (!readAfterRun(output))
      return;
    int64_t width =
        movesGroups(output) ? groupWidth(columns, maxGroupWidth) : 1;
    if (k % width != width - 1)
      return;
    int64_t first = k - (width - 1);
    if (Operation *earlier = elementStores.lookup({output, first}))
      earlier->erase();
    auto [index, inside] = column(first, columns);
    Value stores =
        inside ? arith::AndIOp::create(b, loc, inRange, inside) : inRange;
    Value group;
    if (width > 1) {
      SmallVector<Value> values;
      for (int64_t e = first; e <= k; ++e)
        values.push_back(elements.lookup({output, e}));
      group = vector::FromElementsOp::create(b, loc, groupType(output, width),
                                             values);
    }
    auto store = scf::IfOp::create(b, loc, stores, /*withElseRegion=*/false);
    elementStores[{output, first}] = store;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(store.thenBlock()->getTerminator());
    if (group)
      vector::StoreOp::create(b, loc, group, output, ValueRange{safeRow, index},
                              /*nontemporal=*/false, groupAlignment(width));
    else
      memref::StoreOp::create(b, loc, value, output,
                              ValueRange{safeRow, index});
  }

  /// A row of a matmul: every lane gets the k elements of A's row from the
  /// lanes that hold them (`gpu.shuffle idx`), then computes its own
  /// columns of C's row from them and B, in the order of k.
  void buildMatmul(linalg::GenericOp op, const RowOp &row) {
    Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1],
          out = op.getDpsInits()[0];
    Value width = arith::ConstantIntOp::create(b, loc, kWarp, 32);
    int64_t lhsWidth = groupWidth(row.depth, maxGroupWidth);
    SmallVector<Value> lhsRow;
    for (int64_t c = 0; c < row.depth; ++c) {
      // Column c is element k of lane `holder` (see `column`).
      int64_t group = c / lhsWidth, holder = group % kWarp;
      int64_t k = group / kWarp * lhsWidth + c % lhsWidth;
      Value mine = operandAt(lhs, Access::RowColumn, k, row.depth);
      Value lane = arith::ConstantIntOp::create(b, loc, holder, 32);
      lhsRow.push_back(gpu::ShuffleOp::create(b, loc, mine, lane, width,
                                              gpu::ShuffleMode::IDX)
                           .getShuffleResult());
    }
    for (int64_t k = 0; k * kWarp < row.columns; ++k) {
      Value index = column(k, row.columns).first;
      Value sum = operandAt(out, Access::RowColumn, k, row.columns);
      for (int64_t c = 0; c < row.depth; ++c) {
        Value depthIndex = constant(c);
        Value weight =
            load(rhs, row.rhsTransposed ? ValueRange{index, depthIndex}
                                        : ValueRange{depthIndex, index});
        sum = applyBody(b, op, ValueRange{safeRow, index, depthIndex},
                        ValueRange{lhsRow[c], weight}, sum)
                  .front();
      }
      setElement(out, k, row.columns, sum);
    }
  }

  /// A reduction along the row: each lane combines its elements, xor
  /// shuffles combine the lanes, and every lane ends with the total.
  void buildReduction(linalg::GenericOp op, const RowOp &row) {
    SmallVector<Value> partials;
    for (auto [c, output] : llvm::zip(row.combiners, op.getDpsInits()))
      partials.push_back(
          identity(b, loc, c, getElementTypeOrSelf(output.getType())));
    for (int64_t k = 0; k * kWarp < row.columns; ++k) {
      auto [index, inside] = column(k, row.columns);
      SmallVector<Value> next = applyBody(b, op, ValueRange{safeRow, index},
                                          inputsAt(op, row, k), partials);
      for (auto [value, nextValue] : llvm::zip(partials, next))
        value = inside
                    ? arith::SelectOp::create(b, loc, inside, nextValue, value)
                          .getResult()
                    : nextValue;
    }
    Value width = arith::ConstantIntOp::create(b, loc, kWarp, 32);
    for (int64_t offset = kWarp / 2; offset >= 1; offset /= 2) {
      Value distance = arith::ConstantIntOp::create(b, loc, offset, 32);
      for (auto [total, c] : llvm::zip(partials, row.combiners)) {
        auto shuffle = gpu::ShuffleOp::create(b, loc, total, distance, width,
                                              gpu::ShuffleMode::XOR);
        total = combine(b, loc, c, total, shuffle.getShuffleResult());
      }
    }
    for (auto [output, total, c] :
         llvm::zip(op.getDpsInits(), partials, row.combiners))
      setRowValue(output, combine(b, loc, c, rowValue(output), total));
  }

  /// What stands for an output the body does not read.
  Value placeholder(Value buffer) {
    return arith::ConstantOp::create(
        b, loc, b.getZeroAttr(getElementTypeOrSelf(buffer.getType())));
  }

  OpBuilder &b;
  Location loc;
  const RowRun &run;
  int64_t maxGroupWidth;
  DenseSet<Operation *> inRun;
  gpu::LaunchOp launch;
  Value lane, inRange, safeRow, storesRow;
  /// lane * w for each group width w in use.
  DenseMap<int64_t, Value> laneTimes;
  DenseMap<std::pair<int64_t, int64_t>, std::pair<Value, Value>> columnsOf;
  /// The groups read: (buffer, chunk or -1, group) -> its elements.
  DenseMap<std::tuple<Value, int64_t, int64_t>, SmallVector<Value>> groups;
  DenseMap<Value, Value> rowValues, scalars;
  llvm::SetVector<Value> rowsWritten;
  DenseMap<std::pair<Value, int64_t>, Value> elements, columnValues;
  /// The guarded store of each element's (or group's, by its first
  /// element) latest value.
  DenseMap<std::pair<Value, int64_t>, Operation *> elementStores;
};

/// Ops a run may pass over: they neither touch memory nor are touched, or
/// free a buffer (moved after the kernel: a split matmul frees its partial
/// results right after their sum, which a run may begin with).
bool passable(Operation &op) {
  return isa<memref::AllocOp, memref::DeallocOp>(op) ||
         (op.getNumRegions() == 0 && isMemoryEffectFree(&op));
}

/// The runs of `block` worth a kernel of their own: at least one reduction
/// along rows or row matmul.
std::vector<RowRun> findRuns(Block &block, int64_t maxColumns,
                             int64_t maxMacsPerRow) {
  std::vector<RowRun> runs;
  std::optional<RowRun> current;
  auto finish = [&] {
    if (current && llvm::any_of(current->ops, [](const RowOp &row) {
          return row.isReduction() || row.isMatmul();
        }))
      runs.push_back(std::move(*current));
    current.reset();
  };
  for (Operation &op : block) {
    if (passable(op))
      continue;
    std::optional<RowOp> row = rowOpOf(&op, maxColumns, maxMacsPerRow);
    if (!row) {
      if (current && current->tryPassOver(op))
        continue;
      finish();
      continue;
    }
    if (current && current->tryAdd(*row))
      continue;
    finish();
    current.emplace(row->rows);
    if (!current->tryAdd(*row))
      current.reset();
  }
  finish();
  return runs;
}

struct GPURowKernelsPass
    : tick::impl::TickGPURowKernelsBase<GPURowKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(checkRowsPerBlock(getOperation(), getArgument(), rowsPerBlock)))
      return signalPassFailure();
    if (!isRowGroupWidth(maxGroupWidth)) {
      getOperation().emitError()
          << getArgument() << ": group-width must be 1, 2 or 4, not "
          << maxGroupWidth.getValue();
      return signalPassFailure();
    }
    // A host function on buffers is one block of ops (kernels come later).
    for (Block &block : getOperation().getBody()) {
      for (RowRun &run : findRuns(block, maxColumns, rowMatmulMacs)) {
        // The kernel takes the place of the run's last op: what the ops
        // between read is written by none of them.
        // Deallocations and the ops the run passed over wait for the
        // kernel, in their order.
        Operation *last = run.ops.back().op;
        DenseSet<Operation *> inRun;
        for (const RowOp &row : run.ops)
          inRun.insert(row.op);
        SmallVector<Operation *> after;
        for (Operation *op = run.ops.front().op; op != last;
             op = op->getNextNode())
          if (isa<memref::DeallocOp, linalg::LinalgOp, memref::CopyOp>(op) &&
              !inRun.contains(op))
            after.push_back(op);
        OpBuilder b(last);
        RowKernelBuilder(b, run.ops.front().op->getLoc(), run, rowsPerBlock,
                         maxGroupWidth)
            .build();
        for (Operation *op : after)
          op->moveBefore(last);
        for (const RowOp &row : llvm::reverse(run.ops))
          row.op->erase();
      }
    }
  }
};

} // namespace
