#include "parfold/io/staged_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace parfold {

namespace {

/// The process's umask, read once: umask(2) reads it only by setting it, which is safe
/// only before other threads create files, so it is read when the program starts.
mode_t process_umask() {
  static mode_t const mask = [] {
    mode_t const m = ::umask(077);
    ::umask(m);
    return m;
  }();
  return mask;
}
[[maybe_unused]] mode_t const g_umask_at_start = process_umask();

[[noreturn]] void fail_on(char const* doing, std::string const& name) {
  throw std::runtime_error(std::string("cannot ") + doing + " " + name + ": " +
                           std::strerror(errno));
}

}  // namespace

StagedFile::StagedFile(std::string path)
    : path_(std::move(path)), staging_(path_ + ".tmp.XXXXXX"), leftover_(Leftover::remove) {
  // O_EXCL: a new file, never one that exists or a symbolic link (mode 0600).
  int const fd = ::mkostemp(staging_.data(), O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) fail("create");
  f_ = ::fdopen(fd, "w+b");
  if (f_ == nullptr) {
    int const why = errno;
    ::close(fd);
    ::unlink(staging_.c_str());
    errno = why;
    fail("open");
  }
}

StagedFile::StagedFile(std::string path, std::string staging, Leftover leftover)
    : StagedFile(std::move(path)) {
  // Constructed: should the rename fail, the destructor removes the new file.
  if (std::rename(staging_.c_str(), staging.c_str()) != 0) fail_on("create", staging);
  staging_ = std::move(staging);
  leftover_ = leftover;
}

StagedFile::StagedFile(std::string path, std::string staging, std::uint64_t keep, Leftover leftover)
    : path_(std::move(path)), staging_(std::move(staging)), leftover_(leftover) {
  // O_NOFOLLOW: a symbolic link put in its place is refused, not written through;
  // O_NONBLOCK: nor does a FIFO block.
  int const fd = ::open(staging_.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail("reopen");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error(staging_ + " is not a regular file");
  }
  f_ = ::fdopen(fd, "r+b");
  if (f_ == nullptr) {
    ::close(fd);
    fail("reopen");
  }
  if (static_cast<std::uint64_t>(st.st_size) < keep) {
    std::fclose(f_);
    f_ = nullptr;
    throw std::runtime_error(staging_ + " holds " + std::to_string(st.st_size) +
                             " bytes, fewer than the " + std::to_string(keep) + " expected");
  }
  if (::ftruncate(fd, static_cast<off_t>(keep)) != 0 || std::fseek(f_, 0, SEEK_END) != 0) {
    fail("truncate");
  }
}

StagedFile::~StagedFile() {
  if (f_ == nullptr) return;
  std::fclose(f_);
  if (leftover_ == Leftover::remove) std::remove(staging_.c_str());
}

void StagedFile::fail(char const* doing) const { fail_on(doing, staging_); }

void StagedFile::write(std::string_view data) {
  if (std::fwrite(data.data(), 1, data.size(), f_) != data.size()) fail("write");
}

std::uint64_t StagedFile::sync() {
  if (std::fflush(f_) != 0 || ::fsync(fileno(f_)) != 0) fail("write");
  long const size = std::ftell(f_);
  if (size < 0) fail("inspect");
  return static_cast<std::uint64_t>(size);
}

void StagedFile::commit() {
  sync();
  // The mode of a file created by open(O_CREAT, 0666), as the umask makes it.
  if (::fchmod(fileno(f_), 0666 & ~process_umask()) != 0) fail("set the mode of");
  int const closed = std::fclose(f_);
  f_ = nullptr;
  if (closed != 0 || std::rename(staging_.c_str(), path_.c_str()) != 0) {
    int const why = errno;
    std::remove(staging_.c_str());
    throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(why));
  }
  // The rename is durable once the directory is synced.
  if (int const dir =
          ::open(std::filesystem::absolute(path_).parent_path().c_str(), O_RDONLY | O_DIRECTORY);
      dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::string cannot_write(std::string const& path) {
  std::filesystem::path const dir = std::filesystem::absolute(path).parent_path();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return "directory " + dir.string() + " does not exist";
  if (::access(dir.c_str(), W_OK) != 0) return "cannot write in " + dir.string();
  if (std::filesystem::is_directory(path, ec)) return "is a directory";
  // A symbolic link (/dev/stdout), a device, a FIFO or a socket would be replaced by the
  // staged file's rename: /dev/null would become a regular file.
  if (std::filesystem::is_symlink(path, ec))
    return "is a symbolic link (the file is written beside it and renamed into place: give "
           "the path it points to)";
  auto const kind = std::filesystem::status(path, ec).type();
  if (kind != std::filesystem::file_type::not_found &&
      kind != std::filesystem::file_type::regular && kind != std::filesystem::file_type::none)
    return "is not a regular file (the file is written beside it and renamed into place)";
  return "";
}

}  // namespace parfold
