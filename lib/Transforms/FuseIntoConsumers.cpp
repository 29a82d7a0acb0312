//===- FuseIntoConsumers.cpp - elementwise producers on buffers, inlined --===//
//
// After the GPU passes split long reductions, each split leaves an
// elementwise op that adds the chunks' partial results into a buffer
// (ChunkSums.h), and nothing but one later op reads that buffer: the
// optimizer's update of the parameter whose gradient it is, the first op
// of a LayerNorm. As ops of their own, the sums are kernels of their own
// (eight per train step of the reference net at batch 1024), each storing
// a buffer that the next kernel loads again.
//
// Here such a producer is computed inside its one reader instead: the
// reader takes the producer's inputs, through the producer's maps composed
// with its own, and the producer's body runs at the start of the reader's.
// The upstream elementwise fusion does this on tensors, where a value has
// one definition; on buffers the pass itself checks what makes it the same
// computation: nothing between the two ops writes what the producer reads,
// and nothing after the reader reads the buffer.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "BufferEffects.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

namespace tick {
#define GEN_PASS_DEF_TICKFUSEINTOCONSUMERS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;
using namespace tick;

namespace {

bool allParallel(linalg::GenericOp op) {
  return op.hasPureBufferSemantics() &&
         op.getNumLoops() == op.getNumParallelLoops();
}

/// A producer whose value is a function of its inputs alone: all loops
/// parallel, one output written through the identity map into a buffer
/// allocated in the same block, its old contents unread, and a body of pure
/// ops that does not ask for the loop indices.
bool isProducer(linalg::GenericOp op) {
  if (!allParallel(op) || op.getNumDpsInits() != 1)
    return false;
  OpOperand *out = op.getDpsInitOperand(0);
  auto alloc = out->get().getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != op->getBlock() ||
      !op.getMatchingIndexingMap(out).isIdentity() ||
      !op.getMatchingBlockArgument(out).use_empty() ||
      llvm::is_contained(op.getDpsInputs(), out->get()))
    return false;
  return llvm::all_of(op.getRegion().front().without_terminator(),
                      [](Operation &bodyOp) {
                        return !isa<linalg::IndexOp>(bodyOp) &&
                               isMemoryEffectFree(&bodyOp);
                      });
}

/// Where the one op that reads `producer`'s output after it takes it, when
/// that op can compute the output itself: an all-parallel generic reading
/// it once, as an input, through a permutation (each element at one
/// iteration: nothing computed twice), and nothing else but its
/// deallocation after it.
OpOperand *consumerOf(linalg::GenericOp producer) {
  Value buffer = producer.getDpsInits()[0];
  linalg::GenericOp consumer;
  for (Operation *user : buffer.getUsers()) {
    if (user == producer || isa<memref::DeallocOp>(user))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (consumer || !generic || generic->getBlock() != producer->getBlock() ||
        !producer->isBeforeInBlock(generic))
      return nullptr;
    consumer = generic;
  }
  if (!consumer || !allParallel(consumer))
    return nullptr;
  OpOperand *read = nullptr;
  for (OpOperand &operand : consumer->getOpOperands()) {
    if (operand.get() != buffer)
      continue;
    if (read || !consumer.isDpsInput(&operand))
      return nullptr;
    read = &operand;
  }
  if (!consumer.getMatchingIndexingMap(read).isPermutation())
    return nullptr;
  for (Operation *user : buffer.getUsers())
    if (isa<memref::DeallocOp>(user) && !consumer->isBeforeInBlock(user))
      return nullptr;
  return read;
}

/// Whether what `producer` reads holds the same values when `consumer`
/// runs: no op from the producer to the consumer (the consumer included)
/// may write or free it. Deallocations of the producer's inputs between
/// the two (a split reduction frees its partial results right after their
/// sum) are moved after the consumer.
bool inputsUnchangedUntil(linalg::GenericOp producer,
                          linalg::GenericOp consumer) {
  SmallVector<Value> inputs;
  for (Value input : producer.getDpsInputs())
    if (isa<BaseMemRefType>(input.getType()))
      inputs.push_back(input);
  BufferAccesses reads;
  reads.read = inputs;
  SmallVector<Operation *> freed;
  for (Operation *op = producer->getNextNode(); op != consumer->getNextNode();
       op = op->getNextNode()) {
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op);
        dealloc && llvm::is_contained(inputs, dealloc.getMemref())) {
      freed.push_back(op);
      continue;
    }
    FailureOr<BufferAccesses> accesses = nestedAccesses(op);
    if (failed(accesses) || accesses->conflictsWith(reads))
      return false;
  }
  for (Operation *dealloc : llvm::reverse(freed))
    dealloc->moveAfter(consumer);
  return true;
}

