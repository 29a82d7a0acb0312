//===- EmbedTrainer.cpp - a model's trainer main() in its module ----------===//
//
// The constants built here must lay out exactly as runtime/include/tick/
// Runtime/Trainer.h's structs do on the target; LLVM's natural struct
// layout matches the C ABI's for these field types (pointers, int, int64_t
// arrays), so the types below list the C fields in order.
//
//===----------------------------------------------------------------------===//

#include "EmbedTrainer.h"

#include "llvm/IR/BasicBlock.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/IRBuilder.h"

using namespace llvm;
using namespace tick;

namespace {

Constant *stringConstant(Module &module, StringRef text, const Twine &name) {
  Constant *data = ConstantDataArray::getString(module.getContext(), text);
  auto *global =
      new GlobalVariable(module, data->getType(), /*isConstant=*/true,
                         GlobalValue::PrivateLinkage, data, name);
  global->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return global;
}

Constant *shapeConstant(ArrayType *type, ArrayRef<int64_t> dims) {
  SmallVector<Constant *> values;
  for (unsigned d = 0; d < type->getNumElements(); ++d)
    values.push_back(ConstantInt::get(type->getElementType(),
                                      d < dims.size() ? dims[d] : 0));
  return ConstantArray::get(type, values);
}

} // namespace

bool tick::embedTrainer(Module &module, const ModelInfo &info,
                        std::string &error) {
  LLVMContext &context = module.getContext();
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  PointerType *ptr = PointerType::get(context, 0);
  ArrayType *shape = ArrayType::get(i64, TICKRT_MAX_RANK);
  // tickrt_trainer_parameter: name, rank, shape, init, fan_in.
  StructType *parameterType =
      StructType::create(context, {ptr, i32, shape, i32, i64},
                         "tickrt_trainer_parameter");
  // tickrt_trainer_model: name, num_parameters, parameters, input_rank,
  // input_shape, classes, batch_size, labels32, optimizer, cuda, forward,
  // train_step, set_num_threads, parallel_for.
  StructType *modelType = StructType::create(
      context,
      {ptr, i32, ptr, i32, shape, i64, i64, i32, ptr, i32, ptr, ptr, ptr, ptr},
      "tickrt_trainer_model");

  Function *forward = module.getFunction("_tick_packed_forward");
  Function *trainStep = module.getFunction("_tick_packed_train_step");
  if (!forward || !trainStep) {
    error = "the compiled model has no forward and train_step entry points";
    return false;
  }

  SmallVector<Constant *> parameters;
  for (const tickrt_trainer_parameter &p : info.parameters)
    parameters.push_back(ConstantStruct::get(
        parameterType,
        {stringConstant(module, p.name, "tick.parameter.name"),
         ConstantInt::get(i32, p.rank),
         shapeConstant(shape, ArrayRef<int64_t>(p.shape, p.rank)),
         ConstantInt::get(i32, p.init), ConstantInt::get(i64, p.fan_in)}));
  ArrayType *parametersType = ArrayType::get(parameterType, parameters.size());
  auto *parameterTable = new GlobalVariable(
      module, parametersType, /*isConstant=*/true, GlobalValue::PrivateLinkage,
      ConstantArray::get(parametersType, parameters), "tick.parameters");

  // CPU code runs on libomp, linked into the trainer; GPU code needs none.
  Constant *setThreads = ConstantPointerNull::get(ptr);
  if (!info.cuda)
    setThreads = cast<Constant>(
        module
            .getOrInsertFunction("omp_set_num_threads",
                                 FunctionType::get(Type::getVoidTy(context),
                                                   {i32}, false))
            .getCallee());
  // tick-add-parallel-for's loop, in CPU code only.
  Constant *parallelFor = ConstantPointerNull::get(ptr);
  if (Function *loop = module.getFunction("_tick_parallel_for"))
    parallelFor = loop;
  Constant *description = ConstantStruct::get(
      modelType,
      {stringConstant(module, info.path, "tick.model.name"),
       ConstantInt::get(i32, info.parameters.size()), parameterTable,
       ConstantInt::get(i32, info.inputShape.size()),
       shapeConstant(shape, info.inputShape), ConstantInt::get(i64, info.classes),
       ConstantInt::get(i64, info.batchSize),
       ConstantInt::get(i32, info.labels32),
       stringConstant(module, info.optimizer, "tick.optimizer"),
       ConstantInt::get(i32, info.cuda), forward, trainStep, setThreads,
       parallelFor});
  auto *model = new GlobalVariable(module, modelType, /*isConstant=*/true,
                                   GlobalValue::PrivateLinkage, description,
                                   "tick.model");

  FunctionCallee trainerMain = module.getOrInsertFunction(
      "tickrt_trainer_main", FunctionType::get(i32, {ptr, i32, ptr}, false));
  Function *main = Function::Create(FunctionType::get(i32, {i32, ptr}, false),
                                    GlobalValue::ExternalLinkage, "main",
                                    module);
  IRBuilder<> b(BasicBlock::Create(context, "entry", main));
  b.CreateRet(b.CreateCall(trainerMain,
                           {model, main->getArg(0), main->getArg(1)}));
  return true;
}
