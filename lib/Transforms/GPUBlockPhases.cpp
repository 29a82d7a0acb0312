//===- GPUBlockPhases.cpp - a block's threads as loops between barriers ---===//
//
// On the GPU every thread of a block reaches a barrier before any passes
// it. One CPU thread gets the same order by running the body up to the
// barrier for every thread, then the rest for every thread: a phase per
// stretch between barriers, a loop over the threads per phase. What a
// thread computes in one phase and uses in another is kept in a buffer
// with a slot per thread, and a shuffle is a read of the partner's slot:
// it needs a phase of its own only when the value it sends is computed in
// the phase it would join (a row's elements sent to every lane for a row
// matmul, one shuffle after another, share one).
//
//===----------------------------------------------------------------------===//

#include "GPUBlockPhases.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

namespace tick {
namespace {

/// Loops over `sizes` (z, y, x), mapping `ids` to their induction
/// variables; the builder is left inside the innermost loop. Returns the
/// outermost loop.
scf::ForOp buildLoops(OpBuilder &b, Location loc, gpu::KernelDim3 sizes,
                      gpu::KernelDim3 ids, IRMapping &mapping) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  scf::ForOp outermost;
  for (auto [id, size] : {std::pair{ids.z, sizes.z}, std::pair{ids.y, sizes.y},
                          std::pair{ids.x, sizes.x}}) {
    auto loop = scf::ForOp::create(b, loc, zero, size, one);
    if (!outermost)
      outermost = loop;
    mapping.map(id, loop.getInductionVar());
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }
  return outermost;
}

bool synchronizesThreads(Operation *op) {
  return isa<gpu::BarrierOp, gpu::ShuffleOp>(op);
}

bool isScalar(Value v) { return v.getType().isIntOrIndexOrFloat(); }

/// An op that only computes from its operands: no regions, no memory
/// effects.
bool isArithmetic(Operation &op) {
  return op.getNumRegions() == 0 && isMemoryEffectFree(&op);
}

/// Values kept in a slot per thread must be scalars.
LogicalResult fitSlots(Operation *op, ValueRange values) {
  for (Value v : values)
    if (!isScalar(v))
      return op->emitError("cannot run on the CPU: a value of type ")
             << v.getType() << " lives across a barrier or shuffle";
  return success();
}

/// A guard on the threads that run a phase: those whose `condition` is
/// `taken` (the branch of an scf.if that holds a barrier).
struct Guard {
  Value condition;
  bool taken;
};

class BlockPhases {
public:
  explicit BlockPhases(gpu::LaunchOp launch) : launch(launch) {}

  /// Finds what runs once per block and numbers the phases; fails with an
  /// error on a shape that cannot be cut.
  LogicalResult analyze();
  void rewrite();

private:
  LogicalResult analyze(Block &block, bool guarded);
  bool isUniform(Value v) {
    return uniform.contains(v) ||
           !launch.getBody().isAncestor(v.getParentRegion());
  }
  /// Whether another phase, or the terminator of `v`'s block, uses `v`.
  bool crossesPhases(Value v) const;
  /// Whether `v` crosses phases in a slot: unless it is recomputed (and no
  /// shuffle reads it from another thread).
  bool needsSlot(Value v) const {
    if (!crossesPhases(v))
      return false;
    return !recomputed.contains(v.getDefiningOp()) ||
           llvm::any_of(v.getUsers(), [&](Operation *user) {
             auto shuffle = dyn_cast<gpu::ShuffleOp>(user);
             return shuffle && shuffle.getValue() == v;
           });
  }
  /// Whether what `shuffle` sends is the same for the whole block or was
  /// computed in a phase before the current one.
  bool sentFromEarlierPhase(gpu::ShuffleOp shuffle) {
    Value sent = shuffle.getValue();
    if (isUniform(sent))
      return true;
    Operation *def = sent.getDefiningOp();
    return def && phaseOf.contains(def) && phaseOf.lookup(def) < phases;
  }
  bool isThreadId(Value v) {
    gpu::KernelDim3 ids = launch.getThreadIds();
    return v == ids.x || v == ids.y || v == ids.z;
  }

