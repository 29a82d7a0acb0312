//===- GPUMergeLaunches.cpp - independent kernels launched as one ---------===//
//
// A train step is a chain of kernels, many of them a few blocks: Adam's
// update of each small parameter, the loss's mean, the count of correct
// predictions, the step count, the reductions of a layer's backward. Each
// costs a launch (a few microseconds, or a graph node) and leaves most of
// the GPU idle while it runs. Kernels that touch different buffers need
// not wait for each other: they become one launch whose grid is theirs end
// to end, block b running the body of the kernel whose range holds b, with
// b counted from that range's start.
//
// Kernels need not be neighbours: a kernel joins a merged launch further
// up (or down) the function when it is independent of every kernel it
// moves past.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "BufferEffects.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPUMERGELAUNCHES
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;
using tick::BufferAccesses;
using tick::ownAccesses;
using tick::rootBuffer;

namespace {

/// Static workgroup memory a block may use without opting in.
constexpr int64_t kMaxWorkgroupBytes = 48 * 1024;
/// Blocks a kernel may have to run in blocks larger than its own: its
/// threads past its block size do nothing, but hold a place on the
/// multiprocessor while their block runs. A kernel of a few blocks (a
/// reduction to one value, a counter) wastes little; a matmul of hundreds
/// of 64-thread blocks would lose most of its occupancy.
constexpr int64_t kMaxPaddedBlocks = 8;

/// A launch that can be merged: a grid and a 1-D block of constant sizes,
/// static workgroup memory at most, no async tokens, and a body of one
/// block that touches memory only through loads and stores, which are
/// collected.
struct Kernel {
  gpu::LaunchOp launch;
  int64_t grid[3] = {1, 1, 1};
  int64_t threads = 0;
  int64_t workgroupBytes = 0;
  bool barriers = false, shuffles = false;
  llvm::SmallDenseSet<Value> reads, writes;

  int64_t blocks() const { return grid[0] * grid[1] * grid[2]; }

