// The pod a process runs in, from its cgroup path: the kubelet puts every container under a per-pod cgroup,
// `pod<uid>` with the cgroupfs driver (`/kubepods/burstable/pod<uid>/<container>`) and
// `kubepods[-<qos>]-pod<uid with underscores>.slice` with the systemd driver. Matched by path segment, so a
// path seen through a cgroup namespace (`/../../kubepods-burstable-pod<uid>.slice/…`) names the pod too.

const UID = '[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}';
const POD_SEGMENT = new RegExp(`^(?:kubepods(?:-[a-z]+)?-)?pod(${UID})(?:\\.slice)?$`);

/** Pod uid from a kubepods cgroup path, dashes restored; null when no segment names a pod. */
export function podUidFromCgroup(cgroupPath: string): string | null {
  for (const segment of cgroupPath.split('/')) {
    const m = POD_SEGMENT.exec(segment);
    if (m) return (m[1] as string).replace(/_/g, '-');
  }
  return null;
}

/**
 * Pod uid from the text of /proc/<pid>/cgroup, v2 (`0::<path>`), v1 (`<id>:<controllers>:<path>` per
 * hierarchy) or both (hybrid, where the unified line may be `/` while the v1 lines name the pod): the first
 * line whose path names one.
 */
export function podUidFromProcCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    const m = /^\d+:[^:]*:(.*)$/.exec(line.trim());
    const uid = m ? podUidFromCgroup(m[1] as string) : null;
    if (uid) return uid;
  }
  return null;
}
