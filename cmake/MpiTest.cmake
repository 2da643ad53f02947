# add_mpi_test(<name> COMMAND <exe> [args...] RANKS <n>... [TIMEOUT s] [LABELS l...]
#              [LAUNCHER_RANKS <n>...])
# Adds one ctest per rank count, named <name>.np<n>, run under mpiexec allowing more ranks
# than cores and with the run-as-root variables, with a
# timeout so that a missed collective fails instead of hanging.
set(PARFOLD_MPIEXEC_ENV OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1)
# Open MPI's mpirun refuses more ranks than cores and binds ranks to cores unless told not
# to; MPICH's Hydra (mpiexec.hydra, Intel MPI's, MVAPICH's) does neither and knows no such flags.
execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version OUTPUT_VARIABLE mpiexec_version
                ERROR_VARIABLE mpiexec_version)
if(mpiexec_version MATCHES "Open MPI|OpenRTE")
  set(PARFOLD_MPIEXEC_FLAGS --oversubscribe --bind-to none)
else()
  set(PARFOLD_MPIEXEC_FLAGS "")
endif()

# LAUNCHER_RANKS: the rank counts (`-` for a suite without RANKS, LAUNCHER in add_suite_test)
# that also carry the label `launcher`: what the MPI or its launcher decides, run again on the
# second MPI (scripts/test.sh: ctest --preset mpich -L launcher).
function(launcher_label n launcher_ranks out)
  set(labels ${ARGN})
  if(n IN_LIST launcher_ranks)
    list(APPEND labels launcher)
  endif()
  set(${out} "${labels}" PARENT_SCOPE)
endfunction()

function(add_mpi_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "COMMAND;RANKS;LABELS;LAUNCHER_RANKS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 60)
  endif()
  foreach(n IN LISTS ARG_RANKS)
    add_test(NAME ${name}.np${n}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${n} ${PARFOLD_MPIEXEC_FLAGS}
                     ${ARG_COMMAND})
    launcher_label(${n} "${ARG_LAUNCHER_RANKS}" labels ${ARG_LABELS})
    set_tests_properties(${name}.np${n} PROPERTIES
      TIMEOUT ${ARG_TIMEOUT} LABELS "mpi;${labels}" PROCESSORS ${n}
      ENVIRONMENT "${PARFOLD_MPIEXEC_ENV}")
  endforeach()
endfunction()

# add_suite_test(<name> COMMAND <script command...> [RANKS <n>...] [TIMEOUT s] [LABELS l...]
#                [WORKING_DIRECTORY dir] [LAUNCHER_RANKS <n>... | LAUNCHER])
# Adds a ctest that runs one suite of a test script (tests/cli/*.py): with RANKS, one
# ctest per rank count, named <name>.np<n>, with <n> as the script's last argument.
# Every one gets the mpiexec environment (the script starts mpirun itself).
function(add_suite_test name)
  cmake_parse_arguments(ARG "LAUNCHER" "TIMEOUT;WORKING_DIRECTORY" "COMMAND;RANKS;LABELS;LAUNCHER_RANKS" ${ARGN})
  if(ARG_LAUNCHER)
    set(ARG_LAUNCHER_RANKS "-")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(NOT ARG_WORKING_DIRECTORY)
    set(ARG_WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  if(NOT ARG_RANKS)
    set(names ${name})
    set(args "-")
  else()
    set(names "")
    foreach(n IN LISTS ARG_RANKS)
      list(APPEND names ${name}.np${n})
    endforeach()
    set(args ${ARG_RANKS})
  endif()
  foreach(test_name n IN ZIP_LISTS names args)
    set(command ${ARG_COMMAND})
    if(NOT n STREQUAL "-")
      list(APPEND command ${n})
    endif()
    add_test(NAME ${test_name} COMMAND ${command} WORKING_DIRECTORY ${ARG_WORKING_DIRECTORY})
    launcher_label(${n} "${ARG_LAUNCHER_RANKS}" labels ${ARG_LABELS})
    set_tests_properties(${test_name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${labels}"
      ENVIRONMENT "${PARFOLD_MPIEXEC_ENV}")
  endforeach()
endfunction()
