import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Block,
  type Body,
  type Configuration,
  expressionsIn,
  loadConfiguration,
  nested,
  parseFile,
  referencesIn,
  resolves,
  resourceAddressOf,
  resourceAt,
  resourcesOfType,
} from './configuration.js';
import { parseCreateTable, type SchemaField, toSchemaFields } from './ddl.js';
import { exportedEntryPoints } from './entry-points.js';

const terraformDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const functionsIndex = `${repoRoot}functions/src/index.ts`;

/**
 * The entry points the functions package must export, and how each is triggered. Kept here so
 * the check works before functions/src/index.ts exists; once it does, the test also requires
 * the file to export exactly these names.
 */
const ENTRY_POINTS: Record<
  string,
  { trigger: 'http' } | { trigger: 'topic'; topic: string; alsoTopics?: string[] }
> = {
  api: { trigger: 'http' },
  ingestRating: { trigger: 'topic', topic: 'ratings' },
  // model-staged: the Spark trainer's staged files, published by the same function (dataproc.tf).
  retrainModel: { trigger: 'topic', topic: 'retrain', alsoTopics: ['model-staged'] },
  republishUsers: { trigger: 'topic', topic: 'republish' },
};

/** Roles granted on the whole project, each because no narrower resource takes the grant. */
const PROJECT_LEVEL_ROLES: Record<string, string> = {
  'roles/datastore.user': 'Firestore server access is granted per project',
  'roles/datastore.viewer': 'Firestore read access is granted per project',
  'roles/bigquery.jobUser': 'query jobs belong to the project, not to a dataset',
  'roles/logging.logWriter': 'logs are written to the project',
  'roles/storage.objectAdmin': 'build only, restricted by an IAM condition to named buckets',
  'roles/firebaseauth.admin': 'Firebase Auth accounts belong to the project (the deletion sweep)',
  'roles/dataproc.worker': 'a Dataproc Serverless workload runs in the project, as its identity',
  '${google_project_iam_custom_role.spark_batch_submitter.name}':
    'Dataproc batches belong to the project and region, not to a narrower resource',
};

const BASIC_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];
const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];

/** Variables that take no free input, or whose input is checked elsewhere (and where). */
const UNVALIDATED_VARIABLES: Record<string, string> = {
  app_check_enforced: 'a bool',
  deletion_protection: 'a bool',
  function_source_dir: 'a path, checked by the precondition on data.archive_file.functions_source',
};

let configuration: Configuration;

beforeAll(async () => {
  configuration = await loadConfiguration(terraformDir);
}, 60_000);

/** Every expression string of a block with the references it makes. */
async function referencesOf(block: Block): Promise<Array<{ path: string; reference: string }>> {
  const found: Array<{ path: string; reference: string }> = [];
  for (const { path, text } of expressionsIn(block.body)) {
    // A variable's type constraint (`string`, `object({…})`) is not an expression.
    if (block.address.startsWith('var.') && path.startsWith('type')) {
      continue;
    }
    // `provider = google-beta` names a provider, checked separately.
    if (path === 'provider') {
      continue;
    }
    for (const reference of await referencesIn(text)) {
      found.push({ path, reference });
    }
  }
  return found;
}

function allBlocks(): Block[] {
  return [
    ...configuration.resources.values(),
    ...configuration.dataSources.values(),
    ...configuration.variables.values(),
    ...configuration.locals.values(),
    ...configuration.outputs.values(),
    ...configuration.modules.values(),
  ];
}

/** The resource addresses an attribute's expression refers to. */
async function addressesIn(value: unknown): Promise<string[]> {
  const addresses: string[] = [];
  for (const { text } of expressionsIn(value)) {
    for (const reference of await referencesIn(text)) {
      const address = resourceAddressOf(reference);
      if (address) {
        addresses.push(address);
      }
    }
  }
  return addresses;
}

function literal(body: Body | undefined, key: string): unknown {
  return body?.[key];
}

describe('the Terraform configuration parses', () => {
  it('has the files of the agreed layout, each parsing as HCL', () => {
    expect(configuration.files).toEqual(
      expect.arrayContaining([
        'versions.tf',
        'variables.tf',
        'apis.tf',
        'pubsub.tf',
        'bigquery.tf',
        'storage.tf',
        'firestore.tf',
        'functions.tf',
        'scheduler.tf',
        'iam.tf',
        'hosting.tf',
        'outputs.tf',
      ]),
    );
    expect(existsSync(`${terraformDir}terraform.tfvars.example`)).toBe(true);
  });

  it('rejects a file that is not HCL, naming it', async () => {
    await expect(parseFile('broken.tf', 'resource "x" "y" {\n  a = \n')).rejects.toThrow(
      /broken\.tf does not parse/,
    );
  });

  it('parses terraform.tfvars.example and sets only declared variables', async () => {
    const example = await parseFile(
      'terraform.tfvars.example',
      readFileSync(`${terraformDir}terraform.tfvars.example`, 'utf8'),
    );
    expect(Object.keys(example).length).toBeGreaterThan(0);
    for (const name of Object.keys(example)) {
      expect(configuration.variables.has(`var.${name}`), `var.${name}`).toBe(true);
    }
  });
});

