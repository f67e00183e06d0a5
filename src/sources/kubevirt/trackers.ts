// What only the watch can know, kept per object uid: transitions of a VMI's fsFreezeStatus and its
// churn while frozen, OOM kills of pod containers, and when a VM's printableStatus last changed.
// Each observation is deduplicated by resourceVersion, so a relist after 410 or a reconnect that
// delivers the same object again counts nothing. The first sight of an object is the baseline.
import type { ContainerTermination } from './parse-objects.js';

/** Bounds the per-VMI timestamp lists whatever the event rate. */
const MAX_TIMES = 5000;

interface FreezeState {
  resourceVersion: string;
  status: string | null;
  transitions: number;
  transitionTimes: number[];
  frozenUpdates: number;
  frozenUpdateTimes: number[];
  /** The last view handed out, handed out again while nothing in it changed. */
  view: FreezeView | null;
}

export interface FreezeView {
  freezeTransitionsTotal: number;
  freezeTransitionTimes: number[];
  frozenUpdatesTotal: number;
  frozenUpdateTimes: number[];
}

function pushBounded(list: number[], t: number): void {
  list.push(t);
  if (list.length > MAX_TIMES) list.splice(0, list.length - MAX_TIMES);
}

export class FreezeTracker {
  private readonly byUid = new Map<string, FreezeState>();
  /**
   * Every time held, oldest first, with its VMI: what ages out of the history by a given time is a prefix, so a
   * collection asks only the VMIs that lost a time since the last one, not every VMI.
   */
  private expiry: Array<{ t: number; uid: string }> = [];
  private expiryHead = 0;
  /** `historySeconds`: how far back transition times are kept. */
  constructor(private readonly historySeconds: number) {}

  private held(t: number, uid: string): void {
    const item = { t, uid };
    const last = this.expiry[this.expiry.length - 1];
    if (last === undefined || last.t <= t) {
      this.expiry.push(item);
      return;
    }
    // The clock went back: kept in order all the same.
    let i = this.expiry.length - 1;
    while (i > this.expiryHead && (this.expiry[i - 1] as { t: number }).t > t) i--;
    this.expiry.splice(i, 0, item);
  }

  observe(uid: string, resourceVersion: string, status: string | null, now: number): void {
    const prev = this.byUid.get(uid);
    if (!prev) {
      this.byUid.set(uid, {
        resourceVersion,
        status,
        transitions: 0,
        transitionTimes: [],
        frozenUpdates: 0,
        frozenUpdateTimes: [],
        view: null,
      });
      return;
    }
    if (resourceVersion !== '' && resourceVersion === prev.resourceVersion) return;
    prev.resourceVersion = resourceVersion;
    if (status !== prev.status) {
      prev.transitions++;
      pushBounded(prev.transitionTimes, now);
      this.held(now, uid);
      prev.status = status;
    } else if (status === 'frozen') {
      prev.frozenUpdates++;
      pushBounded(prev.frozenUpdateTimes, now);
      this.held(now, uid);
    }
  }

  forget(uid: string): void {
    this.byUid.delete(uid);
  }

  /**
   * The VMIs whose history lost a time to age since the last call (up to `now`): besides those with a watch
   * event, the only ones whose view can have changed.
   */
  agedOut(now: number): Set<string> {
    const from = now - this.historySeconds;
    const uids = new Set<string>();
    let head = this.expiryHead;
    for (; head < this.expiry.length; head++) {
      const item = this.expiry[head] as { t: number; uid: string };
      if (item.t > from) break;
      uids.add(item.uid);
    }
    this.expiryHead = head;
    if (head > 4096 && head * 2 > this.expiry.length) {
      this.expiry = this.expiry.slice(head);
      this.expiryHead = 0;
    }
    return uids;
  }

  /**
   * Counters and the times inside the history ending at `now`: the same object as last time while
   * nothing was added or aged out, so what is built from it can be reused (the per-VMI series).
   */
  view(uid: string, now: number): FreezeView {
    const s = this.byUid.get(uid);
    if (!s)
      return { freezeTransitionsTotal: 0, freezeTransitionTimes: [], frozenUpdatesTotal: 0, frozenUpdateTimes: [] };
    const from = now - this.historySeconds;
    // Times are appended in order, so only the oldest can have aged out.
    if ((s.transitionTimes[0] ?? Infinity) <= from) s.transitionTimes = s.transitionTimes.filter((t) => t > from);
    if ((s.frozenUpdateTimes[0] ?? Infinity) <= from) s.frozenUpdateTimes = s.frozenUpdateTimes.filter((t) => t > from);
    const last = s.view;
    if (
      last &&
      last.freezeTransitionsTotal === s.transitions &&
      last.frozenUpdatesTotal === s.frozenUpdates &&
      last.freezeTransitionTimes.length === s.transitionTimes.length &&
      last.frozenUpdateTimes.length === s.frozenUpdateTimes.length
    )
      return last;
    s.view = {
      freezeTransitionsTotal: s.transitions,
      freezeTransitionTimes: [...s.transitionTimes],
      frozenUpdatesTotal: s.frozenUpdates,
      frozenUpdateTimes: [...s.frozenUpdateTimes],
    };
    return s.view;
  }
}

interface ContainerState {
  restartCount: number;
  key: string | null;
}

export class OomTracker {
  private readonly byUid = new Map<
    string,
    { resourceVersion: string; containers: Map<string, ContainerState>; ooms: number }
  >();

  /**
   * Counts one OOM kill per container whose restartCount went up while lastState.terminated says
   * OOMKilled for a termination not counted before. Restarts the watch missed collapse into one.
   */
  observe(uid: string, resourceVersion: string, containers: ContainerTermination[]): void {
    let prev = this.byUid.get(uid);
    if (!prev) {
      prev = { resourceVersion, containers: new Map(), ooms: 0 };
      for (const c of containers)
        prev.containers.set(c.name, { restartCount: c.restartCount, key: c.lastTerminatedKey });
      this.byUid.set(uid, prev);
      return;
    }
    if (resourceVersion !== '' && resourceVersion === prev.resourceVersion) return;
    prev.resourceVersion = resourceVersion;
    for (const c of containers) {
      const before = prev.containers.get(c.name);
      if (
        before &&
        c.restartCount > before.restartCount &&
        c.lastTerminatedReason === 'OOMKilled' &&
        (c.lastTerminatedKey === null || c.lastTerminatedKey !== before.key)
      ) {
        prev.ooms++;
      }
      prev.containers.set(c.name, { restartCount: c.restartCount, key: c.lastTerminatedKey });
    }
  }

  forget(uid: string): void {
    this.byUid.delete(uid);
  }

  count(uid: string): number {
    return this.byUid.get(uid)?.ooms ?? 0;
  }
}

export class StatusTracker {
  private readonly byUid = new Map<string, { status: string | null; since: number | null }>();

  /** Returns when the current status was first seen changing to; null if it was there at first sight. */
  observe(uid: string, status: string | null, now: number): number | null {
    const prev = this.byUid.get(uid);
    if (!prev) {
      this.byUid.set(uid, { status, since: null });
      return null;
    }
    if (prev.status !== status) {
      prev.status = status;
      prev.since = now;
    }
    return prev.since;
  }

  forget(uid: string): void {
    this.byUid.delete(uid);
  }
}
