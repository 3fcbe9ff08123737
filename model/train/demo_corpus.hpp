// The demo corpus, built on first use from files that Debian packages install (nothing is
// downloaded): the Python standard library sources as code (in the spirit of the CodeParrot set
// the Sparse Mamba paper trains on) and English prose from the licence texts and the READMEs in
// /usr/share/doc. Files are taken in sorted order up to fixed budgets, so the corpus depends only
// on the installed packages; it is cached and reused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace ssmscope::model {

struct DemoCorpusBudget {
    std::uint64_t code_bytes = 3u << 20;
    std::uint64_t prose_bytes = 1u << 20;
};

// $SSMSCOPE_CACHE, else $XDG_CACHE_HOME/ssmscope, else $HOME/.cache/ssmscope.
std::filesystem::path cache_dir();

// Builds the corpus into `file` (atomically). Returns the number of source files used. Throws
// InputError when no Python sources are installed (package libpython3-stdlib).
std::uint64_t build_demo_corpus(const std::filesystem::path& file,
                                const DemoCorpusBudget& budget = {});

// cache_dir()/demo-corpus-v1.txt, built first when missing.
std::filesystem::path demo_corpus_path();

}  // namespace ssmscope::model
