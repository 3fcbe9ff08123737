// A fresh directory under the system's temporary directory, removed with everything in it.
#pragma once

#include <filesystem>
#include <string_view>

namespace ssmscope::test {

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

    // Writes `text` to the file `name` in this directory; returns its path.
    std::filesystem::path write(std::string_view name, std::string_view text) const;

  private:
    std::filesystem::path path_;
};

}  // namespace ssmscope::test