  void emitSequence(OpBuilder &b, Block &block);
  void emitPhase(OpBuilder &b, ArrayRef<Operation *> ops);
  void emitShuffle(OpBuilder &b, gpu::ShuffleOp shuffle, IRMapping &local);
  void emitLoop(OpBuilder &b, scf::ForOp loop);
  void emitBranches(OpBuilder &b, scf::IfOp branch);
  /// Stores `values` (as the current thread sees them) in their slots.
  void storeInSlots(OpBuilder &b, ValueRange values, ValueRange slotsOf);
  /// A loop over the block's threads, under the current guards: `body`
  /// runs with the thread ids mapped in `local`.
  void forEachThread(OpBuilder &b,
                     function_ref<void(OpBuilder &, IRMapping &)> body);
  /// `v` as the current thread sees it: computed once per block, computed
  /// again (recomputed ops), read from its slot, or already in `local`;
  /// what a phase computes or reads is kept in `local`.
  Value valueIn(OpBuilder &b, IRMapping &local, Value v);
  Value slotFor(Value v);

  gpu::LaunchOp launch;
  DenseSet<Value> uniform;
  /// Phase numbers of the ops that run per thread (and of terminators); a
  /// shuffle's is that of the phase it starts.
  DenseMap<Operation *, unsigned> phaseOf;
  /// The scf.for and scf.if ops that hold a barrier or shuffle.
  DenseSet<Operation *> cuts;
  /// Per-thread ops that each phase using their results computes again.
  DenseSet<Operation *> recomputed;
  unsigned phases = 0;

