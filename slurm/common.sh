# Sourced by the batch templates in slurm/: logs the environment, finds parfold and
# defines `launch`, which starts it on every task of the allocation.
#   PARFOLD          the binary (default: $PARFOLD_HOME/bin/parfold or
#                    $PARFOLD_HOME/build/release/src/parfold when PARFOLD_HOME is set (an
#                    install prefix or a checkout), else build/release/src/parfold of the
#                    submit directory, else parfold on PATH)
#   PARFOLD_LAUNCHER srun (default) or mpirun (Open MPI's mpirun inside the allocation)

log_environment() {
  echo "=== $(date -Is) job ${SLURM_JOB_ID:-?} (${SLURM_JOB_NAME:-?}) restart ${SLURM_RESTART_COUNT:-0}"
  echo "nodes ${SLURM_JOB_NODELIST:-?} (${SLURM_NNODES:-?}), tasks ${SLURM_NTASKS:-?}," \
       "cpus per task ${SLURM_CPUS_PER_TASK:-1}, batch host $(hostname), submit dir ${SLURM_SUBMIT_DIR:-?}"
  echo "parfold: $PARFOLD ($("$PARFOLD" --version 2>&1 | head -n1)); launcher: $PARFOLD_LAUNCHER"
}

if [[ -z ${PARFOLD:-} ]]; then
  for candidate in ${PARFOLD_HOME:+"$PARFOLD_HOME/bin/parfold" "$PARFOLD_HOME/build/release/src/parfold"} \
                   "${SLURM_SUBMIT_DIR:-.}/build/release/src/parfold"; do
    if [[ -x $candidate ]]; then
      PARFOLD=$candidate
      break
    fi
  done
  PARFOLD=${PARFOLD:-$(command -v parfold || echo parfold)}
fi
PARFOLD_LAUNCHER=${PARFOLD_LAUNCHER:-srun}
THREADS=${SLURM_CPUS_PER_TASK:-1}

# LAUNCH: the command that starts parfold on every task, one rank per task, with
# --threads = --cpus-per-task; `launch [parfold arguments]` runs it.
if [[ $PARFOLD_LAUNCHER == mpirun ]]; then
  # mpirun reads the allocation from Slurm and starts its daemons with srun.
  LAUNCH=(mpirun -n "$SLURM_NTASKS" --bind-to none "$PARFOLD" --threads "$THREADS")
else
  # PMIx: the only srun MPI plugin that works with Debian's Open MPI.
  LAUNCH=(srun --kill-on-bad-exit=1 --mpi=pmix --cpus-per-task="$THREADS" "$PARFOLD" --threads "$THREADS")
fi
launch() { "${LAUNCH[@]}" "$@"; }
