// Across layers on real processes: qemu started with virt-launcher's command line shape (-name
// guest=<namespace>_<vmi>, SMBIOS manufacturer KubeVirt), a node agent reading /proc, a cluster agent watching
// the test API server, and a real Prometheus loading the generated rules (short `for:`). The qemu whose VMI
// the cluster has stays silent, the one whose VMI is gone raises VMZombieKubevirtQemuWithoutVMI, and a libvirt
// guest with an underscore in its name is not taken for KubeVirt's.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import * as k from '../support/kubevirt-objects.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { startPrometheus } from '../support/prometheus.js';
import { rulesWithShortFor } from '../support/bundle-files.js';
import { series } from '../support/prom-text.js';
import { waitFor } from '../support/wait.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { silentLogger } from '../../src/util/log.js';

type Obj = Parameters<KubeApiServer['create']>[1];
const as = (o: unknown) => o as Obj;

const unavailable = skipWithout(
  'real QEMU and Prometheus',
  missingCommands('libvirtd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'prometheus', 'promtool'),
);

const launcherArgs = (uuid: string) => [
  '-smbios',
  `type=1,manufacturer=KubeVirt,product=None,uuid=${uuid},family=KubeVirt`,
  '-uuid',
  uuid,
];

describe.skipIf(unavailable)('qemu without its VMI, across layers', { timeout: 300_000 }, () => {
  let host: LibvirtTestHost;
  const api = new KubeApiServer();
  let node: RunningExporter;
  let cluster: RunningExporter;
  let prom: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  const ns = () => `vmzt-${host.tag}`;

  beforeAll(async () => {
    host = await LibvirtTestHost.acquire();
    await api.start();
    api.create('vmis', as(k.vmi(ns(), 'web')));
    await host.startStrayQemu(`${ns()}_web`, await host.createImage('web.qcow2'), {
      extraArgs: launcherArgs('8d0e2b1a-1111-4d4e-9a6b-3c2d1e0f9a8b'),
    });
    await host.startStrayQemu(`${ns()}_gone`, await host.createImage('gone.qcow2'), {
      extraArgs: launcherArgs('8d0e2b1a-2222-4d4e-9a6b-3c2d1e0f9a8b'),
    });
    // A plain guest whose name merely has the same shape.
    await host.startStrayQemu(`${ns()}_plain`, await host.createImage('plain.qcow2'));
    node = await startExporter(
      ['--cluster=east', `--libvirt.uri=${host.uri}`, '--collector.min-interval=0s', '--detect.grace=0s'],
      silentLogger,
    );
    cluster = await startExporter(
      [
        '--mode=cluster',
        '--cluster=east',
        `--kube.config=${k.writeKubeconfig(api.url)}`,
        '--collector.min-interval=0s',
        '--kube.recheck-interval=1s',
      ],
      silentLogger,
    );
  });

  afterAll(async () => {
    await prom?.stop();
    await node?.stop();
    await cluster?.stop();
    await api.stop();
    await host?.release();
  });

  it('the node agent exports the KubeVirt qemus by VMI, and only those', async () => {
    const mine = series(await node.scrape(), 'vmzombie_kubevirt_qemu_info').filter((s) => s.labels.namespace === ns());
    assert.deepEqual(mine.map((s) => s.labels.vmi).sort(), ['gone', 'web']);
    assert.ok(mine.every((s) => /^\d+$/.test(s.labels.pid ?? '') && s.value === 1));
  });

  it('Prometheus raises the alert for the qemu whose VMI is gone, not for the one whose VMI exists', async () => {
    prom = await startPrometheus(
      { vmzombie: [node, cluster].map((a) => new URL(a.url).host) },
      await rulesWithShortFor(),
      'http://127.0.0.1:9',
    );
    const firing = async () =>
      (await prom!.query('ALERTS{alertname="VMZombieKubevirtQemuWithoutVMI",alertstate="firing"}')).filter(
        (r) => r.metric.namespace === ns(),
      );
    await waitFor('the alert', async () => (await firing()).length > 0, 90_000, 500);
    // Several evaluations later, still only the one.
    await new Promise((r) => setTimeout(r, 3000));
    const alerts = await firing();
    assert.deepEqual(
      alerts.map((a) => [a.metric.vmi, a.metric.cluster, a.metric.instance]),
      [['gone', 'east', new URL(node.url).host]],
    );
    // The VMI appears in the cluster: the alert clears.
    api.create('vmis', as(k.vmi(ns(), 'gone')));
    await waitFor('the alert to clear', async () => (await firing()).length === 0, 90_000, 500);
  });
});