describe('every reference resolves', () => {
  it('to a declared resource, data source, variable, local or module', async () => {
    const unresolved: string[] = [];
    let checked = 0;
    for (const block of allBlocks()) {
      for (const { path, reference } of await referencesOf(block)) {
        checked += 1;
        if (!resolves(configuration, reference)) {
          unresolved.push(`${block.file}: ${block.address}.${path} -> ${reference}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  }, 60_000);

  it('catches a reference to something undeclared', () => {
    expect(resolves(configuration, 'google_pubsub_topic.ratings.id')).toBe(true);
    expect(resolves(configuration, 'google_pubsub_topic.ratingz.id')).toBe(false);
    expect(resolves(configuration, 'var.regoin')).toBe(false);
    expect(resolves(configuration, 'local.nope')).toBe(false);
    expect(resolves(configuration, 'data.archive_file.other.output_md5')).toBe(false);
    expect(resolves(configuration, 'path.module')).toBe(true);
  });

  it('uses only providers it requires', () => {
    for (const block of allBlocks()) {
      const provider = block.body.provider;
      if (typeof provider === 'string') {
        const name = provider.replace(/^\$\{(.*)\}$/, '$1');
        expect(configuration.requiredProviders.has(name), `${block.address}: ${name}`).toBe(true);
      }
    }
  });

  it('reads only files that exist (file(), templatefile())', () => {
    const missing: string[] = [];
    const localPaths = new Map<string, string>();
    for (const [address, block] of configuration.locals) {
      if (typeof block.body.value === 'string') {
        localPaths.set(address, block.body.value);
      }
    }
    const expand = (path: string): string =>
      path
        .replace(/\$\{(local\.\w+)\}/g, (_, name: string) => expand(localPaths.get(name) ?? name))
        .replace(/\$\{path\.module\}/g, terraformDir.replace(/\/$/, ''));
    let read = 0;
    for (const block of allBlocks()) {
      for (const { text } of expressionsIn(block.body)) {
        for (const match of text.matchAll(/\b(?:file|templatefile)\("([^"]+)"/g)) {
          read += 1;
          const path = expand(match[1] ?? '');
          if (!existsSync(path)) {
            missing.push(`${block.address}: ${path}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
    expect(read).toBeGreaterThanOrEqual(2);
  });
});

describe('providers and Terraform are pinned', () => {
  it('pins every provider to one exact release, the one its schema is checked against', () => {
    const google = configuration.requiredProviders.get('google');
    const beta = configuration.requiredProviders.get('google-beta');
    expect(google?.source).toBe('hashicorp/google');
    expect(beta?.source).toBe('hashicorp/google-beta');
    expect(beta?.version).toBe(google?.version);
    const schemaPins = readFileSync(`${terraformDir}tools/provider-schemas.txt`, 'utf8');
    for (const [name, requirement] of configuration.requiredProviders) {
      expect(requirement.version, name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(schemaPins, name).toContain(`${name} ${String(requirement.version)}`);
    }
  });

  it('states the Terraform versions it supports', () => {
    expect(configuration.requiredVersion).toMatch(/>= 1\.\d+/);
  });
});

describe('BigQuery matches the DDL the local stack runs', () => {
  const ddl = parseCreateTable(readFileSync(`${repoRoot}pipelines/sql/rating_events.sql`, 'utf8'));
  const table = () => configuration.resources.get('google_bigquery_table.rating_events')?.body;

  it('reads the DDL file', () => {
    expect(ddl.table).toBe('${project}.${dataset}.rating_events');
    expect(ddl.columns.length).toBeGreaterThan(3);
  });

  it('declares the same columns, types and modes, in the same order', () => {
    const schemaExpression = table()?.schema;
    expect(schemaExpression).toBe('${file("${path.module}/rating_events.schema.json")}');
    const schema = JSON.parse(
      readFileSync(`${terraformDir}rating_events.schema.json`, 'utf8'),
    ) as SchemaField[];
    expect(schema).toEqual(toSchemaFields(ddl.columns));
  });

  it('partitions by when Reel received the event, so history can be imported', () => {
    // Streaming only reaches partitions of the last five years; ratedAt goes back to 1996.
    expect(ddl.partitionColumn).toBe('ingestedAt');
    expect(ddl.columns.find((column) => column.name === 'ratedAt')?.notNull).toBe(true);
  });

  it('partitions by day of the same column and clusters by the same columns', () => {
    const partitioning = nested(table(), 'time_partitioning');
    expect(partitioning).toEqual({ type: 'DAY', field: ddl.partitionColumn });
    expect(table()?.clustering).toEqual(ddl.clusterBy);
  });

  it('names the table and dataset the DDL and the functions use', async () => {
    expect(table()?.table_id).toBe(ddl.table.split('.').at(-1));
    const dataset = configuration.resources.get('google_bigquery_dataset.reel')?.body;
    expect(dataset?.dataset_id).toBe('reel');
  });

  it('creates the current-ratings view from the shared SQL file with templatefile()', () => {
    const view = nested(
      configuration.resources.get('google_bigquery_table.current_ratings')?.body,
      'view',
    );
    expect(view?.use_legacy_sql).toBe(false);
    expect(String(view?.query)).toMatch(
      /^\$\{templatefile\("\$\{local\.sql_dir\}\/current_ratings\.sql", \{\s*project = var\.project_id\s*dataset = google_bigquery_dataset\.reel\.dataset_id\s*\}\)\}$/,
    );
    expect(configuration.locals.get('local.sql_dir')?.body.value).toBe(
      '${path.module}/../pipelines/sql',
    );
  });

  it('rejects DDL it does not understand instead of passing', () => {
    expect(() => parseCreateTable('CREATE TABLE `t` (a STRUCT<b INT64>)')).toThrow(
      /not understood/,
    );
    expect(() =>
      parseCreateTable('CREATE TABLE `t` (a INT64) PARTITION BY RANGE_BUCKET(a)'),
    ).toThrow(/not understood/);
    expect(() => parseCreateTable('CREATE TABLE `t` (a INTEGER)')).not.toThrow();
    expect(() => parseCreateTable('CREATE TABLE `t` (a MONEY)')).toThrow(/not a scalar/);
  });
});

describe('the deletions table matches its DDL', () => {
  const ddl = parseCreateTable(readFileSync(`${repoRoot}pipelines/sql/deletions.sql`, 'utf8'));
  const table = () => configuration.resources.get('google_bigquery_table.deletions')?.body;

  it('names the same table, columns, types and modes, in the same order', () => {
    expect(ddl.table).toBe('${project}.${dataset}.deletions');
    expect(table()?.table_id).toBe('deletions');
    expect(table()?.schema).toBe('${file("${path.module}/deletions.schema.json")}');
    const schema = JSON.parse(
      readFileSync(`${terraformDir}deletions.schema.json`, 'utf8'),
    ) as SchemaField[];
    expect(schema).toEqual(toSchemaFields(ddl.columns));
  });

  it('is clustered the same way and not partitioned', () => {
    expect(ddl.partitionColumn).toBeUndefined();
    expect(nested(table(), 'time_partitioning')).toBeUndefined();
    expect(table()?.clustering).toEqual(ddl.clusterBy);
  });

  it('is read by the current-ratings view, which waits for it', async () => {
    const view = readFileSync(`${repoRoot}pipelines/sql/current_ratings.sql`, 'utf8');
    expect(view).toContain('NOT IN (SELECT userId FROM `${project}.${dataset}.deletions`)');
    const dependsOn = configuration.resources.get('google_bigquery_table.current_ratings')?.body
      .depends_on;
    expect(await addressesIn(dependsOn)).toContain('google_bigquery_table.deletions');
  });
});

describe('privacy and abuse settings', () => {
  it('gives every function the log key, the App Check switch and the per-address limit', () => {
    const environment = String(configuration.locals.get('local.function_environment')?.body.value);
    expect(environment).toMatch(/REEL_LOG_KEY\s*=\s*random_password\.log_key\.result/);
    expect(environment).toMatch(
      /REEL_APP_CHECK_ENFORCED\s*=\s*tostring\(var\.app_check_enforced\)/,
    );
    expect(environment).toMatch(
      /REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE\s*=\s*tostring\(var\.rate_limit_per_address_per_minute\)/,
    );
  });

  it('turns App Check off by default', () => {
    const variable = configuration.variables.get('var.app_check_enforced')?.body;
    expect(variable?.default).toBe(false);
    expect(
      configuration.resources.get('google_firebase_app_check_service_config.firestore')?.body
        .enforcement_mode,
    ).toBe('${var.app_check_enforced ? "ENFORCED" : "UNENFORCED"}');
  });

  it('registers the site with App Check through a reCAPTCHA Enterprise key for its domains, enforced or not', () => {
    const key = configuration.resources.get('google_recaptcha_enterprise_key.site')?.body;
    const web = nested(key, 'web_settings');
    expect(web?.integration_type).toBe('SCORE');
    expect(web?.allow_all_domains).toBe(false);
    expect(String(web?.allowed_domains)).toMatch(
      /concat\(local\.site_origins, var\.allowed_origins\)/,
    );
    const registration = configuration.resources.get(
      'google_firebase_app_check_recaptcha_enterprise_config.site',
    )?.body;
    expect(registration?.app_id).toBe('${google_firebase_web_app.site.app_id}');
    expect(registration?.site_key).toBe('${google_recaptcha_enterprise_key.site.name}');
    // Tokens flow before enforcement, so App Check's metrics can be read first.
    expect(key?.count).toBeUndefined();
    expect(registration?.count).toBeUndefined();
    expect(configuration.outputs.get('output.app_check_site_key')?.body.value).toBe(
      '${google_recaptcha_enterprise_key.site.name}',
    );
  });

  it('expires the rate-limit counters with a TTL policy on the field the limiter writes', () => {
    const field = configuration.resources.get('google_firestore_field.rate_limits_ttl')?.body;
    expect(field?.collection).toBe('rateLimits');
    expect(field?.field).toBe('expiresAt');
    expect(nested(field, 'ttl_config')).toBeDefined();
  });
});

describe('every function entry point has its resource and trigger', () => {
  const functions = () => resourcesOfType(configuration, 'google_cloudfunctions2_function');
  const byEntryPoint = (entryPoint: string) =>
    functions().filter((block) => nested(block.body, 'build_config')?.entry_point === entryPoint);

  it('keeps the expected list equal to what functions/src/index.ts registers, once it exists', () => {
    if (!existsSync(functionsIndex)) {
      // The functions package has no index.ts on this branch yet; the list above stands in.
      return;
    }
    expect(exportedEntryPoints(readFileSync(functionsIndex, 'utf8')).sort()).toEqual(
      Object.keys(ENTRY_POINTS).sort(),
    );
  });

  it('reads entry points from exports and from declarative registration', () => {
    const source = [
      "functions.http('api', handler);",
      "functions.cloudEvent('ingestRating', handler);",
      'export const retrainModel = make();',
      'export async function other() {}',
      'export { a, b as c };',
      'export type Config = {};',
    ].join('\n');
    expect(exportedEntryPoints(source).sort()).toEqual(
      ['a', 'c', 'api', 'ingestRating', 'other', 'retrainModel'].sort(),
    );
  });

  it('has exactly one function per entry point, and no other', () => {
    for (const entryPoint of Object.keys(ENTRY_POINTS)) {
      expect(byEntryPoint(entryPoint), entryPoint).toHaveLength(1);
    }
    expect(functions()).toHaveLength(Object.keys(ENTRY_POINTS).length);
  });

  it('builds every function for Node.js 22 from the staged package with its own identity', async () => {
    const identities = new Set<string>();
    for (const block of functions()) {
      const build = nested(block.body, 'build_config');
      expect(build?.runtime, block.address).toBe('${local.runtime}');
      const source = nested(nested(build, 'source'), 'storage_source');
      expect(source?.object, block.address).toBe('${local.function_source.object}');
      const identity = nested(block.body, 'service_config')?.service_account_email;
      expect(typeof identity).toBe('string');
      identities.add(String(identity));
      // Triggers are the push subscriptions below, not Eventarc.
      expect(block.body.event_trigger, block.address).toBeUndefined();
    }
    expect(identities.size).toBe(functions().length);
    expect(configuration.locals.get('local.runtime')?.body.value).toBe('nodejs22');
  });

  for (const [entryPoint, trigger] of Object.entries(ENTRY_POINTS)) {
    it(`triggers ${entryPoint} by ${trigger.trigger === 'http' ? 'HTTP, invocable by anyone' : `a push subscription on topic ${trigger.topic}`}`, async () => {
      const [fn] = byEntryPoint(entryPoint);
      expect(fn).toBeDefined();
      const invokers = await invokersOf(fn!.address);
      if (trigger.trigger === 'http') {
        expect(invokers).toEqual(['allUsers']);
        return;
      }
      const subscriptions = await pushSubscriptionsTo(fn!.address);
      const topicNames: string[] = [];
      for (const block of subscriptions) {
        const [address] = await addressesIn(block.body.topic);
        topicNames.push(String(configuration.resources.get(address ?? '')?.body.name));
      }
      expect(topicNames.sort()).toEqual([trigger.topic, ...(trigger.alsoTopics ?? [])].sort());
      const subscription = subscriptions[topicNames.indexOf(trigger.topic)]!.body;
      const [topicAddress] = await addressesIn(subscription.topic);

      const push = nested(subscription, 'push_config');
      // The Functions Framework turns a push to /projects/P/topics/T into a CloudEvent.
      expect(String(push?.push_endpoint)).toMatch(
        new RegExp(`\\}/\\$\\{${topicAddress?.replace('.', '\\.')}\\.id\\}$`),
      );
      const oidc = nested(push, 'oidc_token');
      const [pushIdentity] = await addressesIn(oidc?.service_account_email);
      expect(invokers).toEqual([`\${${pushIdentity}.member}`]);
      expect(nested(subscription, 'retry_policy')).toBeDefined();
    });
  }

  it('delivers one user’s ratings in order, and dead-letters what keeps failing', async () => {
    const [ingest] = byEntryPoint('ingestRating');
    const [subscription] = await pushSubscriptionsTo(ingest!.address);
    expect(subscription?.body.enable_message_ordering).toBe(true);
    const deadLetter = nested(subscription?.body, 'dead_letter_policy');
    const [topic] = await addressesIn(deadLetter?.dead_letter_topic);
    expect(configuration.resources.get(topic ?? '')?.body.name).toBe('ratings-dead-letter');
  });

  it('gives each push more time to be acknowledged than its function may run', async () => {
    // Pub/Sub redelivers a push that outlives its deadline, which would run it twice.
    const ingest = configuration.resources.get('google_pubsub_subscription.ratings_ingest')?.body;
    expect(ingest?.ack_deadline_seconds).toBe('${local.ingest_timeout_seconds + 30}');
    const ingestFunction = nested(
      resourceAt(configuration, 'google_cloudfunctions2_function.function["ingest_rating"]')?.body,
      'service_config',
    );
    expect(ingestFunction?.timeout_seconds).toBe('${local.ingest_timeout_seconds}');

    const retrain = configuration.resources.get('google_pubsub_subscription.retrain_model')?.body;
    expect(retrain?.ack_deadline_seconds).toBe(600);
    const retrainFunction = nested(
      resourceAt(configuration, 'google_cloudfunctions2_function.function["retrain_model"]')?.body,
      'service_config',
    );
    expect(retrainFunction?.timeout_seconds).toBe('${var.retrain_timeout_seconds}');
    const timeoutRule = validationConditions('retrain_timeout_seconds').join(' ');
    const maximum = Number(/var\.retrain_timeout_seconds <= (\d+)/.exec(timeoutRule)?.[1]);
    expect(maximum).toBeLessThan(600);
    expect(maximum).toBeLessThanOrEqual(540);

    const republish = configuration.resources.get(
      'google_pubsub_subscription.republish_users',
    )?.body;
    expect(republish?.ack_deadline_seconds).toBe('${local.republish_timeout_seconds + 30}');
    const republishFunction = nested(
      resourceAt(configuration, 'google_cloudfunctions2_function.function["republish_users"]')
        ?.body,
      'service_config',
    );
    expect(republishFunction?.timeout_seconds).toBe('${local.republish_timeout_seconds}');
  });

  it('redelivers a failed republish shard, and dead-letters one that keeps failing', async () => {
    const [republish] = await pushSubscriptionsTo(byEntryPoint('republishUsers')[0]!.address);
    const deadLetter = nested(republish?.body, 'dead_letter_policy');
    const [topic] = await addressesIn(deadLetter?.dead_letter_topic);
    expect(configuration.resources.get(topic ?? '')?.body.name).toBe('republish-dead-letter');
    expect(nested(republish?.body, 'retry_policy')?.minimum_backoff).toBe('10s');
    const holders: string[] = [];
    for (const block of resourcesOfType(configuration, 'google_pubsub_subscription')) {
      const [held] = await addressesIn(block.body.topic);
      if (held === topic) holders.push(block.address);
    }
    expect(holders).toEqual(['google_pubsub_subscription.republish_dead_letter_hold']);
  });

  it('keeps the dead letters in a subscription, since a topic alone keeps nothing', async () => {
    const holders: string[] = [];
    for (const block of resourcesOfType(configuration, 'google_pubsub_subscription')) {
      const [topic] = await addressesIn(block.body.topic);
      if (configuration.resources.get(topic ?? '')?.body.name === 'ratings-dead-letter') {
        holders.push(block.address);
      }
    }
    expect(holders).toHaveLength(1);
  });

  it('has the nightly retrain and the Spark check publish to retrain as their own identity', async () => {
    const jobs = resourcesOfType(configuration, 'google_cloud_scheduler_job');
    expect(jobs.map((job) => job.address).sort()).toEqual([
      'google_cloud_scheduler_job.retrain_nightly',
      'google_cloud_scheduler_job.spark_batch_check',
    ]);
    for (const job of jobs) {
      const target = nested(job.body, 'http_target');
      expect(String(target?.uri)).toBe(
        'https://pubsub.googleapis.com/v1/${google_pubsub_topic.retrain.id}:publish',
      );
      const [identity] = await addressesIn(nested(target, 'oauth_token')?.service_account_email);
      const grants = await grantsTo(`\${${identity}.member}`);
      expect(grants).toEqual([
        'google_pubsub_topic_iam_member: roles/pubsub.publisher on google_pubsub_topic.retrain',
      ]);
    }
  });
});

/** `member` values of run.invoker grants on a function's Cloud Run service. */
async function invokersOf(functionAddress: string): Promise<string[]> {
  const members: string[] = [];
  for (const block of resourcesOfType(configuration, 'google_cloud_run_service_iam_member')) {
    if (block.body.role !== 'roles/run.invoker') {
      continue;
    }
    if ((await addressesIn(block.body.service)).includes(functionAddress)) {
      members.push(String(block.body.member));
    }
  }
  return members;
}

async function pushSubscriptionsTo(functionAddress: string): Promise<Block[]> {
  const found: Block[] = [];
  for (const block of resourcesOfType(configuration, 'google_pubsub_subscription')) {
    const endpoint = nested(block.body, 'push_config')?.push_endpoint;
    if ((await addressesIn(endpoint)).includes(functionAddress)) {
      found.push(block);
    }
  }
  return found;
}

/** Every IAM grant to a member, as "resource type: role on target". */
async function grantsTo(member: string): Promise<string[]> {
  const grants: string[] = [];
  for (const block of configuration.resources.values()) {
    if (block.body.member !== member || typeof block.body.role !== 'string') {
      continue;
    }
    const type = block.address.split('.')[0];
    const targetAttributes = Object.entries(block.body).filter(
      ([key]) => !['member', 'role', 'condition'].includes(key),
    );
    const targets = new Set(await addressesIn(Object.fromEntries(targetAttributes)));
    grants.push(`${type}: ${block.body.role} on ${[...targets].join(', ') || 'the project'}`);
  }
  return grants;
}

describe('nothing is more open than it needs to be', () => {
  const grants = () =>
    [...configuration.resources.values()].filter((block) => typeof block.body.role === 'string');

  it('grants no basic role (owner, editor, viewer)', () => {
    expect(grants().length).toBeGreaterThan(10);
    for (const block of grants()) {
      expect(BASIC_ROLES, block.address).not.toContain(block.body.role);
    }
  });

  it('uses additive members only: no authoritative bindings or policies', () => {
    const authoritative = [...configuration.resources.keys()].filter((address) =>
      /_iam_(binding|policy)\./.test(address),
    );
    expect(authoritative).toEqual([]);
  });

  it('opens only the api function to allUsers', async () => {
    const [api] = resourcesOfType(configuration, 'google_cloudfunctions2_function').filter(
      (block) => nested(block.body, 'build_config')?.entry_point === 'api',
    );
    const publicGrants = grants().filter((block) =>
      PUBLIC_MEMBERS.some((member) => JSON.stringify(block.body).includes(member)),
    );
    expect(publicGrants.map((block) => block.address)).toHaveLength(1);
    const [grant] = publicGrants;
    expect(grant?.address.startsWith('google_cloud_run_service_iam_member.')).toBe(true);
    expect(grant?.body.role).toBe('roles/run.invoker');
    expect(await addressesIn(grant?.body.service)).toEqual([api?.address]);
  });

  it('grants on the project only roles no narrower resource takes', () => {
    for (const block of resourcesOfType(configuration, 'google_project_iam_member')) {
      const role = String(block.body.role);
      expect(Object.keys(PROJECT_LEVEL_ROLES), block.address).toContain(role);
      if (role.startsWith('roles/storage.')) {
        // Buckets take grants; a project-wide storage role must be narrowed by a condition.
        expect(nested(block.body, 'condition')?.expression, block.address).toMatch(
          /resource\.name/,
        );
      }
    }
  });

  it('gives every function its own service account and no other identity’s roles', async () => {
    const identities = resourcesOfType(configuration, 'google_service_account').map(
      (block) => `\${${block.address}.member}`,
    );
    const seen = new Map<string, string>();
    for (const identity of identities) {
      const roles = await grantsTo(identity);
      seen.set(identity, roles.join('; '));
    }
    // The api publishes ratings, keeps the shared rate limits and deletes a person's data.
    expect(seen.get('${google_service_account.api.member}')?.split('; ').sort()).toEqual([
      'google_bigquery_table_iam_member: roles/bigquery.dataEditor on google_bigquery_table.deletions',
      'google_bigquery_table_iam_member: roles/bigquery.dataEditor on google_bigquery_table.rating_events',
      'google_project_iam_member: roles/bigquery.jobUser on the project',
      'google_project_iam_member: roles/datastore.user on the project',
      'google_project_iam_member: roles/firebaseauth.admin on the project',
      'google_pubsub_topic_iam_member: roles/pubsub.publisher on google_pubsub_topic.ratings',
      'google_storage_bucket_iam_member: roles/storage.objectViewer on google_storage_bucket.models',
    ]);
    expect(seen.get('${google_service_account.ingest_rating.member}')?.split('; ').sort()).toEqual([
      'google_bigquery_table_iam_member: roles/bigquery.dataEditor on google_bigquery_table.rating_events',
      'google_project_iam_member: roles/datastore.user on the project',
      'google_pubsub_topic_iam_member: roles/pubsub.publisher on google_pubsub_topic.ratings_dead_letter',
      'google_storage_bucket_iam_member: roles/storage.objectViewer on google_storage_bucket.models',
    ]);
    expect(seen.get('${google_service_account.retrain_model.member}')?.split('; ').sort()).toEqual([
      'google_bigquery_dataset_iam_member: roles/bigquery.dataViewer on google_bigquery_dataset.reel',
      'google_bigquery_table_iam_member: roles/bigquery.dataEditor on google_bigquery_table.deletions',
      'google_bigquery_table_iam_member: roles/bigquery.dataEditor on google_bigquery_table.rating_events',
      'google_project_iam_member: ${google_project_iam_custom_role.spark_batch_submitter.name} on the project',
      'google_project_iam_member: roles/bigquery.jobUser on the project',
      'google_project_iam_member: roles/datastore.user on the project',
      'google_project_iam_member: roles/firebaseauth.admin on the project',
      'google_pubsub_topic_iam_member: roles/pubsub.publisher on google_pubsub_topic.republish',
      'google_service_account_iam_member: roles/iam.serviceAccountUser on google_service_account.spark_batch',
      'google_storage_bucket_iam_member: roles/storage.objectUser on google_storage_bucket.models',
    ]);
    expect(seen.get('${google_service_account.spark_batch.member}')?.split('; ').sort()).toEqual([
      'google_project_iam_member: roles/dataproc.worker on the project',
      'google_storage_bucket_iam_member: roles/storage.objectCreator on google_storage_bucket.models',
      'google_storage_bucket_iam_member: roles/storage.objectViewer on google_storage_bucket.models',
    ]);
    expect(
      seen.get('${google_service_account.republish_users.member}')?.split('; ').sort(),
    ).toEqual([
      'google_project_iam_member: roles/datastore.user on the project',
      'google_storage_bucket_iam_member: roles/storage.objectViewer on google_storage_bucket.models',
    ]);
  });

  it('keeps the models bucket private, versioned, and never expires live model files', () => {
    const bucket = configuration.resources.get('google_storage_bucket.models')?.body;
    expect(bucket?.uniform_bucket_level_access).toBe(true);
    expect(bucket?.public_access_prevention).toBe('enforced');
    expect(nested(bucket, 'versioning')?.enabled).toBe(true);
    const rules = ((bucket?.lifecycle_rule ?? []) as Body[]).map((rule) => ({
      action: nested(rule, 'action')?.type,
      condition: nested(rule, 'condition'),
    }));
    for (const rule of rules.filter((r) => r.action === 'Delete')) {
      // Deleting by age alone would delete the serving model once it is old enough.
      expect(rule.condition?.with_state).toBe('ARCHIVED');
    }
    expect(rules.some((r) => r.action === 'Delete')).toBe(true);
  });
});

describe('variables are validated where they take free input', () => {
  it('has a description and a type for every variable', () => {
    for (const [address, block] of configuration.variables) {
      expect(typeof block.body.description, address).toBe('string');
      expect(block.body.type, address).toBeDefined();
    }
  });

  it('validates every variable except the listed ones', () => {
    const unvalidated = [...configuration.variables.entries()]
      .filter(([, block]) => !Array.isArray(block.body.validation))
      .map(([address]) => address.replace('var.', ''))
      .sort();
    expect(unvalidated).toEqual(Object.keys(UNVALIDATED_VARIABLES).sort());
  });

  it('covers the inputs the issue names', () => {
    for (const name of [
      'project_id',
      'region',
      'retrain_schedule',
      'model',
      'function_memory_mib',
      'retrain_timeout_seconds',
      'allowed_origins',
      'rate_limit_per_minute',
    ]) {
      expect(configuration.variables.has(`var.${name}`), name).toBe(true);
    }
  });

  it('retrains nightly by default', () => {
    const schedule = String(configuration.variables.get('var.retrain_schedule')?.body.default);
    const [minute, hour, dayOfMonth, month, dayOfWeek] = schedule.split(' ');
    expect(minute).toMatch(/^\d+$/);
    expect(Number(hour)).toBeLessThan(24);
    expect(hour).toMatch(/^\d+$/);
    expect([dayOfMonth, month, dayOfWeek]).toEqual(['*', '*', '*']);
  });

  it('refuses a demo- project', () => {
    const conditions = validationConditions('project_id');
    expect(conditions).toContain('${!startswith(var.project_id, "demo-")}');
  });

  // The regex validations, run on examples (RE2 and JavaScript agree on these patterns).
  const cases: Array<[string, string[], string[]]> = [
    ['project_id', ['reel-prod-123', 'my-reel-project'], ['Reel', 'a', 'my_project', 'reel-']],
    ['region', ['us-central1', 'europe-west1', 'asia-northeast3'], ['us-central1-a', 'EU', 'us']],
    [
      'retrain_schedule',
      ['0 3 * * *', '*/30 2-4 * * 1-5', '0 3 * * MON', '0 3 1 JAN *', '0 3 * * mon-fri'],
      ['0 3 * *', 'nightly', '0 3 * * * *', '0 3 MON * *', '0 3 * * M'],
    ],
    [
      'allowed_origins',
      ['https://reel.example.com', 'https://a.b:8443'],
      ['http://x.com', 'https://x.com/', 'https://*.x.com'],
    ],
    [
      'retrain_time_zone',
      ['Etc/UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires'],
      ['Paris', 'Europe/'],
    ],
  ];
  for (const [variable, valid, invalid] of cases) {
    it(`checks ${variable} by its pattern`, () => {
      const patterns = validationConditions(variable).flatMap((condition) =>
        [...condition.matchAll(/regex\("((?:[^"\\]|\\.)*)", (?:var\.\w+|o)\)/g)].map(
          (m) => new RegExp(JSON.parse(`"${m[1]}"`) as string),
        ),
      );
      expect(patterns.length, variable).toBeGreaterThan(0);
      const accepts = (value: string) => patterns.every((pattern) => pattern.test(value));
      for (const value of valid) {
        expect(accepts(value), `${variable} = ${value}`).toBe(true);
      }
      for (const value of invalid) {
        expect(accepts(value), `${variable} = ${value}`).toBe(false);
      }
    });
  }
});

describe('outputs', () => {
  it('give the site URL, API URL, bucket names and topic names', () => {
    for (const name of [
      'site_url',
      'api_url',
      'api_function_url',
      'models_bucket',
      'function_sources_bucket',
      'topics',
      'firebase_web_config',
      'hosting_rewrite',
      'app_check_site_key',
    ]) {
      expect(configuration.outputs.has(`output.${name}`), name).toBe(true);
    }
  });
});

describe('the Spark trainer (dataproc.tf)', () => {
  it('notifies model-staged of every object finalized under staging/, as JSON', async () => {
    const notifications = resourcesOfType(configuration, 'google_storage_notification');
    expect(notifications).toHaveLength(1);
    const body = notifications[0]!.body;
    expect(await addressesIn(body.bucket)).toEqual(['google_storage_bucket.models']);
    expect(body.object_name_prefix).toBe('staging/');
    expect(body.event_types).toEqual(['OBJECT_FINALIZE']);
    expect(body.payload_format).toBe('JSON_API_V1');
    const [topic] = await addressesIn(body.topic);
    expect(configuration.resources.get(topic ?? '')?.body.name).toBe('model-staged');
  });

  it('lets only retrainModel submit batches, and only as the batch identity', async () => {
    const submitters = resourcesOfType(configuration, 'google_project_iam_member').filter((block) =>
      String(block.body.role).includes('spark_batch_submitter'),
    );
    expect(submitters.map((block) => block.body.member)).toEqual([
      '${google_service_account.retrain_model.member}',
    ]);
    const role = configuration.resources.get(
      'google_project_iam_custom_role.spark_batch_submitter',
    )?.body;
    expect(role?.permissions).toEqual([
      'dataproc.batches.create',
      'dataproc.batches.get',
      'dataproc.batches.cancel',
    ]);
    const actAs = resourcesOfType(configuration, 'google_service_account_iam_member').filter(
      (block) => block.body.role === 'roles/iam.serviceAccountUser',
    );
    expect(actAs.map((block) => [block.body.service_account_id, block.body.member])).toEqual([
      [
        '${google_service_account.spark_batch.name}',
        '${google_service_account.retrain_model.member}',
      ],
    ]);
  });

  it('lets the batch write nothing but staging/', () => {
    const creator = configuration.resources.get(
      'google_storage_bucket_iam_member.staging_writer_spark_batch',
    )?.body;
    expect(creator?.role).toBe('roles/storage.objectCreator');
    expect(String(nested(creator, 'condition')?.expression)).toMatch(/\/objects\/staging\/"\)$/);
  });

  it('uploads the job script from the repository and tells the functions where it is', () => {
    const job = configuration.resources.get('google_storage_bucket_object.spark_job')?.body;
    expect(job?.source).toBe('${path.module}/../pipelines/spark/train_job.py');
    expect(existsSync(`${repoRoot}pipelines/spark/train_job.py`)).toBe(true);
    const environment = configuration.locals.get('local.spark_environment')?.body.value;
    expect(Object.keys(environment as object).sort()).toEqual([
      'REEL_SPARK_EXECUTORS',
      'REEL_SPARK_JOB_URI',
      'REEL_SPARK_REGION',
      'REEL_SPARK_RUNTIME_VERSION',
      'REEL_SPARK_SERVICE_ACCOUNT',
    ]);
  });
});

describe('the deploy guide (README.md and docs/*.md)', () => {
  // The README's table, and the topic docs that describe the resources of their area.
  const docs = existsSync(`${repoRoot}docs`)
    ? readdirSync(`${repoRoot}docs`).filter((name) => name.endsWith('.md'))
    : [];
  const readme = [
    readFileSync(`${repoRoot}README.md`, 'utf8'),
    ...docs.map((name) => readFileSync(`${repoRoot}docs/${name}`, 'utf8')),
  ].join('\n');

  it('lists every resource and data source the Terraform declares', () => {
    const grants = [...configuration.resources.keys()].filter((a) => /_iam_member\./.test(a));
    const others = [...configuration.resources.keys(), ...configuration.dataSources.keys()].filter(
      (address) => !grants.includes(address),
    );
    const unlisted = others.filter((address) => {
      const name = address.split('.').at(-1)!;
      const type = address.slice(0, address.length - name.length - 1);
      const grouped = new RegExp(
        `\`${type.replace(/\./g, '\\.')}\\.\\{[^}]*\\b${name}\\b[^}]*\\}\``,
      );
      return !readme.includes(`\`${address}\``) && !grouped.test(readme);
    });
    expect(unlisted).toEqual([]);
    const listedGrants = [...readme.matchAll(/IAM members \((\d+)\)/g)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
    expect(listedGrants).toBe(grants.length);
  });
});

describe.skipIf(!hasTerraform())('terraform fmt (only where terraform is installed)', () => {
  it('finds nothing to reformat', () => {
    const output = execFileSync('terraform', ['fmt', '-check', '-list=true', terraformDir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(output).toBe('');
  });
});

function validationConditions(variable: string): string[] {
  const validations = configuration.variables.get(`var.${variable}`)?.body.validation;
  return Array.isArray(validations)
    ? validations.map((validation) => String(literal(validation as Body, 'condition')))
    : [];
}

function hasTerraform(): boolean {
  try {
    execFileSync('terraform', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
