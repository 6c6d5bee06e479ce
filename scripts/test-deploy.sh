#!/usr/bin/env bash
# Deployment test on a real scheduler (issue 17 item 5): a one-node Slurm on this machine runs
# deploy/slurm-array.sh over SampleTiles/ with 3 shards, then the merged outputs are compared byte for byte
# with an unsharded `tilepipe run` of the same pipeline.
#
#   scripts/test-deploy.sh                 # installs slurm-wlm + munge when missing (root), builds release
#   TILEPIPE=.build/release/tilepipe scripts/test-deploy.sh --no-build
#
# What it starts, all private to a work folder (TEST_DEPLOY_WORK, default a fresh /tmp/tilepipe-slurm.XXXX) and
# stopped on exit: munged on its own socket and key, slurmctld -D and slurmd -D with a generated slurm.conf
# (localhost only, ports 16817/16818, proctrack/linuxproc, no accounting). Needs root (slurmd runs jobs as the
# submitting user and must own its spool).
#
# Compared: every file of the merged run against the unsharded run byte for byte (indices, class maps, quicklooks,
# STAC, GeoJSON, CSV report), except the records of the run itself: catalog.sqlite*, report.json and report.html
# are skipped; run.json and report.md are compared with their start/finish times, wall seconds and shard masked.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=1
SHARDS=3
PIPELINE=${PIPELINE:-pipeline.yaml}
for a in "$@"; do
  case $a in
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $a" >&2; exit 64 ;;
  esac
done
START=$(date +%s)
say() { printf '[test-deploy %3ds] %s\n' "$(( $(date +%s) - START ))" "$*"; }

[[ $(id -u) == 0 ]] || { echo "test-deploy: needs root (slurmd, munged)"; exit 2; }

# 1. Packages.
missing=""
for p in slurm-wlm munge; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"; done
if [[ -n $missing ]]; then
  say "installing$missing"
  for i in 1 2 3; do apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing && break; sleep 10; done
fi
say "slurm $(slurmctld -V | awk '{print $2}'), munge $(munged -V 2>&1 | awk '{print $1}' | head -1)"

# 2. tilepipe.
if [[ $BUILD == 1 ]]; then say "swift build -c release"; ${SWIFT:-swift} build -c release --product tilepipe --static-swift-stdlib >/dev/null; fi
TILEPIPE=$(realpath "${TILEPIPE:-.build/release/tilepipe}")
[[ -x $TILEPIPE ]] || { echo "test-deploy: no tilepipe at $TILEPIPE"; exit 2; }

