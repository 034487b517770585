/**
 * The whole product on loopback, as a farmer lives it: a collar reports a high temperature over the
 * embedded broker, the daemon detects a fever, decides who to tell, and sends a WhatsApp template
 * through the fake Cloud API (the sandbox); the herdsman taps Acknowledge, the signed webhook comes
 * back, the alert is acknowledged in the database and on the MQTT alert topic.
 *
 * Cast: collar = mqtt.js publisher; app = the daemon (createApp); sandbox = the local fake Graph API
 * with its phone page; observer = an mqtt.js dashboard login following the alert topic.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { createTemplateCatalog, loadTemplateFile } from '../../src/channels/whatsapp/templates.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import type { AlertMessage } from '../../src/telemetry/protocol.js';
import { CHROMIUM, hasChromium, launchChromium } from '../support/chromium.js';
import { makeTempConfig } from '../support/config-dir.js';
import { ONE_COW_FARM, SANDBOX_CREDENTIALS, whatsappChannelYaml } from '../support/sandbox-config.js';
import { waitFor } from '../support/wait.js';

const RAVI = '+923001234567';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const FARM = `${ONE_COW_FARM}policy:
  severities:
    critical: { groupWaitSeconds: 0 }
`;

function daemonYaml(sandboxUrl: string): string {
  return `version: 1
broker:
  embedded:
    host: 127.0.0.1
    port: 0
    observers:
      - { username: dashboard, password: dash-secret, farms: [green-acres] }
http: { host: 127.0.0.1, port: 0 }
logging: { level: silent }
channels:
${whatsappChannelYaml(sandboxUrl)}`;
}

async function startAll(): Promise<{ app: App; sandbox: Sandbox }> {
  const sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    ...SANDBOX_CREDENTIALS,
    templates: createTemplateCatalog(loadTemplateFile('config/whatsapp-templates.json')),
  });
  cleanups.push(() => sandbox.close());
  const config = makeTempConfig({ 'green-acres.yaml': FARM }, daemonYaml(sandbox.url));
  cleanups.push(() => config.remove());
  const app = await createApp({ configDir: config.dir, dbPath: config.dbPath, watchConfig: false });
  await app.start();
  cleanups.push(() => app.stop());
  sandbox.webhooks.setUrl(`${app.addresses().http}/webhooks/whatsapp`);
  return { app, sandbox };
}

async function publishFever(app: App): Promise<void> {
  const collar = await mqtt.connectAsync(app.addresses().mqtt, {
    username: 'green-acres',
    password: 'green-secret',
    reconnectPeriod: 0,
  });
  cleanups.push(() => collar.endAsync(true));
  // 45 minutes of readings at 40.8 C, one a minute, ending now.
  const start = Date.now() - 45 * 60_000;
  for (let i = 0; i <= 45; i++) {
    const payload = {
      v: 1,
      collarId: 'C-0042',
      ts: start + i * 60_000,
      seq: i,
      intervalS: 60,
      activity: 40,
      temperatureC: 40.8,
    };
    await collar.publishAsync('farms/green-acres/collars/C-0042/telemetry', JSON.stringify(payload), {
      qos: 1,
    });
  }
  app.tick();
}

describe('from collar to phone and back', () => {
  it('sends a fever alert to the herdsman on WhatsApp and records his acknowledgement', async () => {
    const { app, sandbox } = await startAll();
    const observed: AlertMessage[] = [];
    const dashboard = await mqtt.connectAsync(app.addresses().mqtt, {
      username: 'dashboard',
      password: 'dash-secret',
      reconnectPeriod: 0,
    });
    cleanups.push(() => dashboard.endAsync(true));
    const cowStates: { status: string; openAlerts: { kind: string; state: string }[] }[] = [];
    dashboard.on('message', (topic, payload) => {
      if (payload.length === 0) return;
      if (topic === 'farms/green-acres/cows/daisy/state') cowStates.push(JSON.parse(payload.toString()));
      else observed.push(JSON.parse(payload.toString()) as AlertMessage);
    });
    await dashboard.subscribeAsync(['farms/green-acres/alerts/#', 'farms/green-acres/cows/+/state'], {
      qos: 1,
    });

    await publishFever(app);

    await waitFor(() => sandbox.messages(RAVI).length > 0, 10_000, 'the alert on Ravi’s phone');
    const [message] = sandbox.messages(RAVI);
    const text = JSON.stringify(message);
    expect(text).toContain('Daisy');
    expect(text).toContain('214');
    expect(text).toMatch(/40\.8/);
    const firing = observed.find((m) => m.state === 'firing');
    expect(firing).toMatchObject({
      farmId: 'green-acres',
      cowId: 'daisy',
      kind: 'fever',
      severity: 'critical',
    });
    const alertId = firing?.alertId ?? '';

    // WhatsApp's status webhooks reach the alert's delivery record.
    await waitFor(
      () =>
        (
          app.db.prepare('SELECT status FROM alert_deliveries WHERE alert_id = ?').all(alertId) as {
            status: string;
          }[]
        ).some((d) => d.status === 'delivered'),
      10_000,
      'delivered status on the alert',
    );

    // Ravi taps Acknowledge on the template's quick-reply button.
    await sandbox.userReply(RAVI, { kind: 'button', payload: `ack:${alertId}`, title: 'Acknowledge' });
    await waitFor(
      () => observed.some((m) => m.alertId === alertId && m.state === 'acknowledged'),
      10_000,
      'ack on MQTT',
    );
    const acked = observed.find((m) => m.state === 'acknowledged');
    // The alert topic is read by dashboards: who acknowledged is the farm file's contact id.
    expect(acked?.ackedBy).toBe('ravi');
    expect(JSON.stringify(observed)).not.toContain(RAVI.slice(1));
    const row = app.db.prepare('SELECT state FROM alerts WHERE id = ?').get(alertId) as { state: string };
    expect(row.state).toBe('acknowledged');
    // The cow's retained health state follows her alerts.
    await waitFor(() => cowStates.at(-1)?.openAlerts[0]?.state === 'acknowledged', 5_000, 'cow state');
    expect(cowStates.at(-1)).toMatchObject({ status: 'attention', openAlerts: [{ kind: 'fever' }] });
  });

  // A person on the sandbox phone page (headless Debian Chromium driven by playwright-core).
  it.skipIf(!hasChromium)(
    `lets a person tap Acknowledge on the sandbox phone page (needs ${CHROMIUM})`,
    async () => {
      const { app, sandbox } = await startAll();
      await publishFever(app);
      await waitFor(() => sandbox.messages(RAVI).length > 0, 10_000, 'the alert on Ravi’s phone');
      const browser = await launchChromium();
      cleanups.push(() => browser.close());
      const page = await browser.newPage();
      await page.goto(`${sandbox.url}/phone/${RAVI.slice(1)}`);
      const bubble = page.locator('[data-testid="message"]', { hasText: 'Daisy' });
      await bubble.waitFor({ timeout: 10_000 });
      await bubble.getByRole('button', { name: 'Acknowledge' }).click();
      await waitFor(
        () => {
          const row = app.db
            .prepare("SELECT count(*) AS n FROM alerts WHERE state = 'acknowledged'")
            .get() as { n: number };
          return row.n === 1;
        },
        10_000,
        'the alert acknowledged in the database',
      );
    },
    60_000,
  );
});
