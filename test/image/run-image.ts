// Runs the built container image with podman as each agent and checks what it serves: the node agent
// with the host's /proc, /sys and libvirt sockets mounted read-only (a stray qemu must be found), the
// cluster agent against the test Kubernetes API server (a stuck deletion must be found). Also checks
// that the build's npm ci really installed the packages, the user, labels, HEALTHCHECK and SIGTERM.
// Usage: tsx test/image/run-image.ts IMAGE (podman's config comes from the environment, .ci/image-test).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { execa } from 'execa';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import * as k from '../support/kubevirt-objects.js';
import { parsePromText, series, value, type Sample } from '../support/prom-text.js';
import { waitFor } from '../support/wait.js';

const arg = process.argv[2];
if (!arg) throw new Error('usage: run-image.ts IMAGE');
const image: string = arg;
const started: string[] = [];

const podman = async (...args: string[]) => (await execa('podman', args, { timeout: 120_000 })).stdout.trim();

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return parsePromText(await res.text());
}

async function logsOf(id: string): Promise<string> {
  const r = await execa('podman', ['logs', id], { reject: false });
  return `${r.stdout}\n${r.stderr}`;
}

/** Resident and peak memory of the exporter (tini's child) in a running container, in MiB. */
async function memoryOf(id: string): Promise<string> {
  const tini = (await podman('inspect', id, '--format', '{{.State.Pid}}')).trim();
  const child = (await readFile(`/proc/${tini}/task/${tini}/children`, 'utf8')).trim().split(' ')[0];
  const status = await readFile(`/proc/${child}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return `RSS ${(kb('VmRSS') / 1024).toFixed(0)} MiB, peak ${(kb('VmHWM') / 1024).toFixed(0)} MiB`;
}

/** podman stop sends SIGTERM; exit code 0 means the exporter shut down by itself, not by SIGKILL. */
async function stopCleanly(id: string): Promise<void> {
  await podman('stop', '-t', '20', id);
  const code = await podman('inspect', id, '--format', '{{.State.ExitCode}}');
  assert.equal(code, '0', `exit code after SIGTERM (137 would be SIGKILL):\n${await logsOf(id)}`);
  assert.match(await logsOf(id), /shutting down.*SIGTERM/);
}

async function checkImage(): Promise<void> {
  // The build stage's npm ci can print an error and exit 0: the packages must really be in the image,
  // and only the production ones.
  const probe = await podman(
    'run',
    '--rm',
    '--entrypoint',
    'node',
    image,
    '-e',
    `
    const fs = require('node:fs');
    const pkg = require('/app/package.json');
    const has = (d) => fs.existsSync('/app/node_modules/' + d + '/package.json');
    const missing = Object.keys(pkg.dependencies).filter((d) => !has(d));
    const dev = Object.keys(pkg.devDependencies).filter((d) => fs.existsSync('/app/node_modules/' + d));
    const count = fs.readdirSync('/app/node_modules').length;
    console.log(JSON.stringify({ missing, dev, count, uid: process.getuid() }));`,
  );
  const { missing, dev, count, uid } = JSON.parse(probe) as {
    missing: string[];
    dev: string[];
    count: number;
    uid: number;
  };
  assert.deepEqual(missing, [], 'every production dependency installed by npm ci');
  assert.deepEqual(dev, [], 'no dev dependency in the final image');
  assert.ok(count > 5, `node_modules has ${count} entries`);
  assert.equal(uid, 1000, 'non-root by default');
  const version = await podman('run', '--rm', image, '--version');
  const pkgVersion = JSON.parse(await podman('run', '--rm', '--entrypoint', 'cat', image, '/app/package.json'))
    .version as string;
  assert.equal(version, pkgVersion);
  assert.match(await podman('run', '--rm', '--entrypoint', 'virsh', image, '--version'), /^\d+\.\d+\.\d+$/);
  const labels = JSON.parse(await podman('image', 'inspect', image, '--format', '{{json .Labels}}')) as Record<
    string,
    string
  >;
  for (const l of ['title', 'description', 'version', 'licenses'])
    assert.ok(labels[`org.opencontainers.image.${l}`], `label ${l}`);
  assert.match(await podman('image', 'inspect', image, '--format', '{{json .HealthCheck}}'), /healthcheck\.js/);
  const history = await podman('image', 'history', image, '--no-trunc', '--format', '{{.CreatedBy}}');
  assert.ok(!history.includes('host-ca'), 'the build CA is not baked into the image');
  console.log(`image: ${count} packages in node_modules, no dev dependencies, uid 1000, ${version}`);
}

async function nodeAgent(): Promise<void> {
  const host = await LibvirtTestHost.acquire();
  try {
    const guest = `vmzt-${host.tag}-image`;
    const pid = await host.startStrayQemu(guest, await host.createImage('image-test.qcow2'));
    // As the DaemonSet runs it: root without any capability but the two that read other users'
    // /proc/<pid>/fd, read-only root file system with no tmpfs added, host paths read-only.
    const id = await podman(
      'run',
      '-d',
      '--pid=host',
      '--user=0',
      '--cap-drop=all',
      '--cap-add=SYS_PTRACE,DAC_READ_SEARCH',
      '--read-only',
      '--read-only-tmpfs=false',
      '--security-opt=no-new-privileges',
      // The same mounts and flags as deploy/base/node-daemonset.yaml; image pools keep their host path
      // because libvirt's pool and domain definitions name them.
      '-v',
      '/proc:/host/proc:ro',
      '-v',
      '/sys:/host/sys:ro',
      '-v',
      '/run/libvirt:/host/run/libvirt:ro',
      '-v',
      '/etc/libvirt:/host/etc/libvirt:ro',
      '-v',
      '/var/lib/libvirt/images:/var/lib/libvirt/images:ro',
      '-p',
      '127.0.0.1::9955',
      image,
      '--mode=node',
      '--path.procfs=/host/proc',
      '--path.sysfs=/host/sys',
      '--libvirt.uri=qemu:///system?socket=/host/run/libvirt/libvirt-sock-ro',
      '--libvirt.run-dir=/host/run/libvirt/qemu',
      '--pool.libvirt-config-dir=/host/etc/libvirt',
      '--detect.grace=0s',
      '--collector.min-interval=0s',
    );
    started.push(id);
    const port = (await podman('port', id, '9955/tcp')).split(':').pop();
    const url = `http://127.0.0.1:${port}`;
    const samples = await waitFor(
      'the node agent finds the stray qemu',
      async () => {
        const s = await scrape(url);
        return series(s, 'vmzombie_finding_age_seconds', { kind: 'qemu_without_domain', guest, pid: String(pid) })
          .length
          ? s
          : null;
      },
      60_000,
      500,
    );
    assert.equal(
      value(samples, 'vmzombie_collector_up', { collector: 'libvirt' }),
      1,
      'virsh in the image reads the host libvirtd',
    );
    assert.equal(value(samples, 'vmzombie_collector_up', { collector: 'procfs' }), 1);
    assert.equal((await execa('podman', ['healthcheck', 'run', id], { reject: false })).exitCode, 0, 'HEALTHCHECK');
    const memory = await memoryOf(id);
    await stopCleanly(id);
    console.log(
      `node agent: found qemu_without_domain ${guest} (pid ${pid}); libvirt and procfs up; healthy; ` +
        `${memory}; clean SIGTERM`,
    );
  } finally {
    await host.release();
  }
}

