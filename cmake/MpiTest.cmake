# add_mpi_test(<name> COMMAND <exe> [args...] RANKS <n>... [TIMEOUT s] [LABELS l...])
# Adds one ctest per rank count, named <name>.np<n>, run under mpiexec with
# --oversubscribe (more ranks than cores) and the run-as-root variables, with a
# timeout so that a missed collective fails instead of hanging.
set(PARFOLD_MPIEXEC_ENV OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1)

function(add_mpi_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "COMMAND;RANKS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 60)
  endif()
  foreach(n IN LISTS ARG_RANKS)
    add_test(NAME ${name}.np${n}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${n} --oversubscribe
                     --bind-to none ${ARG_COMMAND})
    set_tests_properties(${name}.np${n} PROPERTIES
      TIMEOUT ${ARG_TIMEOUT} LABELS "mpi;${ARG_LABELS}" PROCESSORS ${n}
      ENVIRONMENT "${PARFOLD_MPIEXEC_ENV}")
  endforeach()
endfunction()

# add_suite_test(<name> COMMAND <script command...> [RANKS <n>...] [TIMEOUT s] [LABELS l...]
#                [WORKING_DIRECTORY dir])
# Adds a ctest that runs one suite of a test script (tests/cli/*.py): with RANKS, one
# ctest per rank count, named <name>.np<n>, with <n> as the script's last argument.
# Every one gets the mpiexec environment (the script starts mpirun itself).
function(add_suite_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;WORKING_DIRECTORY" "COMMAND;RANKS;LABELS" ${ARGN})
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
    set_tests_properties(${test_name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
      ENVIRONMENT "${PARFOLD_MPIEXEC_ENV}")
  endforeach()
endfunction()
