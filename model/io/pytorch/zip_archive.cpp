#include "model/io/pytorch/zip_archive.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/pytorch/byte_cursor.hpp"

namespace ssmscope::model {

namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEnd = 0x06054b50;
constexpr std::uint32_t kZip64End = 0x06064b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kCentralSize = 46;
constexpr std::size_t kLocalSize = 30;
constexpr std::uint32_t kMax32 = 0xFFFFFFFF;

std::string_view method_name(std::uint16_t m) {
    switch (m) {
        case 8:
            return "deflate";
        case 9:
            return "deflate64";
        case 12:
            return "bzip2";
        case 14:
            return "lzma";
        case 93:
            return "zstd";
        default:
            return "unknown";
    }
}

}  // namespace

bool looks_like_zip(std::span<const std::byte> bytes) {
    ByteCursor c(bytes);
    const auto sig = c.uint(4);
    return sig && (*sig == kLocalHeader || *sig == kEnd);
}

ZipArchive::ZipArchive(std::span<const std::byte> bytes, std::string file)
    : bytes_(bytes), file_(std::move(file)) {
    read_end_records();
    read_central_directory();
}

void ZipArchive::read_end_records() {
    const auto fail = [&](const std::string& what) {
        throw InputError(str(file_, ": not a valid zip archive (torch.save's format): ", what,
                             "; the file is truncated or corrupt"),
                         file_);
    };
    if (bytes_.size() < kEndSize)
        fail(str("it holds ", bytes_.size(), " bytes, fewer than the ", kEndSize,
                 " of a zip end record"));
    // The end record is the last thing in the file but for a comment of up to 64 KiB.
    std::optional<std::size_t> end;
    const std::size_t lowest =
        bytes_.size() > kEndSize + 0xFFFF ? bytes_.size() - kEndSize - 0xFFFF : 0;
    for (std::size_t pos = bytes_.size() - kEndSize + 1; pos-- > lowest;) {
        ByteCursor c(bytes_, pos);
        if (c.uint(4) != kEnd)
            continue;
        ByteCursor comment(bytes_, pos + 20);
        if (pos + kEndSize + *comment.uint(2) <= bytes_.size()) {
            end = pos;
            break;
        }
    }
    if (!end)
        fail("no end-of-central-directory record");

    ByteCursor c(bytes_, *end + 4);
    const auto disk = *c.uint(2), directory_disk = *c.uint(2);
    const auto disk_entries = *c.uint(2), entries = *c.uint(2);
    directory_size_ = *c.uint(4);
    directory_offset_ = *c.uint(4);
    entry_count_ = entries;
    if (disk != 0 || directory_disk != 0 || disk_entries != entries)
        fail("the archive spans several disks");

    // torch writes ZIP64 end records always; the 32-bit fields may then hold 0xFFFFFFFF.
    bool zip64 = false;
    if (*end >= 20) {
        ByteCursor loc(bytes_, *end - 20);
        if (loc.uint(4) == kZip64Locator) {
            zip64 = true;
            (void)loc.uint(4);  // the disk of the ZIP64 end record
            const std::uint64_t offset = *loc.uint(8);
            if (offset > *end - 20 || *end - 20 - offset < 56)
                fail(str("the ZIP64 end record's offset ", offset, " lies outside the file"));
            ByteCursor z(bytes_, offset);
            if (z.uint(4) != kZip64End)
                fail(str("no ZIP64 end record at offset ", offset));
            (void)z.uint(8);  // record size
            (void)z.uint(4);  // versions
            const auto zdisk = *z.uint(4), zdir_disk = *z.uint(4);
            const auto zdisk_entries = *z.uint(8);
            entry_count_ = *z.uint(8);
            directory_size_ = *z.uint(8);
            directory_offset_ = *z.uint(8);
            if (zdisk != 0 || zdir_disk != 0 || zdisk_entries != entry_count_)
                fail("the archive spans several disks");
        }
    }
    if (!zip64 && (entries == 0xFFFF || directory_size_ == kMax32 || directory_offset_ == kMax32))
        fail("the end record defers to a ZIP64 end record, but there is none");
    if (directory_offset_ > bytes_.size() || directory_size_ > bytes_.size() - directory_offset_)
        fail(str("the central directory (offset ", directory_offset_, ", ", directory_size_,
                 " bytes) lies outside the file of ", bytes_.size(), " bytes"));
    if (entry_count_ > directory_size_ / kCentralSize)
        fail(str("the end record counts ", entry_count_,
                 " entries, more than a central directory of ", directory_size_,
                 " bytes can hold"));
}