async function clusterAgent(): Promise<void> {
  const api = new KubeApiServer();
  await api.start();
  try {
    const now = Math.floor(Date.now() / 1000);
    api.create(
      'vms',
      k.vm('default', 'web', 'Terminating', {
        deletionTimestamp: now - 3600,
        finalizers: ['example.com/cleanup'],
      }) as never,
    );
    api.create('vms', k.vm('default', 'ok', 'Running') as never);
    const kubeconfig = k.writeKubeconfig(api.url);
    const port = await freePort();
    // Host network: the test API server listens on the host's loopback. Default user (non-root).
    const id = await podman(
      'run',
      '-d',
      '--network=host',
      '--read-only',
      '--read-only-tmpfs=false',
      '--cap-drop=all',
      '--security-opt=no-new-privileges',
      '-v',
      `${kubeconfig}:/etc/vmzombie/kubeconfig:ro`,
      image,
      '--mode=cluster',
      '--kube.config=/etc/vmzombie/kubeconfig',
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster=ci',
      '--detect.deletion-grace=1m',
      '--collector.min-interval=0s',
    );
    started.push(id);
    const url = `http://127.0.0.1:${port}`;
    const samples = await waitFor(
      'the cluster agent finds the stuck deletion',
      async () => {
        const s = await scrape(url);
        return value(s, 'vmzombie_findings', { kind: 'kubevirt_stuck_deletion', cluster: 'ci' }) === 1 ? s : null;
      },
      60_000,
      500,
    );
    assert.equal(value(samples, 'vmzombie_collector_up', { collector: 'kubevirt', cluster: 'ci' }), 1);
    assert.equal(
      value(samples, 'vmzombie_kube_resource_available', { resource: 'virtualmachines.kubevirt.io', cluster: 'ci' }),
      1,
    );
    assert.equal(await podman('exec', id, 'node', '-p', 'process.getuid()'), '1000');
    const memory = await memoryOf(id);
    await stopCleanly(id);
    console.log(
      `cluster agent: found kubevirt_stuck_deletion default/web as uid 1000; kubevirt up; ${memory}; clean SIGTERM`,
    );
  } finally {
    await api.stop();
  }
}

try {
  await checkImage();
  await nodeAgent();
  await clusterAgent();
} catch (e: unknown) {
  for (const id of started) console.error(`--- logs of ${id.slice(0, 12)}\n${await logsOf(id)}`);
  throw e;
} finally {
  for (const id of started) await execa('podman', ['rm', '-f', '-t', '0', id], { reject: false });
}
