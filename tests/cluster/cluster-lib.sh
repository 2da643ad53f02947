# Shared by the cluster tests (source it): a private Slurm (munged, slurmctld, slurmd) and
# hosts in network namespaces, started by recorded PID and always torn down in a trap.
# Needs root (or sudo -n), Debian's slurmctld slurmd slurm-client munge iproute2.
# Adapted from working recipes; see slurm/README.md for the pitfalls they avoid.

SKIP=77  # ctest SKIP_RETURN_CODE
CL_BASE=${CL_BASE:-/tmp/parfold-cluster-$$}
CL_NET=10.78.0            # private addresses this test creates and removes
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# A skip is visible: ctest lists the test as skipped (SKIP_RETURN_CODE 77). Under CI=true
# a cluster test that cannot run fails instead (exit 1): CI must run them.
skip() {
  if [[ ${CI:-} == true ]]; then
    echo "FAILED: cannot run under CI=true: $*" >&2
    exit 1
  fi
  echo "SKIPPED: $*"
  exit $SKIP
}

# Skips the test (never a silent pass) when the machine cannot run it.
require_cluster_tools() {
  [[ $(id -u) -eq 0 ]] || skip "needs root to start munged, slurmd and network namespaces"
  local t
  for t in slurmctld slurmd sbatch munged ip unshare nsenter setpriv; do
    command -v "$t" >/dev/null || [[ -x /usr/sbin/$t ]] || skip "$t is not installed (bash cmake/install-deps.sh)"
  done
}
require_netns() {
  ip netns add pfprobe$$ 2>/dev/null || skip "cannot create network namespaces here (no CAP_SYS_ADMIN/CAP_NET_ADMIN)"
  ip netns del pfprobe$$
}