  static std::optional<Kernel> of(gpu::LaunchOp launch) {
    Kernel k;
    k.launch = launch;
    auto constant = [](Value v) { return getConstantIntValue(v); };
    std::optional<int64_t> gx = constant(launch.getGridSizeX()),
                           gy = constant(launch.getGridSizeY()),
                           gz = constant(launch.getGridSizeZ()),
                           bx = constant(launch.getBlockSizeX());
    if (!gx || !gy || !gz || !bx || constant(launch.getBlockSizeY()) != 1 ||
        constant(launch.getBlockSizeZ()) != 1 || launch.getAsyncToken() ||
        !launch.getAsyncDependencies().empty() ||
        launch.getDynamicSharedMemorySize() || launch.getClusterSizeX() ||
        !launch.getPrivateAttributions().empty() ||
        !llvm::hasSingleElement(launch.getBody()))
      return std::nullopt;
    k.grid[0] = *gx;
    k.grid[1] = *gy;
    k.grid[2] = *gz;
    k.threads = *bx;
    for (Value buffer : launch.getWorkgroupAttributions()) {
      auto type = cast<MemRefType>(buffer.getType());
      if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
        return std::nullopt;
      k.workgroupBytes += type.getNumElements() *
                          type.getElementType().getIntOrFloatBitWidth() / 8;
    }
    WalkResult walk = launch.getBody().walk([&](Operation *op) {
      if (isa<gpu::BarrierOp>(op)) {
        k.barriers = true;
        return WalkResult::advance();
      }
      if (isa<gpu::ShuffleOp>(op)) {
        k.shuffles = true;
        return WalkResult::advance();
      }
      // Scalar and vector loads and stores alike: the buffers each op
      // declares it reads or writes.
      FailureOr<BufferAccesses> own = ownAccesses(op);
      if (failed(own))
        return WalkResult::interrupt();
      for (Value buffer : own->read)
        k.reads.insert(rootBuffer(buffer));
      for (Value buffer : own->written)
        k.writes.insert(rootBuffer(buffer));
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return std::nullopt;
    return k;
  }

  /// Neither writes what the other reads or writes, so they may run in
  /// either order or at once. Distinct buffers are distinct memory:
  /// allocations are, and a compiled function's arguments are each a
  /// tensor of its own.
  bool independentOf(const Kernel &other) const {
    auto meets = [](const llvm::SmallDenseSet<Value> &a,
                    const llvm::SmallDenseSet<Value> &b) {
      return llvm::any_of(a, [&](Value v) { return b.contains(v); });
    };
    return !meets(writes, other.reads) && !meets(writes, other.writes) &&
           !meets(other.writes, reads);
  }

  /// Whether the kernel can run in blocks of `blockSize` threads, its own
  /// or more. The threads past its own skip its body, so its threads may
  /// not work together: a barrier would wait for them, and
  /// tick-gpu-launch-to-loops exchanges a shuffle's values through the
  /// whole block.
  bool fitsBlocksOf(int64_t blockSize) const {
    if (blockSize == threads)
      return true;
    return !barriers && !shuffles && blocks() <= kMaxPaddedBlocks;
  }
};

/// Kernels that become one launch, where the first of them (in the order
/// they were grouped) was.
struct Group {
  SmallVector<Kernel> kernels;

  int64_t threads() const {
    int64_t most = 0;
    for (const Kernel &k : kernels)
      most = std::max(most, k.threads);
    return most;
  }

  bool independentOf(const Kernel &next) const {
    return llvm::all_of(kernels,
                        [&](const Kernel &k) { return k.independentOf(next); });
  }

  bool admits(const Kernel &next) const {
    int64_t blockSize = std::max(threads(), next.threads);
    int64_t bytes = next.workgroupBytes;
    for (const Kernel &k : kernels)
      bytes += k.workgroupBytes;
    return bytes <= kMaxWorkgroupBytes && next.fitsBlocksOf(blockSize) &&
           independentOf(next) &&
           llvm::all_of(kernels, [&](const Kernel &k) {
             return k.fitsBlocksOf(blockSize);
           });
  }
};

/// The body of `k.launch` at the builder, as block `local` (counted in its
/// own grid, row-major) of threads that all run it.
void cloneBody(OpBuilder &b, const Kernel &k, gpu::LaunchOp merged,
               Value local, ArrayRef<BlockArgument> workgroup) {
  gpu::LaunchOp launch = k.launch;
  Location loc = launch.getLoc();
  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  Value one = constant(1);
  IRMapping mapping;
  Value x = local, y = constant(0), z = constant(0);
  if (k.grid[1] > 1 || k.grid[2] > 1) {
    x = arith::RemUIOp::create(b, loc, local, constant(k.grid[0]));
    Value rest = arith::DivUIOp::create(b, loc, local, constant(k.grid[0]));
    y = arith::RemUIOp::create(b, loc, rest, constant(k.grid[1]));
    z = arith::DivUIOp::create(b, loc, rest, constant(k.grid[1]));
  }
  mapping.map(launch.getBlockIds().x, x);
  mapping.map(launch.getBlockIds().y, y);
  mapping.map(launch.getBlockIds().z, z);
  mapping.map(launch.getThreadIds().x, merged.getThreadIds().x);
  mapping.map(launch.getThreadIds().y, merged.getThreadIds().y);
  mapping.map(launch.getThreadIds().z, merged.getThreadIds().z);
  mapping.map(launch.getGridSize().x, constant(k.grid[0]));
  mapping.map(launch.getGridSize().y, constant(k.grid[1]));
  mapping.map(launch.getGridSize().z, constant(k.grid[2]));
  mapping.map(launch.getBlockSize().x, constant(k.threads));
  mapping.map(launch.getBlockSize().y, one);
  mapping.map(launch.getBlockSize().z, one);
  for (auto [own, shared] :
       llvm::zip_equal(launch.getWorkgroupAttributions(), workgroup))
    mapping.map(own, shared);
  for (Operation &op : launch.getBody().front().without_terminator())
    b.clone(op, mapping);
}

/// One launch for `group`, before its first kernel; the kernels go.
void merge(const Group &group) {
  gpu::LaunchOp first = group.kernels.front().launch;
  OpBuilder b(first);
  Location loc = first.getLoc();
  int64_t total = 0;
  SmallVector<Type> workgroupTypes;
  for (const Kernel &k : group.kernels) {
    gpu::LaunchOp launch = k.launch;
    total += k.blocks();
    for (BlockArgument buffer : launch.getWorkgroupAttributions())
      workgroupTypes.push_back(buffer.getType());
  }
  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  Value one = constant(1);
  int64_t threads = group.threads();
  auto merged = gpu::LaunchOp::create(
      b, loc, constant(total), one, one, constant(threads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange(),
      /*workgroupAttributions=*/workgroupTypes);
  b.setInsertionPointToEnd(&merged.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&merged.getBody().front());

  // if (block < end of the first range) first body else if (...) ...;
  // the last range needs no test.
  Value block = merged.getBlockIds().x;
  ArrayRef<BlockArgument> workgroup = merged.getWorkgroupAttributions();
  int64_t start = 0;
  for (auto [i, k] : llvm::enumerate(group.kernels)) {
    bool last = i + 1 == group.kernels.size();
    scf::IfOp branch;
    if (!last) {
      Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                            block, constant(start + k.blocks()));
      branch = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/true);
      b.setInsertionPoint(branch.thenBlock()->getTerminator());
    }
    {
      OpBuilder::InsertionGuard guard(b);
      Value local =
          start ? arith::SubIOp::create(b, loc, block, constant(start))
                      .getResult()
                : block;
      // Threads past the kernel's own block size skip it.
      if (k.threads < threads) {
        Value own = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          merged.getThreadIds().x,
                                          constant(k.threads));
        auto ownThreads =
            scf::IfOp::create(b, loc, own, /*withElseRegion=*/false);
        b.setInsertionPoint(ownThreads.thenBlock()->getTerminator());
      }
      gpu::LaunchOp launch = k.launch;
      size_t count = launch.getWorkgroupAttributions().size();
      cloneBody(b, k, merged, local, workgroup.take_front(count));
      workgroup = workgroup.drop_front(count);
    }
    if (!last)
      b.setInsertionPoint(branch.elseBlock()->getTerminator());
    start += k.blocks();
  }
  for (const Kernel &k : group.kernels) {
    gpu::LaunchOp launch = k.launch;
    launch.erase();
  }
}

/// Ops that may move to the start of their block: constants, views and
/// other pure ops without regions, and allocations of a static size.
bool hoistable(Operation &op) {
  if (op.getNumRegions() != 0 || op.hasTrait<OpTrait::IsTerminator>())
    return false;
  if (auto alloc = dyn_cast<memref::AllocOp>(op))
    return alloc->getNumOperands() == 0;
  if (auto alloc = dyn_cast<gpu::AllocOp>(op))
    return alloc->getNumOperands() == 0 && !alloc.getAsyncToken();
  return isMemoryEffectFree(&op);
}

/// Moves the hoistable ops of `block` whose operands are defined before
/// it to its start, in order: a kernel that moves up then finds the sizes,
/// constants and buffers it uses already there.
void hoistToStart(Block &block) {
  Operation *insertAfter = nullptr;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    bool operandsReady = llvm::all_of(op.getOperands(), [&](Value v) {
      Operation *def = v.getDefiningOp();
      return !def || def->getBlock() != &block ||
             (insertAfter && !insertAfter->isBeforeInBlock(def));
    });
    if (!hoistable(op) || !operandsReady)
      continue;
    if (insertAfter)
      op.moveAfter(insertAfter);
    else
      op.moveBefore(&block, block.begin());
    insertAfter = &op;
  }
}

