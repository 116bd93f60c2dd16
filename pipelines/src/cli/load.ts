/**
 * `npm run load -- [--ratings FILE] [--project P]`: a MovieLens ratings file into BigQuery
 * (import events, by load jobs from files in the models bucket; on the local stack by upload
 * load jobs, see load/bulk-load.ts) and the users' Firestore rating maps, on the local stack or,
 * with --project, on Google Cloud. Loading the same file again loads nothing new.
 */
import { BUNDLED_RATINGS } from '../data/bundled.js';
import { loadRatingsFile } from '../data/read-ratings-file.js';
import { loadIntoStores, publishCatalogue } from '../load/load-into-stores.js';
import { formatCount, stderrProgress } from '../report/progress.js';
import { type FlagSpec, parseFlags, runMain, usageText } from './args.js';
import { openTarget } from './target.js';

const FLAGS: Record<string, FlagSpec> = {
  ratings: {
    type: 'string',
    description: `MovieLens ratings file (ratings.csv, ratings.dat or u.data); default the bundled ml-latest-small`,
  },
  project: {
    type: 'string',
    description: 'Google Cloud project; default the local stack that npm start runs',
  },
  lenient: { type: 'boolean', description: 'leave malformed lines out instead of stopping' },
  help: { type: 'boolean', description: 'this text' },
};
const USAGE = usageText('npm run load -- [flags]', FLAGS);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const file = (flags.ratings as string | undefined) ?? BUNDLED_RATINGS;
  const target = openTarget(flags.project as string | undefined, 'load');
  try {
    const started = performance.now();
    const loaded = await loadRatingsFile(file, {
      progress: stderrProgress,
      onMalformed: flags.lenient ? 'skip' : 'fail',
    });
    stderrProgress(
      `read ${formatCount(loaded.ratings.value.length)} ratings of ${formatCount(loaded.userIds.length)} users from ${file}` +
        (loaded.malformed.count > 0 ? ` (${loaded.malformed.count} malformed lines left out)` : ''),
    );
    const summary = await loadIntoStores(loaded, {
      bigquery: target.clients.bigquery,
      firestore: target.clients.firestore,
      dataset: target.config,
      bucket: target.clients.storage.bucket(target.config.modelsBucket),
      route: flags.project === undefined ? 'upload' : 'bucket',
      progress: stderrProgress,
    });
    const catalogue = await publishCatalogue(
      target.clients.storage.bucket(target.config.modelsBucket),
      file,
      loaded,
    );
    stderrProgress(
      `catalogue: ${formatCount(catalogue.movies)} movies from ${catalogue.source} → gs://${target.config.modelsBucket}/catalogue/movies.json`,
    );
    stderrProgress(
      `loaded into ${target.description} in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
        `${formatCount(summary.inserted)} new events in BigQuery by ${summary.loadJobs} load job(s) from ${summary.importFiles.length} file(s) (${formatCount(summary.ratings - summary.inserted)} were there), ` +
        `${formatCount(summary.entriesWritten)} ratings of ${formatCount(summary.usersWritten)} users written to Firestore`,
    );
  } finally {
    await target.clients.close();
  }
});
