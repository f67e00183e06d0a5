// Runs a real Prometheus and a real Alertmanager on loopback ports for end-to-end tests of the
// bundle, each with its own config and data directory, checked by promtool / amtool first. A
// webhook receiver served by the test records every notification Alertmanager sends.
import { execa } from 'execa';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from './wait.js';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Daemon {
  url: string;
  stop(): Promise<void>;
}

async function daemon(command: string, args: string[], url: string, ready: string, dir: string): Promise<Daemon> {
  const child = execa(command, args, { reject: false, all: true, buffer: true });
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await child;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `${command} ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${command} exited: ${String((await child).all)}`);
        return (await fetch(url + ready).catch(() => null))?.ok;
      },
      30_000,
      200,
    );
  } catch (e: unknown) {
    await stop();
    throw e;
  }
  return { url, stop };
}

export interface Notification {
  status: 'firing' | 'resolved';
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

export interface Webhook {
  url: string;
  received: Notification[];
  stop(): Promise<void>;
}

export async function startWebhook(): Promise<Webhook> {
  const received: Notification[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      try {
        received.push(JSON.parse(body) as Notification);
      } catch {
        /* not a notification */
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  return {
    url,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startAlertmanager(webhookUrl: string): Promise<Daemon> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmzombie-am-'));
  const config = {
    route: {
      receiver: 'test',
      group_by: ['alertname', 'instance', 'subject'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'test', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
  };
  const file = path.join(dir, 'alertmanager.yml');
  await writeFile(file, stringify(config));
  await execa('amtool', ['check-config', file]);
  const port = await freePort();
  return daemon(
    'prometheus-alertmanager',
    [
      `--config.file=${file}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    `http://127.0.0.1:${port}`,
    '/-/ready',
    dir,
  );
}

/** Prometheus scraping `targets` under each job name every second, with `rules` (a rules file's text). */
export interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}
export interface Prometheus extends Daemon {
  query(expr: string): Promise<QueryResult[]>;
}

export async function startPrometheus(
  jobs: Record<string, string[]>,
  rules: string,
  alertmanager: string,
): Promise<Prometheus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmzombie-prom-'));
  await writeFile(path.join(dir, 'rules.yaml'), rules);
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
    rule_files: [path.join(dir, 'rules.yaml')],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(alertmanager).host] }] }] },
    scrape_configs: Object.entries(jobs).map(([job, targets]) => ({ job_name: job, static_configs: [{ targets }] })),
  };
  const file = path.join(dir, 'prometheus.yml');
  await writeFile(file, stringify(config));
  await execa('promtool', ['check', 'config', file]);
  const port = await freePort();
  const d = await daemon(
    'prometheus',
    [
      `--config.file=${file}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--rules.alert.resend-delay=1s',
    ],
    `http://127.0.0.1:${port}`,
    '/-/ready',
    dir,
  );
  const query = async (expr: string) => {
    const res = await fetch(`${d.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data: {
        resultType: string;
        result: Array<{
          metric: Record<string, string>;
          value: [number, string];
        }>;
      };
    };
    if (body.status !== 'success') throw new Error(`query failed: ${body.error ?? ''}: ${expr}`);
    return body.data.resultType === 'scalar' ? [] : body.data.result;
  };
  return { ...d, query };
}
