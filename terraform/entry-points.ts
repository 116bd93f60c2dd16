/** Entry-point names in the functions' index: exported values and declarative registrations. */
export function exportedEntryPoints(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/export\s+(?:async\s+)?(?:const|let|function)\s+(\w+)/g)) {
    names.add(match[1]!);
  }
  for (const match of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const item of match[1]!.split(',')) {
      const name = item
        .trim()
        .split(/\s+as\s+/)
        .at(-1);
      if (name && !name.startsWith('type ')) {
        names.add(name);
      }
    }
  }
  for (const match of source.matchAll(/\.(?:http|cloudEvent)\(\s*['"](\w+)['"]/g)) {
    names.add(match[1]!);
  }
  return [...names];
}
