import { createHmac } from 'node:crypto';

/**
 * Structured logs for Cloud Logging: one JSON object per line on stdout, whose `severity` and
 * `message` Cloud Logging reads as the entry's severity and summary and keeps the other fields
 * as jsonPayload. Small on purpose: no library needed for this.
 *
 * A `uid` field is never written as given: it becomes `uidHash`, an HMAC-SHA256 of the uid
 * keyed by REEL_LOG_KEY, so one person's entries can still be followed (and found by someone
 * holding the key) while logs, kept 30 days, hold no identifier of theirs.
 */

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR';

/** The fields every entry may carry, so logs can be filtered by event, user or model. */
export interface LogFields {
  eventId?: string;
  /** Written as `uidHash` (see uidHash), or left out when the logger has no key. */
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

export interface LoggerOptions {
  /** The HMAC key that turns a `uid` field into `uidHash`; without one, uids are left out. */
  uidKey?: string;
}

export function createLogger(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  base: LogFields = {},
  options: LoggerOptions = {},
): Logger {
  const log = (severity: Severity, message: string, fields: LogFields = {}) => {
    const { error, uid, ...rest } = { ...base, ...fields } as LogFields & { error?: unknown };
    const entry: Record<string, unknown> = { severity, message, ...rest };
    if (uid !== undefined && options.uidKey !== undefined) {
      entry.uidHash = uidHash(options.uidKey, uid);
    }
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
    with: (fields) => createLogger(write, { ...base, ...fields }, options),
  };
}

/**
 * The pseudonym logs carry for a uid: HMAC-SHA256 keyed by REEL_LOG_KEY, first 128 bits in
 * hex. Without the key it cannot be reversed or recomputed from a guessed uid.
 */
export function uidHash(key: string, uid: string): string {
  return createHmac('sha256', key).update(uid, 'utf8').digest('hex').slice(0, 32);
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
