#!/usr/bin/env bash
# TilePipe on Slurm: an array of N shard tasks, then a merge job that starts only if all of them succeed.
#   deploy/slurm-array.sh pipeline.yaml /scratch/run-2025-09-14 8
# Each task gets SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT from Slurm; tilepipe reads them as its shard.
# A requeued or re-submitted task resumes from its shard catalog.
set -euo pipefail
PIPELINE=${1:?pipeline.yaml}
RUN_DIR=${2:?run folder on a shared file system}
SHARDS=${3:-4}
TILEPIPE=${TILEPIPE:-tilepipe}
mkdir -p "$RUN_DIR/shards" "$RUN_DIR/logs"

array_id=$(sbatch --parsable \
    --job-name=tilepipe-shard --array="0-$((SHARDS - 1))" \
    --cpus-per-task=2 --mem=4G --time=12:00:00 --requeue \
    --output="$RUN_DIR/logs/shard-%a.log" \
    --wrap="$TILEPIPE run '$PIPELINE' --output '$RUN_DIR/shards/'\$SLURM_ARRAY_TASK_ID --progress never --log-format json")

merge_id=$(sbatch --parsable \
    --job-name=tilepipe-merge --dependency="afterok:$array_id" \
    --cpus-per-task=1 --mem=1G --time=1:00:00 \
    --output="$RUN_DIR/logs/merge.log" \
    --wrap="$TILEPIPE merge '$RUN_DIR'/shards/* --output '$RUN_DIR/merged'")

echo "submitted shards $array_id (0..$((SHARDS - 1))) and merge $merge_id → $RUN_DIR/merged"
