/**
 * `npm run whatsapp:sandbox`: starts the fake WhatsApp Cloud API and its phone pages, and prints the
 * settings that point Cowbell at it. Runs without any Meta account.
 */
import { parseArgs } from 'node:util';
import { createTemplateCatalog, loadTemplateFile } from '../channels/whatsapp/templates.js';
import { startSandbox } from './server.js';

const HELP = `Usage: npm run whatsapp:sandbox -- [options]

Starts a local stand-in for the WhatsApp Cloud API (graph.facebook.com) with a phone page per contact.

Options:
  --port <n>              port to listen on (default 4010; 0 picks a free one)
  --host <addr>           address to listen on (default 127.0.0.1)
  --webhook-url <url>     where signed webhooks go (default http://127.0.0.1:8080/webhooks/whatsapp)
  --app-secret <s>        app secret that signs webhooks (default sandbox-app-secret)
  --access-token <s>      bearer token the API accepts (default sandbox-access-token)
  --phone-number-id <id>  business phone number ID (default 100000000000001)
  --templates <path>      template file (default config/whatsapp-templates.json)
  --pair-rate <s>         seconds between two messages to one user (default 6)
  --window <mode>         free-form message outside the 24 h window: sync (400) or async (200 + failed status)
  -h, --help              show this help`;

function fail(message: string): never {
  process.stderr.write(`whatsapp:sandbox: ${message}\nRun with --help for usage.\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      options: {
        port: { type: 'string', default: '4010' },
        host: { type: 'string', default: '127.0.0.1' },
        'webhook-url': { type: 'string', default: 'http://127.0.0.1:8080/webhooks/whatsapp' },
        'app-secret': { type: 'string', default: 'sandbox-app-secret' },
        'access-token': { type: 'string', default: 'sandbox-access-token' },
        'phone-number-id': { type: 'string', default: '100000000000001' },
        templates: { type: 'string', default: 'config/whatsapp-templates.json' },
        'pair-rate': { type: 'string', default: '6' },
        window: { type: 'string', default: 'sync' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const str = (k: string) => String(values[k]);
  const port = Number(str('port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${str('port')}`);
  const pairRate = Number(str('pair-rate'));
  if (!Number.isFinite(pairRate) || pairRate < 0) fail(`--pair-rate must be a number of seconds >= 0`);
  const windowMode = str('window');
  if (windowMode !== 'sync' && windowMode !== 'async')
    fail(`--window must be sync or async, got ${windowMode}`);
  if (!/^\d{5,20}$/.test(str('phone-number-id'))) fail('--phone-number-id must be digits');
  let catalog: ReturnType<typeof createTemplateCatalog>;
  try {
    catalog = createTemplateCatalog(loadTemplateFile(str('templates')));
  } catch (err) {
    fail((err as Error).message);
  }
  const sandbox = await startSandbox({
    port,
    host: str('host'),
    appSecret: str('app-secret'),
    accessToken: str('access-token'),
    phoneNumberId: str('phone-number-id'),
    webhookUrl: str('webhook-url'),
    templates: catalog,
    pairRateSeconds: pairRate,
    windowMode,
  });
  process.stdout.write(
    `WhatsApp sandbox on ${sandbox.url}\n` +
      `  phone pages: ${sandbox.url}/\n` +
      `  webhooks to: ${str('webhook-url')}\n\n` +
      'Point Cowbell at it in config/cowbell.yaml:\n' +
      '  channels:\n' +
      '    whatsapp:\n' +
      `      baseUrl: ${sandbox.url}\n` +
      `      phoneNumberId: "${str('phone-number-id')}"\n` +
      `      accessToken: ${str('access-token')}\n` +
      `      appSecret: ${str('app-secret')}\n` +
      '      verifyToken: sandbox-verify-token\n',
  );
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
