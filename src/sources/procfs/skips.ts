// The entries a /proc pass skips quietly (a process that exited, an fd we may not read) are
// counted; anything else becomes a problem of the section.
import { describeError, isDenied, isVanished } from '../../util/fs-errors.js';

/** Counts the entries skipped quietly; anything else becomes a problem. */
export class Skips {
  readonly counts = { vanished: 0, denied: 0 };
  constructor(private readonly problems: string[]) {}

  record(e: unknown, what: string): void {
    if (isVanished(e)) this.counts.vanished++;
    else if (isDenied(e)) this.counts.denied++;
    else this.problems.push(`${what}: ${describeError(e)}`);
  }
}
