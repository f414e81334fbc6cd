#!/usr/bin/env bash
# A single-node Slurm cluster for CI and for trying `--executor slurm` on one machine: installs
# Slurm and munge from Debian's packages, writes a configuration for this host, and starts munged,
# slurmctld and slurmd as root without systemd; stops them by the PIDs it saved.
#
#   .ci/slurm-local.sh up       install if needed, configure, start, wait until the node is idle
#   .ci/slurm-local.sh stop     cancel every job, stop the daemons by PID (SIGTERM, SIGKILL after 10 s)
#   .ci/slurm-local.sh status   sinfo and squeue
#
# Facts behind the configuration (Slurm 22.05 on Debian 12): ../shared/reference/slurm-local.md.
# State, spool, logs and PID files live under $SLURM_LOCAL_DIR (default /tmp/slurm-local); the
# configuration goes to /etc/slurm/slurm.conf, where the client commands look for it (set
# SLURM_LOCAL_CONF to write it elsewhere; then export SLURM_CONF for the clients).
# SLURM_LOCAL_CPUS (default: nproc) is the CPU count the node announces.
set -euo pipefail

DIR="${SLURM_LOCAL_DIR:-/tmp/slurm-local}"
CONF="${SLURM_LOCAL_CONF:-/etc/slurm/slurm.conf}"
CPUS="${SLURM_LOCAL_CPUS:-$(nproc)}"
HOST="$(hostname -s)"
PIDS="$DIR/pids"

log() { echo "slurm-local: $*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    log "must run as root (it installs packages and starts the daemons as root)"
    exit 2
  fi
}

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
    && command -v sbatch >/dev/null && command -v munged >/dev/null; then
    return
  fi
  # Package post-install scripts must not try to start services (no systemd here).
  local policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  log "installing slurmctld slurmd slurm-client munge from the Debian mirror"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >/dev/null
  if [ "$policy_added" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
  fi
}

write_config() {
  mkdir -p "$DIR"/{state,spool,log} "$PIDS" "$(dirname "$CONF")"
  cat >"$CONF" <<EOF
# Written by radcheck's .ci/slurm-local.sh: one node, root, no cgroups, no accounting daemon.
ClusterName=radcheck-ci
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
# Finished jobs stay visible to scontrol for an hour (radcheck --wait reads their states).
MinJobAge=3600
# A job whose afterok dependency can never be met is cancelled (radcheck also passes
# --kill-on-invalid-dep=yes); in 22.05 this lives here, not in SchedulerParameters.
DependencyParameters=kill_invalid_depend
SchedulerParameters=batch_sched_delay=0
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=1024 State=UNKNOWN
PartitionName=ci Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
}

alive() { # alive PID NAME: the process exists, is not a zombie, and is NAME
  local pid="$1" name="$2"
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

saved_pid() { cat "$PIDS/$1.pid" 2>/dev/null || true; }

start_daemons() {
  export SLURM_CONF="$CONF"
  if ! alive "$(saved_pid munged)" munged; then
    install -d -o munge -g munge -m 0755 /run/munge
    setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged
    for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
    cp /run/munge/munged.pid "$PIDS/munged.pid"
  fi
  if ! alive "$(saved_pid slurmctld)" slurmctld; then
    slurmctld -c -f "$CONF"
    for _ in $(seq 50); do [ -s "$DIR/slurmctld.pid" ] && break; sleep 0.1; done
    cp "$DIR/slurmctld.pid" "$PIDS/slurmctld.pid"
  fi
  if ! alive "$(saved_pid slurmd)" slurmd; then
    slurmd -f "$CONF"
    for _ in $(seq 50); do [ -s "$DIR/slurmd.pid" ] && break; sleep 0.1; done
    cp "$DIR/slurmd.pid" "$PIDS/slurmd.pid"
  fi
  local state=""
  for _ in $(seq 300); do
    state="$(sinfo -h -n "$HOST" -o %t 2>/dev/null || true)"
    case "$state" in idle | mix | alloc) break ;; esac
    sleep 0.1
  done
  case "$state" in
    idle | mix | alloc) log "node $HOST is $state ($CPUS CPUs); munged $(saved_pid munged), slurmctld $(saved_pid slurmctld), slurmd $(saved_pid slurmd)" ;;
    *)
      log "node $HOST did not come up (state '$state'); logs in $DIR/log"
      tail -n 20 "$DIR"/log/*.log >&2 || true
      exit 1
      ;;
  esac
}

stop_daemons() {
  export SLURM_CONF="$CONF"
  if command -v squeue >/dev/null && alive "$(saved_pid slurmctld)" slurmctld; then
    local jobs
    jobs="$(squeue -h -o %A 2>/dev/null | sort -u || true)"
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      scancel $jobs 2>/dev/null || true
    fi
  fi
  for name in slurmd slurmctld munged; do
    local pid
    pid="$(saved_pid "$name")"
    if alive "$pid" "$name"; then
      kill -TERM "$pid"
      for _ in $(seq 100); do alive "$pid" "$name" || break; sleep 0.1; done
      if alive "$pid" "$name"; then
        log "$name ($pid) still running after 10 s: SIGKILL"
        kill -KILL "$pid" || true
      fi
      log "stopped $name ($pid)"
    fi
    rm -f "$PIDS/$name.pid"
  done
}

case "${1:-}" in
  up)
    need_root
    install_packages
    write_config
    start_daemons
    ;;
  stop)
    need_root
    stop_daemons
    ;;
  status)
    export SLURM_CONF="$CONF"
    sinfo
    squeue
    ;;
  *)
    echo "usage: $0 up|stop|status" >&2
    exit 2
    ;;
esac
