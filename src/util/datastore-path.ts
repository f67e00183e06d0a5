// vSphere datastore paths: "[ds] folder/file.vmdk" as vSphere writes them, "[ds]/folder" as some
// hosts (and the simulator) write folder paths. Both normalise to { datastore, path } with no
// leading or trailing "/".
export interface DatastorePath {
  datastore: string;
  path: string;
}

export function parseDatastorePath(s: string): DatastorePath | null {
  const m = /^\[([^\]]*)\]\s*(.*)$/.exec(s.trim());
  if (!m) return null;
  return { datastore: m[1] as string, path: (m[2] as string).replace(/^\/+|\/+$/g, '') };
}

export function formatDatastorePath(datastore: string, path: string, folder = false): string {
  return `[${datastore}] ${path}${folder ? '/' : ''}`;
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