  /// Where the buffers are allocated (before the loops over blocks) and
  /// freed (after them).
  OpBuilder setup{launch->getContext()}, teardown{launch->getContext()};
  IRMapping blockLevel;
  DenseMap<Value, Value> slots;
  /// Workgroup memory and slots, in the order they were allocated.
  SmallVector<Value> buffers;
  SmallVector<Guard> guards;
  Value threads, thread, zero, one;
};

LogicalResult BlockPhases::analyze() {
  uniform.insert(launch.getBody().getArguments().begin(),
                 launch.getBody().getArguments().end());
  for (Value id : {launch.getThreadIds().x, launch.getThreadIds().y,
                   launch.getThreadIds().z})
    uniform.erase(id);
  if (!launch.getPrivateAttributions().empty())
    return launch.emitError("cannot run on the CPU: private attributions");
  if (failed(analyze(launch.getBody().front(), /*guarded=*/false)))
    return failure();
  // Each value that one phase leaves to another needs a slot per thread.
  for (auto [op, phase] : phaseOf) {
    if (cuts.contains(op))
      continue;
    SmallVector<Value> crossing(llvm::make_filter_range(
        op->getResults(), [&](Value v) { return crossesPhases(v); }));
    if (failed(fitSlots(op, crossing)))
      return failure();
  }
  return success();
}

LogicalResult BlockPhases::analyze(Block &block, bool guarded) {
  for (Operation &op : block) {
    bool syncs = op.walk([](Operation *inner) {
                     return synchronizesThreads(inner) ? WalkResult::interrupt()
                                                       : WalkResult::advance();
                   }).wasInterrupted();
    if (isa<gpu::BarrierOp>(op)) {
      ++phases;
    } else if (auto shuffle = dyn_cast<gpu::ShuffleOp>(op)) {
      // The shuffle starts the phase that reads its partner's value, unless
      // that value is from an earlier phase: every thread's is in its slot
      // already (a row's elements sent to every lane, one after another).
      if (!sentFromEarlierPhase(shuffle))
        ++phases;
      phaseOf[&op] = phases;
    } else if (op.hasTrait<OpTrait::IsTerminator>()) {
      phaseOf[&op] = ++phases;
    } else if (auto loop = dyn_cast<scf::ForOp>(op); loop && syncs) {
      if (!llvm::all_of(ValueRange{loop.getLowerBound(), loop.getUpperBound(),
                                   loop.getStep()},
                        [&](Value v) { return isUniform(v); }))
        return op.emitError("cannot run on the CPU: a loop with a barrier "
                            "or shuffle has bounds that differ by thread");
      if (failed(fitSlots(&op, loop.getRegionIterArgs())))
        return failure();
      cuts.insert(&op);
      phaseOf[&op] = ++phases;
      ++phases;
      uniform.insert(loop.getInductionVar());
      if (failed(analyze(*loop.getBody(), guarded)))
        return failure();
      ++phases;
    } else if (auto branch = dyn_cast<scf::IfOp>(op); branch && syncs) {
      if (failed(fitSlots(&op, branch.getResults())))
        return failure();
      cuts.insert(&op);
      phaseOf[&op] = ++phases;
      ++phases;
      for (Region *region : {&branch.getThenRegion(), &branch.getElseRegion()})
        if (!region->empty() &&
            failed(analyze(region->front(), /*guarded=*/true)))
          return failure();
      ++phases;
    } else if (syncs) {
      return op.emitError("cannot run on the CPU: only scf.for and scf.if "
                          "may hold a barrier or shuffle");
    } else if (isArithmetic(op) &&
               llvm::all_of(op.getOperands(),
                            [&](Value v) { return isUniform(v); }) &&
               (!guarded || isSpeculatable(&op))) {
      // Computed once per block; under a branch only if it cannot trap.
      uniform.insert(op.getResults().begin(), op.getResults().end());
    } else {
      phaseOf[&op] = phases;
      // Index arithmetic on thread ids is recomputed where it is used
      // rather than kept in slots.
      if (isArithmetic(op) && isSpeculatable(&op) &&
          llvm::all_of(op.getResults(), isScalar) &&
          llvm::all_of(op.getOperands(), [&](Value v) {
            Operation *def = v.getDefiningOp();
            return isUniform(v) || isThreadId(v) ||
                   (def && recomputed.contains(def));
          }))
        recomputed.insert(&op);
    }
  }
  return success();
}

bool BlockPhases::crossesPhases(Value v) const {
  Operation *def = v.getDefiningOp();
  Block *block = def->getBlock();
  unsigned phase = phaseOf.lookup(def);
  return llvm::any_of(v.getUsers(), [&](Operation *user) {
    Operation *ancestor = block->findAncestorOpInBlock(*user);
    return ancestor != def && phaseOf.lookup(ancestor) != phase;
  });
}

Value BlockPhases::slotFor(Value v) {
  Value &slot = slots[v];
  if (!slot) {
    slot = memref::AllocOp::create(
        setup, v.getLoc(), MemRefType::get({ShapedType::kDynamic}, v.getType()),
        threads);
    buffers.push_back(slot);
  }
  return slot;
}

Value BlockPhases::valueIn(OpBuilder &b, IRMapping &local, Value v) {
  if (Value mapped = local.lookupOrNull(v))
    return mapped;
  if (isUniform(v))
    return blockLevel.lookupOrDefault(v);
  if (Operation *def = v.getDefiningOp(); def && recomputed.contains(def)) {
    for (Value operand : def->getOperands())
      local.map(operand, valueIn(b, local, operand));
    b.clone(*def, local);
    return local.lookup(v);
  }
  Value read = memref::LoadOp::create(b, v.getLoc(), slots.lookup(v), thread);
  local.map(v, read);
  return read;
}

void BlockPhases::forEachThread(
    OpBuilder &b, function_ref<void(OpBuilder &, IRMapping &)> body) {
  Location loc = launch.getLoc();
  gpu::KernelDim3 size = launch.getBlockSizeOperandValues();
  auto loop = scf::ForOp::create(b, loc, zero, threads, one);
  OpBuilder inner = OpBuilder::atBlockTerminator(loop.getBody());
  thread = loop.getInductionVar();
  IRMapping local;
  Value plane = arith::MulIOp::create(inner, loc, size.x, size.y);
  Value rest = arith::RemUIOp::create(inner, loc, thread, plane);
  local.map(launch.getThreadIds().x,
            arith::RemUIOp::create(inner, loc, rest, size.x));
  local.map(launch.getThreadIds().y,
            arith::DivUIOp::create(inner, loc, rest, size.x));
  local.map(launch.getThreadIds().z,
            arith::DivUIOp::create(inner, loc, thread, plane));
  Value runs;
  for (Guard guard : guards) {
    Value condition = valueIn(inner, local, guard.condition);
    if (!guard.taken)
      condition = arith::XOrIOp::create(
          inner, loc, condition,
          arith::ConstantIntOp::create(inner, loc, inner.getI1Type(), 1));
    runs =
        runs ? arith::AndIOp::create(inner, loc, runs, condition) : condition;
  }
  if (runs) {
    auto branch = scf::IfOp::create(inner, loc, runs, /*withElse=*/false);
    inner.setInsertionPoint(branch.thenBlock()->getTerminator());
  }
  body(inner, local);
}

void BlockPhases::storeInSlots(OpBuilder &b, ValueRange values,
                               ValueRange slotsOf) {
  for (auto [value, owner] : llvm::zip(values, slotsOf))
    memref::StoreOp::create(b, owner.getLoc(), value, slotFor(owner), thread);
}

void BlockPhases::emitShuffle(OpBuilder &b, gpu::ShuffleOp shuffle,
                              IRMapping &local) {
  Location loc = shuffle.getLoc();
  Value width = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), valueIn(b, local, shuffle.getWidth()));
  Value offset = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), valueIn(b, local, shuffle.getOffset()));
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
  Value inBlock = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        partner, threads);
  Value valid = arith::AndIOp::create(b, loc, inGroup, inBlock);
  Value from = arith::SelectOp::create(b, loc, valid, partner, thread);
  Value sent = shuffle.getValue();
  Value received =
      isUniform(sent) ? blockLevel.lookupOrDefault(sent)
                      : memref::LoadOp::create(b, loc, slots.lookup(sent), from)
                            .getResult();
  local.map(shuffle.getShuffleResult(), received);
  local.map(shuffle.getValid(), valid);
}

