#include "app/cli/output.hpp"

#include <cstdio>

#include "model/io/atomic_file.hpp"

namespace ssmscope::cli {

void write_atomically(const std::filesystem::path& file, const std::string& text) {
    model::AtomicFile out(file);
    out.write(text);
    out.commit();
}

void emit(const std::string& out, const std::string& text) {
    if (out.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
    } else {
        write_atomically(out, text);
    }
}

}  // namespace ssmscope::cli
