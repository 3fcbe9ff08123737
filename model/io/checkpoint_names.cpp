#include "model/io/checkpoint_names.hpp"

#include <algorithm>
#include <cctype>
#include <iomanip>
#include <sstream>

namespace ssmscope::model {

namespace {

// At least five decimal digits, as shard_file_name writes them (more once n passes 99999).
bool is_shard_number(std::string_view s) {
    return s.size() >= 5 && std::all_of(s.begin(), s.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c)) != 0;
           });
}

}  // namespace

std::string shard_file_name(std::size_t k, std::size_t n) {
    std::ostringstream os;
    os << "model-" << std::setfill('0') << std::setw(5) << k << "-of-" << std::setw(5) << n
       << ".safetensors";
    return os.str();
}

bool is_checkpoint_file_name(std::string_view name) {
    if (name == kSingleCheckpointFile || name == kCheckpointIndexFile)
        return true;
    constexpr std::string_view prefix = "model-", middle = "-of-", suffix = ".safetensors";
    if (!name.starts_with(prefix) || !name.ends_with(suffix))
        return false;
    name.remove_prefix(prefix.size());
    name.remove_suffix(suffix.size());
    const std::size_t of = name.find(middle);
    return of != std::string_view::npos && is_shard_number(name.substr(0, of)) &&
           is_shard_number(name.substr(of + middle.size()));
}

}  // namespace ssmscope::model