# 3. A private munge and a one-node Slurm.
W=${TEST_DEPLOY_WORK:-$(mktemp -d /tmp/tilepipe-slurm.XXXX)}
mkdir -p "$W"/{state,spool,munge,run}
PIDS=()
cleanup() {
  local s=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f $W/munge/munged.pid ]] && kill "$(cat "$W/munge/munged.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  [[ $s == 0 ]] && rm -rf "$W"
  if [[ $s != 0 ]]; then
    echo "--- slurmctld.log (tail)"; tail -20 "$W/slurmctld.log" 2>/dev/null || true
    echo "--- slurmd.log (tail)"; tail -20 "$W/slurmd.log" 2>/dev/null || true
    echo "--- job logs"; tail -n 20 "$W"/run/logs/*.log 2>/dev/null || true
    echo "work folder kept: $W"
  fi
}
trap cleanup EXIT

dd if=/dev/urandom of="$W/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$W/munge/munge.key"
munged --force --key-file="$W/munge/munge.key" --socket="$W/munge/munge.sock" --pid-file="$W/munge/munged.pid" \
       --log-file="$W/munge/munged.log" --seed-file="$W/munge/munged.seed"
for _ in $(seq 50); do [[ -S $W/munge/munge.sock ]] && break; sleep 0.1; done
munge --socket="$W/munge/munge.sock" -n | unmunge --socket="$W/munge/munge.sock" >/dev/null

CPUS=$(nproc)
MEM=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
export SLURM_CONF=$W/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=tilepipe-test
SlurmctldHost=localhost
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$W/munge/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" > "$W/slurmctld.out" 2>&1 & PIDS+=($!)
sleep 1
slurmd -D -N localhost -f "$SLURM_CONF" > "$W/slurmd.out" 2>&1 & PIDS+=($!)
for i in $(seq 60); do
  state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)
  [[ $state == idle* ]] && break
  [[ $i == 60 ]] && { echo "test-deploy: the node did not come up (state '$state')"; exit 1; }
  sleep 1
done
say "one-node Slurm up ($CPUS CPUs, ${MEM} MB); node state $state"

# 4. The array job and its merge, through the unchanged deploy script.
RUN=$W/run
SUBMIT=$(TILEPIPE=$TILEPIPE deploy/slurm-array.sh "$PIPELINE" "$RUN" "$SHARDS")
echo "$SUBMIT"
ARRAY_ID=$(sed -n 's/^submitted shards \([0-9]*\) .*/\1/p' <<<"$SUBMIT")
MERGE_ID=$(sed -n 's/.* and merge \([0-9]*\) .*/\1/p' <<<"$SUBMIT")
[[ -n $ARRAY_ID && -n $MERGE_ID ]] || { echo "test-deploy: cannot parse job ids"; exit 1; }
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | tr '\n' ' '; }
TIMEOUT=${TEST_DEPLOY_TIMEOUT:-1800}
while :; do
  ms=$(job_state "$MERGE_ID")
  [[ $ms == *COMPLETED* || $ms == *FAILED* || $ms == *CANCELLED* || $ms == *TIMEOUT* ]] && break
  if [[ $ms == *PENDING* ]] && scontrol show job "$MERGE_ID" | grep -q 'Reason=DependencyNeverSatisfied'; then
    echo "test-deploy: a shard failed, the merge will never run (shards: $(job_state "$ARRAY_ID"))"; exit 1
  fi
  (( $(date +%s) - START > TIMEOUT )) && { echo "test-deploy: timed out after ${TIMEOUT}s (merge: $ms)"; exit 1; }
  sleep 2
done
say "shards: $(job_state "$ARRAY_ID")· merge: $ms"
[[ $ms == "COMPLETED " ]] || { echo "test-deploy: merge job $ms"; exit 1; }

# 5. The same pipeline unsharded, then the comparison.
say "unsharded run"
"$TILEPIPE" run "$PIPELINE" --output "$W/whole" --progress never >"$W/whole.log" 2>&1 || { tail -20 "$W/whole.log"; exit 1; }
say "comparing $RUN/merged with $W/whole"
volatile='^(catalog\.sqlite.*|report\.json|report\.html|logs/.*|.*\.lock)$'
list() { (cd "$1" && find . -type f | sed 's|^\./||' | grep -Ev "$volatile" | LC_ALL=C sort); }
if ! diff <(list "$RUN/merged") <(list "$W/whole") >"$W/filelist.diff"; then
  echo "test-deploy: FAIL: the merged run and the unsharded run hold different files:"; cat "$W/filelist.diff"; exit 1
fi
# run.json and report.md also record the run itself (start/finish times, wall seconds, "shard": "merge of 3"
# vs "0/1"): those values are masked, every other byte of them must agree.
record='s/"(startedAt|finishedAt|wallSeconds|shard)" : [^,]*/"\1" : <run>/; s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<time>/g'
n=0; bad=0; masked=0
while read -r f; do
  n=$((n + 1))
  if [[ $f == run.json || $f == report.md ]]; then
    masked=$((masked + 1))
    cmp -s <(sed -E "$record" "$RUN/merged/$f") <(sed -E "$record" "$W/whole/$f") && continue
    diff <(sed -E "$record" "$RUN/merged/$f") <(sed -E "$record" "$W/whole/$f") | head -10
  else
    cmp -s "$RUN/merged/$f" "$W/whole/$f" && continue
  fi
  echo "differs: $f"; bad=$((bad + 1))
done < <(list "$W/whole")
if [[ $bad != 0 ]]; then echo "test-deploy: FAIL: $bad of $n files differ"; exit 1; fi
say "PASS: $SHARDS Slurm shards + merge == unsharded run: $((n - masked)) files byte-identical, $masked equal but for run times/shard (run.json, report.md); catalog and report.json/html not compared"
