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

# The MPI library a shared object was linked with (libmpi.so.40, libmpich.so.12...), by its
# dynamic section; empty where it names none (a static archive, an MPI linked by path).
find_program(PARFOLD_READELF NAMES ${CMAKE_READELF} readelf)
function(parfold_mpi_soname file out)
  set(${out} "" PARENT_SCOPE)
  if(NOT PARFOLD_READELF OR NOT file MATCHES "\\.so")
    return()
  endif()
  execute_process(COMMAND ${PARFOLD_READELF} -d ${file} OUTPUT_VARIABLE dyn ERROR_QUIET)
  string(REGEX MATCH "\\[(lib(mpi|mpich|mpi_ibm|mpi_cray|mpich_[a-z]+)[^]]*\\.so[^]]*)\\]" m "${dyn}")
  set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

get_target_property(boost_mpi_file Boost::mpi LOCATION)
list(GET MPI_C_LIBRARIES 0 mpi_c_file)
get_filename_component(mpi_c_real ${mpi_c_file} REALPATH)
execute_process(COMMAND ${PARFOLD_READELF} -d ${mpi_c_real} OUTPUT_VARIABLE mpi_dyn ERROR_QUIET)
string(REGEX MATCH "SONAME\\)[^[]*\\[([^]]+)\\]" m "${mpi_dyn}")
set(mpi_c_soname "${CMAKE_MATCH_1}")
parfold_mpi_soname(${boost_mpi_file} boost_mpi_soname)
if(boost_mpi_soname AND mpi_c_soname AND NOT boost_mpi_soname STREQUAL mpi_c_soname)
  message(FATAL_ERROR "Boost.MPI (${boost_mpi_file}) is built for ${boost_mpi_soname}, but this build's "
    "MPI (${MPI_C_COMPILER}) is ${mpi_c_soname}. Use a Boost.MPI built for this MPI: "
    "-DPARFOLD_BOOST_MPI=build, or Boost_MPI_LIBRARY_RELEASE=/path/to/its/libboost_mpi.so with "
    "-DBoost_NO_BOOST_CMAKE=ON (see README, \"Other MPIs\").")
endif()
message(STATUS "Boost.MPI: ${boost_mpi_file} (${boost_mpi_soname}); MPI: ${mpi_c_soname}")
