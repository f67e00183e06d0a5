// The CLI as built by `npm run build` (npm ci's prepare and `npm test` run it once): tests run
// dist/cli.js and never compile the project themselves. A missing or stale build fails loudly,
// since testing an old dist/ against new sources would pass or fail for the wrong reasons.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

/** Resolves when dist/cli.js exists and is newer than every file under src/; throws the fix otherwise. */
export async function assertBuilt(): Promise<void> {
  const built = await stat(CLI).then(
    (s) => s.mtimeMs,
    () => null,
  );
  if (built === null) throw new Error(`${path.relative(ROOT, CLI)} is missing: run \`npm run build\` (npm test does)`);
  const src = path.join(ROOT, 'src');
  const files = (await readdir(src, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  for (const f of files) {
    const file = path.join(f.parentPath, f.name);
    if ((await stat(file)).mtimeMs > built) {
      throw new Error(`dist/ is older than ${path.relative(ROOT, file)}: run \`npm run build\` (npm test does)`);
    }
  }
}
