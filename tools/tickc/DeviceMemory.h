//===- DeviceMemory.h - host buffers and their GPU copies -------*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_DEVICEMEMORY_H
#define TICK_TOOLS_TICKC_DEVICEMEMORY_H

#include <cstddef>
#include <map>

namespace tick {

/// Where compiled code finds the tensors tickc hands it. On the CPU that is
/// the host buffer itself; for --target=cuda each host buffer gets a device
/// copy that the compiled code reads and writes, and tickc moves data
/// across only when it needs it (parameters after initialization and
/// before saving, a batch before each tick, the loss after it).
class DeviceMemory {
public:
  explicit DeviceMemory(bool onDevice = false) : onDevice(onDevice) {}
  ~DeviceMemory();
  DeviceMemory(const DeviceMemory &) = delete;
  DeviceMemory &operator=(const DeviceMemory &) = delete;

  bool usesDevice() const { return onDevice; }
  void useDevice(bool device) { onDevice = device; }

  /// Sets `address` to what compiled code uses for `host`, `bytes` long.
  /// Returns an exit code (Driver.h).
  int place(void *host, size_t bytes, void *&address);
  /// Copies a placed host buffer to its device copy, or back.
  int toDevice(const void *host);
  int toHost(void *host);

private:
  struct Copy {
    void *device;
    size_t bytes;
  };
  bool onDevice;
  std::map<const void *, Copy> copies;
};

} // namespace tick

#endif // TICK_TOOLS_TICKC_DEVICEMEMORY_H
