// The processes of a run as the trainer sees them: one process, or the ranks of a data-parallel
// ProcessGroup. Every collective is the identity for a single process, so the trainer calls
// them unconditionally; the only question it asks about its rank is lead(): who writes the run
// directory and reports.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace ssmscope::model {

class GradientSync;
class ProcessGroup;

class Collectives {
  public:
    explicit Collectives(std::shared_ptr<ProcessGroup> group = nullptr);  // null: one process
    ~Collectives();
    Collectives(Collectives&&) noexcept;
    Collectives& operator=(Collectives&&) noexcept;

    int rank() const;
    int world() const;
    bool lead() const;  // rank 0, or the only process

    // This rank's rows of a global batch: [rank·rows, (rank+1)·rows) with rows = batch / world.
    // Throws InputError when the batch does not split evenly.
    std::int64_t rows_of(std::int64_t batch) const;
    // This rank's share [first, end) of n items, the shares of all ranks covering [0, n).
    std::pair<std::int64_t, std::int64_t> share_of(std::int64_t n) const;

    double mean(double v);  // over the ranks
    double sum(double v);
    // Stop and pause as any rank asked: every rank then takes the same branch.
    std::pair<bool, bool> agree(bool stop, bool pause);
    // The smallest and largest `step` over the ranks.
    std::pair<std::int64_t, std::int64_t> range_of(std::int64_t step);
    // Every rank's tensors replaced by the lead's.
    void broadcast_from_lead(std::vector<torch::Tensor> tensors);

    // From now on the gradients of `params` are averaged over the ranks (GradientSync), bucketed
    // and overlapped with the backward; around each backward call before_backward(last) and
    // after_backward(last), `last` being the micro-batch that completes the step.
    void average_gradients_of(const std::vector<torch::Tensor>& params);
    void before_backward(bool last);
    void after_backward(bool last);

  private:
    bool alone() const { return world() == 1; }  // a group of one needs no collective

    std::shared_ptr<ProcessGroup> group_;
    std::unique_ptr<GradientSync> sync_;
};

}  // namespace ssmscope::model
