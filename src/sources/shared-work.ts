// Work that several sources of one collection need, done once per collection: the first source to ask
// starts it and the others share its result (the /proc listing that procfs and virthandler both read).
// The engine makes one per collection and hands it to every source in its CollectContext.

export class SharedWork {
  private readonly started = new Map<string, Promise<unknown>>();

  /** The result of `run` for `key`, started by the first caller of this collection. */
  once<T>(key: string, run: () => Promise<T>): Promise<T> {
    let promise = this.started.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = run();
      this.started.set(key, promise);
    }
    return promise;
  }
}
