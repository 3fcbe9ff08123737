// Helpers shared by the tokenizer tests: a scratch directory, files in it, and the message of
// the InputError a call throws.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>
#include <unistd.h>

#include "analysis/error.hpp"

namespace ssmscope::test {

// A fresh directory under the system's temporary directory, removed with everything in it.
class TempDir {
  public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ =
            std::filesystem::temp_directory_path() /
            ("ssmscope_tokenizer_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

    // Writes `text` to the file `name` in this directory; returns its path.
    std::filesystem::path write(std::string_view name, std::string_view text) const {
        const std::filesystem::path p = path_ / name;
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }

  private:
    std::filesystem::path path_;
};

// The message of the InputError that `f` throws; fails the test if it throws none.
template <typename F>
std::string input_error(F&& f) {
    try {
        f();
    } catch (const analysis::InputError& e) {
        return e.what();
    }
    BOOST_FAIL("expected an InputError");
    return {};
}

inline bool contains(std::string_view s, std::string_view part) {
    return s.find(part) != std::string_view::npos;
}

}  // namespace ssmscope::test
