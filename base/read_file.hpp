// Small files read whole (config.json, tokenizer.json, an index): the readers of every format
// need the same two questions answered with the same messages.
#pragma once

#include <filesystem>
#include <string>

namespace ssmscope {

// True when `path` is a regular file (or a link to one); false when it is absent, another kind,
// or cannot be examined.
bool is_file(const std::filesystem::path& path);

// The file's bytes. Throws InputError "<path>: cannot open" when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace ssmscope
