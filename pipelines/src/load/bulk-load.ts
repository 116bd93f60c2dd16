/**
 * Bulk imports into rating_events as BigQuery load jobs, never the streaming API: streaming
 * costs per row and is accepted only for recent partitions, load jobs are free and have no such
 * window. The rows are written as newline-delimited JSON files under `imports/{importId}/` in
 * the models bucket (kept: what was imported can be read back), all stamped with one receipt
 * time, so a load job writes a single partition whatever the span of `ratedAt`.
 *
 * Two routes to the same load job configuration:
 * - `bucket` (Google Cloud): one load job whose source URIs are the files' gs:// URIs.
 * - `upload` (the local stack): bqemulator resolves gs:// URIs on its own disk, not through the
 *   storage emulator, so each file's bytes go up with the job itself (a multipart upload load
 *   job, `table.load(file)`), which real BigQuery accepts too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BigQuery, JobLoadMetadata } from '@google-cloud/bigquery';
import type { Bucket } from '@google-cloud/storage';
import { type DatasetRef, EVENTS_TABLE, eventRow } from '@reel/functions/adapters';
import type { RatingEvent } from '@reel/functions/contracts/rating-event';

export type LoadRoute = 'bucket' | 'upload';

export const IMPORTS_PREFIX = 'imports/';

/** Rows per file: ~200 B each, so a file stays near 200 MB (load jobs take up to 5 TB). */
export const ROWS_PER_FILE = 1_000_000;

const LOAD_METADATA: JobLoadMetadata = {
  sourceFormat: 'NEWLINE_DELIMITED_JSON',
  writeDisposition: 'WRITE_APPEND',
  createDisposition: 'CREATE_NEVER',
};

export interface BulkLoadResult {
  /** gs:// URIs of the files the rows were written to. */
  files: string[];
  rows: number;
  /** Load jobs run: one on the bucket route, one per file on the upload route. */
  jobs: number;
}

/** Collects events into NDJSON files in the bucket, then loads them with load jobs. */
export class BulkLoader {
  private lines: string[] = [];
  private readonly files: string[] = [];
  private rows = 0;
  private readonly work = mkdtempSync(join(tmpdir(), 'reel-import-'));

  constructor(
    private readonly bigquery: BigQuery,
    private readonly bucket: Bucket,
    private readonly dataset: DatasetRef,
    private readonly route: LoadRoute,
    private readonly importId: string,
    private readonly receivedAt: Date,
    private readonly rowsPerFile: number = ROWS_PER_FILE,
  ) {}

  async add(events: readonly RatingEvent[]): Promise<void> {
    for (const event of events) {
      this.lines.push(JSON.stringify(eventRow(event, this.receivedAt)));
      if (this.lines.length >= this.rowsPerFile) {
        await this.flush();
      }
    }
  }

  /** Writes what is left, runs the load job(s), and removes the local copies. */
  async finish(): Promise<BulkLoadResult> {
    try {
      await this.flush();
      let jobs = 0;
      if (this.files.length > 0) {
        const table = this.bigquery.dataset(this.dataset.dataset).table(EVENTS_TABLE);
        if (this.route === 'bucket') {
          await table.load(
            this.files.map((uri) =>
              this.bucket.file(uri.slice(`gs://${this.bucket.name}/`.length)),
            ),
            LOAD_METADATA,
          );
          jobs = 1;
        } else {
          for (const uri of this.files) {
            await table.load(this.localPath(uri), LOAD_METADATA);
            jobs += 1;
          }
        }
      }
      return { files: [...this.files], rows: this.rows, jobs };
    } finally {
      rmSync(this.work, { recursive: true, force: true });
    }
  }

  private async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const name = `${IMPORTS_PREFIX}${this.importId}/part-${String(this.files.length).padStart(5, '0')}.ndjson`;
    const uri = `gs://${this.bucket.name}/${name}`;
    const content = `${this.lines.join('\n')}\n`;
    await this.bucket
      .file(name)
      .save(content, { contentType: 'application/x-ndjson', resumable: false });
    if (this.route === 'upload') {
      writeFileSync(this.localPath(uri), content);
    }
    this.files.push(uri);
    this.rows += this.lines.length;
    this.lines = [];
  }

  private localPath(uri: string): string {
    return join(this.work, uri.replaceAll('/', '_'));
  }
}
