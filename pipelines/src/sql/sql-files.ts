import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The `.sql` files under `pipelines/sql/`, shared with Terraform's templatefile(). */
export type SqlFile = 'rating_events' | 'current_ratings' | 'deletions';

export interface SqlVariables {
  project: string;
  dataset: string;
}

const sqlDirectory = fileURLToPath(new URL('../../sql/', import.meta.url));

/** Reads a `.sql` file and substitutes `${name}` placeholders; an unknown one is an error. */
export function renderSql(file: SqlFile, variables: SqlVariables): string {
  const text = readFileSync(`${sqlDirectory}${file}.sql`, 'utf8');
  return text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    if (!(name in variables)) {
      throw new Error(`${file}.sql uses \${${name}}, which has no value`);
    }
    return variables[name as keyof SqlVariables];
  });
}