# Stops the PIDs recorded in the given files: TERM, then KILL after 10 s.
stop_pids() {
  local pids=() f
  for f in "$@"; do [[ -s $f ]] && pids+=("$(cat "$f")") && rm -f "$f"; done
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "${pids[@]}" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

start_munge() {
  [[ -s /etc/munge/munge.key ]] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F >"$CL_BASE/log/munged.out" 2>&1 &
  echo $! >"$CL_BASE/munged.bgpid"
  for _ in $(seq 1 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "munged did not start" >&2; return 1
}

# slurm.conf common part; $1: controller address; the node lines follow.
write_slurm_conf() {
  cat >"$CL_BASE/slurm.conf" <<CONF
ClusterName=parfold
SlurmctldHost=$(hostname -s)($1)
SlurmUser=slurm
SlurmdUser=root
SlurmctldPort=$CL_CTLD_PORT
SlurmdPort=$CL_SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
MailProg=/bin/true
StateSaveLocation=$CL_BASE/state
SlurmctldPidFile=$CL_BASE/slurmctld.pid
SlurmctldLogFile=$CL_BASE/log/slurmctld.log
SlurmdSpoolDir=$CL_BASE/spool/%n
SlurmdPidFile=$CL_BASE/slurmd-%n.pid
SlurmdLogFile=$CL_BASE/log/slurmd-%n.log
TmpFS=$CL_BASE/tmp/%n
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
ReturnToService=2
EnforcePartLimits=ALL
SlurmdParameters=config_overrides
KillWait=5
InactiveLimit=0
MinJobAge=300
CONF
  export SLURM_CONF=$CL_BASE/slurm.conf
}

wait_idle() {  # $1: number of idle nodes expected; our own daemons must be the ones up
  local f
  for _ in $(seq 1 150); do
    for f in "$CL_BASE"/slurm*.bgpid; do kill -0 "$(cat "$f")" 2>/dev/null || { echo "$f: daemon died" >&2; tail -n 20 "$CL_BASE"/log/* >&2; return 1; }; done
    [[ $(sinfo -h -o '%T %D' 2>/dev/null) == "idle $1" ]] && return 0
    sleep 0.2
  done
  echo "slurm did not come up" >&2; tail -n 20 "$CL_BASE"/log/* >&2; return 1
}

setup_base() {
  mkdir -p "$CL_BASE"/{state,spool,log,tmp}
  chown slurm: "$CL_BASE"/state "$CL_BASE"/log
  # Ports of this private cluster: two free ones (a real Slurm on 6817/6818 is left alone).
  local p=$((20000 + $$ % 20000))
  while ss -Hltn "( sport = :$p or sport = :$((p + 1)) )" | grep -q .; do p=$((p + 2)); done
  CL_CTLD_PORT=$p
  CL_SLURMD_PORT=$((p + 1))
}

# One node: this host, declaring $1 CPUs (may exceed the real ones: config_overrides).
slurm_up() {
  local cpus=${1:-4} h
  setup_base
  h=$(hostname -s)
  getent hosts "$h" >/dev/null || echo "127.0.0.1 $h" >>/etc/hosts  # slurmd and srun resolve it
  mkdir -p "$CL_BASE/spool/$h" "$CL_BASE/tmp/$h"
  start_munge
  write_slurm_conf 127.0.0.1
  cat >>"$SLURM_CONF" <<CONF
NodeName=$h NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  /usr/sbin/slurmctld -D -f "$SLURM_CONF" >"$CL_BASE/log/slurmctld.out" 2>&1 &
  echo $! >"$CL_BASE/slurmctld.bgpid"
  /usr/sbin/slurmd -D -f "$SLURM_CONF" >"$CL_BASE/log/slurmd.out" 2>&1 &
  echo $! >"$CL_BASE/slurmd.bgpid"
  wait_idle 1
}

# $1 hosts pfns1..N at $CL_NET.1i on bridge pfbr0 ($CL_NET.1), no route out.
netns_up() {
  local n=$1 i
  ip link add pfbr0 type bridge
  ip addr add $CL_NET.1/24 dev pfbr0
  ip link set pfbr0 up
  for i in $(seq 1 "$n"); do
    ip netns add pfns$i
    ip link add pfv${i}h type veth peer name pfv${i}n
    ip link set pfv${i}h master pfbr0 up
    ip link set pfv${i}n netns pfns$i
    ip -n pfns$i link set lo up
    ip -n pfns$i link set pfv${i}n name mpi0
    ip -n pfns$i addr add $CL_NET.1$i/24 dev mpi0
    ip -n pfns$i link set mpi0 up
  done
}
netns_down() {
  local i
  for i in 1 2 3 4 5 6 7 8 9; do
    ip netns pids pfns$i 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del pfns$i 2>/dev/null
    ip link del pfv${i}h 2>/dev/null
  done
  ip link del pfbr0 2>/dev/null
  if [[ -d /run/netns ]] && [[ -z $(ip netns list) ]]; then umount /run/netns 2>/dev/null; rmdir /run/netns 2>/dev/null; fi
  true
}

# Slurm over the namespaces: slurmctld on the bridge, one slurmd per namespace, each with
# its own UTS hostname (started with nsenter: "ip netns exec" remounts /sys).
slurm_ns_up() {
  local n=$1 cpus=${2:-2} i
  setup_base
  for i in $(seq 1 "$n"); do mkdir -p "$CL_BASE/spool/pfns$i" "$CL_BASE/tmp/pfns$i"; done
  start_munge
  write_slurm_conf $CL_NET.1
  cat >>"$SLURM_CONF" <<CONF
NodeName=pfns[1-$n] NodeAddr=$CL_NET.[11-$((10 + n))] CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  /usr/sbin/slurmctld -D -f "$SLURM_CONF" >"$CL_BASE/log/slurmctld.out" 2>&1 &
  echo $! >"$CL_BASE/slurmctld.bgpid"
  for i in $(seq 1 "$n"); do
    nsenter --net=/run/netns/pfns$i unshare --uts \
      sh -c "hostname pfns$i && exec /usr/sbin/slurmd -D -N pfns$i -f $SLURM_CONF" >"$CL_BASE/log/slurmd-pfns$i.out" 2>&1 &
    echo $! >"$CL_BASE/slurmd-pfns$i.bgpid"
  done
  wait_idle "$n"
}

slurm_down() {
  if [[ -n ${SLURM_CONF:-} ]]; then
    scancel --user="$(id -un)" 2>/dev/null || true
  fi
  stop_pids "$CL_BASE"/slurmd*.bgpid "$CL_BASE"/slurmctld.bgpid
  stop_pids "$CL_BASE"/munged.bgpid
}

# Everything down, whatever state the test left; installed as the EXIT trap.
teardown() {
  local rc=$?
  set +e
  slurm_down
  netns_down
  if ((rc != 0 && rc != SKIP)); then
    echo "--- logs of the failed test" >&2
    tail -n 30 "$CL_BASE"/log/* "$CL_BASE"/*.out 2>/dev/null >&2
  fi
  rm -rf "$CL_BASE"
  exit $rc
}

# Submits and waits (sbatch --wait polls too slowly); returns the job's exit code.
sbatch_wait() {
  local jid
  jid=$(sbatch --parsable "$@") || return 99
  job_wait "$jid"
}
job_state() { scontrol show job "$1" -o 2>/dev/null | grep -oE 'JobState=[A-Z_]+' | cut -d= -f2; }
job_wait() {
  local jid=$1 st ec
  for _ in $(seq 1 1500); do
    st=$(job_state "$jid")
    case "$st" in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) break ;; esac
    sleep 0.2
  done
  ec=$(scontrol show job "$jid" -o | grep -oE ' ExitCode=[0-9]+:[0-9]+' | cut -d= -f2)
  echo "job $jid $st exit=$ec" >&2
  [[ $st == COMPLETED ]] && return 0 || return $((${ec%%:*} ? ${ec%%:*} : 1))
}

fail() { echo "FAIL: $*" >&2; exit 1; }
# The JSON object parfold printed last in a job's output file.
last_json() { python3 -c 'import json,sys; t=open(sys.argv[1]).read(); i=t.rfind("\n{\n"); print(json.dumps(json.loads(t[i+1:t.index("\n}\n", i)+2])["result"], sort_keys=True))' "$1"; }
