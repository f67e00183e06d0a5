// Cooperative time slices for long synchronous passes (a /proc walk, a first parse of many XML
// texts): pause() yields to the event loop once the current slice is longer than `sliceMs`, so
// timers and sockets keep being served, and stops the pass when the signal is aborted.
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export class Slicer {
  private start = performance.now();

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly sliceMs: number,
  ) {}

  /** Whether the slice is used up: a pass of many small steps checks this before awaiting pause(). */
  get due(): boolean {
    return performance.now() - this.start >= this.sliceMs;
  }

  async pause(): Promise<void> {
    if (!this.due) return;
    await yieldToLoop();
    this.signal?.throwIfAborted();
    this.start = performance.now();
  }
}
