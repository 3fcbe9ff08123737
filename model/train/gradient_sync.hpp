// Data-parallel gradient averaging over a ProcessGroup, bucketed and overlapped with the
// backward pass, in the manner of PyTorch's DistributedDataParallel: the parameters are packed
// into buckets of about 25 MB in reverse order (the order the backward produces their
// gradients), a hook after each parameter's gradient accumulation copies it into its bucket, and
// a bucket whose gradients are all there is all-reduced at once while the backward goes on.
// Buckets start in index order on every rank, so the ranks' collectives always match.
//
// c10d::Reducer does this inside PyTorch, but Debian's LibTorch ships its header without the
// distributed-autograd header it includes, so it cannot be compiled against; this class keeps
// to the public autograd hooks and c10d collectives.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/types.h>

#include "model/train/process_group.hpp"

namespace ssmscope::model {

class GradientSync {
  public:
    GradientSync(const std::vector<torch::Tensor>& params, std::shared_ptr<ProcessGroup> group,
                 std::int64_t bucket_bytes = std::int64_t{25} << 20);
    ~GradientSync();
    GradientSync(const GradientSync&) = delete;
    GradientSync& operator=(const GradientSync&) = delete;

    // Before a backward pass: whether the gradients it completes are to be averaged (the last
    // micro-batch of a step; the others only accumulate locally, as DDP's no_sync).
    void prepare(bool sync);
    // After the synchronising backward: waits for the all-reduces and leaves in every
    // parameter's .grad the mean over the ranks of their accumulated gradients.
    void finish();

    std::int64_t buckets() const;

    struct State;  // shared with the autograd hooks, which may outlive this object

  private:
    std::shared_ptr<State> state_;
};

}  // namespace ssmscope::model
