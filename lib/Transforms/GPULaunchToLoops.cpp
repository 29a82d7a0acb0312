//===- GPULaunchToLoops.cpp - kernels run on the CPU ----------------------===//
//
// A test aid: the GPU target's kernels, run on a machine without a GPU.
// Kernels whose threads never communicate run their threads one after
// another. Kernels with barriers, shuffles or workgroup memory run each
// block as an OpenMP team with one OpenMP thread per GPU thread, which is
// what makes barriers mean what they mean on the GPU.
//
//===----------------------------------------------------------------------===//

#include "OpenMPQueries.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPULAUNCHTOLOOPS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// Ops through which the threads of a block communicate.
bool synchronizesThreads(Operation *op) {
  return isa<gpu::BarrierOp, gpu::ShuffleOp>(op);
}

bool needsTeam(gpu::LaunchOp launch) {
  if (!launch.getWorkgroupAttributions().empty())
    return true;
  return launch.getBody()
      .walk([](Operation *op) {
        return synchronizesThreads(op) ? WalkResult::interrupt()
                                       : WalkResult::advance();
      })
      .wasInterrupted();
}

Value index(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// Loops over `sizes` (z, y, x), mapping `ids` to their induction
/// variables; the builder is left inside the innermost loop.
void buildLoops(OpBuilder &b, Location loc, gpu::KernelDim3 sizes,
                gpu::KernelDim3 ids, IRMapping &mapping) {
  Value zero = index(b, loc, 0), one = index(b, loc, 1);
  for (auto [id, size] : {std::pair{ids.z, sizes.z}, std::pair{ids.y, sizes.y},
                          std::pair{ids.x, sizes.x}}) {
    auto loop = scf::ForOp::create(b, loc, zero, size, one);
    mapping.map(id, loop.getInductionVar());
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }
}

/// Copies the kernel's body to `b`, its grid and block sizes mapped to the
/// launch's operands (ids are in `mapping` already).
void cloneBody(OpBuilder &b, gpu::LaunchOp launch, IRMapping &mapping) {
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  mapping.map(launch.getGridSize().x, grid.x);
  mapping.map(launch.getGridSize().y, grid.y);
  mapping.map(launch.getGridSize().z, grid.z);
  mapping.map(launch.getBlockSize().x, block.x);
  mapping.map(launch.getBlockSize().y, block.y);
  mapping.map(launch.getBlockSize().z, block.z);
  for (Operation &op : launch.getBody().front().without_terminator())
    b.clone(op, mapping);
}

/// A gpu.shuffle in a team: every thread stores its value, a barrier, each
/// reads its partner's, a barrier (so the buffer can be reused).
void emulateShuffle(gpu::ShuffleOp shuffle, Value thread, Value threads,
                    Value scratch) {
  OpBuilder b(shuffle);
  Location loc = shuffle.getLoc();
  Value width = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                           shuffle.getWidth());
  Value offset = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                            shuffle.getOffset());
  Value lane = arith::RemUIOp::create(b, loc, thread, width);
  Value base = arith::SubIOp::create(b, loc, thread, lane);
  Value source;
  switch (shuffle.getMode()) {
  case gpu::ShuffleMode::XOR:
    source = arith::XOrIOp::create(b, loc, lane, offset);
    break;
  case gpu::ShuffleMode::DOWN:
    source = arith::AddIOp::create(b, loc, lane, offset);
    break;
  case gpu::ShuffleMode::UP:
    source = arith::SubIOp::create(b, loc, lane, offset);
    break;
  case gpu::ShuffleMode::IDX:
    source = offset;
    break;
  }
  // In range: within the lane's group of `width` and the block. (UP wraps
  // below zero to a huge unsigned value, which fails the same test.)
  Value inGroup =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, source, width);
  Value partner = arith::AddIOp::create(b, loc, base, source);
  Value inBlock =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, partner, threads);
  Value valid = arith::AndIOp::create(b, loc, inGroup, inBlock);
  Value from = arith::SelectOp::create(b, loc, valid, partner, thread);
  memref::StoreOp::create(b, loc, shuffle.getValue(), scratch, thread);
  omp::BarrierOp::create(b, loc);
  Value result = memref::LoadOp::create(b, loc, scratch, from);
  omp::BarrierOp::create(b, loc);
  shuffle.getShuffleResult().replaceAllUsesWith(result);
  shuffle.getValid().replaceAllUsesWith(valid);
  shuffle.erase();
}

