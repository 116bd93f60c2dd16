/**
 * Structured logs for Cloud Logging: one JSON object per line on stdout, whose `severity` and
 * `message` Cloud Logging reads as the entry's severity and summary and keeps the other fields
 * as jsonPayload. Small on purpose: no library needed for this.
 */

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR';

/** The fields every entry may carry, so logs can be filtered by event, user or model. */
export interface LogFields {
  eventId?: string;
  uid?: string;
  modelVersion?: string;
  latencyMs?: number;
  [field: string]: unknown;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  notice(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  /** With an error, the entry carries its stack, which Error Reporting groups by. */
  error(message: string, fields?: LogFields & { error?: unknown }): void;
  /** A logger whose entries all carry `fields` as well. */
  with(fields: LogFields): Logger;
}

export function createLogger(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  base: LogFields = {},
): Logger {
  const log = (severity: Severity, message: string, fields: LogFields = {}) => {
    const { error, ...rest } = fields as LogFields & { error?: unknown };
    const entry: Record<string, unknown> = { severity, message, ...base, ...rest };
    if (error !== undefined) {
      entry.error = error instanceof Error ? error.message : String(error);
      // Error Reporting picks up an ERROR entry whose stack_trace holds a stack.
      if (error instanceof Error && error.stack) entry.stack_trace = error.stack;
    }
    write(JSON.stringify(entry, jsonSafe));
  };
  return {
    debug: (message, fields) => log('DEBUG', message, fields),
    info: (message, fields) => log('INFO', message, fields),
    notice: (message, fields) => log('NOTICE', message, fields),
    warn: (message, fields) => log('WARNING', message, fields),
    error: (message, fields) => log('ERROR', message, fields),
    with: (fields) => createLogger(write, { ...base, ...fields }),
  };
}

// BigInts and typed arrays would otherwise throw or print as objects keyed by index.
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  return value;
}

/** Milliseconds since `start` (a performance.now() reading), rounded to 0.1 ms. */
export function elapsedMs(start: number, now: number = performance.now()): number {
  return Math.round((now - start) * 10) / 10;
}
