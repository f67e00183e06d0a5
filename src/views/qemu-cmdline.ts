// Reads what a qemu command line says about its guest: name, uuid, vCPUs, memory, and whether it is
// one of libvirt's capability probes (qemu started with "-machine none" to ask what it supports).
import { hasExited, type ProcessInfo } from '../snapshot/procfs.js';

export interface QemuGuest {
  name: string | null;
  uuid: string | null;
  vcpus: number;
  memoryBytes: number | null;
  capabilityProbe: boolean;
}

const QEMU_BINARY = /^(qemu-system-[\w-]+|qemu-kvm|kvm)$/;

/** Whether a program's base name is a qemu system emulator. */
export function isQemuProgram(name: string): boolean {
  return QEMU_BINARY.test(name);
}

export function isQemuProcess(p: ProcessInfo): boolean {
  // An exited process waiting to be reaped (a -daemonize parent, say) holds nothing.
  if (hasExited(p)) return false;
  const argv0 = p.cmdline[0];
  if (argv0 !== undefined && isQemuProgram(argv0.slice(argv0.lastIndexOf('/') + 1))) return true;
  // comm is truncated to 15 characters ("qemu-system-x86"); the cmdline may be rewritten.
  return p.comm.startsWith('qemu-system-') || p.comm === 'qemu-kvm';
}

/** Splits a QEMU option value on single commas; ",," is an escaped comma. */
export function splitQemuOptions(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === ',') {
      if (value[i + 1] === ',') {
        current += ',';
        i++;
        continue;
      }
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

function optionValue(argv: string[], ...names: string[]): string | null {
  for (let i = 1; i < argv.length - 1; i++) {
    const arg = argv[i] as string;
    if (names.includes(arg.replace(/^--/, '-'))) return argv[i + 1] as string;
  }
  return null;
}

/** The first, unnamed part of a QEMU option, or its named key (e.g. "guest" in -name guest=x). */
function pick(parts: string[], key: string): string | null {
  for (const [i, part] of parts.entries()) {
    const eq = part.indexOf('=');
    if (eq < 0 && i === 0) return part;
    if (eq >= 0 && part.slice(0, eq) === key) return part.slice(eq + 1);
  }
  return null;
}

const SIZE_SUFFIX: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses "-m 64", "-m 64M", "-m size=65536k": a bare number means MiB, as QEMU reads it. */
export function parseQemuMemory(value: string): number | null {
  const size = pick(splitQemuOptions(value), 'size');
  if (size === null) return null;
  const m = /^(\d+(?:\.\d+)?)([bkmgtBKMGT])?$/.exec(size.trim());
  if (!m) return null;
  const unit = (m[2] ?? 'm').toLowerCase();
  return Math.round(Number(m[1]) * (SIZE_SUFFIX[unit] as number));
}

export function parseQemuGuest(p: ProcessInfo): QemuGuest {
  const argv = p.cmdline;
  const nameValue = optionValue(argv, '-name');
  const name = nameValue === null ? null : pick(splitQemuOptions(nameValue), 'guest');
  const uuid = optionValue(argv, '-uuid');
  const smp = optionValue(argv, '-smp');
  let vcpus = 1;
  if (smp !== null) {
    const cpus = Number(pick(splitQemuOptions(smp), 'cpus'));
    if (Number.isInteger(cpus) && cpus > 0) vcpus = cpus;
  }
  const mem = optionValue(argv, '-m');
  const machine = optionValue(argv, '-machine', '-M');
  const machineType = machine === null ? null : pick(splitQemuOptions(machine), 'type');
  const joined = argv.join(' ');
  const capabilityProbe = machineType === 'none' || /capabilities\.(pidfile|monitor\.sock)/.test(joined);
  return {
    name: name === '' ? null : name,
    uuid: uuid ? uuid.toLowerCase() : null,
    vcpus,
    memoryBytes: mem === null ? null : parseQemuMemory(mem),
    capabilityProbe,
  };
}
