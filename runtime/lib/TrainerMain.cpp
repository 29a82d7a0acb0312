//===- TrainerMain.cpp - the command line of a standalone trainer ---------===//
//
// `tickc compile --emit=exe` links a model's compiled code with this
// runtime into one executable whose main() calls tickrt_trainer_main: it
// trains (or evaluates) with the options tickc train takes, minus those
// that choose what to compile (batch size, optimizer, target), which were
// fixed when it was built.
//
//===----------------------------------------------------------------------===//

#include "tick/Runtime/Trainer.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr const char *kDefaultData = "/usr/share/datasets/fashion-mnist";

void printHelp(const tickrt_trainer_model &m, const char *program) {
  std::printf(
      "%s: a standalone Tick trainer for %s\n"
      "(batch %lld, %s%s, built by tickc compile --emit=exe)\n\n"
      "  %s [--epochs N | --ticks N] [--save FILE] [--resume FILE] [options]\n"
      "  %s --eval --weights FILE [--data DIR]\n\n"
      "  --data DIR        directory of the four MNIST-style IDX files, raw or "
      ".gz\n"
      "                    (default %s)\n"
      "  --epochs N        epochs to run (default 10 unless --ticks is given)\n"
      "  --ticks N         ticks (train steps) to run instead\n"
      "  --seed N          seed of initialization and shuffling (default 0)\n"
      "  --no-shuffle      batches in file order\n"
      "  --weights FILE    start from these weights (safetensors); with "
      "--eval, the\n"
      "                    weights to test\n"
      "  --save FILE       save weights, optimizer state and position at the "
      "end\n"
      "  --save-every N    also save every N ticks\n"
      "  --resume FILE     continue from a file written by --save\n"
      "  --metrics FILE    append a JSON line per tick and per epoch\n"
      "  --threads N       OpenMP threads (CPU code; default: all cores)\n"
      "  --eval            report test loss and accuracy of --weights\n"
      "  --bench-forward N time N calls of forward on synthetic inputs (no "
      "data)\n"
      "  --help            this text\n\n"
      "Exit codes: 0 success; 2 a bad command line; 3 a file that cannot be "
      "read\nor written, or is malformed; 5 no GPU or driver, or the GPU "
      "failed.\n",
      program, m.name, static_cast<long long>(m.batch_size),
      m.optimizer ? m.optimizer : "no optimizer",
      m.cuda ? ", NVIDIA GPU" : ", CPU", program, program, kDefaultData);
}

int usage(const char *program, const std::string &message) {
  std::fprintf(stderr, "%s: error: %s (--help lists the options)\n", program,
               message.c_str());
  return TICKRT_EXIT_USAGE;
}

bool parseCount(const char *text, int64_t &out) {
  if (!text || !*text || *text == '-')
    return false;
  char *end;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (*end || errno)
    return false;
  out = v;
  return true;
}

} // namespace

extern "C" int tickrt_trainer_main(const tickrt_trainer_model *model, int argc,
                                   char **argv) {
  const char *program = argc > 0 ? argv[0] : "tick-trainer";
  if (const char *slash = std::strrchr(program, '/'))
    program = slash + 1;
  tickrt_train_options o{};
  o.program = program;
  o.data = kDefaultData;
  o.shuffle = 1;
  bool evaluate = false;
  int64_t threads = 0, benchCalls = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool inlineValue = false;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 &&
                                   eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inlineValue = true;
    }
    auto next = [&](const char *&out) {
      if (inlineValue) {
        // Kept alive by argv: point into the argument after '='.
        out = argv[i] + (std::strlen(argv[i]) - value.size());
        return true;
      }
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    auto count = [&](int64_t &out) {
      const char *text;
      return next(text) && parseCount(text, out);
    };
    const char *text = nullptr;
    if (arg == "--help" || arg == "-h") {
      printHelp(*model, program);
      return TICKRT_EXIT_OK;
    } else if (arg == "--eval") {
      evaluate = true;
    } else if (arg == "--no-shuffle") {
      o.shuffle = 0;
    } else if (arg == "--data") {
      if (!next(o.data))
        return usage(program, "--data needs a directory");
    } else if (arg == "--save" || arg == "--resume" || arg == "--weights" ||
               arg == "--metrics") {
      if (!next(text))
        return usage(program, arg + " needs a file");
      (arg == "--save"      ? o.save
       : arg == "--resume"  ? o.resume
       : arg == "--weights" ? o.weights
                            : o.metrics) = text;
    } else if (arg == "--epochs" || arg == "--ticks" || arg == "--save-every" ||
               arg == "--threads" || arg == "--bench-forward") {
      int64_t &out = arg == "--epochs"          ? o.epochs
                     : arg == "--ticks"         ? o.ticks
                     : arg == "--threads"       ? threads
                     : arg == "--bench-forward" ? benchCalls
                                                : o.save_every;
      if (!count(out))
        return usage(program, arg + " needs a count (a whole number, 0 or more)");
    } else if (arg == "--seed") {
      int64_t seed;
      if (!count(seed))
        return usage(program, "--seed needs a whole number");
      o.seed = static_cast<uint64_t>(seed);
    } else {
      return usage(program, "unknown argument '" + std::string(argv[i]) + "'");
    }
  }
  if (threads > 4096)
    return usage(program, "--threads must be between 0 and 4096");
  o.threads = static_cast<int>(threads);
  if (benchCalls)
    return tickrt_bench_forward(model, &o, benchCalls);
  if (evaluate) {
    if (!o.weights)
      return usage(program, "--eval needs --weights FILE");
    return tickrt_evaluate(model, &o);
  }
  if (o.epochs && o.ticks)
    return usage(program, "give --epochs or --ticks, not both");
  if (o.resume && o.weights)
    return usage(program, "--resume restores the weights: drop --weights");
  if (o.save_every && !o.save)
    return usage(program, "--save-every needs --save FILE");
  return tickrt_train(model, &o);
}
