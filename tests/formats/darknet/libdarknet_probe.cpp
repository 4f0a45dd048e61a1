#include "libdarknet_probe.h"

#include <filesystem>

#if defined(EB_LIBDARKNET_PATH) && __has_include(<darknet.h>)

#include <darknet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace eb::darknet_test {
namespace {

constexpr const char* kLibrary = EB_LIBDARKNET_PATH;  // set by CMake
constexpr const char* kDataDir = "/usr/share/darknet";

using Parse = network* (*)(char*);
using Load = void (*)(network*, char*);
using Predict = float* (*)(network*, float*);

struct Library {
  Parse parse = nullptr;
  Load load = nullptr;
  Predict predict = nullptr;
};

void put(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n <= 0) _exit(3);
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

void put_floats(int fd, const float* data, int count) {
  put(fd, &count, sizeof count);
  if (count > 0) put(fd, data, sizeof(float) * static_cast<std::size_t>(count));
}

std::string read_all(int fd) {
  std::string bytes;
  char buffer[1 << 16];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) bytes.append(buffer, static_cast<std::size_t>(n));
  return bytes;
}

// A worker: parse (and load), then stream every layer to `fd`.
[[noreturn]] void run_worker(int fd, const Library& lib, ProbeRequest r) {
  network* net = lib.parse(const_cast<char*>(r.cfg_path.c_str()));
  if (!r.weights_path.empty()) lib.load(net, const_cast<char*>(r.weights_path.c_str()));
  if (!r.input.empty()) {
    if (static_cast<int>(r.input.size()) != net->inputs) _exit(7);
    lib.predict(net, r.input.data());
  }
  const bool arrays = !r.weights_path.empty();
  put(fd, &net->n, sizeof net->n);
  for (int i = 0; i < net->n; ++i) {
    const layer& l = net->layers[i];
    const bool output = std::find(r.outputs.begin(), r.outputs.end(), i) != r.outputs.end();
    const int head[8] = {l.type, l.out_c, l.out_h, l.out_w, l.outputs, l.batch_normalize, arrays ? 1 : 0, output ? 1 : 0};
    put(fd, head, sizeof head);
    if (output) put_floats(fd, l.output, l.outputs);
    if (!arrays) continue;
    int n = 0, nweights = 0;
    if (l.type == CONVOLUTIONAL) {
      n = l.n;
      nweights = l.nweights;
    } else if (l.type == CONNECTED) {
      n = l.outputs;
      nweights = l.inputs * l.outputs;
    } else if (l.type == BATCHNORM) {
      n = l.c;
    }
    const bool bn = l.batch_normalize || l.type == BATCHNORM;
    put_floats(fd, l.biases, l.type == BATCHNORM ? 0 : n);
    put_floats(fd, l.scales, bn ? n : 0);
    put_floats(fd, l.rolling_mean, bn ? n : 0);
    put_floats(fd, l.rolling_variance, bn ? n : 0);
    put_floats(fd, l.weights, nweights);
  }
  _exit(0);
}

// The child that loads the library once; per request it forks a worker and
// sends the parent one frame: int32 exit status (-1: no library), uint64
// size, the worker's bytes.
[[noreturn]] void run_zygote(int fd, const std::vector<ProbeRequest>& requests) {
  const int null_fd = ::open("/dev/null", O_WRONLY);
  ::dup2(null_fd, 1);
  ::dup2(null_fd, 2);
  void* handle = ::chdir(kDataDir) == 0 ? ::dlopen(kLibrary, RTLD_NOW) : nullptr;  // cfgs name data/9k.tree etc.
  Library lib;
  if (handle) {
    lib.parse = reinterpret_cast<Parse>(::dlsym(handle, "parse_network_cfg"));
    lib.load = reinterpret_cast<Load>(::dlsym(handle, "load_weights"));
    lib.predict = reinterpret_cast<Predict>(::dlsym(handle, "network_predict"));
  }
  for (const ProbeRequest& r : requests) {
    int32_t status = -1;
    std::string bytes;
    int pipe_fds[2];
    if (lib.parse && lib.load && lib.predict && ::pipe(pipe_fds) == 0) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::close(pipe_fds[0]);
        run_worker(pipe_fds[1], lib, r);
      }
      ::close(pipe_fds[1]);
      bytes = read_all(pipe_fds[0]);
      ::close(pipe_fds[0]);
      int wstatus = 0;
      ::waitpid(pid, &wstatus, 0);
      status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 1000 + WTERMSIG(wstatus);
    }
    const uint64_t size = bytes.size();
    put(fd, &status, sizeof status);
    put(fd, &size, sizeof size);
    put(fd, bytes.data(), bytes.size());
  }
  _exit(0);
}

