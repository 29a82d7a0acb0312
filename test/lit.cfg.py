# -*- Python -*-
# lit configuration of the Tick regression tests.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Tick"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tick_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%tick_src", config.tick_src_root))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%tick_tools", config.tick_tools_dir))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["tick-opt", "tickc", "tick-check-numerics"], [config.tick_tools_dir])
config.substitutions.append(
    ("%expect-exit", config.python_executable + " " +
     os.path.join(config.tick_src_root, "utils", "expect-exit.py")))
config.substitutions.append(
    ("%make-idx", config.python_executable + " " +
     os.path.join(config.tick_src_root, "utils", "make-idx.py")))

# mlir-runner and the libraries it needs, to run lowered test code.
llvm_lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
config.substitutions.append(("%mlir_runner_libs", ",".join(
    os.path.join(llvm_lib_dir, lib) for lib in
    ["libmlir_c_runner_utils.so", "libmlir_runner_utils.so", "libomp.so"])))

# scripts/test-sanitizers runs the suite on its build: its tools reserve
# address space a test that limits it cannot give them.
if os.environ.get("TICK_SANITIZED"):
    config.available_features.add("sanitized")

# Optional parts of the suite, present when setup has installed them.
import subprocess
if subprocess.run([config.python_executable, "-c", "import torch"],
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("torch")
config.fashion_mnist = "/usr/share/datasets/fashion-mnist"
if os.path.isdir(config.fashion_mnist):
    config.available_features.add("fashion-mnist")
    config.substitutions.append(("%fashion_mnist", config.fashion_mnist))

# The CUDA toolkit (libdevice and ptxas) lets --target=cuda compile; a GPU
# with its driver lets the result run.
cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
if os.path.exists(os.path.join(cuda_home, "nvvm", "libdevice", "libdevice.10.bc")):
    config.available_features.add("cuda-toolkit")
    config.environment["CUDA_HOME"] = cuda_home
    sanitizer = os.path.join(cuda_home, "bin", "compute-sanitizer")
    if os.access(sanitizer, os.X_OK):
        config.available_features.add("compute-sanitizer")
        config.substitutions.append(("%compute-sanitizer", sanitizer))

# A CUDA driver without a GPU that counts calls (test/Runtime/fake-cuda.cpp).
config.substitutions.append(
    ("%fake_cuda_dir", os.path.join(config.tick_obj_root, "test", "fake-cuda")))

# A CUDA driver (libcuda.so.1) and, with it, a GPU that initializes.
import ctypes
try:
    libcuda = ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
    count = ctypes.c_int(0)
    if libcuda.cuInit(0) == 0 and libcuda.cuDeviceGetCount(ctypes.byref(count)) == 0 \
            and count.value > 0:
        config.available_features.add("cuda")
except OSError:
    pass
