#include "app/usecase/train_request.hpp"

#include <algorithm>

namespace ssmscope::usecase {

void derive_schedule(model::TrainOptions& o) {
    o.min_lr = o.lr / 10;
    o.warmup = std::min<std::int64_t>(30, std::max<std::int64_t>(o.steps / 10, 0));
    o.log_every = 1;  // every step reaches the live plots
    o.eval_every = std::max<std::int64_t>(o.steps / 5, 1);
    o.eval_tokens = 4096;
    o.checkpoint_every = std::max<std::int64_t>(o.steps / 5, 1);
}

TrainRequest train_request(const TrainForm& form) {
    TrainRequest r;
    model::TrainOptions& o = r.options;
    o.corpus = form.corpus;
    o.steps = form.steps;
    o.lr = form.lr;
    o.batch = form.batch;
    o.seq_len = form.seq_len;
    o.device = form.device;
    o.precision = form.precision;
    o.stability_every = form.stability_every;
    derive_schedule(o);
    if (form.fine_tune) {
        o.base_checkpoint = form.base_checkpoint;
        o.blocks = form.blocks;
        o.lora_rank = form.lora_rank;
    } else {
        r.config = model::config_from_sizes(form.sizes);
    }
    r.out = form.out;
    r.nproc = form.nproc;
    return r;
}

TrainRequest resume_request(const std::string& dir, std::int64_t steps, int nproc) {
    TrainRequest r;
    r.resume = dir;
    r.options.steps = steps;
    r.nproc = nproc;
    return r;
}

std::vector<std::string> worker_arguments(const TrainRequest& r,
                                          const std::filesystem::path& options_file) {
    std::vector<std::string> a = {"train"};
    if (!r.resume.empty()) {
        a.insert(a.end(), {"--resume", r.resume});
        if (r.options.steps > 0)
            a.insert(a.end(), {"--steps", std::to_string(r.options.steps)});
    } else {
        a.insert(a.end(), {"--options", options_file.string(), "--out", r.out});
        if (r.options.base_checkpoint.empty()) {
            const model::ModelConfig& c = r.config;
            a.insert(
                a.end(),
                {"--arch", model::arch_name(c.arch), "--d-model", std::to_string(c.d_model),
                 "--n-layer", std::to_string(c.n_layer), "--d-state", std::to_string(c.d_state),
                 "--expand", std::to_string(c.expand), "--headdim", std::to_string(c.headdim),
                 "--ngroups", std::to_string(c.ngroups), "--d-conv", std::to_string(c.d_conv)});
        }
    }
    a.insert(a.end(), {"--nproc", std::to_string(r.nproc)});
    return a;
}

}  // namespace ssmscope::usecase