class Reader {
 public:
  Reader(const std::string& bytes, std::size_t pos, std::size_t end) : bytes_(bytes), pos_(pos), end_(end) {}
  bool get(void* out, std::size_t size) {
    if (end_ - pos_ < size) return false;
    std::memcpy(out, bytes_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  bool floats(std::vector<float>& out) {
    int count = 0;
    if (!get(&count, sizeof count) || count < 0) return false;
    out.resize(static_cast<std::size_t>(count));
    return count == 0 || get(out.data(), sizeof(float) * out.size());
  }
  std::size_t pos() const { return pos_; }

 private:
  const std::string& bytes_;
  std::size_t pos_, end_;
};

Result<std::vector<DarknetLayer>> decode(const std::string& bytes, std::size_t begin, std::size_t end) {
  Reader r(bytes, begin, end);
  int count = 0;
  if (!r.get(&count, sizeof count) || count < 0) return internal_error("libdarknet worker sent nothing");
  std::vector<DarknetLayer> layers(static_cast<std::size_t>(count));
  for (DarknetLayer& l : layers) {
    int head[8];
    if (!r.get(head, sizeof head)) return internal_error("libdarknet worker sent a short reply");
    l = DarknetLayer{head[0], head[1], head[2], head[3], head[4], head[5] != 0, {}, {}, {}, {}, {}, {}};
    if (head[7] && !r.floats(l.output)) return internal_error("libdarknet worker sent a short reply");
    if (head[6] && !(r.floats(l.biases) && r.floats(l.scales) && r.floats(l.rolling_mean) &&
                     r.floats(l.rolling_variance) && r.floats(l.weights)))
      return internal_error("libdarknet worker sent a short reply");
  }
  return layers;
}

}  // namespace

bool libdarknet_available() { return std::filesystem::exists(kLibrary); }

std::vector<Result<std::vector<DarknetLayer>>> probe_libdarknet_all(const std::vector<ProbeRequest>& requests) {
  std::vector<ProbeRequest> absolute;
  for (ProbeRequest r : requests) {
    r.cfg_path = std::filesystem::absolute(r.cfg_path).string();
    if (!r.weights_path.empty()) r.weights_path = std::filesystem::absolute(r.weights_path).string();
    absolute.push_back(std::move(r));
  }
  std::vector<Result<std::vector<DarknetLayer>>> results;
  int fds[2];
  if (::pipe(fds) != 0) return std::vector<Result<std::vector<DarknetLayer>>>(requests.size(), io_error("pipe failed"));
  const pid_t pid = ::fork();
  if (pid < 0) return std::vector<Result<std::vector<DarknetLayer>>>(requests.size(), io_error("fork failed"));
  if (pid == 0) {
    ::close(fds[0]);
    run_zygote(fds[1], absolute);
  }
  ::close(fds[1]);
  const std::string bytes = read_all(fds[0]);
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  std::size_t pos = 0;
  for (const ProbeRequest& r : requests) {
    int32_t status = 0;
    uint64_t size = 0;
    if (bytes.size() - pos < sizeof status + sizeof size) {
      results.push_back(internal_error("libdarknet child died before " + r.cfg_path));
      continue;
    }
    std::memcpy(&status, bytes.data() + pos, sizeof status);
    std::memcpy(&size, bytes.data() + pos + sizeof status, sizeof size);
    pos += sizeof status + sizeof size;
    const std::size_t end = std::min<std::size_t>(bytes.size(), pos + size);
    if (status == -1) {
      results.push_back(internal_error(std::string("cannot load ") + kLibrary));
    } else if (status != 0) {
      results.push_back(internal_error("libdarknet on " + r.cfg_path +
                                       (status >= 1000 ? " died of signal " + std::to_string(status - 1000)
                                                       : " exited with " + std::to_string(status))));
    } else {
      results.push_back(decode(bytes, pos, end));
    }
    pos = end;
  }
  return results;
}

}  // namespace eb::darknet_test

#else  // no libdarknet at build time: every comparison skips

namespace eb::darknet_test {

bool libdarknet_available() { return false; }

std::vector<Result<std::vector<DarknetLayer>>> probe_libdarknet_all(const std::vector<ProbeRequest>& requests) {
  return std::vector<Result<std::vector<DarknetLayer>>>(requests.size(), unsupported("built without libdarknet"));
}

}  // namespace eb::darknet_test

#endif

namespace eb::darknet_test {

const char* darknet_cfg_dir() { return "/usr/share/darknet/cfg"; }

Result<std::vector<DarknetLayer>> probe_libdarknet(const std::string& cfg_path, const std::string& weights_path) {
  return std::move(probe_libdarknet_all({{cfg_path, weights_path, {}, {}}})[0]);
}

}  // namespace eb::darknet_test
