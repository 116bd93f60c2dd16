import { adapt, managedwriter, protos } from '@google-cloud/bigquery-storage';
import type { RatingEvent } from '../contracts/rating-event.js';
import type { Logger } from '../logging/logger.js';
import { epochMicros } from '../ratings/last-write-wins.js';
import { type DatasetRef, EVENTS_TABLE, eventRow, isWithinStreamingWindow } from './bigquery.js';

/**
 * Appends rating events to `rating_events` through the BigQuery Storage Write API's default
 * stream: one gRPC stream per instance, kept open, each append one message on it. The legacy
 * streaming insert (tabledata.insertAll) costs an HTTP request through the REST client stack
 * per call; an append on an open stream costs a protobuf message (see docs/capacity.md), and its
 * list price is half the legacy one.
 *
 * The default stream is at-least-once and has no insertId: a redelivered event appends a second
 * row, which the readers already count once (current_ratings keeps one row per user and movie,
 * counts use COUNT(DISTINCT eventId)). A request is atomic: a row BigQuery refuses fails the
 * whole append, and nothing of it is written.
 */
export interface EventAppender {
  append(events: readonly RatingEvent[], ingestedAt?: Date): Promise<void>;
  /** Closes the stream; for tests (a function instance never needs it). */
  close(): Promise<void>;
}

/**
 * An append that has had no answer for this long (opening the stream included) is failed and
 * its stream replaced, so a connection that hangs (not closes) fails its events, which Pub/Sub
 * then redelivers, instead of holding the push until the function's timeout.
 */
export const APPEND_DEADLINE_MS = 20_000;

export function createEventAppender(
  client: managedwriter.WriterClient,
  ref: DatasetRef,
  log: Logger,
  deadlineMs = APPEND_DEADLINE_MS,
): EventAppender {
  const streamId = `projects/${ref.project}/datasets/${ref.dataset}/tables/${EVENTS_TABLE}/streams/_default`;
  let opening: Promise<managedwriter.JSONWriter> | undefined;

  async function open(): Promise<managedwriter.JSONWriter> {
    const stream = await client.getWriteStream({
      streamId,
      view: protos.google.cloud.bigquery.storage.v1.WriteStreamView.FULL,
    });
    if (!stream.tableSchema) throw new Error(`BigQuery gave no schema for ${streamId}`);
    const protoDescriptor = adapt.convertStorageSchemaToProto2Descriptor(stream.tableSchema, 'row');
    const connection = await client.createStreamConnection({ streamId });
    // Without a listener, a stream error the library does not retry is thrown as an 'error'
    // event and ends the process; the append it belongs to is rejected either way.
    connection.onConnectionError((error) => {
      log.warn('BigQuery write stream error', { error: String(error) });
    });
    return new managedwriter.JSONWriter({ connection, protoDescriptor });
  }

  function writer(): Promise<managedwriter.JSONWriter> {
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  }

  /** Drops a stream that hung: the next append opens another, and this one closes once open. */
  function drop(stream: Promise<managedwriter.JSONWriter>): void {
    if (opening === stream) opening = undefined;
    void stream.then(
      (hung) => hung.close(),
      () => {},
    );
  }

  return {
    async append(events, ingestedAt = new Date()) {
      if (events.length === 0) return;
      if (!isWithinStreamingWindow(ingestedAt, new Date())) {
        throw new Error(
          `ingestedAt ${ingestedAt.toISOString()} is outside BigQuery's streaming window: import history with a load job (npm run load)`,
        );
      }
      // The load jobs' row, with its TIMESTAMPs as the µs since the epoch the protobuf takes.
      const ingestedMicros = ingestedAt.getTime() * 1000;
      const rows = events.map((event) => ({
        ...eventRow(event, ingestedAt),
        ratedAt: epochMicros(event.ratedAt),
        ingestedAt: ingestedMicros,
      }));
      // One deadline over opening the stream (if it is not open) and the append on it.
      const pending = writer();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          drop(pending);
          reject(
            new Error(
              `BigQuery append of ${events.length} event(s) unanswered after ${deadlineMs} ms`,
            ),
          );
        }, deadlineMs);
      });
      try {
        const current = await Promise.race([pending, deadline]);
        const result = await Promise.race([current.appendRows(rows).getResult(), deadline]);
        const refused = describeAppendFailure(result, events);
        if (refused) throw new Error(refused);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const current = opening;
      opening = undefined;
      (await current?.catch(() => undefined))?.close();
    },
  };
}

type AppendResult = protos.google.cloud.bigquery.storage.v1.IAppendRowsResponse;

/** Why BigQuery refused an append (naming the rows it named), or undefined if it took it. */
export function describeAppendFailure(
  result: AppendResult,
  events: readonly RatingEvent[],
): string | undefined {
  const rowErrors = result.rowErrors ?? [];
  if (!result.error?.code && rowErrors.length === 0) return undefined;
  const rows = rowErrors.slice(0, 5).map((rowError) => {
    const index = Number(rowError.index ?? -1);
    return `event ${events[index]?.eventId ?? `#${index}`}: ${rowError.message ?? 'refused'}`;
  });
  const more = rowErrors.length > 5 ? ` (and ${rowErrors.length - 5} more)` : '';
  const reason = result.error?.message ? `${result.error.message}` : 'rows refused';
  return `BigQuery refused an append of ${events.length} event(s) to ${EVENTS_TABLE}: ${reason}${rows.length > 0 ? `; ${rows.join('; ')}` : ''}${more}`;
}
