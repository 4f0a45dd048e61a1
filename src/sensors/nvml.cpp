#include "sensors/nvml.h"

#include <dlfcn.h>

#include <charconv>

namespace eb::sensors {

namespace {

// The handful of NVML declarations used, written out here so that no NVIDIA
// header is needed to build. Values are from NVML's public API.
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr int kNvmlTemperatureGpu = 0;

using InitFn = nvmlReturn_t (*)();
using ShutdownFn = nvmlReturn_t (*)();
using ErrorStringFn = const char* (*)(nvmlReturn_t);
using GetCountFn = nvmlReturn_t (*)(unsigned int*);
using GetHandleFn = nvmlReturn_t (*)(unsigned int, nvmlDevice_t*);
using GetNameFn = nvmlReturn_t (*)(nvmlDevice_t, char*, unsigned int);
using GetPowerFn = nvmlReturn_t (*)(nvmlDevice_t, unsigned int*);
using GetEnergyFn = nvmlReturn_t (*)(nvmlDevice_t, unsigned long long*);
using GetTemperatureFn = nvmlReturn_t (*)(nvmlDevice_t, int, unsigned int*);

// One dlopen'ed and initialized NVML; shut down and closed when the last
// source using it goes away.
class Nvml {
 public:
  static Result<std::shared_ptr<Nvml>> load(const std::string& library) {
    void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* err = ::dlerror();
      std::string why = err ? err : "";
      if (why.empty() || why.find("No such file") != std::string::npos) {
        return unsupported("NVML not available: " + library + " not found");
      }
      return unsupported("NVML not available: " + why);
    }
    auto nvml = std::shared_ptr<Nvml>(new Nvml(handle));
    EB_RETURN_IF_ERROR(nvml->bind(library));
    if (nvmlReturn_t rc = nvml->init_(); rc != kNvmlSuccess) {
      return unsupported("NVML not available: nvmlInit_v2 failed: " + nvml->error(rc) +
                         " (is the NVIDIA driver loaded?)");
    }
    nvml->init_ok_ = true;
    return nvml;
  }

  ~Nvml() {
    if (init_ok_ && shutdown_) shutdown_();
    ::dlclose(handle_);
  }
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;

  std::string error(nvmlReturn_t rc) const {
    if (error_string_) {
      if (const char* s = error_string_(rc)) return s;
    }
    return "NVML error " + std::to_string(rc);
  }

  Result<unsigned> device_count() const {
    unsigned count = 0;
    if (nvmlReturn_t rc = get_count_(&count); rc != kNvmlSuccess) {
      return io_error("nvmlDeviceGetCount_v2 failed: " + error(rc));
    }
    return count;
  }

  Result<nvmlDevice_t> device(unsigned index) const {
    nvmlDevice_t device = nullptr;
    if (nvmlReturn_t rc = get_handle_(index, &device); rc != kNvmlSuccess) {
      return not_found("NVML device " + std::to_string(index) + ": " + error(rc));
    }
    return device;
  }

  std::string name(nvmlDevice_t device) const {
    char buffer[96] = {};
    if (get_name_ && get_name_(device, buffer, sizeof buffer) == kNvmlSuccess) return buffer;
    return "NVIDIA GPU";
  }

  Result<double> read(nvmlDevice_t device, Kind kind) const {
    nvmlReturn_t rc = kNvmlSuccess;
    switch (kind) {
      case Kind::power: {
        unsigned mw = 0;
        if ((rc = get_power_(device, &mw)) == kNvmlSuccess) return mw * 1e-3;
        return io_error("nvmlDeviceGetPowerUsage: " + error(rc));
      }
      case Kind::energy_counter: {
        if (!get_energy_) return unsupported("this NVML has no nvmlDeviceGetTotalEnergyConsumption");
        unsigned long long mj = 0;
        if ((rc = get_energy_(device, &mj)) == kNvmlSuccess) return static_cast<double>(mj) * 1e-3;
        return io_error("nvmlDeviceGetTotalEnergyConsumption: " + error(rc) + " (needs Volta or newer)");
      }
      case Kind::temperature: {
        unsigned c = 0;
        if ((rc = get_temperature_(device, kNvmlTemperatureGpu, &c)) == kNvmlSuccess) return double(c);
        return io_error("nvmlDeviceGetTemperature: " + error(rc));
      }
    }
    return internal_error("unknown sensor kind");
  }

 private:
  explicit Nvml(void* handle) : handle_(handle) {}

  template <typename Fn>
  Fn symbol(const char* name) {
    return reinterpret_cast<Fn>(::dlsym(handle_, name));
  }

  Status bind(const std::string& library) {
    init_ = symbol<InitFn>("nvmlInit_v2");
    shutdown_ = symbol<ShutdownFn>("nvmlShutdown");
    get_count_ = symbol<GetCountFn>("nvmlDeviceGetCount_v2");
    get_handle_ = symbol<GetHandleFn>("nvmlDeviceGetHandleByIndex_v2");
    get_power_ = symbol<GetPowerFn>("nvmlDeviceGetPowerUsage");
    get_temperature_ = symbol<GetTemperatureFn>("nvmlDeviceGetTemperature");
    // Optional: older drivers lack the energy counter; names are cosmetic.
    get_energy_ = symbol<GetEnergyFn>("nvmlDeviceGetTotalEnergyConsumption");
    get_name_ = symbol<GetNameFn>("nvmlDeviceGetName");
    error_string_ = symbol<ErrorStringFn>("nvmlErrorString");
    const std::pair<const char*, bool> required[] = {
        {"nvmlInit_v2", init_ != nullptr},
        {"nvmlShutdown", shutdown_ != nullptr},
        {"nvmlDeviceGetCount_v2", get_count_ != nullptr},
        {"nvmlDeviceGetHandleByIndex_v2", get_handle_ != nullptr},
        {"nvmlDeviceGetPowerUsage", get_power_ != nullptr},
        {"nvmlDeviceGetTemperature", get_temperature_ != nullptr},
    };
    for (const auto& [name, found] : required) {
      if (!found) return unsupported("NVML not available: " + library + " lacks " + name);
    }
    return Status::ok();
  }

