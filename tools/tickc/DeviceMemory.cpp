//===- DeviceMemory.cpp - host buffers and their GPU copies ---------------===//

#include "DeviceMemory.h"

#include "Driver.h"

#include "tick/Runtime/Cuda.h"

using namespace tick;

DeviceMemory::~DeviceMemory() {
  for (auto &[host, copy] : copies)
    tickrt_cuda_free(copy.device);
}

int DeviceMemory::place(void *host, size_t bytes, void *&address) {
  if (!onDevice) {
    address = host;
    return kSuccess;
  }
  void *device;
  if (tickrt_cuda_alloc(bytes, &device))
    return fail(kDeviceError, tickrt_last_error());
  copies[host] = {device, bytes};
  address = device;
  return kSuccess;
}

int DeviceMemory::toDevice(const void *host) {
  auto it = copies.find(host);
  if (it == copies.end())
    return kSuccess;
  if (tickrt_cuda_to_device(it->second.device, host, it->second.bytes))
    return fail(kDeviceError, tickrt_last_error());
  return kSuccess;
}

int DeviceMemory::toHost(void *host) {
  auto it = copies.find(host);
  if (it == copies.end())
    return kSuccess;
  if (tickrt_cuda_to_host(host, it->second.device, it->second.bytes))
    return fail(kDeviceError, tickrt_last_error());
  return kSuccess;
}
