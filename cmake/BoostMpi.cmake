# Boost.MPI for the MPI this build uses. PARFOLD_BOOST_MPI:
#   system  find_package(Boost) finds it (Debian's libboost-mpi-dev is built for Open MPI;
#           Spack's boost+mpi and EasyBuild's Boost.MPI modules are built for theirs);
#   build   cmake/build-boost-mpi.sh builds it for MPI_CXX_COMPILER from Boost's sources,
#           once, into a cache (~/.cache/parfold; PARFOLD_CACHE to move it).
# Either way, a Boost.MPI built for another MPI library than MPI_C's is refused by name:
# linked together they would crash at the first message.
set(PARFOLD_BOOST_MPI "system" CACHE STRING "Boost.MPI: 'system' or 'build' (for MPI_CXX_COMPILER)")
set_property(CACHE PARFOLD_BOOST_MPI PROPERTY STRINGS system build)

if(PARFOLD_BOOST_MPI STREQUAL "build")
  if(NOT MPI_CXX_COMPILER)
    message(FATAL_ERROR "PARFOLD_BOOST_MPI=build needs MPI_CXX_COMPILER, the MPI's C++ wrapper")
  endif()
  execute_process(COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/build-boost-mpi.sh ${MPI_CXX_COMPILER}
                  OUTPUT_VARIABLE boost_mpi_lib OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake/build-boost-mpi.sh ${MPI_CXX_COMPILER} failed (${rc})")
  endif()
  set(Boost_NO_BOOST_CMAKE ON)  # Boost's own config files would name the system's Boost.MPI
  find_library(Boost_SERIALIZATION_LIBRARY_RELEASE boost_serialization REQUIRED)
  set(Boost_MPI_LIBRARY_RELEASE ${boost_mpi_lib} CACHE FILEPATH "Boost.MPI built for this MPI" FORCE)
elseif(NOT PARFOLD_BOOST_MPI STREQUAL "system")
  message(FATAL_ERROR "PARFOLD_BOOST_MPI is '${PARFOLD_BOOST_MPI}': 'system' or 'build'")
endif()
find_package(Boost 1.74 REQUIRED COMPONENTS mpi serialization)

# The MPI library names: Open MPI's libmpi.so.40, MPICH's libmpich.so.12, Intel MPI's
# libmpi.so.12, Cray's libmpi_cray.so.12 (not libmpi_cxx, libmpichcxx, libmpifort).
set(PARFOLD_MPI_LIB_REGEX "lib(mpi|mpich|mpi_cray|mpi_ibm)\\.so[.0-9]*")
find_program(PARFOLD_READELF NAMES ${CMAKE_READELF} readelf)

# The first `entry` (NEEDED, SONAME) of the shared object `file`'s dynamic section that
# matches `pattern`; empty where there is none (a static archive, no readelf).
function(parfold_dynamic_entry file entry pattern out)
  set(${out} "" PARENT_SCOPE)
  get_filename_component(real ${file} REALPATH)
  if(PARFOLD_READELF AND real MATCHES "\\.so")
    execute_process(COMMAND ${PARFOLD_READELF} -d ${real} OUTPUT_VARIABLE dyn ERROR_QUIET)
    string(REGEX MATCH "${entry}\\)[^[]*\\[(${pattern})\\]" m "${dyn}")
    set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  endif()
endfunction()

# The SONAME of the MPI library among `libraries` (MPI_C_LIBRARIES, MPI_CXX_LIBRARIES).
function(parfold_mpi_soname libraries out)
  set(${out} "" PARENT_SCOPE)
  foreach(lib IN LISTS libraries)
    get_filename_component(name ${lib} NAME)
    if(name MATCHES "^${PARFOLD_MPI_LIB_REGEX}$")
      parfold_dynamic_entry(${lib} SONAME "[^]]+" soname)
      set(${out} "${soname}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

get_target_property(boost_mpi_file Boost::mpi LOCATION)
parfold_dynamic_entry(${boost_mpi_file} NEEDED "${PARFOLD_MPI_LIB_REGEX}" boost_mpi_soname)
parfold_mpi_soname("${MPI_C_LIBRARIES}" PARFOLD_MPI_SONAME)
if(NOT boost_mpi_soname OR NOT PARFOLD_MPI_SONAME)
  message(WARNING "Cannot tell which MPI Boost.MPI (${boost_mpi_file}: '${boost_mpi_soname}') and this "
    "build (${MPI_C_COMPILER}: '${PARFOLD_MPI_SONAME}') use: check that they are the same (docs/mpi.md).")
elseif(NOT boost_mpi_soname STREQUAL PARFOLD_MPI_SONAME)
  message(FATAL_ERROR "Boost.MPI (${boost_mpi_file}) is built for ${boost_mpi_soname}, but this build's "
    "MPI (${MPI_C_COMPILER}) is ${PARFOLD_MPI_SONAME}. Use a Boost.MPI built for this MPI: "
    "-DPARFOLD_BOOST_MPI=build, or Boost_MPI_LIBRARY_RELEASE=/path/to/its/libboost_mpi.so with "
    "-DBoost_NO_BOOST_CMAKE=ON (see README, \"Other MPIs\").")
endif()
message(STATUS "Boost.MPI: ${boost_mpi_file} (${boost_mpi_soname}); MPI: ${PARFOLD_MPI_SONAME}")
