import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let collect: (() => void) | undefined;

/**
 * The heap in use after a full garbage collection: what the process keeps, not what it has
 * yet to collect. Works without `--expose-gc` too: V8 hands `gc` to a context created after
 * the flag is set (the trick Node's own tests use), so jest workers can measure it.
 */
export function heapAfterGc(): number {
  if (!collect) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collect = exposed;
    else {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    }
  }
  // Several passes: objects freed by one pass (weak callbacks, finalizers) go in the next.
  for (let i = 0; i < 3; i++) collect();
  return process.memoryUsage().heapUsed;
}