void ZipArchive::read_central_directory() {
    ByteCursor c(bytes_.subspan(directory_offset_, directory_size_));
    entries_.reserve(entry_count_);
    for (std::uint64_t i = 0; i < entry_count_; ++i) {
        const auto fail = [&](const std::string& what) {
            throw InputError(str(file_, ": zip central directory, entry ", i, ": ", what,
                                 "; the file is truncated or corrupt"),
                             file_);
        };
        if (c.uint(4) != kCentralHeader)
            fail("expected a central directory header (PK\\1\\2)");
        const auto fixed = c.take(kCentralSize - 4);
        if (!fixed)
            fail("the header is cut short");
        ByteCursor h(*fixed);
        Entry e;
        (void)h.uint(4);  // versions made by, needed
        e.flags = static_cast<std::uint16_t>(*h.uint(2));
        e.method = static_cast<std::uint16_t>(*h.uint(2));
        (void)h.uint(8);  // time, date, crc-32
        e.compressed_size = *h.uint(4);
        e.size = *h.uint(4);
        const auto name_len = *h.uint(2), extra_len = *h.uint(2), comment_len = *h.uint(2);
        const auto start_disk = *h.uint(2);
        (void)h.uint(6);  // attributes
        e.local_header_offset = *h.uint(4);
        const auto name = c.text(name_len);
        const auto extra = c.take(extra_len);
        if (!name || !extra || !c.take(comment_len))
            fail("its name, extra field or comment runs past the central directory");
        e.name = *name;
        // The ZIP64 extra field holds, in this order, each 64-bit value whose 32-bit field is
        // 0xFFFFFFFF.
        ByteCursor x(*extra);
        while (x.remaining() >= 4) {
            const auto id = *x.uint(2), len = *x.uint(2);
            const auto body = x.take(len);
            if (!body)
                fail(str("entry '", e.name, "': an extra field runs past its end"));
            if (id != 1)
                continue;
            ByteCursor z(*body);
            for (std::uint64_t* field : {&e.size, &e.compressed_size, &e.local_header_offset}) {
                if (*field != kMax32)
                    continue;
                const auto v = z.uint(8);
                if (!v)
                    fail(str("entry '", e.name, "': the ZIP64 extra field is too short"));
                *field = *v;
            }
        }
        if (start_disk != 0 && start_disk != 0xFFFF)
            fail(str("entry '", e.name, "' lies on disk ", start_disk));
        if (!index_.emplace(e.name, entries_.size()).second)
            throw InputError(str(file_, ": zip entry '", e.name, "' is stored twice"), file_);
        entries_.push_back(std::move(e));
    }
}

const ZipArchive::Entry* ZipArchive::find(std::string_view name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &entries_[it->second];
}

std::span<const std::byte> ZipArchive::data(const Entry& e) const {
    const auto fail = [&](const std::string& what) {
        throw InputError(str(file_, ": zip entry '", e.name, "': ", what), file_);
    };
    if (e.flags & 1)
        fail("is encrypted");
    if (e.method != 0)
        fail(str("is compressed (method ", e.method, ", ", method_name(e.method),
                 "); torch.save stores every record uncompressed, so that tensors are read where "
                 "they lie: re-save the checkpoint with torch.save"));
    if (e.compressed_size != e.size)
        fail(str("is stored uncompressed but its sizes differ (", e.compressed_size, " and ",
                 e.size, " bytes); the file is corrupt"));
    if (e.local_header_offset > bytes_.size())
        fail(str("its local header offset ", e.local_header_offset,
                 " lies outside the file; the file is truncated or corrupt"));
    ByteCursor c(bytes_, e.local_header_offset);
    if (c.uint(4) != kLocalHeader)
        fail(str("no local header (PK\\3\\4) at offset ", e.local_header_offset,
                 "; the file is truncated or corrupt"));
    const auto fixed = c.take(kLocalSize - 4);
    if (!fixed)
        fail("its local header is cut short; the file is truncated");
    ByteCursor h(*fixed);
    (void)h.take(22);  // versions, flags, method, time, date, crc-32, sizes
    const auto name_len = *h.uint(2), extra_len = *h.uint(2);
    const auto name = c.text(name_len);
    if (!name || !c.take(extra_len))
        fail("its local header is cut short; the file is truncated");
    if (*name != e.name)
        fail(str("its local header names '", *name, "'; the file is corrupt"));
    const auto out = c.take(e.size);
    if (!out)
        fail(str("its ", e.size, " bytes at offset ", c.pos(), " run past the end of the file (",
                 bytes_.size(), " bytes); the file is truncated"));
    return *out;
}

}  // namespace ssmscope::model
