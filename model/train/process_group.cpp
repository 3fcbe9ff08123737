#include "model/train/process_group.hpp"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

void parse_master(const std::string& text, const std::string& what, DistributedSpec& spec) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw InputError(str(what, " ", text, ": expected HOST:PORT, e.g. 10.0.0.1:29500"));
    const std::string port = text.substr(colon + 1);
    int value = 0;
    for (char c : port) {
        if (c < '0' || c > '9' || value > 65535) {
            value = -1;
            break;
        }
        value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535)
        throw InputError(str(what, " ", text, ": the port must be a number from 1 to 65535"));
    spec.master_host = text.substr(0, colon);
    spec.master_port = value;
}

struct ProcessGroup::Impl {
    DistributedSpec spec;
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroup> group;

    // Waits for `work`, turning whatever the backend throws into a DistributedError.
    void wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what) const {
        try {
            work->wait(spec.timeout);
        } catch (const std::exception& e) {
            throw DistributedError(str("rank ", spec.rank, " of ", spec.world_size, ": ", what,
                                       " failed (a worker of the run died, or did not answer "
                                       "within ",
                                       spec.timeout.count(), " s): ", e.what()));
        }
    }
    template <class F>
    c10::intrusive_ptr<c10d::Work> start(F&& f, const char* what) const {
        try {
            return f();
        } catch (const std::exception& e) {
            throw DistributedError(str("rank ", spec.rank, " of ", spec.world_size, ": ", what,
                                       " failed: ", e.what()));
        }
    }
};

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProcessGroup::~ProcessGroup() = default;

std::shared_ptr<ProcessGroup> ProcessGroup::join(const DistributedSpec& spec) {
    if (spec.world_size < 1 || spec.rank < 0 || spec.rank >= spec.world_size)
        throw InputError(
            str("--rank ", spec.rank, " must lie in [0, --world-size ", spec.world_size, ")"));
    auto impl = std::make_unique<Impl>();
    impl->spec = spec;
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(spec.master_port);
        options.isServer = spec.rank == 0;
        options.numWorkers = spec.world_size;
        options.waitWorkers = true;
        options.timeout = spec.timeout;
        impl->store = c10::make_intrusive<c10d::TCPStore>(spec.master_host, options);
        auto gloo = c10d::ProcessGroupGloo::Options::create(spec.timeout);
        // On loopback every worker binds there too; across machines each binds to the
        // interface its host name resolves to.
        const bool loopback = spec.master_host == "127.0.0.1" || spec.master_host == "localhost";
        gloo->devices.push_back(loopback
                                    ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                    : c10d::ProcessGroupGloo::createDefaultDevice());
        impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, spec.rank,
                                                                  spec.world_size, gloo);
    } catch (const std::exception& e) {
        throw DistributedError(str("rank ", spec.rank, " of ", spec.world_size,
                                   ": cannot join the run at ", spec.master_host, ":",
                                   spec.master_port, " within ", spec.timeout.count(),
                                   " s: ", e.what()));
    }
    return std::shared_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

int ProcessGroup::rank() const {
    return impl_->spec.rank;
}
int ProcessGroup::size() const {
    return impl_->spec.world_size;
}

void ProcessGroup::all_reduce_sum(torch::Tensor& t) {
    all_reduce_sum_async(t)();
}

void ProcessGroup::all_reduce_max(torch::Tensor& t) {
    std::vector<torch::Tensor> v{t};
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::MAX;
    impl_->wait(impl_->start([&] { return impl_->group->allreduce(v, o); }, "all-reduce (max)"),
                "all-reduce (max)");
}

std::function<void()> ProcessGroup::all_reduce_sum_async(torch::Tensor t) {
    auto v = std::make_shared<std::vector<torch::Tensor>>(std::vector<torch::Tensor>{t});
    auto work = impl_->start([&] { return impl_->group->allreduce(*v); }, "all-reduce");
    return [impl = impl_.get(), work, v] { impl->wait(work, "all-reduce"); };
}

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors) {
    for (torch::Tensor& t : tensors) {
        std::vector<torch::Tensor> v{t};
        impl_->wait(impl_->start([&] { return impl_->group->broadcast(v); }, "broadcast"),
                    "broadcast");
    }
}

}  // namespace ssmscope::model