void BlockPhases::emitPhase(OpBuilder &b, ArrayRef<Operation *> ops) {
  // Nothing to run where every op is computed again where it is used.
  if (llvm::all_of(ops, [&](Operation *op) {
        return recomputed.contains(op) &&
               llvm::none_of(op->getResults(),
                             [&](Value v) { return needsSlot(v); });
      }))
    return;
  forEachThread(b, [&](OpBuilder &inner, IRMapping &local) {
    for (Operation *op : ops) {
      if (auto shuffle = dyn_cast<gpu::ShuffleOp>(op)) {
        emitShuffle(inner, shuffle, local);
      } else {
        SetVector<Value> used(op->getOperands().begin(),
                              op->getOperands().end());
        getUsedValuesDefinedAbove(op->getRegions(), used);
        for (Value v : used)
          local.map(v, valueIn(inner, local, v));
        inner.clone(*op, local);
      }
      for (Value result : op->getResults())
        if (needsSlot(result))
          storeInSlots(inner, local.lookup(result), result);
    }
  });
}

void BlockPhases::emitLoop(OpBuilder &b, scf::ForOp loop) {
  // The loop-carried values live in one slot each, which the loop's
  // results then read.
  for (auto [carried, result] :
       llvm::zip(loop.getRegionIterArgs(), loop.getResults()))
    slots[result] = slotFor(carried);
  if (loop.getNumRegionIterArgs() != 0)
    forEachThread(b, [&](OpBuilder &inner, IRMapping &local) {
      SmallVector<Value> inits;
      for (Value init : loop.getInitArgs())
        inits.push_back(valueIn(inner, local, init));
      storeInSlots(inner, inits, loop.getRegionIterArgs());
    });
  auto perBlock = scf::ForOp::create(
      b, loop.getLoc(), blockLevel.lookupOrDefault(loop.getLowerBound()),
      blockLevel.lookupOrDefault(loop.getUpperBound()),
      blockLevel.lookupOrDefault(loop.getStep()));
  blockLevel.map(loop.getInductionVar(), perBlock.getInductionVar());
  OpBuilder body = OpBuilder::atBlockTerminator(perBlock.getBody());
  emitSequence(body, *loop.getBody());
  if (loop.getNumRegionIterArgs() != 0)
    forEachThread(body, [&](OpBuilder &inner, IRMapping &local) {
      // Every yielded value is read before any slot is written: a value
      // may move from one carried slot to another.
      SmallVector<Value> next;
      for (Value v : loop.getBody()->getTerminator()->getOperands())
        next.push_back(valueIn(inner, local, v));
      storeInSlots(inner, next, loop.getRegionIterArgs());
    });
}

