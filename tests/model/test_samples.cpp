// The bundled sample checkpoints (samples/<arch>/, made by scripts/make-samples): each loads as
// its architecture, stays under 5 MB, carries the settings and the log of the run that trained
// it, and is trained: its perplexity on a text it never saw is far below the 257 of a uniform
// guess over the byte-level vocabulary.
#include <fstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "model/checkpoint/checkpoint.hpp"
#include "model/run/evaluate.hpp"
#include "model/tokenizer/load_tokenizer.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using namespace ssmscope;

BOOST_AUTO_TEST_CASE(every_architecture_has_a_trained_sample) {
    const fs::path samples = fs::path(SSMSCOPE_SOURCE_DIR) / "samples";
    const std::string text =
        test::slurp(fs::path(SSMSCOPE_SOURCE_DIR) / "tests/data/tiny_corpus.txt");
    for (const char* arch : {"mamba", "sc-mamba", "so-mamba", "mamba2", "st-mamba2"}) {
        const fs::path dir = samples / arch;
        BOOST_TEST_CONTEXT(dir) {
            std::uintmax_t bytes = 0;
            for (const auto& e : fs::directory_iterator(dir))
                bytes += e.file_size();
            BOOST_TEST(bytes < 5u * 1024 * 1024);
            const auto loaded = model::load_checkpoint(dir);
            BOOST_TEST(model::arch_name(loaded.config.arch) == arch);

            // The run's settings and its log: steps in order, evaluations, a finished run.
            const auto options = nlohmann::json::parse(test::slurp(dir / "train.json"));
            BOOST_TEST(options["corpus"] == "demo");
            double last_val = 0;
            std::string outcome;
            std::istringstream log(test::slurp(dir / "metrics.jsonl"));
            for (std::string line; std::getline(log, line);) {
                const auto j = nlohmann::json::parse(line);
                if (j["event"] == "eval")
                    last_val = j["val_perplexity"].get<double>();
                if (j["event"] == "finish")
                    outcome = j["outcome"];
            }
            BOOST_TEST(outcome == "finished");
            BOOST_TEST(last_val > 1.0);
            BOOST_TEST(last_val < 20.0);

            const auto tokenizer = model::load_tokenizer(dir);
            // In windows of the training length: SC- and SO-Mamba's companion matrices start (and
            // here stay) unstable, so longer windows are a test of length generalisation.
            const auto r = model::evaluate(*loaded.model, tokenizer->encode(text),
                                           options["seq_len"].get<std::int64_t>());
            BOOST_TEST_MESSAGE(arch << ": perplexity " << r.perplexity
                                    << " on tests/data/tiny_corpus.txt, " << last_val
                                    << " on its validation text");
            BOOST_TEST(r.perplexity < 30.0);
        }
    }
}
