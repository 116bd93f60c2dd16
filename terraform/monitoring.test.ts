import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  type Configuration,
  loadConfiguration,
  nested,
  resourcesOfType,
} from './configuration.js';

const terraformDir = fileURLToPath(new URL('.', import.meta.url));
const LOG_METRIC = 'logging.googleapis.com/user/';
/** Google's own metrics the dashboard reads (besides the log-based ones declared here). */
const BUILT_IN_METRICS = [
  'pubsub.googleapis.com/subscription/num_undelivered_messages',
  'run.googleapis.com/request_count',
  'run.googleapis.com/container/instance_count',
];
const WIDGET_KINDS = ['xyChart', 'logsPanel', 'scorecard', 'text', 'timeSeriesTable'];

let configuration: Configuration;
beforeAll(async () => {
  configuration = await loadConfiguration(terraformDir);
}, 60_000);

/** What templatefile() makes of the dashboard: `${name}` substituted, `$${` left as `${`. */
function renderDashboard(variables: Record<string, string | number>): string {
  const template = readFileSync(`${terraformDir}dashboard.json.tftpl`, 'utf8');
  expect(template).not.toContain('%{');
  return template.replace(/(\$?)\$\{(\w+)\}/g, (whole, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    if (!(name in variables)) throw new Error(`dashboard.json.tftpl uses \${${name}}, not passed`);
    return String(variables[name]);
  });
}

function declaredLogMetrics(): string[] {
  return resourcesOfType(configuration, 'google_logging_metric').map(
    (block) => `${LOG_METRIC}${String(block.body.name)}`,
  );
}

describe('the Cloud Monitoring dashboard', () => {
  const variables = () => {
    const call = String(
      configuration.resources.get('google_monitoring_dashboard.reel')?.body.dashboard_json,
    );
    const names = [...call.matchAll(/^\s*(\w+)\s*=/gm)].map((match) => match[1] ?? '');
    return Object.fromEntries(names.map((name) => [name, name.endsWith('_ms') ? 2000 : name]));
  };

  it('is rendered from the template with exactly the variables it uses', () => {
    const template = readFileSync(`${terraformDir}dashboard.json.tftpl`, 'utf8');
    const used = new Set([...template.matchAll(/(?<!\$)\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(variables()).sort());
  });

  it('is valid JSON in the shape the Monitoring API takes, tiles inside the grid, none overlapping', () => {
    const dashboard = JSON.parse(renderDashboard(variables())) as {
      displayName: string;
      mosaicLayout: {
        columns: number;
        tiles: Array<{ xPos?: number; yPos?: number; width: number; height: number; widget: Body }>;
      };
    };
    expect(dashboard.displayName).toBe('Reel');
    const { columns, tiles } = dashboard.mosaicLayout;
    expect(columns).toBe(48);
    expect(tiles.length).toBeGreaterThanOrEqual(8);
    const cells = new Set<string>();
    for (const tile of tiles) {
      const x = tile.xPos ?? 0;
      const y = tile.yPos ?? 0;
      expect(x + tile.width, String(tile.widget.title)).toBeLessThanOrEqual(columns);
      for (let dx = 0; dx < tile.width; dx += 1) {
        for (let dy = 0; dy < tile.height; dy += 1) {
          const cell = `${x + dx},${y + dy}`;
          expect(cells.has(cell), `${String(tile.widget.title)} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
      expect(typeof tile.widget.title).toBe('string');
      const kinds = Object.keys(tile.widget).filter((key) => WIDGET_KINDS.includes(key));
      expect(kinds, String(tile.widget.title)).toHaveLength(1);
    }
  });

  it('charts only metrics that exist: the log-based ones declared here, or Google’s', () => {
    const rendered = renderDashboard(variables());
    const charted = new Set(
      [...rendered.matchAll(/metric\.type=\\"([^\\]+)\\"/g)].map((m) => m[1]),
    );
    const known = [...declaredLogMetrics(), ...BUILT_IN_METRICS];
    expect([...charted].filter((metric) => !known.includes(metric ?? ''))).toEqual([]);
    // Every declared log metric is on the dashboard.
    expect(declaredLogMetrics().filter((metric) => !charted.has(metric))).toEqual([]);
  });

  it('shows what the issue lists', () => {
    const titles = renderDashboard(variables());
    for (const subject of [
      'Ratings ingested per second',
      'percentiles',
      'Dead-letter backlog',
      'Model version and age',
      'Republish progress',
      'Function errors',
      'Function instances',
    ]) {
      expect(titles).toContain(subject);
    }
  });
});

describe('log-based metrics and alerts', () => {
  it('read the fields the functions log (their handlers and use cases)', () => {
    const handlers = [
      'handlers/ingest-rating',
      'handlers/retrain-model',
      'usecases/ingest-rating',
      'usecases/retrain',
      'usecases/publish',
    ]
      .map((name) => readFileSync(`${terraformDir}../functions/src/${name}.ts`, 'utf8'))
      .join('\n');
    for (const block of resourcesOfType(configuration, 'google_logging_metric')) {
      const filter = String(block.body.filter);
      for (const [, field] of filter.matchAll(/jsonPayload\.(\w+)/g)) {
        if (field === 'message') continue;
        expect(handlers, `${block.address}: jsonPayload.${field}`).toMatch(
          new RegExp(`\\b${field}\\b`),
        );
      }
      for (const [, message] of filter.matchAll(/jsonPayload\.message=\\?"([^"\\]+)\\?"/g)) {
        expect(handlers, `${block.address}: message "${message}"`).toContain(`'${message}'`);
      }
    }
  });

  it('alert on the four conditions the issue names, each to the notification channels', () => {
    const policies = resourcesOfType(configuration, 'google_monitoring_alert_policy');
    expect(policies.map((block) => block.address).sort()).toEqual([
      'google_monitoring_alert_policy.dead_letter_backlog',
      'google_monitoring_alert_policy.ingest_errors',
      'google_monitoring_alert_policy.ingest_latency',
      'google_monitoring_alert_policy.no_model_published',
    ]);
    for (const policy of policies) {
      expect(policy.body.notification_channels, policy.address).toBe(
        '${var.notification_channels}',
      );
      expect(nested(policy.body, 'documentation')?.content, policy.address).toBeDefined();
    }
    const dead = nested(
      nested(
        configuration.resources.get('google_monitoring_alert_policy.dead_letter_backlog')?.body,
        'conditions',
      ),
      'condition_threshold',
    );
    expect(dead?.duration).toBe('600s');
    expect(dead?.threshold_value).toBe(0);
    const stale = nested(
      nested(
        configuration.resources.get('google_monitoring_alert_policy.no_model_published')?.body,
        'conditions',
      ),
      'condition_prometheus_query_language',
    );
    expect(String(stale?.query)).toContain('[36h]');
  });

  it('name in PromQL only log metrics that are declared', () => {
    const declared = declaredLogMetrics().map(
      (metric) => `logging_googleapis_com:user_${metric.slice(LOG_METRIC.length)}`,
    );
    for (const policy of resourcesOfType(configuration, 'google_monitoring_alert_policy')) {
      const promql = nested(
        nested(policy.body, 'conditions'),
        'condition_prometheus_query_language',
      );
      for (const [metric] of String(promql?.query ?? '').matchAll(
        /logging_googleapis_com:user_\w+/g,
      )) {
        expect(declared, policy.address).toContain(metric);
      }
    }
  });
});