  void* handle_;
  bool init_ok_ = false;  // nvmlShutdown only after a successful nvmlInit_v2
  InitFn init_ = nullptr;
  ShutdownFn shutdown_ = nullptr;
  ErrorStringFn error_string_ = nullptr;
  GetCountFn get_count_ = nullptr;
  GetHandleFn get_handle_ = nullptr;
  GetNameFn get_name_ = nullptr;
  GetPowerFn get_power_ = nullptr;
  GetEnergyFn get_energy_ = nullptr;
  GetTemperatureFn get_temperature_ = nullptr;
};

class NvmlSource final : public Source {
 public:
  NvmlSource(std::shared_ptr<Nvml> nvml, nvmlDevice_t device, SourceInfo info)
      : nvml_(std::move(nvml)), device_(device), info_(std::move(info)) {}

  const SourceInfo& info() const override { return info_; }
  Result<double> read() override { return nvml_->read(device_, info_.kind); }

 private:
  std::shared_ptr<Nvml> nvml_;
  nvmlDevice_t device_;
  SourceInfo info_;
};

struct Parsed {
  unsigned index;
  Kind kind;
};

Result<Parsed> parse_id(std::string_view id) {
  auto bad = [&] {
    return invalid_argument("bad NVML source '" + std::string(id) +
                            "': expected nvml:N, nvml:N:power, nvml:N:energy or nvml:N:temp");
  };
  if (!id.starts_with("nvml:")) return bad();
  std::string_view rest = id.substr(5);
  std::string_view suffix;
  if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    suffix = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  unsigned index = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
  if (rest.empty() || ec != std::errc() || ptr != rest.data() + rest.size()) return bad();
  if (suffix.empty() || suffix == "power") return Parsed{index, Kind::power};
  if (suffix == "energy") return Parsed{index, Kind::energy_counter};
  if (suffix == "temp") return Parsed{index, Kind::temperature};
  return bad();
}

std::string id_for(unsigned index, Kind kind) {
  std::string id = "nvml:" + std::to_string(index);
  if (kind == Kind::energy_counter) id += ":energy";
  if (kind == Kind::temperature) id += ":temp";
  return id;
}

SourceInfo probe(const Nvml& nvml, nvmlDevice_t device, unsigned index, Kind kind) {
  SourceInfo info;
  info.id = id_for(index, kind);
  info.kind = kind;
  info.description = nvml.name(device) + " (NVML device " + std::to_string(index) + ")";
  if (auto value = nvml.read(device, kind); value) {
    info.available = true;
  } else {
    info.reason = value.status().message();
  }
  return info;
}

}  // namespace

std::vector<SourceInfo> list_nvml(const NvmlOptions& options) {
  auto nvml = Nvml::load(options.library);
  if (!nvml) {
    SourceInfo info;
    info.id = "nvml";
    info.kind = Kind::power;
    info.description = options.library;
    info.reason = nvml.status().message();
    return {info};
  }
  std::vector<SourceInfo> out;
  auto count = (*nvml)->device_count();
  if (!count) {
    SourceInfo info;
    info.id = "nvml";
    info.description = options.library;
    info.reason = count.status().message();
    return {info};
  }
  for (unsigned i = 0; i < *count; ++i) {
    auto device = (*nvml)->device(i);
    for (Kind kind : {Kind::power, Kind::energy_counter, Kind::temperature}) {
      if (device) {
        out.push_back(probe(**nvml, *device, i, kind));
      } else {
        out.push_back({id_for(i, kind), kind, "NVML device " + std::to_string(i), false,
                       device.status().message()});
      }
    }
  }
  return out;
}

Result<std::unique_ptr<Source>> open_nvml(std::string_view id, const NvmlOptions& options) {
  EB_ASSIGN_OR_RETURN(Parsed parsed, parse_id(id));
  EB_ASSIGN_OR_RETURN(std::shared_ptr<Nvml> nvml, Nvml::load(options.library));
  EB_ASSIGN_OR_RETURN(unsigned count, nvml->device_count());
  if (parsed.index >= count) {
    return not_found("no NVML device " + std::to_string(parsed.index) + " (" + std::to_string(count) +
                     " found)");
  }
  EB_ASSIGN_OR_RETURN(nvmlDevice_t device, nvml->device(parsed.index));
  SourceInfo info = probe(*nvml, device, parsed.index, parsed.kind);
  if (!info.available) return unsupported(info.id + " is unavailable: " + info.reason);
  return std::unique_ptr<Source>(std::make_unique<NvmlSource>(std::move(nvml), device, std::move(info)));
}

}  // namespace eb::sensors
