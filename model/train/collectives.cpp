#include "model/train/collectives.hpp"

#include <torch/torch.h>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/train/gradient_sync.hpp"
#include "model/train/process_group.hpp"

namespace ssmscope::model {

Collectives::Collectives(std::shared_ptr<ProcessGroup> group) : group_(std::move(group)) {}
Collectives::~Collectives() = default;
Collectives::Collectives(Collectives&&) noexcept = default;
Collectives& Collectives::operator=(Collectives&&) noexcept = default;

int Collectives::rank() const {
    return group_ ? group_->rank() : 0;
}
int Collectives::world() const {
    return group_ ? group_->size() : 1;
}
bool Collectives::lead() const {
    return rank() == 0;
}

std::int64_t Collectives::rows_of(std::int64_t batch) const {
    if (batch % world() != 0) {
        throw InputError(str("--batch ", batch, " must be a multiple of the number of ",
                             "processes (", world(), "): it is the global batch, split evenly"));
    }
    return batch / world();
}

std::pair<std::int64_t, std::int64_t> Collectives::share_of(std::int64_t n) const {
    return {n * rank() / world(), n * (rank() + 1) / world()};
}

double Collectives::mean(double v) {
    if (alone())
        return v;
    torch::Tensor t = torch::tensor({v}, torch::kFloat64);
    group_->all_reduce_sum(t);
    return t.item<double>() / world();
}

double Collectives::sum(double v) {
    return alone() ? v : mean(v) * world();
}

std::pair<bool, bool> Collectives::agree(bool stop, bool pause) {
    if (alone())
        return {stop, pause};
    torch::Tensor t = torch::tensor({stop ? 1.0 : 0.0, pause ? 1.0 : 0.0});
    group_->all_reduce_max(t);
    return {t[0].item<double>() > 0, t[1].item<double>() > 0};
}

std::pair<std::int64_t, std::int64_t> Collectives::range_of(std::int64_t step) {
    if (alone())
        return {step, step};
    // One all-reduce of (step, -step) gives the maximum and minus the minimum.
    torch::Tensor t = torch::tensor({static_cast<double>(step), -static_cast<double>(step)});
    group_->all_reduce_max(t);
    return {static_cast<std::int64_t>(-t[1].item<double>()),
            static_cast<std::int64_t>(t[0].item<double>())};
}

void Collectives::broadcast_from_lead(std::vector<torch::Tensor> tensors) {
    if (!alone())
        group_->broadcast(tensors);
}

void Collectives::average_gradients_of(const std::vector<torch::Tensor>& params) {
    if (!alone())
        sync_ = std::make_unique<GradientSync>(params, group_);
}

void Collectives::before_backward(bool last) {
    if (sync_)
        sync_->prepare(last);
}

void Collectives::after_backward(bool last) {
    if (sync_ && last)
        sync_->finish();
}

}  // namespace ssmscope::model
