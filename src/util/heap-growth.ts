// A fixed growth of V8's old generation while a large list is read. After a full collection V8 lets the old
// generation grow to a multiple of what survived before the next one, and for a small heap that multiple is up to
// about three: the cluster agent's initial lists at 10 000 VMs (each page's text and parsed objects, promoted by
// the young generation's collections while the page is parsed, dead once its cache entries are made) filled ~180
// MiB of heap over ~57 MiB live before the collection that freed them, the agent's RSS peak. Growth held at twice
// what survived while a list runs lowered that peak by ~60 MiB at the same first scrape; V8's own growth (the
// flag at 0) returns when the last list ends. V8 reads the flag at each full collection, so it can change at run
// time; an operator who sets it on node's command line keeps theirs.
import { setFlagsFromString } from 'node:v8';

/** Percent the old generation may grow past what survived while a list runs (100: to twice that). */
export const LIST_HEAP_GROWING_PERCENT = 100;

export interface HeapGrowthLimit {
  /** Holds the fixed growth until the returned release is called (once; more calls do nothing). */
  hold(): () => void;
  /** Whether a hold is in place. */
  held(): boolean;
}

/** `setFlags` sets V8 flags; `operatorSet` is true when node was started with the flag (then nothing changes). */
export function heapGrowthLimit(setFlags: (flags: string) => void, operatorSet: boolean): HeapGrowthLimit {
  let holders = 0;
  return {
    hold() {
      if (operatorSet) return () => {};
      if (holders++ === 0) setFlags(`--heap-growing-percent=${LIST_HEAP_GROWING_PERCENT}`);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--holders === 0) setFlags('--heap-growing-percent=0');
      };
    },
    held: () => holders > 0,
  };
}

/** Whether node's options (its command line or NODE_OPTIONS) set the heap's growth. */
export function operatorSetsHeapGrowth(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => /^--heap[-_]growing[-_]percent\b/.test(a));
}

/** The process's own limit: every list of the process holds the same count. */
export const listHeapGrowth = heapGrowthLimit(
  setFlagsFromString,
  operatorSetsHeapGrowth(process.execArgv, process.env.NODE_OPTIONS),
);
