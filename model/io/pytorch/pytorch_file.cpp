#include "model/io/pytorch/pytorch_file.hpp"

#include <optional>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/pytorch/pickle_machine.hpp"
#include "model/io/pytorch/zip_archive.hpp"
#include "model/io/shape.hpp"

namespace ssmscope::model {

namespace {

// Before PyTorch 1.6, torch.save wrote a bare stream of pickles beginning with the magic number
// 0x1950a86a20f9469cfc6c (PROTO 2, LONG1 of 10 bytes). Its tensors follow the pickles unaligned
// and its objects are rebuilt by running more of Python; it is not read.
bool is_legacy(std::span<const std::byte> b) {
    return !b.empty() && b[0] == std::byte{0x80};
}

// The prefix every record shares: torch names the archive after the file it saved to
// ("archive", "pytorch_model", ...), and data.pkl sits directly inside it.
std::string archive_prefix(const ZipArchive& zip) {
    std::optional<std::string> prefix;
    for (const auto& e : zip.entries()) {
        const auto slash = e.name.find('/');
        if (slash != std::string::npos && e.name.substr(slash) == "/data.pkl") {
            if (prefix)
                throw InputError(str(zip.file(), ": two data.pkl records, ", *prefix,
                                     "/data.pkl and ", e.name, "; expected one state dict"),
                                 zip.file());
            prefix = e.name.substr(0, slash);
        }
    }
    if (!prefix)
        throw InputError(str(zip.file(),
                             ": a zip archive without the record <archive>/data.pkl, "
                             "so not a file torch.save wrote"),
                         zip.file());
    return *prefix;
}

}  // namespace

PytorchFile::PytorchFile(std::filesystem::path path) : file_(std::move(path)) {
    const std::string where = file_.path().string();
    const auto bytes = file_.bytes();
    if (is_legacy(bytes))
        throw InputError(str(where,
                             ": the legacy torch.save format (PyTorch < 1.6, a bare pickle "
                             "stream), which is not read: re-save the state dict with "
                             "torch.save from torch >= 1.6, which writes a zip archive, or "
                             "convert it to safetensors"),
                         where);
    const ZipArchive zip(bytes, where);
    const std::string prefix = archive_prefix(zip);

    if (const auto* order = zip.find(prefix + "/byteorder")) {
        const auto b = zip.data(*order);
        const std::string text(reinterpret_cast<const char*>(b.data()), b.size());
        if (text == "big")
            throw InputError(str(where, ": ", order->name,
                                 ": the tensors are big-endian, which is "
                                 "not read (re-save the checkpoint on a little-endian machine)"),
                             where);
        if (text != "little")
            throw InputError(
                str(where, ": ", order->name, ": expected \"little\" or \"big\", found \"",
                    text.substr(0, 32), "\""),
                where);
    }

    const std::string pickle_name = prefix + "/data.pkl";
    const PickledStateDict sd =
        unpickle_state_dict(zip.data(*zip.find(pickle_name)), str(where, ": ", pickle_name));

    // Each storage's record, resolved once: a tied head and its embedding share one.
    std::vector<std::optional<std::span<const std::byte>>> records(sd.storages.size());
    for (const PickledTensor& p : sd.tensors) {
        const PickledStorage& s = sd.storages[p.storage];
        const std::string record = prefix + "/data/" + s.key;
        const auto fail = [&](const std::string& what) {
            throw InputError(str(where, ": tensor '", p.name, "': ", what), where);
        };
        auto& data = records[p.storage];
        const std::size_t element = dtype_size(s.dtype);
        if (!data) {
            const auto* entry = zip.find(record);
            if (!entry)
                fail(str("its storage record '", record, "' is missing from the archive"));
            data = zip.data(*entry);
            if (static_cast<std::uint64_t>(s.numel) > data->size() / element)
                fail(str("record '", record, "' holds ", data->size(), " bytes, fewer than the ",
                         s.numel, " elements of ", s.type, " its persistent id declares"));
        }
        Tensor t{p.name, s.dtype, s.type, StridedView{p.offset, p.sizes, p.strides}, *data};
        const auto numel = view_numel(t.view);
        const auto extent = view_extent(t.view);
        if (!numel || static_cast<std::uint64_t>(*numel) > SIZE_MAX / element)
            fail(str("shape ", shape_string(p.sizes), " holds too many elements"));
        if (!extent || *extent > s.numel)
            fail(str("a view of storage '", s.key, "' (storage_offset ", p.offset, ", size ",
                     shape_string(p.sizes), ", stride ", shape_string(p.strides),
                     ") reaches past the ", s.numel, " elements the storage holds"));
        index_.emplace(t.name, tensors_.size());
        tensors_.push_back(std::move(t));
    }
}

const PytorchFile::Tensor* PytorchFile::find(std::string_view name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

void PytorchFile::read(const Tensor& t, std::span<std::byte> out) {
    copy_strided(t.storage, dtype_size(t.dtype), t.view, out);
}

}  // namespace ssmscope::model
