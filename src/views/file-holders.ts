// Who holds a file open: every fd the procfs source kept (qemu's files, locked files, and any
// process's files in the pool directories), indexed by device + inode and by path. Once per snapshot.
import type { OpenFile, ProcfsSection } from '../snapshot/procfs.js';
import { fileId } from './disk-chains.js';
import { memoByIdentity } from './memo.js';
import { pushTo } from './multimap.js';

export interface FileRef {
  path: string;
  inode: number | null;
  devMajor: number | null;
  devMinor: number | null;
}

export class FileHolders {
  private readonly byId = new Map<string, OpenFile[]>();
  private readonly byPath = new Map<string, OpenFile[]>();

  constructor(procfs: ProcfsSection) {
    for (const f of procfs.openFiles) {
      if (!f.target.startsWith('/')) continue;
      pushTo(this.byPath, f.target.replace(/ \(deleted\)$/, ''), f);
      if (f.inode !== null && f.devMajor !== null) pushTo(this.byId, fileId(f.devMajor, f.devMinor, f.inode), f);
    }
  }

  /** Open fds on this file: the same device and inode, or (device unknown, e.g. btrfs) the same path. */
  of(file: FileRef): OpenFile[] {
    const found = new Map<string, OpenFile>();
    if (file.inode !== null && file.devMajor !== null) {
      for (const f of this.byId.get(fileId(file.devMajor, file.devMinor, file.inode)) ?? [])
        found.set(`${f.pid}/${f.fd}`, f);
    }
    for (const f of this.byPath.get(file.path) ?? []) {
      if (file.inode === null || f.inode === null || f.inode === file.inode) found.set(`${f.pid}/${f.fd}`, f);
    }
    return [...found.values()];
  }
}

const build = memoByIdentity((procfs: ProcfsSection, _key: object) => new FileHolders(procfs));

export function fileHolders(procfs: ProcfsSection): FileHolders {
  return build(procfs, procfs);
}

/** "pid 5756 (qemu-system-x86) fd 11" for evidence, with the process name when it is known. */
