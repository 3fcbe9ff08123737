#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <fstream>
#include <random>
#include <string>

#include <unistd.h>

namespace ssmscope::test {

TempDir::TempDir() {
    // pid + counter keep parallel test programs and several directories per test apart.
    static std::atomic<unsigned> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("ssmscope-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
             std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(std::string_view name, std::string_view text) const {
    const std::filesystem::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

}  // namespace ssmscope::test
