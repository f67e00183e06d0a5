// Fake `virsh` executables for unit tests of the virsh wrapper: shell scripts that speak virsh's
// stdin mode, answer commands from files, and can be told to hang, fail to connect or print garbage.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A fake virsh: reads commands on stdin like `virsh -q` does, echoes `virsh > <line>`, prints the
 * joined marker of `echo "A""B"` without a newline (and `echo --err` on stderr as "error: …"), and
 * answers other commands from files under
 * out/ (named after the command). The file `mode` changes its behaviour when it starts.
 */
const FAKE_VIRSH = `#!/bin/bash
DIR="$(cd "$(dirname "$0")" && pwd)"
echo "$$" >> "$DIR/starts"
printf '%s\\n' "$*" > "$DIR/args"
mode=$(cat "$DIR/mode" 2>/dev/null)
case "$mode" in
  hang) exec sleep 600 ;;
  connect-absent)
    echo "error: failed to connect to the hypervisor" >&2
    echo "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock-ro': No such file or directory" >&2
    exit 1 ;;
  connect-denied)
    echo "error: failed to connect to the hypervisor" >&2
    echo "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock-ro': Permission denied" >&2
    exit 1 ;;
  connect-bare)
    echo "error: failed to connect to the hypervisor" >&2
    exit 1 ;;
  garbage-exit)
    echo "%%%% this is not virsh output ####"
    head -c 300 /dev/zero | tr '\\0' 'x'
    exit 0 ;;
esac
while IFS= read -r line; do
  printf 'virsh > %s\\n' "$line"
  case "$line" in
    quit) exit 0 ;;
    'echo --err '*) m="\${line#echo --err }"; printf 'error: %s\\n' "\${m//\\"/}" >&2 ;;
    'echo '*) m="\${line#echo }"; printf '%s' "\${m//\\"/}" ;;
    *)
      if [ "$mode" = hang-midway ] && [[ "$line" == dumpxml* ]]; then exec sleep 600; fi
      key=$(printf '%s' "$line" | tr -c 'A-Za-z0-9' '_')
      if [ -f "$DIR/out/$key" ]; then cat "$DIR/out/$key"
      else echo "error: failed to get domain '\${line##* }'" >&2; fi ;;
  esac
done
`;

export interface Fake {
  dir: string;
  bin: string;
  setMode(mode: string): Promise<void>;
  answer(cmd: string, out: string): Promise<void>;
  starts(): Promise<number[]>;
}

const startedPids: number[] = [];

/** A fake virsh in <parent>/<name>/virsh; `mode` is read when each shell starts. */
export async function makeFake(parent: string, name: string, mode = ''): Promise<Fake> {
  const dir = path.join(parent, name);
  await mkdir(path.join(dir, 'out'), { recursive: true });
  const bin = path.join(dir, 'virsh');
  await writeFile(bin, FAKE_VIRSH);
  await chmod(bin, 0o755);
  const fake: Fake = {
    dir,
    bin,
    setMode: (m) => writeFile(path.join(dir, 'mode'), m),
    answer: (cmd, out) => writeFile(path.join(dir, 'out', cmd.replace(/[^A-Za-z0-9]/g, '_')), out),
    starts: async () => {
      const pids = (await readFile(path.join(dir, 'starts'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map(Number);
      for (const p of pids) if (!startedPids.includes(p)) startedPids.push(p);
      return pids;
    },
  };
  await fake.setMode(mode);
  return fake;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitGone(pid: number, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

/** Kills the fakes still running (only those these helpers started), e.g. after a failed assertion. */
export function killStartedFakes(): void {
  for (const pid of startedPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
}
