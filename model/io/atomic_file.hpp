// Writes a file so that readers see either the old file or the complete new one, never a part:
// the bytes go to a temporary file in the same directory, which is renamed over the target on
// commit() (rename within one file system is atomic on POSIX).
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

namespace ssmscope::model {

class AtomicFile {
  public:
    // Creates the temporary file next to `path`; throws InputError when it cannot.
    explicit AtomicFile(std::filesystem::path path);
    // Removes the temporary file unless commit() succeeded.
    ~AtomicFile();

    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::span<const std::byte> bytes);
    void write(std::string_view text) { write(std::as_bytes(std::span(text.data(), text.size()))); }

    // Flushes the bytes to disk and renames the temporary file over the target. Throws InputError
    // naming the target when either fails; the target is then left as it was.
    void commit();

    const std::filesystem::path& path() const { return path_; }

  private:
    [[noreturn]] void fail(std::string_view action) const;

    std::filesystem::path path_;
    std::filesystem::path temp_;
    int fd_ = -1;
};

}  // namespace ssmscope::model
