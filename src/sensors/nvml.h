// NVIDIA GPUs through NVML, loaded with dlopen("libnvidia-ml.so.1") so that
// edgebench neither links against nor requires the NVIDIA driver.
//   "nvml:N"        power, nvmlDeviceGetPowerUsage (mW). On recent GPUs this is
//                   a ~1 s moving average: prefer the counter for short runs.
//   "nvml:N:energy" counter, nvmlDeviceGetTotalEnergyConsumption (mJ, Volta+)
//   "nvml:N:temp"   temperature, nvmlDeviceGetTemperature(sensor 0 = GPU) (°C)
// ("nvml:N:power" is accepted as a synonym of "nvml:N".)
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensors/source.h"

namespace eb::sensors {

struct NvmlOptions {
  std::string library = "libnvidia-ml.so.1";  // a name for dlopen or a path (tests use a fake)
};

// Every device's sources; where NVML itself cannot be used, one unavailable
// entry with id "nvml" and the reason ("NVML not available: ... not found").
std::vector<SourceInfo> list_nvml(const NvmlOptions& options = {});

Result<std::unique_ptr<Source>> open_nvml(std::string_view id, const NvmlOptions& options = {});

}  // namespace eb::sensors
