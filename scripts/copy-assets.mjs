// Copies the files under src/ that the TypeScript compiler does not emit but the program reads at
// run time (the Hyper-V collector's PowerShell script) to the same place under dist/.
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ASSET = /\.ps1$/;
for (const entry of readdirSync('src', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !ASSET.test(entry.name)) continue;
  const from = path.join(entry.parentPath, entry.name);
  cpSync(from, path.join('dist', path.relative('src', from)));
}
