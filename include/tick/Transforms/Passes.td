//===- Passes.td - Tick code generation passes -------------*- tablegen -*-===//

#ifndef TICK_TRANSFORMS_PASSES_TD
#define TICK_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TickFuseElementwise : Pass<"tick-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops that share an iteration space";
  let description = [{
    Fuses an elementwise producer into its linalg consumer only when both
    iterate over the same number of loops. A per-row producer (LayerNorm's
    inverse standard deviation, say) is not folded into a per-element
    consumer, where it would be recomputed for every element of the row.
    A producer several ops read is fused into each of them (recomputed:
    fewer GPU kernels) unless `recompute-shared` is off (the CPU: computed
    once and read from cache by each).
  }];
  let options = [
    Option<"recomputeShared", "recompute-shared", "bool", /*default=*/"true",
           "Fuse a producer several ops read into each of them">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def TickFuseIntoConsumers
    : Pass<"tick-fuse-into-consumers", "mlir::func::FuncOp"> {
  let summary = "An elementwise op on buffers is computed inside the one op "
                "that reads its output";
  let description = [{
    A `linalg.generic` on buffers with only parallel loops and one output,
    written through the identity map into a `memref.alloc` (its old contents
    unread, a body of pure ops without `linalg.index`), is fused into the one
    later op that reads that buffer: an all-parallel `linalg.generic` in the
    same block that takes it once as an input through a permutation map.
    The consumer then takes the producer's inputs, their maps composed with
    its own, and computes the producer's value at the start of its body; the
    producer and the buffer go.

    It applies only when the result is the same computation: no op from the
    producer to the consumer (the consumer included) writes what the
    producer reads, and nothing but a `memref.dealloc` after the consumer
    uses the buffer. A deallocation of one of the producer's inputs between
    the two moves after the consumer.

    The GPU pipeline runs it after the reductions are lowered: the sums of
    a split reduction's chunks (tick-gpu-matmul-tiles,
    tick-gpu-column-reductions) go into the optimizer's update of the
    parameter whose gradient they are.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def TickTileParallel : Pass<"tick-tile-parallel", "mlir::func::FuncOp"> {
  let summary = "Tile batch-parallel linalg ops into scf.forall row blocks, "
                "fusing their producers";
  let description = [{
    Every linalg op whose first loop runs over the batch in parallel is
    tiled into an `scf.forall` over blocks of rows, and the producers of
    each block (matmul, bias, row statistics) are computed inside the same
    block. Each forall becomes one OpenMP work-sharing loop. The block size
    is the largest divisor of the batch that is at most `rows` (or
    `streamed-rows`, leaving two blocks at least, where a matmul of the
    block reads a right operand larger than L2, which every block reads
    again), so every block has a static shape. Producers that tiling would
    not split (the transposed weights) and producers that other ops outside
    the block also read are not fused: they get blocks of their own and are
    computed once.
    An op that updates a function argument in place (an optimizer step)
    computes its gradient in its own blocks, but no producer that reads an
    argument some op updates in place.
    Where the batch is a single block (at most `rows`), a matmul is tiled
    into blocks of at most `columns` output columns instead (a multiple of
    16 where the columns allow), if each block reads at least 64 KiB of the
    right operand; the other ops over the batch are left as they are.
  }];
  let options = [
    Option<"rows", "rows", "int64_t", /*default=*/"8",
           "Largest number of rows in a parallel block">,
    Option<"streamedRows", "streamed-rows", "int64_t", /*default=*/"16",
           "Largest number of rows in a block with a matmul whose right "
           "operand is larger than a core's L2 cache (1 MiB)">,
    Option<"columns", "columns", "int64_t", /*default=*/"64",
           "Largest number of output columns in a block of a matmul whose "
           "batch is a single block of rows">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::tensor::TensorDialect"];
}

def TickVectorize : Pass<"tick-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops to register-sized blocks and vectorize them";
  let description = [{
    Matmuls are tiled to rows x `vector-width` output blocks (two vectors
    wide with 16-lane vectors; columns that are an odd number of vectors
    have their last vector split off) with one reduction step per
    iteration, so the accumulators fit in vector registers, column panels
    outside row blocks; column reductions (sums
    over the batch) add rows of `vector-width` columns; row reductions and
    elementwise ops work one row at a time, in chunks of 4 x `vector-width`
    lanes; transposes in `vector-width` squares; matmuls that read their
    right operand transposed (x · wᵀ, w as stored, a reduction of whole
    vectors) become dot-product blocks of at most `vector-width` outputs,
    one vector accumulator each, summed by a shuffle tree after the
    reduction; but where x has a whole number of 16-lane vectors of rows
    and xᵀ and yᵀ each fit a thread's stack (64 KiB), x and y are transposed
    instead and yᵀ += w · xᵀ is tiled like any matmul. Every static linalg
    op is then vectorized and the slices it reads are folded into its
    transfers.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes of the target's vector registers">,
    Option<"matmulRows", "matmul-rows", "int64_t", /*default=*/"8",
           "Largest number of rows of a matmul register block">
  ];
  let dependentDialects = [
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect"
  ];
}

def TickHoistVectorTransfers
    : Pass<"tick-hoist-vector-transfers", "mlir::func::FuncOp"> {
  let summary = "Keep loop-carried vector accumulators in registers";
  let description = [{
    Moves the read and write of a matmul block's accumulator out of the
    reduction loop, so that the accumulator is a loop-carried vector (in
    registers). On tensors (right after vectorization), any read/write pair
    of a loop-carried tensor at loop-invariant indices; on memrefs (after
    bufferization), pairs whose buffer nothing else in the loop may touch.
    Only `scf.for`: forall bodies are never hoisted across, since their
    iterations run in parallel.
  }];
}

def TickDropLoopBarriers
    : Pass<"tick-drop-loop-barriers", "mlir::func::FuncOp"> {
  let summary = "Work-sharing loops that nothing waits for end without a barrier";
  let description = [{
    An `omp.wsloop` of a parallel region's body becomes `nowait` when no op
    after it, up to and including the first op that ends with a barrier
    (a loop that keeps its barrier, `omp.single`, `omp.barrier`), reads a
    buffer it writes or writes a buffer it reads or writes. Buffers are
    told apart as views of distinct allocations or function arguments
    (the buffers passed to an entry point do not overlap). A later loop
    with the same bounds may share buffers with it where both touch only
    the rows of their own iteration, [iv, iv + step) along the first
    dimension (through a subview, or by indices the loop bounds keep
    there): both then get `schedule(static)`, under which OpenMP runs
    iteration iv of both on the same thread. Loops are decided last first,
    so a loop that no longer waits lets the ones before it look further.
  }];
  let dependentDialects = ["mlir::omp::OpenMPDialect"];
}

def TickStaticLoopRanges
    : Pass<"tick-static-loop-ranges", "mlir::ModuleOp"> {
  let summary = "Work-sharing loops compute each thread's iterations "
                "themselves, without a call into the OpenMP runtime";
  let description = [{
    An `omp.wsloop` directly in an `omp.parallel` body, over one index
    induction variable with a static schedule (or none) and no other
    clause, becomes an `scf.for` over the calling thread's share of the
    iterations (blocks of ceil(trips / threads), in thread order, from
    `omp_get_thread_num` and `omp_get_num_threads`, called once per
    region), followed by `omp.barrier` unless the loop was `nowait`. This
    skips `__kmpc_for_static_init`, which Debian's libomp (built with its
    debug traces) slows by formatting trace strings on every call. Loops
    with equal bounds give each thread the same iterations.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::scf::SCFDialect"];
}

def TickMergeParallelRegions
    : Pass<"tick-merge-parallel-regions", "mlir::func::FuncOp"> {
  let summary = "One OpenMP parallel region instead of one per parallel loop";
  let description = [{
    Merges consecutive `omp.parallel` regions of a block, so an entry point
    forks the thread team once instead of once per loop. Work-sharing loops
    keep their implicit barriers; the serial code between two regions runs
    in `omp.single`. Allocations and effect-free ops move above the merged
    region; values the serial code hands to later loops are recomputed by
    every thread from the same reads, followed by a barrier. Serial code
    that hands out a value it computed by writing memory ends a merge.
  }];
  let dependentDialects = ["mlir::omp::OpenMPDialect"];
}

def TickPadBufferRows : Pass<"tick-pad-buffer-rows", "mlir::func::FuncOp"> {
  let summary = "Pad the rows of 2-D buffers whose row stride is a multiple of 4 KiB";
  let description = [{
    A static 2-D `memref.alloc`/`alloca` of at least 8 rows whose rows are a
    multiple of 4 KiB long (1024 floats) is allocated one cache line wider
    and used through a view with that row stride, so the rows a matmul
    block reads at once fall into different L1 cache sets. Only buffers
    whose every use takes any strided layout (transfers, loads, stores,
    copies, linalg ops, subviews of those) are changed.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def TickLowerVectors : Pass<"tick-lower-vectors", "mlir::func::FuncOp"> {
  let summary = "Lower high-level vector ops to what convert-vector-to-llvm takes";
  let description = [{
    Contractions become outer products and then `vector.fma` on rows of
    `vector-width` lanes; row reductions become `vector.reduction`;
    transposes become shuffles; transfers with permutation maps become
    plain loads, stores and broadcasts.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect"];
}

def TickDropInPlaceResults
    : Pass<"tick-drop-in-place-results", "mlir::ModuleOp"> {
  let summary = "Drop entry point results that are their own arguments";
  let description = [{
    After bufferization a train step returns each updated parameter as the
    buffer of its argument (the update was done in place). Such results are
    dropped from every function that no other function calls, and the
    argument is marked `{tick.updated}`: the caller sees its buffer change.
  }];
}

def TickSplitEmptyTensors
    : Pass<"tick-split-empty-tensors", "mlir::func::FuncOp"> {
  let summary = "Give each use of a tensor.empty one of its own";
  let description = [{
    Replaces each `tensor.empty` with more than one use by a copy for each
    use, made just before its user. Run before one-shot bufferization,
    each op's result then gets a buffer of its own instead of the buffer
    of an earlier, dead result of the same shape: no write-after-read
    between ops that share no data, so kernels that share no data can run
    together (the GPU pipeline).
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def TickAddParallelFor : Pass<"tick-add-parallel-for", "mlir::ModuleOp"> {
  let summary = "Add _tick_parallel_for, a loop on the model's threads for "
                "the runtime";
  let description = [{
    Adds `func.func @_tick_parallel_for(%body: !llvm.ptr, %context:
    !llvm.ptr, %count: i64)`, which calls `body(context, i)` for each i in
    [0, count) from an `scf.parallel` loop: lowered with the rest of the
    module, the model library's OpenMP threads run it, each a block of
    indices in thread order (as each compiled loop splits its rows). The
    runtime gathers a batch with it (C: `void (*)(void (*)(void *,
    int64_t), void *, int64_t)`). A module that has the function keeps it.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect", "mlir::scf::SCFDialect"];
}

def TickPackEntryPoints : Pass<"tick-pack-entry-points", "mlir::ModuleOp"> {
  let summary = "Add a void(void **) entry point beside each C interface";
  let description = [{
    For each `llvm.func @_mlir_ciface_NAME` taking N descriptor pointers,
    adds `llvm.func @_tick_packed_NAME(%args: !llvm.ptr)` that loads the N
    pointers from the array and calls it. The runtime can then call any
    compiled function without knowing its arity at build time.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def TickParallelDimsFirst
    : Pass<"tick-parallel-dims-first", "mlir::func::FuncOp"> {
  let summary = "Reorder linalg.generic loops so parallel loops come first";
  let description = [{
    Interchanges the iterators of every `linalg.generic` so that its
    parallel loops are outermost and its reductions innermost, keeping the
    relative order within each kind. Lowered to loops, a column sum (a
    reduction over the batch, then a parallel loop over the columns) is
    then one parallel loop over the columns with a serial reduction in
    each iteration, which the GPU target maps to one thread per column.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def TickGPULaunchLoops : Pass<"tick-gpu-launch-loops", "mlir::func::FuncOp"> {
  let summary = "Run a host function's loops and memory accesses as GPU kernels";
  let description = [{
    For a bufferized function whose ops were lowered to loops: every
    top-level `scf.parallel` becomes a `gpu.launch` with one thread per
    iteration (`block-size` threads per block, the iteration space
    linearized, threads past the end doing nothing). Consecutive host ops
    that touch memory (scalar loads and stores, serial loops) become one
    single-thread launch, together with the effect-free ops that compute
    from what they read. `memref.alloc`, `memref.dealloc` and `memref.copy`
    become `gpu.alloc`, `gpu.dealloc` and `gpu.memcpy`. What stays on the
    host then only computes sizes, addresses and launches: every buffer
    the function sees may be device memory.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block of a parallel loop's launch">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def TickGPUMergeLaunches
    : Pass<"tick-gpu-merge-launches", "mlir::func::FuncOp"> {
  let summary = "Launch independent kernels as one";
  let description = [{
    `gpu.launch` ops with grids and 1-D blocks of constant sizes, static
    workgroup memory at most, no async tokens, and bodies that touch memory
    only through `memref.load`/`memref.store` are grouped. Constants, views
    and allocations of a static size first move to the start of the block;
    any other op is a boundary. Each kernel, in order, joins the nearest
    group before it that admits it, moving up only past groups whose kernels
    neither write what it reads or writes nor read what it writes; a group
    stands where its first kernel was. Then the same runs from the end of
    the block, each launch moving down to join the nearest group after it
    that admits it, the merged launch where the last of them was.

    In a merged launch the grid is the kernels' grids end to end (block `b`
    runs the body of the kernel whose range holds `b`, its block ids
    recovered row-major from `b - start`), the block the largest of theirs,
    the workgroup memory all of theirs (48 KiB at most). A kernel with
    fewer threads than the group's block runs under `thread < its size`;
    only a kernel of at most 8 blocks whose threads do not work together
    (no barriers, no shuffles) may. Buffers are compared by the value they
    view: distinct allocations, and distinct arguments of a compiled
    function (each a tensor of its own), are distinct memory. Adam's
    per-parameter updates, a layer's input and weight gradients, the
    step count and the correct count are such groups.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def TickGPUFuseMultiplyAdd
    : Pass<"tick-gpu-fuse-multiply-add", "mlir::func::FuncOp"> {
  let summary = "Let kernels compute a * b + c as one fused multiply-add";
  let description = [{
    Every floating-point `arith` op inside a `gpu.launch` gets the
    `contract` fast-math flag, so that the NVPTX back end fuses a multiply
    and the add or subtraction that takes its result into one `fma.rn`, as
    nvcc does by default (`-fmad=true`). Without the flag it emits `mul.rn`
    and `add.rn`: two instructions per multiply-add in a matmul's inner
    loop, which ptxas may not fuse either. The fused result is rounded once
    instead of twice; no other fast-math assumption is made.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def TickGPUMergeKernelModules
    : Pass<"tick-gpu-merge-kernel-modules", "mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` gives each kernel a `gpu.module` of its own. This
    pass moves all kernels into the first module, renamed `tick_kernels`,
    and repoints every `gpu.launch_func`: a model then compiles to one
    cubin (and one PTX listing), loaded once.
  }];
}

def TickGPUAlignWorkgroupMemory
    : Pass<"tick-gpu-align-workgroup-memory", "mlir::ModuleOp"> {
  let summary = "Align every kernel's workgroup buffers for vector reads";
  let description = [{
    Gives each workgroup attribution of each `gpu.func` an `llvm.align` of
    at least `alignment` bytes. Without it the NVVM lowering aligns a
    buffer to its element type (4 bytes for f32), and a 16-byte
    `vector.load` from it (the matmul tiles of `tick-gpu-matmul-tiles`)
    would be undefined behaviour.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t",
           /*default=*/"tick::kWorkgroupAlignment",
           "Least alignment of a workgroup buffer, in bytes">
  ];
}

def TickGPULaunchToLoops
    : Pass<"tick-gpu-launch-to-loops", "mlir::ModuleOp"> {
  let summary = "Run gpu.launch kernels on the CPU (for testing)";
  let description = [{
    Replaces each `gpu.launch` by a loop over its blocks, and `gpu.alloc`,
    `gpu.dealloc`, `gpu.memcpy` by their memref forms, so the GPU target's
    kernels, index arithmetic and serial code can be checked against the
    fp64 reference on a machine without a GPU. Everything runs on one
    thread. A block's body is cut at every `gpu.barrier` and at every
    `gpu.shuffle` of a value its own phase computes (shuffles of values
    from earlier phases join the phase they are in) into phases, and each
    phase is a loop over the block's threads, so every thread has done what
    comes before a barrier when any thread goes on past it. A value that one phase computes and a later phase uses
    lives in a buffer with a slot per thread; a shuffle reads its
    partner's slot; workgroup memory is a buffer per kernel that each block
    reuses; values that depend only on block ids, sizes and values from
    outside the kernel are computed once per block, and arithmetic on
    thread ids again in each phase that uses it. Barriers and shuffles
    may be nested in `scf.if` (each phase then runs for the threads that
    take the branch) and in `scf.for` whose bounds are the same for every
    thread of the block (as a barrier on the GPU needs); any other shape
    is an error.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}


def TickGPURowReductions
    : Pass<"tick-gpu-row-reductions", "mlir::func::FuncOp"> {
  let summary = "Reduce each row with a warp: lanes split it, shuffles combine";
  let description = [{
    A `linalg.generic` on buffers with one parallel loop (rows) and one
    reduction loop that runs along contiguous memory (a row's sum, sum of
    squares, maximum: LayerNorm's statistics forward and backward, the
    loss), whose every result is `out + f(...)` or `max(out, f(...))` with
    `f` independent of the outputs, becomes a `gpu.launch` in which each
    warp of 32 threads reduces one row: lane `l` combines elements `l`,
    `l + 32`, ... into a partial result, five `gpu.shuffle xor` steps combine
    the lanes' partials, and lane 0 stores. `rows-per-block` warps make a
    block. Rows up to any width work; the loads of a warp are coalesced.
    A reduction to a scalar (the loss's mean over the batch) is left to
    `tick-gpu-column-reductions`, which gives it a block.
  }];
  let options = [
    Option<"rowsPerBlock", "rows-per-block", "int64_t", /*default=*/"8",
           "Warps (rows) per block">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def TickGPURowKernels : Pass<"tick-gpu-row-kernels", "mlir::func::FuncOp"> {
  let summary = "Run a chain of row-wise ops (LayerNorm, softmax) as one "
                "kernel with a warp per row";
  let description = [{
    Takes runs of consecutive ops over the same rows that contain a
    reduction along the rows: `linalg.generic`s on buffers with static
    ranges, one parallel loop (rows) and at most one more (columns, up to
    `max-columns`, parallel or a float sum or maximum), whose buffers are
    indexed `[row]`, `[row, column]`, `[column]`, `[]` or `[z, row, column]`
    with a constant z (the partial results of a split matmul, whose sum may
    start a run), and copies of one value per row; and row matmuls: matmuls
    reading their left operand by rows with at most `row-matmul-macs`
    multiply-adds a row (the last layer's forward and input gradient; the
    right operand is read whole by every row). LayerNorm forward and
    backward and the loss's softmax are such runs, the last layer's matmul
    and the loss one run with the second LayerNorm. Allocations, ops without
    memory effects and deallocations (moved after the kernel) may sit
    between them, and so may other ops on buffers (the loss's mean between
    the loss and its gradient) when no op of the run after them touches
    what they write or writes what they read: they move after the kernel.

    A run becomes one `gpu.launch` in which a warp owns a row
    (`rows-per-block` warps a block): lane `l` loads its columns once and
    keeps them in registers for every op of the run, in groups of `w`
    neighbours, the widest up to `group-width` that rows of the op's
    length fill (a multiple of 32 w): columns `w l` to `w l + w - 1`, then
    `32 w` further on, ... (`l`, `l + 32`, ... for w = 1). A group of f32
    or i32 elements is one `vector.load` or `vector.store` aligned to its
    size, so buffers must start at 16 bytes. Sums and
    maxima along the row combine with five `gpu.shuffle xor` steps, leaving
    the total in every lane; a row's values (statistics, copies of them)
    live in registers. For a row matmul, each of the k elements of the left
    operand's row reaches every lane by a `gpu.shuffle idx` from the lane
    holding it, and each lane computes its columns of the result from them
    and the right operand, in the order of k. The kernel
    stores what code after the run reads:
    elements by the lane that owns them, a row's values by lane 0.

    A run stops before an op that would let one lane read memory another
    lane of the kernel writes: a reduction or a per-row op reading a row's
    value the run did not compute, a write to a buffer the run read per row
    or per column, or a buffer reached through two different views.
  }];
  let options = [
    Option<"rowsPerBlock", "rows-per-block", "int64_t", /*default=*/"8",
           "Warps (rows) per block">,
    Option<"maxColumns", "max-columns", "int64_t", /*default=*/"1024",
           "Longest row a warp keeps in registers (32 values a lane)">,
    Option<"rowMatmulMacs", "row-matmul-macs", "int64_t",
           /*default=*/"tick::kRowMatmulMacs",
           "Matmuls reading their left operand by rows with at most this "
           "many multiply-adds a row (n x k) are row ops; as in "
           "tick-gpu-matmul-tiles">,
    Option<"maxGroupWidth", "group-width", "int64_t",
           /*default=*/"tick::kRowGroupWidth",
           "Most neighbouring columns a lane holds and moves as one vector "
           "(1, 2 or 4)">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect"];
}

def TickGPUColumnReductions
    : Pass<"tick-gpu-column-reductions", "mlir::func::FuncOp"> {
  let summary = "Reduce across rows with a block per 32 columns: threads "
                "split the rows, a tree in workgroup memory combines";
  let description = [{
    Runs after `tick-gpu-row-reductions` and takes the reductions it leaves:
    a `linalg.generic` on buffers with static loop ranges whose innermost
    loop is its one reduction loop (`tick-parallel-dims-first` puts it there)
    and whose every result is `out + f(...)`, `max(out, f(...))` (f32) or an
    integer `out + f(...)`, with `f` independent of the outputs. The bias
    and LayerNorm-parameter gradients (sums over the batch) and the count of
    correct predictions are such reductions.

    The parallel loops, flattened row-major, are the columns. A block of
    `block-size` threads takes 32 neighbouring columns (fewer when there are
    fewer): lane `l` of slice `s` combines the elements `s`, `s + S`, ... of
    column `l` along the reduction (S = block-size / lanes, even where the
    reduction is shorter: every such kernel has block-size threads, so that
    `tick-gpu-merge-launches` can launch them together) in a register. The
    slices' partial results meet in workgroup memory: log2(S) steps, each
    after a `gpu.barrier`, in which slice `s < h` combines its partial with
    slice `s + h`'s. Slice 0 stores each column's total, combined with the
    output's initial value (read at the source of a broadcast written just
    before, which then goes). The order of the additions is fixed, so the
    result is the same on every run.

    When that makes fewer than `min-blocks` blocks, the rows are split into
    chunks (doubling while every thread keeps a row of each): block (c, z)
    stores the totals of chunk z into a partial result P[z], and an
    elementwise `linalg.generic` over the outputs adds each output's initial
    value and P[0], ..., P[Z-1] in that order (one op per output, so that
    each can go into the op that reads it: `tick-fuse-into-consumers`).
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"1024",
           "Threads per block (a power of two from 32 to 1024)">,
    Option<"minBlocks", "min-blocks", "int64_t", /*default=*/"64",
           "Split the rows into chunks while the blocks are fewer than this">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def TickGPUMatmulTiles : Pass<"tick-gpu-matmul-tiles", "mlir::func::FuncOp"> {
  let summary = "Matmuls as kernels of output tiles staged through "
                "workgroup memory";
  let description = [{
    A `linalg.generic` on buffers computing `C[i, j] += A[i, k] * B[k, j]`
    (the form `linalg.matmul` generalizes to) becomes a `gpu.launch` with a
    block per tile of C (32 x 32 unless said below). For each step of 32
    along k, the block copies a tile of A and of B into workgroup memory,
    both k-major (rows of 32 or 64 padded by 4), each warp reading whole
    32-byte sectors of either layout; waits at a barrier, and each thread
    accumulates its outputs from the tiles, eight steps of k to an
    iteration; elements past the edges read as zero. A thread's outputs
    come in groups of four neighbouring rows or columns, whose operands at
    a step of k are one 16-byte `vector.load` (the buffers are aligned by
    `tick-gpu-align-workgroup-memory`). From 264 blocks (two per
    multiprocessor of an H100), a block has 64 threads of 4 x 4 outputs
    (a read of A and one of B per 16 multiply-adds); with fewer, 256
    threads of 4 x 1 (more warps to hide the latency of the loads). A
    matmul with at least `large-tiles` tiles of 64 x 64 takes those
    instead, each of its 64 threads 8 x 8 outputs (two reads of A and two
    of B per 64 multiply-adds), or with `large-tile-threads=256` each of
    256 threads 4 x 4. Every element of A and B is read from global memory
    once per block instead of once per output.

    A matmul reading its left operand by rows with at most
    `row-matmul-macs` multiply-adds a row (n x k) is left for
    `tick-gpu-row-kernels`, which computes it a warp per row beside the row
    ops around it (both passes take the same bound).

    A matmul whose kernel would have fewer than `min-warps` warps is split
    along k, the number of chunks Z doubled while the warps stay fewer and
    each chunk keeps at least two steps. Chunk z takes steps z * S / Z to
    (z + 1) * S / Z of the S steps, rounded down: chunks differ by a step
    at most, and none holds only zeros past k. Block z writes its chunk's
    sums into a buffer P[z][i][j] allocated before the kernel, and an
    elementwise `linalg.generic` after it sets C[i, j] to C's initial value
    plus P[0][i][j], ..., P[Z-1][i][j] in that order (an op that reads C
    can compute it instead: `tick-fuse-into-consumers`); the buffer is
    freed after it.
  }];
  let options = [
    Option<"minWarps", "min-warps", "int64_t",
           /*default=*/"tick::kMatmulMinWarps",
           "Split k while a matmul's kernel has fewer warps than this "
           "(0: never)">,
    Option<"largeTilesFrom", "large-tiles", "int64_t",
           /*default=*/"tick::kLargeTilesFrom",
           "Matmuls with at least this many 64 x 64 output tiles take them "
           "(0: none)">,
    Option<"largeTileThreads", "large-tile-threads", "int64_t",
           /*default=*/"tick::kLargeTileThreads",
           "Threads of a 64 x 64 tile: 64 (8 x 8 outputs each) or 256 "
           "(4 x 4)">,
    Option<"rowMatmulMacs", "row-matmul-macs", "int64_t",
           /*default=*/"tick::kRowMatmulMacs",
           "Leave to tick-gpu-row-kernels the matmuls reading their left "
           "operand by rows with at most this many multiply-adds a row "
           "(n x k; 0: none)">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect"];
}

def TickWidenReductions
    : Pass<"tick-widen-reductions", "mlir::func::FuncOp"> {
  let summary = "Row reductions keep a vector of partial sums across chunks";
  let description = [{
    A loop that adds each chunk of a row (a `vector.multi_reduction`, or a
    `vector.contract` of a chunk with itself or another: x · x for a
    variance) into a loop-carried accumulator of one element per row
    reduces every chunk across its lanes. Such an accumulator becomes a
    chunk-wide vector of partial sums, one add (or FMA) per chunk, reduced
    across its lanes once after the loop. The sum is reassociated: lane by
    lane over the chunks, then across the lanes.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def TickLowerStridedCopies
    : Pass<"tick-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Copies between non-contiguous memrefs become linalg.copy";
  let description = [{
    A `memref.copy` whose source or target is not one contiguous block
    (rows padded by tick-pad-buffer-rows) becomes a `linalg.copy`, which
    lowers to loops. MLIR would otherwise lower it to a call of the runner
    library's `memrefCopy`, which compiled models do not link.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def TickFoldTransposesIntoMatmuls
    : Pass<"tick-fold-transposes-into-matmuls", "mlir::func::FuncOp"> {
  let summary = "Matmuls read transposed operands in place";
  let description = [{
    A `linalg.matmul` on tensors whose operand is a 2-D `linalg.transpose`
    becomes a `linalg.generic` reading the transpose's input through a
    transposed indexing map; a transpose nothing else reads is erased. On
    the GPU target each folded transpose is a kernel and a round trip
    through memory less; tick-gpu-matmul-tiles reads either layout. On the
    CPU (`dot-product-lanes` set to the vector width) only transposed right
    operands of at least `dot-product-bytes` are folded, where the
    reduction is a whole number of vectors: tick-vectorize computes those
    matmuls as dot products. A smaller weight's transposed copy stays in
    cache, and its matmul is faster as outer products.
  }];
  let options = [
    Option<"dotProductLanes", "dot-product-lanes", "int64_t", /*default=*/"0",
           "Fold only transposed right operands whose reduction size is a "
           "multiple of this (0: fold every transpose)">,
    Option<"dotProductBytes", "dot-product-bytes", "int64_t",
           /*default=*/"tick::kL2CacheBytes",
           "With dot-product-lanes: the smallest right operand folded, in "
           "bytes (default 1 MiB, a core's L2 cache)">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // TICK_TRANSFORMS_PASSES_TD
