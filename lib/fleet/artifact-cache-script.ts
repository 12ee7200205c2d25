/**
 * The artifact cache's protocol on the instances, a script the boot writes to
 * `/opt/vllm/artifact-cache.sh`. A cache entry is a key prefix in the cache bucket:
 *
 * - An entry is usable only once its `_COMPLETE` marker exists; the uploader writes the marker
 *   last, so a reader never loads a half-written entry.
 * - Before uploading, a host creates `_UPLOADING` with an S3 conditional write (`If-None-Match: *`):
 *   S3 lets exactly one request create a key and answers every other with 412 Precondition Failed
 *   (or 409 when they race), so two hosts never upload into one entry (S3 User Guide,
 *   conditional-writes). The lock is tagged `artifact-cache-lock=true`; the bucket's lifecycle rule
 *   expires it after a day, so an upload that died lets a later host try again.
 * - Everything else (sync, head, marker) is plain S3 through the AWS CLI, with the instance role.
 *
 * Environment: `ARTIFACT_CACHE_BUCKET`; `INSTANCE_ID` (for the lock's owner); for
 * `publish-when-ready` also `VLLM_PORT`, `COMPILED_ARTIFACTS_KEY`, `VLLM_CACHE_ROOT` and, when the
 * weights are cached, `MODEL_WEIGHTS_KEY` and `MODEL_WEIGHTS_DIR`.
 */
export const ARTIFACT_CACHE_SCRIPT_PATH = '/opt/vllm/artifact-cache.sh';

export const ARTIFACT_CACHE_SCRIPT = `#!/bin/bash
#   fetch <key> <dir>     copy the entry s3://$ARTIFACT_CACHE_BUCKET/<key>/ into <dir>; exit 1 when it is not staged
#   publish <key> <dir>   stage <dir> as the entry, unless it is staged or another host is staging it
#   publish-when-ready    once vLLM answers /health (model loaded, KV connector up), publish the
#                         compiled artifacts and, when cached, the weights
set -uo pipefail
bucket="$ARTIFACT_CACHE_BUCKET"
log() { echo "artifact-cache: $*" >&2; }
staged() { aws s3api head-object --bucket "$bucket" --key "$1/_COMPLETE" >/dev/null 2>&1; }

fetch() {
  local key=$1 dir=$2
  staged "$key" || { log "s3://$bucket/$key is not staged yet"; return 1; }
  mkdir -p "$dir"
  aws s3 sync "s3://$bucket/$key/" "$dir" --exclude _COMPLETE --exclude _UPLOADING --only-show-errors ||
    { log "could not load s3://$bucket/$key"; return 1; }
  log "loaded s3://$bucket/$key into $dir"
}

publish() {
  local key=$1 dir=$2 owner
  staged "$key" && return 0
  [ -n "$(ls -A "$dir" 2>/dev/null)" ] || { log "$dir is empty: nothing to stage"; return 0; }
  owner=$(mktemp)
  echo "\${INSTANCE_ID:-unknown} $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$owner"
  if ! aws s3api put-object --bucket "$bucket" --key "$key/_UPLOADING" --body "$owner" --if-none-match '*' \\
      --tagging artifact-cache-lock=true >/dev/null 2>&1; then
    log "s3://$bucket/$key is being staged by another host (or the lock is not yet expired): not uploading"
    return 0
  fi
  aws s3 sync "$dir" "s3://$bucket/$key/" --only-show-errors ||
    { log "staging s3://$bucket/$key failed; its lock expires within a day"; return 1; }
  aws s3api put-object --bucket "$bucket" --key "$key/_COMPLETE" --body "$owner" >/dev/null ||
    { log "could not mark s3://$bucket/$key complete"; return 1; }
  log "staged $dir as s3://$bucket/$key"
}

case "\${1:-}" in
  fetch) fetch "$2" "$3" ;;
  publish) publish "$2" "$3" ;;
  publish-when-ready)
    until curl -sf -o /dev/null "http://127.0.0.1:$VLLM_PORT/health"; do sleep 30; done
    publish "$COMPILED_ARTIFACTS_KEY" "$VLLM_CACHE_ROOT"
    if [ -n "\${MODEL_WEIGHTS_KEY:-}" ]; then publish "$MODEL_WEIGHTS_KEY" "$MODEL_WEIGHTS_DIR"; fi ;;
  *) echo "usage: $0 fetch|publish <key> <dir> | publish-when-ready" >&2; exit 2 ;;
esac
`;
