#include "model/io/atomic_file.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

namespace {

// Distinguishes the temporary files of threads of this process; the pid those of other processes.
std::atomic<unsigned> temp_counter{0};

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
    // open(O_EXCL) with mode 0666 rather than mkstemp, whose 0600 would survive the rename and
    // leave the checkpoint unreadable to others where the umask says it should be readable.
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::filesystem::path temp = path_;
        temp.replace_filename(str(".", path_.filename().string(), ".tmp.", ::getpid(), ".",
                                  temp_counter.fetch_add(1)));
        fd_ = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd_ >= 0) {
            temp_ = std::move(temp);
            return;
        }
        if (errno != EEXIST)
            break;
    }
    fail("cannot create a temporary file next to it");
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0)
        ::close(fd_);
    if (!temp_.empty())
        ::unlink(temp_.c_str());
}

void AtomicFile::write(std::span<const std::byte> bytes) {
    // write() may take less than asked (Linux caps one call near 2 GiB) or be interrupted.
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EIO;  // no progress and no error: report it rather than loop
        if (n <= 0)
            fail("cannot write");
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
}

void AtomicFile::commit() {
    // fsync before rename: otherwise a crash can leave the new name pointing at unwritten blocks.
    if (::fsync(fd_) != 0)
        fail("cannot flush");
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0)
        fail("cannot close");
    if (::rename(temp_.c_str(), path_.c_str()) != 0)
        fail("cannot rename the temporary file over it");
    temp_.clear();
}

void AtomicFile::fail(std::string_view action) const {
    const std::string reason = std::strerror(errno);
    const std::string target = path_.string();
    throw InputError(str(target, ": ", action, ": ", reason), target);
}

}  // namespace ssmscope::model
