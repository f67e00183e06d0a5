// The host name of a URL, or null when it has none or is not a URL (a `qemu:///system` URI).
export function hostOfUrl(url: string): string | null {
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}
