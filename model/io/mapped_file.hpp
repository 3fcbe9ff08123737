// A whole file mapped into memory, privately: a write copies the page for this process and never
// reaches the file. Checkpoints run to gigabytes: mapping lets the OS page in only the tensors
// that are read, and share the pages nobody writes between processes.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace ssmscope::model {

class MappedFile {
  public:
    // Throws InputError naming the file when it cannot be opened or mapped, is not a regular file,
    // or is empty (a zero-length mapping is not possible, and no format this reads is empty).
    explicit MappedFile(std::filesystem::path path);
    ~MappedFile();

    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::span<const std::byte> bytes() const { return {data_, size_}; }
    std::size_t size() const { return size_; }

  private:
    void unmap() noexcept;

    std::filesystem::path path_;
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace ssmscope::model
