// A stand-in for libnvidia-ml.so.1 with fixed answers, so the dlopen path is
// tested without a GPU. Device 0 supports everything; device 1 (pre-Volta)
// has no energy counter.
#include <cstring>

extern "C" {

struct nvmlDevice_st {
  unsigned index;
};

static nvmlDevice_st devices[2] = {{0}, {1}};
static unsigned long long energy_mj = 1000000;
static int initialized = 0;

int nvmlInit_v2() {
  ++initialized;
  return 0;
}
int nvmlShutdown() {
  --initialized;
  return 0;
}
const char* nvmlErrorString(int rc) { return rc == 3 ? "Not Supported" : "Unknown Error"; }
int nvmlDeviceGetCount_v2(unsigned* count) {
  *count = 2;
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned index, nvmlDevice_st** device) {
  if (index >= 2) return 2;  // NVML_ERROR_INVALID_ARGUMENT
  *device = &devices[index];
  return 0;
}
int nvmlDeviceGetName(nvmlDevice_st* device, char* name, unsigned length) {
  std::strncpy(name, device->index == 0 ? "Fake GPU" : "Fake Old GPU", length);
  return 0;
}
int nvmlDeviceGetPowerUsage(nvmlDevice_st*, unsigned* mw) {
  *mw = 123456;
  return 0;
}
int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_st* device, unsigned long long* mj) {
  if (device->index != 0) return 3;  // NVML_ERROR_NOT_SUPPORTED
  energy_mj += 500;
  *mj = energy_mj;
  return 0;
}
int nvmlDeviceGetTemperature(nvmlDevice_st*, int sensor, unsigned* celsius) {
  if (sensor != 0) return 2;
  *celsius = 61;
  return 0;
}

}  // extern "C"