/// Replaces the consumer (the owner of `read`) by an op that computes
/// `producer`'s output where it read it, and erases the producer and its
/// buffer.
void fuse(linalg::GenericOp producer, OpOperand *read) {
  auto consumer = cast<linalg::GenericOp>(read->getOwner());
  Value buffer = producer.getDpsInits()[0];
  AffineMap readMap = consumer.getMatchingIndexingMap(read);

  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : consumer.getDpsInputOperands()) {
    if (input == read)
      continue;
    inputs.push_back(input->get());
    maps.push_back(consumer.getMatchingIndexingMap(input));
  }
  for (OpOperand *input : producer.getDpsInputOperands()) {
    inputs.push_back(input->get());
    maps.push_back(producer.getMatchingIndexingMap(input).compose(readMap));
  }
  for (OpOperand &output : consumer.getDpsInitsMutable())
    maps.push_back(consumer.getMatchingIndexingMap(&output));

  OpBuilder b(consumer);
  auto fused = linalg::GenericOp::create(
      b, consumer.getLoc(), consumer.getResultTypes(), inputs,
      consumer.getDpsInits(), maps, consumer.getIteratorTypesArray());
  fused->setDiscardableAttrs(consumer->getDiscardableAttrDictionary());
  Block &consumerBody = consumer.getRegion().front();
  Block &producerBody = producer.getRegion().front();
  Block *body = b.createBlock(&fused.getRegion());
  auto argument = [&](Value value) {
    return body->addArgument(value.getType(), value.getLoc());
  };

  // Block arguments: the consumer's inputs but the buffer, the producer's
  // inputs, the consumer's outputs (the operands' order above).
  IRMapping mapping;
  for (OpOperand *input : consumer.getDpsInputOperands())
    if (input != read)
      mapping.map(consumer.getMatchingBlockArgument(input),
                  argument(consumer.getMatchingBlockArgument(input)));
  for (OpOperand *input : producer.getDpsInputOperands())
    mapping.map(producer.getMatchingBlockArgument(input),
                argument(producer.getMatchingBlockArgument(input)));
  for (OpOperand &output : consumer.getDpsInitsMutable())
    mapping.map(consumer.getMatchingBlockArgument(&output),
                argument(consumer.getMatchingBlockArgument(&output)));

  b.setInsertionPointToStart(body);
  for (Operation &op : producerBody.without_terminator())
    b.clone(op, mapping);
  mapping.map(consumer.getMatchingBlockArgument(read),
              mapping.lookupOrDefault(
                  producerBody.getTerminator()->getOperand(0)));
  for (Operation &op : consumerBody)
    b.clone(op, mapping);

  consumer.erase();
  producer.erase();
  if (llvm::all_of(buffer.getUsers(),
                   [](Operation *user) { return isa<memref::DeallocOp>(user); })) {
    for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
      user->erase();
    buffer.getDefiningOp()->erase();
  }
}

struct FuseIntoConsumersPass
    : tick::impl::TickFuseIntoConsumersBase<FuseIntoConsumersPass> {
  using Base::Base;

  void runOnOperation() override {
    // One fusion at a time, the search started over: the fused op
    // replaces the consumer, which may itself be the producer of a later
    // op (the functions are a few hundred ops).
    auto fuseOne = [&] {
      WalkResult walk = getOperation().walk([&](linalg::GenericOp op) {
        if (!isProducer(op))
          return WalkResult::advance();
        OpOperand *read = consumerOf(op);
        if (!read || !inputsUnchangedUntil(
                         op, cast<linalg::GenericOp>(read->getOwner())))
          return WalkResult::advance();
        fuse(op, read);
        return WalkResult::interrupt();
      });
      return walk.wasInterrupted();
    };
    while (fuseOne()) {
    }
  }
};

} // namespace
