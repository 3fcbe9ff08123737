// The zip container of torch.save (PyTorch >= 1.6): a central directory of records, each stored
// uncompressed so that a tensor's bytes can be used where they lie in the mapped file. Only what
// torch writes is read: stored entries, ZIP64 end records and extra fields, one disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ssmscope::model {

class ZipArchive {
  public:
    struct Entry {
        std::string name;
        std::uint16_t method = 0;  // 0 stored, 8 deflate, ...
        std::uint16_t flags = 0;
        std::uint64_t compressed_size = 0;
        std::uint64_t size = 0;
        std::uint64_t local_header_offset = 0;
    };

    // `bytes` is the whole file (a view of its mapping, which must outlive the archive); `file`
    // names it in messages. Throws InputError when the end records or the central directory are
    // missing, truncated or contradict themselves, or an entry is named twice.
    ZipArchive(std::span<const std::byte> bytes, std::string file);

    const std::vector<Entry>& entries() const { return entries_; }
    const Entry* find(std::string_view name) const;

    // The bytes of a stored entry, a span of the file. Throws InputError naming the entry when it
    // is compressed or encrypted, or its local header or data do not lie inside the file.
    std::span<const std::byte> data(const Entry& e) const;

    const std::string& file() const { return file_; }

  private:
    void read_end_records();
    void read_central_directory();

    std::span<const std::byte> bytes_;
    std::string file_;
    std::uint64_t entry_count_ = 0;
    std::uint64_t directory_offset_ = 0;
    std::uint64_t directory_size_ = 0;
    std::vector<Entry> entries_;
    std::map<std::string, std::size_t, std::less<>> index_;
};

// True when `bytes` begin with a zip local file header ("PK\3\4") or an end record ("PK\5\6",
// an empty archive).
bool looks_like_zip(std::span<const std::byte> bytes);

}  // namespace ssmscope::model
