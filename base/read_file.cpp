#include "base/read_file.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope {

bool is_file(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open())
        throw InputError(str(path.string(), ": cannot open"), path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace ssmscope
