/** Where request lines go. Lambda and the local server both write them to stdout. */
export type TelemetrySink = (line: string) => void;

let pendingLines: string[] = [];
let flushScheduled = false;
let exitHooked = false;

function flushLines(): void {
  flushScheduled = false;
  if (pendingLines.length === 0) return;
  const text = pendingLines.join('');
  pendingLines = [];
  process.stdout.write(text);
}

/**
 * The local gateway's default sink: lines to stdout, gathered and written once per turn of the
 * event loop. stdout to a file or pipe is a synchronous system call per write on Linux; requests
 * that end together share one. Lines still pending when the process exits are written then.
 */
export const stdoutTelemetry: TelemetrySink = (line) => {
  pendingLines.push(line + '\n');
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushLines);
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', flushLines);
  }
};
