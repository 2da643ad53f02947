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
