/**
 * Reads the shape of a BigQuery `CREATE TABLE` statement (the subset our DDL files use:
 * scalar columns, NOT NULL, PARTITION BY DATE(column) or column, CLUSTER BY columns) so a test
 * can compare it with the table Terraform declares. Anything else is an error that says what
 * was not understood, rather than a comparison that silently passes.
 */

export interface DdlColumn {
  name: string;
  /** As written in the DDL: INT64, FLOAT64, STRING, … */
  type: string;
  notNull: boolean;
}

export interface DdlTable {
  table: string;
  columns: DdlColumn[];
  /** Daily partitioning column, or undefined when the table is not partitioned. */
  partitionColumn: string | undefined;
  clusterBy: string[];
}

/** One column of BigQuery's JSON schema format (what google_bigquery_table.schema takes). */
export interface SchemaField {
  name: string;
  type: string;
  mode: 'REQUIRED' | 'NULLABLE' | 'REPEATED';
}

const SCALAR_TYPES = new Set([
  'STRING',
  'BYTES',
  'INT64',
  'FLOAT64',
  'NUMERIC',
  'BIGNUMERIC',
  'BOOL',
  'TIMESTAMP',
  'DATE',
  'TIME',
  'DATETIME',
  'GEOGRAPHY',
  'JSON',
]);

/** GoogleSQL's aliases of the scalar types. */
const TYPE_ALIASES: Record<string, string> = {
  INT: 'INT64',
  INTEGER: 'INT64',
  BIGINT: 'INT64',
  SMALLINT: 'INT64',
  TINYINT: 'INT64',
  BYTEINT: 'INT64',
  BOOLEAN: 'BOOL',
  DECIMAL: 'NUMERIC',
  BIGDECIMAL: 'BIGNUMERIC',
};

/** The names BigQuery's API reports for standard SQL types in a table schema. */
const LEGACY_TYPE_NAMES: Record<string, string> = {
  INT64: 'INTEGER',
  FLOAT64: 'FLOAT',
  BOOL: 'BOOLEAN',
};

export function parseCreateTable(sql: string): DdlTable {
  const text = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const header = /^CREATE (?:OR REPLACE )?TABLE (?:IF NOT EXISTS )?`([^`]+)` \(/i.exec(text);
  const close = header ? matchingParenthesis(text, header[0].length - 1) : -1;
  if (!header || close < 0) {
    throw new Error(
      'expected `CREATE TABLE [IF NOT EXISTS] `name` (columns) [PARTITION BY …] [CLUSTER BY …];`',
    );
  }
  const table = header[1] ?? '';
  const columnList = text.slice(header[0].length, close);
  const options = text
    .slice(close + 1)
    .replace(/;$/, '')
    .trim();
  const columns = columnList.split(',').map((definition) => parseColumn(definition.trim()));

  const partition = /PARTITION BY (?:DATE\((\w+)\)|(\w+))/i.exec(options);
  const cluster = /CLUSTER BY (\w+(?:, ?\w+)*)/i.exec(options);
  const unknownOptions = options
    .replace(partition?.[0] ?? '', '')
    .replace(cluster?.[0] ?? '', '')
    .trim();
  if (unknownOptions !== '') {
    throw new Error(`table options not understood: "${unknownOptions}"`);
  }
  return {
    table,
    columns,
    partitionColumn: partition ? (partition[1] ?? partition[2]) : undefined,
    clusterBy: cluster?.[1] ? cluster[1].split(',').map((column) => column.trim()) : [],
  };
}

/** Index of the parenthesis closing the one at `open`, or -1. */
function matchingParenthesis(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    if (text[index] === '(') {
      depth += 1;
    } else if (text[index] === ')') {
      depth -= 1;
      if (depth === 0) {
        return index;
      }
    }
  }
  return -1;
}

function parseColumn(definition: string): DdlColumn {
  const match = /^(\w+) (\w+)( NOT NULL)?$/i.exec(definition);
  if (!match) {
    throw new Error(
      `column definition not understood: "${definition}" (expected "name TYPE [NOT NULL]")`,
    );
  }
  const [, name = '', rawType = '', notNull] = match;
  const type = TYPE_ALIASES[rawType.toUpperCase()] ?? rawType.toUpperCase();
  if (!SCALAR_TYPES.has(type)) {
    throw new Error(`column ${name} has type ${rawType}, which is not a scalar BigQuery type`);
  }
  return { name, type, notNull: notNull !== undefined };
}

/** The DDL's columns as BigQuery's JSON schema, with the type names the API reports. */
export function toSchemaFields(columns: DdlColumn[]): SchemaField[] {
  return columns.map((column) => ({
    name: column.name,
    type: LEGACY_TYPE_NAMES[column.type] ?? column.type,
    mode: column.notNull ? 'REQUIRED' : 'NULLABLE',
  }));
}
