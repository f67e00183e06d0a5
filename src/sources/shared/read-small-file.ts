// Reads a small file the kernel generates whole on open (/proc/<pid>/stat, status) with one read into a
// reused buffer. readFileSync(file, 'utf8') also asks for the size and reads until a read returns nothing: two
// system calls more per file, on a busy host's /proc pass thousands of files a collection.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

/** Only used synchronously, so one buffer serves every call. */
const buffer = Buffer.allocUnsafe(16 * 1024);

/** The file's text (UTF-8), as readFileSync(file, 'utf8') gives it. */
export function readSmallFile(file: string): string {
  const fd = openSync(file, 'r');
  try {
    return readOpened(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The file's text and the inode number of what was opened. A /proc/<pid> file's inode belongs to one process:
 * a pid taken by a new process gets new inodes (the old ones fail revalidation once their task is gone).
 */
export function readSmallFileAndInode(file: string): { text: string; inode: number } {
  const fd = openSync(file, 'r');
  try {
    return { text: readOpened(fd), inode: fstatSync(fd).ino };
  } finally {
    closeSync(fd);
  }
}

function readOpened(fd: number): string {
  const length = readSync(fd, buffer, 0, buffer.length, null);
  if (length < buffer.length) return buffer.toString('utf8', 0, length);
  // A full buffer may not be the whole file: read the rest the usual way.
  return Buffer.concat([buffer, readFileSync(fd)]).toString('utf8');
}