/// One OpenMP team per block: a thread per GPU thread.
LogicalResult launchToTeams(gpu::LaunchOp launch, func::FuncOp threadNum) {
  OpBuilder b(launch);
  Location loc = launch.getLoc();
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  Value threads = arith::MulIOp::create(
      b, loc, arith::MulIOp::create(b, loc, block.x, block.y), block.z);
  IRMapping mapping;
  buildLoops(b, loc, grid, launch.getBlockIds(), mapping);

  // Buffers the team shares: workgroup memory, and a slot per thread for
  // the values shuffles exchange (one buffer per element type).
  SmallVector<Value> shared;
  for (BlockArgument attribution : launch.getWorkgroupAttributions()) {
    auto type = cast<MemRefType>(attribution.getType());
    Value buffer = memref::AllocOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()));
    mapping.map(attribution, buffer);
    shared.push_back(buffer);
  }
  DenseMap<Type, Value> scratch;
  launch.getBody().walk([&](gpu::ShuffleOp shuffle) {
    Type type = shuffle.getValue().getType();
    if (!scratch.count(type)) {
      scratch[type] = memref::AllocOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, type), threads);
      shared.push_back(scratch[type]);
    }
  });

  omp::ParallelOperands clauses;
  clauses.numThreads = arith::IndexCastOp::create(b, loc, b.getI32Type(),
                                                  threads);
  auto team = omp::ParallelOp::create(b, loc, clauses);
  OpBuilder::InsertPoint afterTeam = b.saveInsertionPoint();
  Block *body = b.createBlock(&team.getRegion());
  b.setInsertionPointToEnd(body);
  auto teamEnd = omp::TerminatorOp::create(b, loc);
  b.setInsertionPoint(teamEnd);
  Value thread = arith::IndexCastOp::create(
      b, loc, b.getIndexType(),
      func::CallOp::create(b, loc, threadNum, ValueRange()).getResult(0));
  Value plane = arith::MulIOp::create(b, loc, block.x, block.y);
  Value rest = arith::RemUIOp::create(b, loc, thread, plane);
  mapping.map(launch.getThreadIds().x,
              arith::RemUIOp::create(b, loc, rest, block.x));
  mapping.map(launch.getThreadIds().y,
              arith::DivUIOp::create(b, loc, rest, block.x));
  mapping.map(launch.getThreadIds().z,
              arith::DivUIOp::create(b, loc, thread, plane));
  cloneBody(b, launch, mapping);

  SmallVector<Operation *> sync;
  team.getRegion().walk([&](Operation *op) {
    if (synchronizesThreads(op))
      sync.push_back(op);
  });
  for (Operation *op : sync) {
    if (auto shuffle = dyn_cast<gpu::ShuffleOp>(op)) {
      emulateShuffle(shuffle, thread, threads,
                     scratch[shuffle.getValue().getType()]);
    } else {
      OpBuilder at(op);
      omp::BarrierOp::create(at, op->getLoc());
      op->erase();
    }
  }

  b.restoreInsertionPoint(afterTeam);
  for (Value buffer : shared)
    memref::DeallocOp::create(b, loc, buffer);
  launch.erase();
  return success();
}

/// The threads of each block one after another.
LogicalResult launchToLoops(gpu::LaunchOp launch) {
  OpBuilder b(launch);
  Location loc = launch.getLoc();
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  IRMapping mapping;
  buildLoops(b, loc, grid, launch.getBlockIds(), mapping);
  buildLoops(b, loc, block, launch.getThreadIds(), mapping);
  cloneBody(b, launch, mapping);
  launch.erase();
  return success();
}

struct GPULaunchToLoopsPass
    : tick::impl::TickGPULaunchToLoopsBase<GPULaunchToLoopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::LaunchOp> launches;
    module.walk([&](gpu::LaunchOp op) { launches.push_back(op); });
    func::FuncOp threadNum;
    for (gpu::LaunchOp launch : launches) {
      if (!launch.getBody().hasOneBlock() || launch.getAsyncToken()) {
        launch.emitError("only a synchronous single-block kernel runs on "
                         "the CPU");
        return signalPassFailure();
      }
      if (!needsTeam(launch)) {
        (void)launchToLoops(launch);
        continue;
      }
      if (!threadNum)
        threadNum = tick::declareOmpQuery(module, tick::kOmpThreadNum);
      (void)launchToTeams(launch, threadNum);
    }
    module.walk([&](Operation *op) {
      OpBuilder b(op);
      if (auto alloc = dyn_cast<gpu::AllocOp>(op)) {
        auto cpu = memref::AllocOp::create(b, op->getLoc(), alloc.getType(),
                                           alloc.getDynamicSizes(),
                                           alloc.getSymbolOperands());
        alloc.getMemref().replaceAllUsesWith(cpu.getResult());
        op->erase();
      } else if (auto dealloc = dyn_cast<gpu::DeallocOp>(op)) {
        memref::DeallocOp::create(b, op->getLoc(), dealloc.getMemref());
        op->erase();
      } else if (auto copy = dyn_cast<gpu::MemcpyOp>(op)) {
        memref::CopyOp::create(b, op->getLoc(), copy.getSrc(), copy.getDst());
        op->erase();
      }
    });
  }
};

} // namespace
