// Work that several sources of one collection need, done once per collection: the first source to ask
// starts it and the others share its result (the /proc listing that procfs and virthandler both read).
// The engine makes one per collection and hands it to every source in its CollectContext; what such work keeps
// for the next collection (the process table of the /proc walk) lives in a store the engine carries across.

export class SharedWork {
  private readonly started = new Map<string, Promise<unknown>>();

  constructor(private readonly carried: Map<string, unknown> = new Map()) {}

  /** The result of `run` for `key`, started by the first caller of this collection. */
  once<T>(key: string, run: () => Promise<T>): Promise<T> {
    let promise = this.started.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = run();
      this.started.set(key, promise);
    }
    return promise;
  }

  /** What shared work under `key` keeps from one collection to the next, made by `make` the first time. */
  kept<T>(key: string, make: () => T): T {
    let value = this.carried.get(key) as T | undefined;
    if (value === undefined) {
      value = make();
      this.carried.set(key, value);
    }
    return value;
  }
}
