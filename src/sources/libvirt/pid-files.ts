// The qemu pid of each running domain, from libvirt's run directory: read when a domain gets a new
// runtime id, remembered while it keeps it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError, errorCode } from '../../util/fs-errors.js';
import { escapeXml } from '../../util/xml-escape.js';

export class QemuPids {
  /** qemu pid per uuid, valid while the domain keeps the runtime id it was read for. */
  private readonly pids = new Map<string, { id: number; pid: number }>();

  constructor(private readonly runDir: string) {}

  async of(uuid: string, id: number | null, name: string, problems: string[]): Promise<number | null> {
    const known = this.pids.get(uuid);
    if (id !== null && known?.id === id) return known.pid;
    const pid = await this.read(name, problems);
    if (pid !== null && id !== null) this.pids.set(uuid, { id, pid });
    return pid;
  }

  /** Forgets domains that are gone. */
  retain(live: ReadonlySet<string>): void {
    for (const uuid of this.pids.keys()) if (!live.has(uuid)) this.pids.delete(uuid);
  }

  /**
   * The qemu pid libvirt recorded. libvirt 9 names the pid file after the XML-escaped domain name
   * (`a &quot;b&quot;.pid`), the status file after the plain one; try both, then the status XML.
   */
  private async read(name: string, problems: string[]): Promise<number | null> {
    for (const file of [`${name}.pid`, `${escapeXml(name)}.pid`]) {
      const text = await readOptional(path.join(this.runDir, file), problems);
      const pid = text === null ? NaN : Number(text.trim());
      if (Number.isInteger(pid) && pid > 0) return pid;
    }
    const status = await readOptional(path.join(this.runDir, `${name}.xml`), problems);
    const m = status === null ? null : /<domstatus\b[^>]*\bpid=['"](\d+)['"]/.exec(status);
    return m ? Number(m[1]) : null;
  }
}

async function readOptional(file: string, problems: string[]): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e: unknown) {
    if (errorCode(e) !== 'ENOENT') problems.push(`${file}: ${describeError(e)}`);
    return null;
  }
}
