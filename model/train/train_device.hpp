// The device a run trains on and the bf16 autocast its forwards run under (on CUDA by default,
// as mixed-precision training of Mamba does; on the CPU when asked for).
#pragma once

#include <string>

#include <torch/types.h>

namespace ssmscope::model {

// "cpu" or "cuda"; throws InputError when CUDA is asked for and there is none.
torch::Device resolve_device(const std::string& name);

// Whether forwards on `device` run under bf16 autocast for TrainOptions::precision `precision`.
bool bf16_autocast(const std::string& precision, const torch::Device& device);

// bf16 autocast on `device` for the guard's lifetime when `on`.
class Autocast {
  public:
    Autocast(const torch::Device& device, bool on);
    ~Autocast();
    Autocast(const Autocast&) = delete;
    Autocast& operator=(const Autocast&) = delete;

  private:
    bool on_, cuda_;
};

}  // namespace ssmscope::model
