/** Where progress lines go: stderr in the CLIs, a no-op in tests. */
export type ProgressSink = (line: string) => void;

export const stderrProgress: ProgressSink = (line) => {
  process.stderr.write(`${line}\n`);
};

export const silentProgress: ProgressSink = () => {};

/**
 * Progress of one long step, printed at most every `intervalMs` (plain lines, so a log file
 * reads well), with the rate and an estimate of the time left when the total is known.
 */
export function progressMeter(
  sink: ProgressSink,
  label: string,
  total: number,
  unit: string,
  intervalMs = 2000,
): { update(done: number): void; done(): void } {
  const started = performance.now();
  let last = started;
  let latest = 0;
  const line = (done: number, now: number) => {
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const percent = total > 0 ? ` (${((100 * done) / total).toFixed(1)}%)` : '';
    const eta = rate > 0 && total > done ? `, ~${Math.ceil((total - done) / rate)} s left` : '';
    return `${label}: ${formatCount(done)}/${formatCount(total)} ${unit}${percent} in ${seconds.toFixed(1)} s${eta}`;
  };
  return {
    update(done: number) {
      latest = done;
      const now = performance.now();
      if (now - last >= intervalMs) {
        last = now;
        sink(line(done, now));
      }
    },
    done() {
      if (performance.now() - started >= intervalMs)
        sink(line(Math.max(latest, total), performance.now()));
    },
  };
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
