// deploy/: renders the base and every overlay with `kubectl kustomize` (offline) and checks each object:
// types and required fields with kubernetes-models / @kubernetes-models/prometheus-operator, every field
// name of the built-in kinds against @kubernetes/client-node's type metadata (the models accept
// misspelled fields), RBAC read-only, and the node agent's mounts matching its --path.* flags.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import yaml from 'js-yaml';
import { WATCHED, POD_METRICS } from '../../src/sources/kubevirt/resources.js';
import { missingCommands, skipWithout } from '../support/components.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const TARGETS = [
  'deploy/base',
  ...readdirSync(path.join(ROOT, 'deploy/overlays'))
    .sort()
    .map((o) => `deploy/overlays/${o}`),
];

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
};

async function render(dir: string): Promise<Obj[]> {
  const { stdout } = await execa(KUBECTL, ['kustomize', path.join(ROOT, dir)], { timeout: 60_000 });
  return yaml.loadAll(stdout).filter((d): d is Obj => d !== null && typeof d === 'object');
}

/** kubernetes-models class for an object (validate() checks types and required fields). */
async function modelFor(o: Obj): Promise<new (data: unknown) => { validate(): void }> {
  const module =
    o.apiVersion === 'monitoring.coreos.com/v1'
      ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1`
      : `kubernetes-models/${o.apiVersion}`;
  const mod = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const cls = mod[o.kind];
  assert.ok(cls, `no model for ${o.apiVersion} ${o.kind}`);
  return cls;
}

interface Attr {
  baseName: string;
  type: string;
}
const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attr[] }>;

/** Every key of `value` must be a field of `type` (client-node's generated model names), recursively. */
function walk(value: unknown, type: string, at: string, problems: string[]): void {
  if (value === null || value === undefined) return;
  let m = /^Array<(.+)>$/.exec(type);
  if (m) {
    if (!Array.isArray(value)) {
      problems.push(`${at}: expected a list`);
      return;
    }
    value.forEach((v, i) => walk(v, m![1] as string, `${at}[${i}]`, problems));
    return;
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) {
    for (const [key, v] of Object.entries(value as Record<string, unknown>))
      walk(v, m[1] as string, `${at}.${key}`, problems);
    return;
  }
  switch (type) {
    case 'string':
      if (typeof value !== 'string') problems.push(`${at}: expected a string`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.push(`${at}: expected a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${at}: expected true or false`);
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && typeof value !== 'number') problems.push(`${at}: expected an int or string`);
      return;
    case 'Date':
    case 'any':
    case 'object':
      return;
    default:
      break;
  }
  const attrs = models[type]?.getAttributeTypeMap?.();
  if (!attrs) {
    problems.push(`${at}: no type metadata for ${type}`);
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${at}: expected an object (${type})`);
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const attr = attrs.find((a) => a.baseName === key);
    if (!attr) {
      problems.push(`${at}.${key}: not a field of ${type}`);
      continue;
    }
    walk(v, attr.type, `${at}.${key}`, problems);
  }
}

const builtIn = (o: Obj) => o.apiVersion !== 'monitoring.coreos.com/v1';
const clientNodeType = (o: Obj) => `V1${o.kind}`;

const unavailable = skipWithout('kubectl', process.env.KUBECTL ? null : missingCommands('kubectl'));
const RENDERED = new Map<string, Obj[]>(
  unavailable ? [] : await Promise.all(TARGETS.map(async (t): Promise<[string, Obj[]]> => [t, await render(t)])),
);

