// What every TensorStore shares: its tensors kept by name, each with whatever the format needs
// to read it. A format's store derives from this and implements read() only.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/tensor_store.hpp"

namespace ssmscope::model {

// Entry holds a member `StoredTensor stored`.
template <class Entry>
class IndexedTensorStore : public TensorStore {
  public:
    std::vector<std::string> names() const override {
        std::vector<std::string> out;
        out.reserve(entries_.size());
        for (const auto& [name, e] : entries_)
            out.push_back(name);
        return out;
    }

    const StoredTensor* find(std::string_view name) const override {
        const auto it = entries_.find(name);
        return it == entries_.end() ? nullptr : &it->second.stored;
    }

  protected:
    // Adds the entry under its stored name; false (and nothing added) when the name is taken,
    // with `clash` set to the entry that holds it.
    bool add(Entry entry, const Entry** clash = nullptr) {
        std::string name = entry.stored.name;
        const auto [it, fresh] = entries_.emplace(std::move(name), std::move(entry));
        if (!fresh && clash)
            *clash = &it->second;
        return fresh;
    }

    // The entry `t` came from; `t` must come from find().
    const Entry& entry_to_read_in_place(const StoredTensor& t) const {
        const auto it = entries_.find(t.name);
        if (it == entries_.end() || &it->second.stored != &t)
            throw InputError(str(t.file, ": tensor '", t.name, "' is not in this checkpoint"),
                             t.name);
        return it->second;
    }

    // The same, once `out` is checked to hold exactly its t.read_bytes().
    const Entry& entry_to_read(const StoredTensor& t, std::span<std::byte> out) const {
        const Entry& e = entry_to_read_in_place(t);
        if (out.size() != t.read_bytes())
            throw InputError(str(t.file, ": tensor '", t.name, "' holds ", t.read_bytes(),
                                 " bytes, but ", out.size(), " were asked for"),
                             t.name);
        return e;
    }

  private:
    std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace ssmscope::model
