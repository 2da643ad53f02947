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

# run_resumable CHECKPOINT ARGS...: runs `launch --checkpoint CHECKPOINT ARGS...` in the
# background (so that bash handles USR1 at once: a foreground command would delay the
# trap until it ends). On USR1 (--signal=B:USR1@T before the walltime, pre-emption,
# `scancel --signal=USR1 --batch JOBID`) parfold is asked to save its checkpoint and stop
# (status 75); the job then requeues itself and the next run resumes. Returns parfold's
# status, 0 after a requeue.
run_resumable() {
  local checkpoint=$1
  shift
  "${LAUNCH[@]}" --checkpoint "$checkpoint" "$@" &
  local pid=$! rc=0
  # srun dies of USR1 itself: with srun the signal goes to the job's steps (the ranks)
  # through Slurm; mpirun forwards it to its ranks.
  RESUMABLE_PID=$pid
  STOP_ASKED=0
  trap _stop_resumable USR1
  wait "$pid" || rc=$?
  while ((rc > 128)) && kill -0 "$pid" 2>/dev/null; do  # wait was interrupted by the trap
    rc=0
    wait "$pid" || rc=$?
  done
  echo "=== $(date -Is) parfold exited with status $rc"
  if ((rc == 75)); then
    echo "=== checkpoint $checkpoint written; requeueing job $SLURM_JOB_ID to resume"
    scontrol requeue "$SLURM_JOB_ID"
    return 0
  fi
  # A signal that reaches the launcher as it is finishing can kill it (mpirun drops its
  # USR1 handler in its teardown). The checkpoint knows how far the job got: requeue, and
  # the next run resumes, or answers at once if the job had finished.
  if ((STOP_ASKED && rc > 128)) && [[ -s $checkpoint ]]; then
    echo "=== the launcher died of signal $((rc - 128)) after the stop request; requeueing to resume from $checkpoint"
    scontrol requeue "$SLURM_JOB_ID"
    return 0
  fi
  return "$rc"
}

_stop_resumable() {
  STOP_ASKED=1
  echo "=== $(date -Is) USR1: asking parfold to checkpoint and stop"
  if [[ $PARFOLD_LAUNCHER == mpirun ]]; then
    kill -USR1 "$RESUMABLE_PID" 2>/dev/null || true
  else
    scancel --signal=USR1 "$SLURM_JOB_ID" || true
  fi
}
