// Thrown by a source when the system it reads is simply not on this host (no virsh, no libvirtd
// socket, no /sys/bus/pci): a quiet "absent" state, distinct from a failure.
export class SourceAbsentError extends Error {
  override readonly name = 'SourceAbsentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isSourceAbsentError(e: unknown): e is SourceAbsentError {
  return e instanceof SourceAbsentError;
}
