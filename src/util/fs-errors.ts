// Classifies filesystem errors that are normal while walking /proc: the process exited (ENOENT,
// ESRCH) or belongs to someone we may not look at (EACCES, EPERM).
export function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

export function isVanished(e: unknown): boolean {
  const code = errorCode(e);
  return code === 'ENOENT' || code === 'ESRCH';
}

export function isDenied(e: unknown): boolean {
  const code = errorCode(e);
  return code === 'EACCES' || code === 'EPERM';
}

export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
