#include "parfold/io/staged_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace parfold {

StagedFile::StagedFile(std::string path, std::string staging, Leftover leftover)
    : path_(std::move(path)),
      staging_(std::move(staging)),
      leftover_(leftover),
      f_(std::fopen(staging_.c_str(), "wbe")) {
  if (f_ == nullptr) fail("create");
}

StagedFile::StagedFile(std::string path, std::string staging, std::uint64_t keep, Leftover leftover)
    : path_(std::move(path)),
      staging_(std::move(staging)),
      leftover_(leftover),
      f_(std::fopen(staging_.c_str(), "r+be")) {
  if (f_ == nullptr) fail("reopen");
  struct stat st {};
  if (::fstat(fileno(f_), &st) != 0) fail("inspect");
  if (static_cast<std::uint64_t>(st.st_size) < keep) {
    std::fclose(f_);
    f_ = nullptr;
    throw std::runtime_error(staging_ + " holds " + std::to_string(st.st_size) +
                             " bytes, fewer than the " + std::to_string(keep) + " expected");
  }
  if (::ftruncate(fileno(f_), static_cast<off_t>(keep)) != 0 || std::fseek(f_, 0, SEEK_END) != 0) {
    fail("truncate");
  }
}

StagedFile::~StagedFile() {
  if (f_ == nullptr) return;
  std::fclose(f_);
  if (leftover_ == Leftover::remove) std::remove(staging_.c_str());
}

void StagedFile::fail(char const* doing) const {
  throw std::runtime_error(std::string("cannot ") + doing + " " + staging_ + ": " +
                           std::strerror(errno));
}

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

std::string temporary_name(std::string const& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

}  // namespace parfold
