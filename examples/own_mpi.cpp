// A program that initialises MPI itself, talks on MPI_COMM_WORLD, and folds through
// parfold between its own messages: parfold works on duplicates of the communicator,
// so the two never meet. The partial here is a std::vector (not trivially copyable):
// it travels with Boost.Serialization.
//   mpirun -n 2 own_mpi
#include <mpi.h>

#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <parfold/parfold.hpp>

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int status = 0;
  {
    parfold::Context ctx(MPI_COMM_WORLD);
    // A message of our own in flight across the fold (tag 0, the tag parfold would use first).
    int token = 42 + rank, received = -1;
    MPI_Request send = MPI_REQUEST_NULL, recv = MPI_REQUEST_NULL;
    MPI_Irecv(&received, 1, MPI_INT, (rank + size - 1) % size, 0, MPI_COMM_WORLD, &recv);
    MPI_Isend(&token, 1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD, &send);

    // A histogram of i mod 10 over [0, 10^6): every bucket holds 10^5.
    parfold::Options opt;
    opt.schedule = parfold::Schedule::parse("guided");
    std::vector<std::uint64_t> const hist = parfold::fold(
        ctx, 1'000'000, std::vector<std::uint64_t>(10, 0),
        [](parfold::Range r, std::vector<std::uint64_t>& acc) {
          for (auto i = r.begin; i < r.end; ++i) ++acc[i % 10];
        },
        [](std::vector<std::uint64_t>& into, std::vector<std::uint64_t> const& from) {
          for (std::size_t b = 0; b < into.size(); ++b) into[b] += from[b];
        },
        opt);
    MPI_Wait(&send, MPI_STATUS_IGNORE);
    MPI_Wait(&recv, MPI_STATUS_IGNORE);
    bool ok = received == 42 + (rank + size - 1) % size;
    for (std::uint64_t h : hist) ok = ok && h == 100'000;
    if (!ok) status = 1;
    std::printf("rank %d: histogram %s, own message %s\n", rank, ok ? "ok" : "WRONG",
                received == 42 + (rank + size - 1) % size ? "ok" : "WRONG");
  }
  MPI_Finalize();
  return status;
}