/// Groups the kernels of `block`, taken in order (or from the last, with
/// `down`): each joins the nearest group it may join and reach, moving up
/// (or down) only past groups it is independent of, and no other op; else
/// it starts one.
SmallVector<Group> groupKernels(Block &block, bool down) {
  SmallVector<Group> groups;
  // The groups since the last op that is not a kernel, in the order taken.
  // A group runs where its first kernel is: a kernel that joins it moves
  // there, past the groups in between.
  SmallVector<size_t> reachable;
  SmallVector<Operation *> ops;
  for (Operation &op : block)
    ops.push_back(&op);
  if (down)
    std::reverse(ops.begin(), ops.end());
  for (Operation *opPtr : ops) {
    Operation &op = *opPtr;
    if (hoistable(op))
      continue;
    auto launch = dyn_cast<gpu::LaunchOp>(op);
    std::optional<Kernel> k = launch ? Kernel::of(launch) : std::nullopt;
    if (!k) {
      reachable.clear();
      continue;
    }
    std::optional<size_t> joined;
    for (size_t g : llvm::reverse(reachable)) {
      if (groups[g].admits(*k)) {
        joined = g;
        break;
      }
      if (!groups[g].independentOf(*k))
        break;
    }
    if (joined) {
      groups[*joined].kernels.push_back(*k);
    } else {
      groups.push_back(Group{{*k}});
      reachable.push_back(groups.size() - 1);
    }
  }
  return groups;
}

struct GPUMergeLaunchesPass
    : tick::impl::TickGPUMergeLaunchesBase<GPUMergeLaunchesPass> {
  void runOnOperation() override {
    SmallVector<Block *> blocks;
    getOperation().walk([&](Block *block) {
      if (llvm::any_of(*block, [](Operation &op) {
            return isa<gpu::LaunchOp>(op);
          }))
        blocks.push_back(block);
    });
    for (Block *block : blocks) {
      hoistToStart(*block);
      // Kernels first move up to join launches before them; then those
      // left alone move down to join launches after them (the loss's mean,
      // needed by nothing later, beside a layer's gradients).
      for (bool down : {false, true})
        for (const Group &group : groupKernels(*block, down))
          if (group.kernels.size() > 1)
            merge(group);
    }
  }
};

} // namespace