void BlockPhases::emitBranches(OpBuilder &b, scf::IfOp branch) {
  for (auto branchTaken : {std::pair{&branch.getThenRegion(), true},
                           std::pair{&branch.getElseRegion(), false}}) {
    Region *region = branchTaken.first;
    bool taken = branchTaken.second;
    if (region->empty())
      continue;
    guards.push_back({branch.getCondition(), taken});
    emitSequence(b, region->front());
    if (branch.getNumResults() != 0)
      forEachThread(b, [&](OpBuilder &inner, IRMapping &local) {
        SmallVector<Value> yielded;
        for (Value v : region->front().getTerminator()->getOperands())
          yielded.push_back(valueIn(inner, local, v));
        storeInSlots(inner, yielded, branch.getResults());
      });
    guards.pop_back();
  }
}

void BlockPhases::emitSequence(OpBuilder &b, Block &block) {
  SmallVector<Operation *> phase;
  auto endPhase = [&] {
    emitPhase(b, phase);
    phase.clear();
  };
  for (Operation &op : block.without_terminator()) {
    if (isa<gpu::BarrierOp>(op)) {
      endPhase();
    } else if (cuts.contains(&op)) {
      endPhase();
      if (auto loop = dyn_cast<scf::ForOp>(op))
        emitLoop(b, loop);
      else
        emitBranches(b, cast<scf::IfOp>(op));
    } else if (!phaseOf.contains(&op)) {
      // The same for every thread: computed once, where the block's code is.
      b.clone(op, blockLevel);
    } else {
      if (isa<gpu::ShuffleOp>(op) && !phase.empty() &&
          phaseOf.lookup(&op) != phaseOf.lookup(phase.back()))
        endPhase();
      phase.push_back(&op);
    }
  }
  endPhase();
}

void BlockPhases::rewrite() {
  Location loc = launch.getLoc();
  OpBuilder b(launch);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 size = launch.getBlockSizeOperandValues();
  threads = arith::MulIOp::create(
      b, loc, arith::MulIOp::create(b, loc, size.x, size.y), size.z);
  zero = arith::ConstantIndexOp::create(b, loc, 0);
  one = arith::ConstantIndexOp::create(b, loc, 1);
  scf::ForOp blocks =
      buildLoops(b, loc, grid, launch.getBlockIds(), blockLevel);
  setup.setInsertionPoint(blocks);
  teardown.setInsertionPointAfter(blocks);
  blockLevel.map(launch.getGridSize().x, grid.x);
  blockLevel.map(launch.getGridSize().y, grid.y);
  blockLevel.map(launch.getGridSize().z, grid.z);
  blockLevel.map(launch.getBlockSize().x, size.x);
  blockLevel.map(launch.getBlockSize().y, size.y);
  blockLevel.map(launch.getBlockSize().z, size.z);
  for (BlockArgument attribution : launch.getWorkgroupAttributions()) {
    auto type = cast<MemRefType>(attribution.getType());
    // Aligned as on the GPU (tick-gpu-align-workgroup-memory): kernels read
    // some of these buffers as 16-byte vectors.
    Value buffer = memref::AllocOp::create(
        setup, loc, MemRefType::get(type.getShape(), type.getElementType()),
        setup.getI64IntegerAttr(tick::kWorkgroupAlignment));
    blockLevel.map(attribution, buffer);
    buffers.push_back(buffer);
  }
  emitSequence(b, launch.getBody().front());
  for (Value buffer : buffers)
    memref::DeallocOp::create(teardown, loc, buffer);
  launch.erase();
}

} // namespace

LogicalResult launchToPhases(gpu::LaunchOp launch) {
  BlockPhases phases(launch);
  if (failed(phases.analyze()))
    return failure();
  phases.rewrite();
  return success();
}

} // namespace tick
