#include "app/cli/output.hpp"

#include <cstdio>
#include <fstream>

#include <unistd.h>

#include "analysis/error.hpp"
#include "analysis/str.hpp"

namespace ssmscope::cli {

using analysis::InputError;
using analysis::str;

void write_atomically(const std::filesystem::path& file, const std::string& text) {
    const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw InputError(
            str(file.string(), ": cannot write, directory ", dir.string(), " does not exist"));
    std::filesystem::path tmp = file;
    tmp += str(".tmp.", ::getpid());
    {
        std::ofstream os(tmp, std::ios::binary | std::ios::trunc);
        if (!os)
            throw InputError(str(file.string(), ": cannot write (permission denied?)"));
        os << text;
        os.flush();
        if (!os) {
            os.close();
            std::filesystem::remove(tmp, ec);
            throw InputError(str(file.string(), ": write failed (disk full?)"));
        }
    }
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw InputError(str(file.string(), ": cannot replace the file: ", ec.message()));
    }
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
