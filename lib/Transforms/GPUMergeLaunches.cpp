//===- GPUMergeLaunches.cpp - independent kernels launched as one ---------===//
//
// Adam updates each parameter in a kernel of its own: ten launches at the
// end of a train step, most of them one block, each costing a launch (a
// few microseconds, or a graph node) for a few hundred threads of work.
// Neighbouring launches of that kind that touch different buffers become
// one: its grid is theirs end to end, and block b runs the body of the
// launch whose range holds b, with b counted from that range's start.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPUMERGELAUNCHES
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// The buffer a memref value views (through subviews, casts).
Value rootBuffer(Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  return memref;
}

/// A launch that can be merged: a 1-D grid and block of constant sizes, no
/// workgroup memory or other attributions, no async tokens, a body of one
/// block whose threads do not work together (no barriers, shuffles) and
/// touch memory only through loads and stores, which are collected.
struct Mergeable {
  gpu::LaunchOp launch;
  int64_t blocks = 0, threads = 0;
  llvm::SmallDenseSet<Value> reads, writes;

  static std::optional<Mergeable> of(gpu::LaunchOp launch) {
    Mergeable m;
    m.launch = launch;
    auto constant = [](Value v) { return getConstantIntValue(v); };
    std::optional<int64_t> gx = constant(launch.getGridSizeX()),
                           bx = constant(launch.getBlockSizeX());
    if (!gx || !bx || constant(launch.getGridSizeY()) != 1 ||
        constant(launch.getGridSizeZ()) != 1 ||
        constant(launch.getBlockSizeY()) != 1 ||
        constant(launch.getBlockSizeZ()) != 1 || launch.getAsyncToken() ||
        !launch.getAsyncDependencies().empty() ||
        launch.getDynamicSharedMemorySize() || launch.getClusterSizeX() ||
        !launch.getWorkgroupAttributions().empty() ||
        !launch.getPrivateAttributions().empty() ||
        !llvm::hasSingleElement(launch.getBody()))
      return std::nullopt;
    m.blocks = *gx;
    m.threads = *bx;
    WalkResult walk = launch.getBody().walk([&](Operation *op) {
      if (isa<gpu::BarrierOp, gpu::ShuffleOp>(op))
        return WalkResult::interrupt();
      if (auto load = dyn_cast<memref::LoadOp>(op)) {
        m.reads.insert(rootBuffer(load.getMemRef()));
        return WalkResult::advance();
      }
      if (auto store = dyn_cast<memref::StoreOp>(op)) {
        m.writes.insert(rootBuffer(store.getMemRef()));
        return WalkResult::advance();
      }
      if (isMemoryEffectFree(op) ||
          op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
        return WalkResult::advance();
      return WalkResult::interrupt();
    });
    if (walk.wasInterrupted())
      return std::nullopt;
    return m;
  }

  /// Neither writes what the other reads or writes. Distinct buffers are
  /// distinct memory: allocations are, and a compiled function's arguments
  /// are each a tensor of its own.
  bool independentOf(const Mergeable &other) const {
    auto meets = [](const llvm::SmallDenseSet<Value> &a,
                    const llvm::SmallDenseSet<Value> &b) {
      return llvm::any_of(a, [&](Value v) { return b.contains(v); });
    };
    return !meets(writes, other.reads) && !meets(writes, other.writes) &&
           !meets(other.writes, reads);
  }
};

/// The body of `m.launch` at the builder, block `local` of its own grid.
void cloneBody(OpBuilder &b, const Mergeable &m, gpu::LaunchOp merged,
               Value local) {
  gpu::LaunchOp launch = m.launch;
  Location loc = launch.getLoc();
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  IRMapping mapping;
  mapping.map(launch.getBlockIds().x, local);
  mapping.map(launch.getBlockIds().y, merged.getBlockIds().y);
  mapping.map(launch.getBlockIds().z, merged.getBlockIds().z);
  mapping.map(launch.getThreadIds().x, merged.getThreadIds().x);
  mapping.map(launch.getThreadIds().y, merged.getThreadIds().y);
  mapping.map(launch.getThreadIds().z, merged.getThreadIds().z);
  mapping.map(launch.getGridSize().x,
              arith::ConstantIndexOp::create(b, loc, m.blocks));
  mapping.map(launch.getGridSize().y, one);
  mapping.map(launch.getGridSize().z, one);
  mapping.map(launch.getBlockSize().x, merged.getBlockSize().x);
  mapping.map(launch.getBlockSize().y, one);
  mapping.map(launch.getBlockSize().z, one);
  for (Operation &op : launch.getBody().front().without_terminator())
    b.clone(op, mapping);
}

/// One launch for `group`, where the last was (after the constants between
/// them, which the bodies may use); the others go.
void merge(ArrayRef<Mergeable> group) {
  gpu::LaunchOp last = group.back().launch;
  OpBuilder b(last);
  Location loc = last.getLoc();
  int64_t total = 0;
  for (const Mergeable &m : group)
    total += m.blocks;
  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  Value one = constant(1);
  auto merged =
      gpu::LaunchOp::create(b, loc, constant(total), one, one,
                            constant(group.front().threads), one, one);
  b.setInsertionPointToEnd(&merged.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&merged.getBody().front());

  // if (block < end of the first range) first body else if (...) ...;
  // the last range needs no test.
  Value block = merged.getBlockIds().x;
  int64_t start = 0;
  for (auto [i, m] : llvm::enumerate(group)) {
    if (i + 1 < group.size()) {
      Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                            block, constant(start + m.blocks));
      auto branch = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/true);
      b.setInsertionPoint(branch.thenBlock()->getTerminator());
      cloneBody(b, m, merged,
                start ? arith::SubIOp::create(b, loc, block, constant(start))
                            .getResult()
                      : block);
      b.setInsertionPoint(branch.elseBlock()->getTerminator());
    } else {
      cloneBody(b, m, merged,
                arith::SubIOp::create(b, loc, block, constant(start)));
    }
    start += m.blocks;
  }
  for (const Mergeable &m : group) {
    gpu::LaunchOp launch = m.launch;
    launch.erase();
  }
}

struct GPUMergeLaunchesPass
    : tick::impl::TickGPUMergeLaunchesBase<GPUMergeLaunchesPass> {
  void runOnOperation() override {
    // Runs of neighbouring launches, each merged while it is independent
    // of the launches before it in the run and has their block size.
    SmallVector<SmallVector<Mergeable>> groups;
    getOperation().walk([&](Block *block) {
      SmallVector<Mergeable> run;
      auto close = [&] {
        if (run.size() > 1)
          groups.push_back(run);
        run.clear();
      };
      for (Operation &op : *block) {
        // Constants computed between launches (their sizes) do not part
        // them.
        if (isa<arith::ConstantOp>(op))
          continue;
        auto launch = dyn_cast<gpu::LaunchOp>(op);
        std::optional<Mergeable> m =
            launch ? Mergeable::of(launch) : std::nullopt;
        if (!m) {
          close();
          continue;
        }
        bool joins = !run.empty() && run.front().threads == m->threads &&
                     llvm::all_of(run, [&](const Mergeable &earlier) {
                       return m->independentOf(earlier);
                     });
        if (!joins)
          close();
        run.push_back(std::move(*m));
      }
      close();
    });
    for (SmallVector<Mergeable> &group : groups)
      merge(group);
  }
};

} // namespace
