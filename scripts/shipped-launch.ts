// How the shipped agent starts node, read from the built bin's shebang (`#!/usr/bin/env -S NAME=VALUE... node
// --flag...`), which npm start and the image's entrypoint repeat (test/cli.test.ts keeps them equal): the
// benchmarks run the agent the way it is deployed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ShippedLaunch {
  /** Environment the bin sets for node (glibc malloc tunables). */
  env: Record<string, string>;
  /** node's own flags (V8's young generation size). */
  nodeFlags: string[];
}

export function parseShebang(line: string): ShippedLaunch {
  const m = /^#!\/usr\/bin\/env -S (.*)$/.exec(line);
  if (!m) throw new Error(`not an env -S shebang: ${line}`);
  const words = (m[1] as string).trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0) throw new Error(`no node in the shebang: ${line}`);
  const env: Record<string, string> = {};
  for (const w of words.slice(0, node)) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new Error(`not NAME=VALUE before node: ${w}`);
    env[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return { env, nodeFlags: words.slice(node + 1) };
}

export function shippedLaunch(cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))): ShippedLaunch {
  return parseShebang(readFileSync(cli, 'utf8').split('\n')[0] as string);
}
