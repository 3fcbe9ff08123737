// torch.save files assembled byte by byte, for the tests of the PyTorch reader and the CLI's
// catalogue of bad inputs: a zip of stored records (with torch's ZIP64 end records) and pickles
// written opcode by opcode, so that each malformed case differs from a valid file in one place.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/io/fixtures.hpp"

namespace ssmscope::test {

inline void put_le(Bytes& out, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
        out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
}

struct ZipRecord {
    std::string name;
    Bytes data;
    std::uint16_t method = 0;  // 0 stored; 8 claims deflate (the bytes are left as they are)
};

// A zip as torch's writer lays it out: local header + data per record, the central directory,
// the ZIP64 end record and locator, the end record.
// With `zip64_fields`, each central header defers its sizes and offset to a ZIP64 extra field, as
// torch's writer does past 4 GiB.
inline Bytes zip_bytes(const std::vector<ZipRecord>& records, bool zip64 = true,
                       bool zip64_fields = false) {
    Bytes out, directory;
    for (const ZipRecord& r : records) {
        const std::uint64_t offset = out.size();
        put_le(out, 0x04034b50, 4);
        put_le(out, 20, 2);
        put_le(out, 0, 2);
        put_le(out, r.method, 2);
        put_le(out, 0, 8);  // time, date, crc
        put_le(out, r.data.size(), 4);
        put_le(out, r.data.size(), 4);
        put_le(out, r.name.size(), 2);
        put_le(out, 0, 2);
        const Bytes name = text_bytes(r.name);
        out.insert(out.end(), name.begin(), name.end());
        out.insert(out.end(), r.data.begin(), r.data.end());

        put_le(directory, 0x02014b50, 4);
        put_le(directory, 0x031e, 2);
        put_le(directory, 20, 2);
        put_le(directory, 0, 2);
        put_le(directory, r.method, 2);
        put_le(directory, 0, 8);
        const std::uint64_t deferred = 0xFFFFFFFF;
        put_le(directory, zip64_fields ? deferred : r.data.size(), 4);
        put_le(directory, zip64_fields ? deferred : r.data.size(), 4);
        put_le(directory, r.name.size(), 2);
        put_le(directory, zip64_fields ? 28 : 0, 2);  // extra
        put_le(directory, 0, 4);                      // comment, disk
        put_le(directory, 0, 6);                      // attributes
        put_le(directory, zip64_fields ? deferred : offset, 4);
        directory.insert(directory.end(), name.begin(), name.end());
        if (zip64_fields) {
            put_le(directory, 1, 2);
            put_le(directory, 24, 2);
            put_le(directory, r.data.size(), 8);
            put_le(directory, r.data.size(), 8);
            put_le(directory, offset, 8);
        }
    }
    const std::uint64_t directory_offset = out.size();
    out.insert(out.end(), directory.begin(), directory.end());
    if (zip64) {
        const std::uint64_t end64 = out.size();
        put_le(out, 0x06064b50, 4);
        put_le(out, 44, 8);
        put_le(out, 0x031e, 2);
        put_le(out, 45, 2);
        put_le(out, 0, 8);  // disks
        put_le(out, records.size(), 8);
        put_le(out, records.size(), 8);
        put_le(out, directory.size(), 8);
        put_le(out, directory_offset, 8);
        put_le(out, 0x07064b50, 4);
        put_le(out, 0, 4);
        put_le(out, end64, 8);
        put_le(out, 1, 4);
    }
    put_le(out, 0x06054b50, 4);
    put_le(out, 0, 4);
    put_le(out, records.size(), 2);
    put_le(out, records.size(), 2);
    put_le(out, directory.size(), 4);
    put_le(out, directory_offset, 4);
    put_le(out, 0, 2);
    return out;
}

// A pickle written opcode by opcode.
class Pickle {
  public:
    Pickle() { op(0x80).byte(2); }  // PROTO 2
    Pickle& op(unsigned char c) { return byte(c); }
    Pickle& byte(unsigned v) {
        b_.push_back(static_cast<std::byte>(v));
        return *this;
    }
    Pickle& raw(std::string_view s) {
        const Bytes t = text_bytes(s);
        b_.insert(b_.end(), t.begin(), t.end());
        return *this;
    }
    Pickle& string(std::string_view s) {  // BINUNICODE
        op('X');
        put_le(b_, s.size(), 4);
        return raw(s);
    }
    Pickle& integer(std::int64_t v) {  // BININT
        op('J');
        put_le(b_, static_cast<std::uint64_t>(v), 4);
        return *this;
    }
    Pickle& global(std::string_view module, std::string_view name) {
        op('c').raw(module).raw("\n").raw(name).raw("\n");
        return *this;
    }
    Pickle& ints(const std::vector<std::int64_t>& v) {  // a tuple
        op('(');
        for (const std::int64_t x : v)
            integer(x);
        return op('t');
    }
    // _rebuild_tensor_v2((storage persistent id), offset, size, stride, False, OrderedDict())
    Pickle& tensor(std::string_view storage_type, std::string_view key, std::int64_t numel,
                   std::int64_t offset, const std::vector<std::int64_t>& sizes,
                   const std::vector<std::int64_t>& strides) {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        op('(').string("storage").global("torch", storage_type).string(key).string("cpu");
        integer(numel).op('t').op('Q');
        integer(offset).ints(sizes).ints(strides).op(0x89);
        global("collections", "OrderedDict").op(')').op('R');
        return op('t').op('R');
    }
    Pickle& stop() { return op('.'); }
    const Bytes& bytes() const { return b_; }

  private:
    Bytes b_;
};

// {name: a 1-d float32 tensor of `n` elements in storage "0"}, STOP.
inline Bytes one_tensor_pickle(std::string_view name, std::int64_t n) {
    Pickle p;
    p.op('}').string(name).tensor("FloatStorage", "0", n, 0, {n}, {1}).op('s').stop();
    return p.bytes();
}

// A torch.save zip of `pickle` and the storages `data` (key, bytes), under "archive/".
inline Bytes torch_zip(const Bytes& pickle, const std::vector<std::pair<std::string, Bytes>>& data,
                       std::uint16_t method = 0) {
    std::vector<ZipRecord> records{{"archive/data.pkl", pickle, 0}};
    for (const auto& [key, bytes] : data)
        records.push_back({"archive/data/" + key, bytes, method});
    records.push_back({"archive/version", text_bytes("3\n"), 0});
    return zip_bytes(records);
}

inline Bytes floats(std::initializer_list<float> v) {
    Bytes out(v.size() * sizeof(float));
    std::memcpy(out.data(), std::data(v), out.size());
    return out;
}

}  // namespace ssmscope::test
