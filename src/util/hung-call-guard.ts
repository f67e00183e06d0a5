// Bounds calls that can hang forever in the kernel (stat() of a file on a dead NFS server): each
// such call pins one of libuv's few threads until the server returns. The guard answers after a
// deadline instead of waiting, never issues a second call for a key whose first is still pending,
// and stops issuing new calls while too many are stuck past their deadline, so the rest of the
// exporter keeps its threads.
export class HungCallGuard<T> {
  private readonly pending = new Map<string, { since: number; promise: Promise<T> }>();

  constructor(
    /** How many calls may be stuck (pending past their deadline) before no new ones are issued. */
    private readonly maxStuck: number,
    private readonly deadlineMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Runs fn for key, or answers onHung(why) when it (or an earlier call for key) does not return in time. */
  async run(key: string, fn: () => Promise<T>, onHung: (why: string) => T): Promise<T> {
    let entry = this.pending.get(key);
    if (!entry) {
      const now = this.clock();
      const stuck = [...this.pending.values()].filter((e) => now - e.since >= this.deadlineMs).length;
      if (stuck >= this.maxStuck) return onHung(`not tried: ${stuck} earlier calls have not returned (hung storage?)`);
      const promise = fn().finally(() => this.pending.delete(key));
      entry = { since: this.clock(), promise };
      this.pending.set(key, entry);
    }
    const since = entry.since;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<T>((resolve) => {
      timer = setTimeout(
        () => resolve(onHung(`has not returned for ${Math.round((this.clock() - since) / 1000)}s (hung storage?)`)),
        this.deadlineMs,
      );
    });
    try {
      return await Promise.race([entry.promise, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
