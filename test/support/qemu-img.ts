// Real images for tests: qemu-img create, bounded in time; the product itself never runs qemu-img.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A qcow2 image, optionally on top of a backing file (named as given: relative names stay relative). */
export async function createQcow2(
  file: string,
  opts: { backing?: string; backingFormat?: string; size?: string } = {},
): Promise<void> {
  const args = ['create', '-q', '-f', 'qcow2'];
  if (opts.backing) args.push('-b', opts.backing, '-F', opts.backingFormat ?? 'qcow2');
  args.push(file);
  if (!opts.backing || opts.size) args.push(opts.size ?? '16M');
  await run('qemu-img', args, { timeout: 20_000 });
}

export async function createRaw(file: string, size = '1M'): Promise<void> {
  await run('qemu-img', ['create', '-q', '-f', 'raw', file, size], { timeout: 20_000 });
}

/** Adds an internal snapshot (test setup only: it writes to the image). */
export async function addInternalSnapshot(file: string, name: string): Promise<void> {
  await run('qemu-img', ['snapshot', '-c', name, file], { timeout: 20_000 });
}

/** Rewrites the backing file name in the header without touching data (test setup only). */
export async function rebaseUnsafe(file: string, backing: string): Promise<void> {
  await run('qemu-img', ['rebase', '-u', '-f', 'qcow2', '-b', backing, '-F', 'qcow2', file], { timeout: 20_000 });
}
