// One process of a data-parallel training run: rendezvous through a c10d::TCPStore that rank 0
// hosts at the master address, then a c10d::ProcessGroupGloo for CPU tensors (PyTorch's own
// collectives; NCCL for CUDA tensors where LibTorch was built with it). The c10d types stay in
// the .cpp so that the rest of model/ needs none of their headers.
//
// A collective that fails (a worker died, the connection dropped, nobody answered within the
// timeout) throws DistributedError, naming this rank and the operation.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/types.h>

namespace ssmscope::model {

struct DistributedSpec {
    int rank = 0;
    int world_size = 1;
    std::string master_host = "127.0.0.1";  // where rank 0 hosts the store
    int master_port = 29500;
    std::chrono::seconds timeout{300};  // rendezvous, and any one collective
};

// "HOST:PORT" → host and port; throws InputError naming `what` otherwise.
void parse_master(const std::string& text, const std::string& what, DistributedSpec& spec);

class DistributedError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class ProcessGroup {
  public:
    // Blocks until all world_size processes have joined (or the timeout passes).
    static std::shared_ptr<ProcessGroup> join(const DistributedSpec& spec);
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup&) = delete;
    ProcessGroup& operator=(const ProcessGroup&) = delete;

    int rank() const;
    int size() const;

    // In place, every rank's tensor replaced by the element-wise sum (max) over the ranks.
    void all_reduce_sum(torch::Tensor& t);
    void all_reduce_max(torch::Tensor& t);
    // Starts a sum and returns at once; the returned function waits for it.
    std::function<void()> all_reduce_sum_async(torch::Tensor t);
    // Every rank's tensors replaced by rank 0's.
    void broadcast(std::vector<torch::Tensor>& tensors);

  private:
    struct Impl;
    explicit ProcessGroup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ssmscope::model