for (const target of TARGETS) {
  describe.skipIf(unavailable)(`kubectl kustomize ${target}`, () => {
    const objects = RENDERED.get(target) ?? [];
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

    it('renders the two agents, their Services and ServiceMonitors, RBAC and the namespace', () => {
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
      for (const want of [
        'DaemonSet/vmzombie-exporter-node',
        'Deployment/vmzombie-exporter-cluster',
        'Service/vmzombie-exporter-node',
        'Service/vmzombie-exporter-cluster',
        'ServiceMonitor/vmzombie-exporter-node',
        'ServiceMonitor/vmzombie-exporter-cluster',
        'ServiceAccount/vmzombie-exporter-cluster',
        'ClusterRole/vmzombie-exporter-cluster',
        'ClusterRoleBinding/vmzombie-exporter-cluster',
        'Namespace/vmzombie-exporter',
        'NetworkPolicy/vmzombie-exporter-prometheus-only',
      ]) {
        assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
      }
    });

    it('carries the generated PrometheusRule and every generated dashboard, labelled for the Grafana sidecar', () => {
      assert.equal(byKind('PrometheusRule').length, 1);
      const cm = byKind('ConfigMap').find((o) => o.metadata.name === 'vmzombie-exporter-dashboards') as
        (Obj & { data: Record<string, string> }) | undefined;
      assert.ok(cm);
      assert.equal(cm.metadata.labels?.grafana_dashboard, '1');
      const files = readdirSync(path.join(ROOT, 'deploy/base/generated/dashboards')).sort();
      assert.deepEqual(Object.keys(cm.data).sort(), files);
      for (const [file, json] of Object.entries(cm.data)) assert.ok(JSON.parse(json).uid, `${file} is a dashboard`);
    });

    it('every object passes kubernetes-models validation', async () => {
      for (const o of objects) {
        const Model = await modelFor(o);
        assert.doesNotThrow(() => new Model(o).validate(), `${o.kind}/${o.metadata.name}`);
      }
    });

    it('every field of the built-in kinds is a real field (client-node type metadata)', () => {
      const problems: string[] = [];
      for (const o of objects.filter(builtIn)) walk(o, clientNodeType(o), `${o.kind}/${o.metadata.name}`, problems);
      assert.deepEqual(problems, []);
    });

    it('RBAC: get/list/watch only, on exactly the resources the cluster agent reads, nothing in secrets', () => {
      const [role] = byKind('ClusterRole');
      const rules = (role as unknown as { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> })
        .rules;
      const granted = new Set<string>();
      for (const r of rules) {
        for (const v of r.verbs) assert.ok(['get', 'list', 'watch'].includes(v), `verb ${v}`);
        for (const g of r.apiGroups)
          for (const res of r.resources) {
            assert.notEqual(res, 'secrets');
            assert.ok(!res.includes('*') && !g.includes('*'), 'no wildcards');
            for (const v of r.verbs) granted.add(`${g}/${res}:${v}`);
          }
      }
      const needed = new Set<string>();
      for (const w of WATCHED) for (const v of ['list', 'watch']) needed.add(`${w.group}/${w.plural}:${v}`);
      needed.add(`${POD_METRICS.group}/${POD_METRICS.plural}:list`);
      assert.deepEqual([...granted].sort(), [...needed].sort());
      assert.equal(byKind('Role').length + byKind('RoleBinding').length, 0);
      const [binding] = byKind('ClusterRoleBinding') as unknown as Array<{
        subjects: Array<{ name: string; namespace: string }>;
      }>;
      const [sa] = byKind('ServiceAccount');
      assert.deepEqual(
        binding?.subjects.map((s) => `${s.namespace}/${s.name}`),
        [`${sa?.metadata.namespace}/${sa?.metadata.name}`],
      );
    });

    it('node agent: hostPID, read-only mounts behind its --path/--libvirt flags, few capabilities, all taints', () => {
      const ds = byKind('DaemonSet')[0] as unknown as { spec: { template: { spec: k8s.V1PodSpec } } };
      const pod = ds.spec.template.spec;
      assert.equal(pod.hostPID, true);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
      const c = pod.containers[0] as k8s.V1Container;
      const sc = c.securityContext as k8s.V1SecurityContext;
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.deepEqual(sc.capabilities, { drop: ['ALL'], add: ['SYS_PTRACE', 'DAC_READ_SEARCH'] });
      assert.ok(!sc.privileged);
      assert.ok(
        c.resources?.requests?.memory &&
          c.resources?.limits?.memory &&
          c.resources?.requests?.cpu &&
          c.resources?.limits?.cpu,
      );
      const mounts = c.volumeMounts ?? [];
      for (const m of mounts) assert.equal(m.readOnly, true, `${m.mountPath} read-only`);
      const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v.hostPath?.path]));
      const hostPathAt = (mountPath: string) => volumes.get(mounts.find((m) => m.mountPath === mountPath)?.name ?? '');
      const flag = (name: string) =>
        (c.args ?? [])
          .find((a) => a.startsWith(`--${name}=`))
          ?.split('=')
          .slice(1)
          .join('=');
      assert.equal(hostPathAt(flag('path.procfs') ?? ''), '/proc');
      assert.equal(hostPathAt(flag('path.sysfs') ?? ''), '/sys');
      const libvirtOff = (c.args ?? []).includes('--no-collector.libvirt');
      if (!libvirtOff) {
        const socket = /socket=([^&]+)/.exec(flag('libvirt.uri') ?? '')?.[1] ?? '';
        assert.equal(hostPathAt(path.dirname(socket)), '/run/libvirt');
        assert.equal(hostPathAt(path.dirname(flag('libvirt.run-dir') ?? '')), '/run/libvirt');
        assert.equal(hostPathAt(flag('pool.libvirt-config-dir') ?? ''), '/etc/libvirt');
      } else {
        assert.ok((c.args ?? []).includes('--no-collector.pools'));
        assert.ok(!mounts.some((m) => m.mountPath.includes('libvirt')), 'no libvirt mounts when the collector is off');
      }
      for (const v of pod.volumes ?? [])
        assert.ok(
          mounts.some((m) => m.name === v.name),
          `volume ${v.name} is mounted`,
        );
    });

    it('cluster agent: --mode=cluster, its ServiceAccount, non-root without capabilities', () => {
      const dep = byKind('Deployment')[0] as unknown as { spec: { template: { spec: k8s.V1PodSpec } } };
      const pod = dep.spec.template.spec;
      const c = pod.containers[0] as k8s.V1Container;
      assert.ok(c.args?.includes('--mode=cluster'));
      assert.equal(pod.serviceAccountName, byKind('ServiceAccount')[0]?.metadata.name);
      assert.equal(pod.securityContext?.runAsNonRoot, true);
      assert.deepEqual(c.securityContext?.capabilities, { drop: ['ALL'] });
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
      assert.ok(!pod.hostPID && !(pod.volumes ?? []).some((v) => v.hostPath));
    });

    it("NetworkPolicy: only Prometheus pods in the monitoring namespace reach both agents' port", () => {
      const policies = byKind('NetworkPolicy') as unknown as Array<{ spec: k8s.V1NetworkPolicySpec }>;
      assert.equal(policies.length, 1);
      const spec = (policies[0] as { spec: k8s.V1NetworkPolicySpec }).spec;
      assert.deepEqual(spec.policyTypes, ['Ingress']);
      const selects = (labels: Record<string, string>) =>
        Object.entries(spec.podSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
        (spec.podSelector?.matchExpressions ?? []).length === 0;
      for (const kind of ['DaemonSet', 'Deployment']) {
        const w = byKind(kind)[0] as unknown as {
          spec: { template: { metadata: { labels: Record<string, string> } } };
        };
        assert.ok(selects(w.spec.template.metadata.labels), `selects the ${kind}'s pods`);
      }
      assert.equal(spec.ingress?.length, 1);
      // The rendered YAML, not client-node's class: the field is `from`.
      const rule = spec.ingress?.[0] as unknown as { from?: k8s.V1NetworkPolicyPeer[]; ports?: unknown[] };
      // One peer holding both selectors means "Prometheus pods in that namespace"; two peers would mean either.
      assert.equal(rule.from?.length, 1);
      const peer = (rule.from ?? [])[0] as k8s.V1NetworkPolicyPeer;
      assert.ok(!peer.ipBlock);
      const namespaces = peer.namespaceSelector?.matchExpressions ?? [];
      const wantNamespace = target.endsWith('harvester') ? 'cattle-monitoring-system' : 'monitoring';
      assert.deepEqual(namespaces, [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [wantNamespace] }]);
      assert.deepEqual(peer.namespaceSelector?.matchLabels ?? {}, {});
      // commonLabels must not have added this app's labels to the Prometheus selector.
      assert.deepEqual(peer.podSelector?.matchLabels ?? {}, {});
      assert.deepEqual(peer.podSelector?.matchExpressions, [
        { key: 'app.kubernetes.io/name', operator: 'In', values: ['prometheus'] },
      ]);
      // The port named in the policy is the agents' container port, which the Services and ServiceMonitors use.
      const portNames = ['DaemonSet', 'Deployment'].flatMap((kind) => {
        const w = byKind(kind)[0] as unknown as { spec: { template: { spec: k8s.V1PodSpec } } };
        return (w.spec.template.spec.containers[0]?.ports ?? []).map((p) => p.name);
      });
      assert.deepEqual(rule.ports, [{ port: 'metrics', protocol: 'TCP' }]);
      assert.deepEqual(portNames, ['metrics', 'metrics']);
    });

    it("each Service and ServiceMonitor selects its agent's pods by the labels the pods carry", () => {
      for (const kind of ['DaemonSet', 'Deployment']) {
        const w = byKind(kind)[0] as unknown as {
          metadata: { name: string };
          spec: { template: { metadata: { labels: Record<string, string> } } };
        };
        const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === w.metadata.name) as unknown as {
          spec: k8s.V1ServiceSpec;
          metadata: { labels: Record<string, string> };
        };
        const sm = objects.find(
          (o) => o.kind === 'ServiceMonitor' && o.metadata.name === w.metadata.name,
        ) as unknown as {
          spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string }> };
        };
        const podLabels = w.spec.template.metadata.labels;
        for (const [key, value] of Object.entries(svc.spec.selector ?? {}))
          assert.equal(podLabels[key], value, `${w.metadata.name} Service selector ${key}`);
        for (const [key, value] of Object.entries(sm.spec.selector.matchLabels))
          assert.equal(svc.metadata.labels[key], value, `${w.metadata.name} ServiceMonitor selector ${key}`);
        assert.deepEqual(
          sm.spec.endpoints.map((e) => e.port),
          [svc.spec.ports?.[0]?.name],
        );
      }
    });
  });
}

describe('the field walk', () => {
  it('finds a misspelled field that kubernetes-models accepts', async () => {
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'x' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: { hostPid: true, containers: [{ name: 'c', image: 'i', volumeMount: [] }] },
        },
      },
    };
    const { DaemonSet } = await import('kubernetes-models/apps/v1');
    assert.doesNotThrow(() => new DaemonSet(ds as never).validate());
    const problems: string[] = [];
    walk(ds, 'V1DaemonSet', 'DaemonSet/x', problems);
    assert.deepEqual(problems, [
      'DaemonSet/x.spec.template.spec.hostPid: not a field of V1PodSpec',
      'DaemonSet/x.spec.template.spec.containers[0].volumeMount: not a field of V1Container',
    ]);
  });
});
