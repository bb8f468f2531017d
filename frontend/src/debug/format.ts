/** How long a run or a step took: `840 ms`, `3.2 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1) return "<1 ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}

/** A payload size: `812 B`, `64.0 KB`, `1.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A run's failures that did not stop it: `7 failures continued`, or null when there are none. */
export function continuedFailuresText(count: number | null | undefined): string | null {
  if (count === null || count === undefined || count <= 0) return null;
  return `${count.toLocaleString("en-US")} ${count === 1 ? "failure" : "failures"} continued`;
}
