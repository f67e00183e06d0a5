// A real single-threaded process that sleeps between commands: bash blocked reading its stdin, running each line it
// reads before blocking again. Tests of what the /proc walk keeps for a process that has not run use it.
import { execa } from 'execa';

export interface SleepingShell {
  pid: number;
  /** Runs one command in the shell and resolves once it is done (the shell is asleep again). */
  ran(command: string): Promise<void>;
  kill(): void;
}

export function sleepingShell(): SleepingShell {
  const shell = execa('bash', ['-c', 'while read -r line; do eval "$line"; echo done; done'], {
    stdin: 'pipe',
    stdout: 'pipe',
    reject: false,
  });
  return {
    pid: shell.pid as number,
    ran(command) {
      const done = new Promise<void>((resolve) => shell.stdout?.once('data', () => resolve()));
      shell.stdin?.write(`${command}\n`);
      return done;
    },
    kill: () => void shell.kill('SIGKILL'),
  };
}
