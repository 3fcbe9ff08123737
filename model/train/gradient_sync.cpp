#include "model/train/gradient_sync.hpp"

#include <mutex>

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/torch.h>

namespace ssmscope::model {

struct GradientSync::State {
    struct Bucket {
        std::vector<std::size_t> params;  // indices into `params`
        torch::Tensor flat;               // the gradients, packed
        std::int64_t pending = 0;         // gradients not yet packed in this backward
        std::function<void()> wait;       // set once the all-reduce started
    };
    std::vector<torch::Tensor> params;
    std::vector<std::size_t> bucket_of, offset_of;  // per parameter
    std::vector<bool> packed;                       // per parameter, this backward
    std::vector<Bucket> buckets;
    std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;  // kept alive: the hooks
    std::shared_ptr<ProcessGroup> group;
    std::size_t next = 0;  // the next bucket to start
    bool sync = false;
    std::mutex mutex;

    void pack(std::size_t i) {
        const torch::Tensor& g = params[i].grad();
        Bucket& b = buckets[bucket_of[i]];
        torch::Tensor slot =
            b.flat.narrow(0, static_cast<std::int64_t>(offset_of[i]), params[i].numel());
        if (g.defined())
            slot.copy_(g.reshape({-1}));
        else
            slot.zero_();  // no gradient reached it: it contributes zero, as DDP counts it
        packed[i] = true;
        --b.pending;
    }
    // Starts the buckets that are complete, in index order only.
    void start_ready() {
        while (next < buckets.size() && buckets[next].pending == 0) {
            buckets[next].wait = group->all_reduce_sum_async(buckets[next].flat);
            ++next;
        }
    }
};

namespace {

// Runs after AccumulateGrad of one parameter, when its .grad holds this backward's sum.
class PackHook : public torch::autograd::FunctionPostHook {
  public:
    PackHook(std::weak_ptr<GradientSync::State> state, std::size_t index)
        : state_(std::move(state)), index_(index) {}
    torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                              const torch::autograd::variable_list&) override {
        if (const auto s = state_.lock()) {
            const std::lock_guard lock(s->mutex);
            if (s->sync && !s->packed[index_]) {
                s->pack(index_);
                s->start_ready();
            }
        }
        return outputs;
    }

  private:
    std::weak_ptr<GradientSync::State> state_;
    std::size_t index_;
};

}  // namespace

GradientSync::GradientSync(const std::vector<torch::Tensor>& params,
                           std::shared_ptr<ProcessGroup> group, std::int64_t bucket_bytes)
    : state_(std::make_shared<State>()) {
    State& s = *state_;
    s.params = params;
    s.group = std::move(group);
    s.bucket_of.resize(params.size());
    s.offset_of.resize(params.size());
    s.packed.assign(params.size(), false);
    // Reverse order, as the backward produces the gradients; a small first bucket so that
    // communication starts early.
    std::int64_t cap = std::int64_t{1} << 20, used = 0;
    for (std::size_t k = params.size(); k-- > 0;) {
        const torch::Tensor& p = params[k];
        const std::int64_t bytes = p.numel() * static_cast<std::int64_t>(p.element_size());
        const bool fits = !s.buckets.empty() && used + bytes <= cap &&
                          s.buckets.back().flat.scalar_type() == p.scalar_type() &&
                          s.buckets.back().flat.device() == p.device();
        if (!fits) {
            if (!s.buckets.empty())
                cap = bucket_bytes;
            s.buckets.push_back({});
            s.buckets.back().flat = torch::empty({0}, p.options());
            used = 0;
        }
        State::Bucket& b = s.buckets.back();
        s.bucket_of[k] = s.buckets.size() - 1;
        s.offset_of[k] = static_cast<std::size_t>(b.flat.numel());
        b.params.push_back(k);
        b.flat = torch::empty({b.flat.numel() + p.numel()}, p.options());
        used += bytes;
    }
    for (std::size_t k = 0; k < params.size(); ++k) {
        auto acc = torch::autograd::impl::grad_accumulator(params[k]);
        acc->add_post_hook(std::make_unique<PackHook>(state_, k));
        s.accumulators.push_back(std::move(acc));
    }
}

GradientSync::~GradientSync() = default;

std::int64_t GradientSync::buckets() const {
    return static_cast<std::int64_t>(state_->buckets.size());
}

void GradientSync::prepare(bool sync) {
    State& s = *state_;
    const std::lock_guard lock(s.mutex);
    s.sync = sync;
    s.next = 0;
    std::fill(s.packed.begin(), s.packed.end(), false);
    for (auto& b : s.buckets) {
        b.pending = static_cast<std::int64_t>(b.params.size());
        b.wait = nullptr;
    }
}

void GradientSync::finish() {
    State& s = *state_;
    {
        const std::lock_guard lock(s.mutex);
        // Parameters no gradient reached in this backward: pack them now (as zeros), in the same
        // bucket order on every rank.
        for (std::size_t i = 0; i < s.params.size(); ++i)
            if (!s.packed[i])
                s.pack(i);
        s.start_ready();
        s.sync = false;
    }
    const double scale = 1.0 / static_cast<double>(s.group->size());
    for (State::Bucket& b : s.buckets) {
        b.wait();
        b.flat.mul_(scale);
        for (std::size_t i : b.params) {
            torch::Tensor& p = s.params[i];
            const torch::Tensor mean =
                b.flat.narrow(0, static_cast<std::int64_t>(s.offset_of[i]), p.numel())
                    .view(p.sizes());
            if (p.grad().defined())
                p.mutable_grad().copy_(mean);
            else
                p.mutable_grad() = mean.clone();
        }
    }
}

}  // namespace ssmscope::model
