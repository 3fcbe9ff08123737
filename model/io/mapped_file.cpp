#include "model/io/mapped_file.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

namespace {

// Closes the descriptor on every path out of the constructor; the mapping outlives it.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

}  // namespace

MappedFile::MappedFile(std::filesystem::path path) : path_(std::move(path)) {
    const std::string name = path_.string();
    const Fd f{::open(name.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0)
        throw InputError(str(name, ": cannot open: ", std::strerror(errno)), name);
    struct stat st {};
    if (::fstat(f.fd, &st) != 0)
        throw InputError(str(name, ": cannot stat: ", std::strerror(errno)), name);
    if (!S_ISREG(st.st_mode))
        throw InputError(str(name, ": not a regular file"), name);
    if (st.st_size == 0)
        throw InputError(str(name, ": the file is empty"), name);
    const auto size = static_cast<std::size_t>(st.st_size);
    // Private and writable: a tensor the loader places over the mapping (TensorStore::mapped)
    // may be written in place, which copies that page and never reaches the file.
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, f.fd, 0);
    if (p == MAP_FAILED)
        throw InputError(str(name, ": cannot map ", size, " bytes: ", std::strerror(errno)), name);
    data_ = static_cast<const std::byte*>(p);
    size_ = size;
}

MappedFile::~MappedFile() {
    unmap();
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        unmap();
        path_ = std::move(other.path_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

void MappedFile::unmap() noexcept {
    if (data_)
        ::munmap(const_cast<std::byte*>(data_), size_);
    data_ = nullptr;
    size_ = 0;
}

}  // namespace ssmscope::model
