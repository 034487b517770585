/** Config lines and credentials for a daemon talking to the sandbox Graph API (e2e tests). */
import { resolve } from 'node:path';

export const SANDBOX_CREDENTIALS = {
  appSecret: 'test-app-secret',
  accessToken: 'test-access-token',
  phoneNumberId: '1234567890',
};

/** `  whatsapp:` and its required keys, to put under `channels:`; more keys may follow at 4 spaces. */
export function whatsappChannelYaml(sandboxUrl: string): string {
  return `  whatsapp:
    baseUrl: ${sandboxUrl}
    phoneNumberId: "${SANDBOX_CREDENTIALS.phoneNumberId}"
    accessToken: ${SANDBOX_CREDENTIALS.accessToken}
    appSecret: ${SANDBOX_CREDENTIALS.appSecret}
    verifyToken: test-verify-token
    templatesFile: ${resolve('config/whatsapp-templates.json')}
`;
}

/** A farm with one cow (Daisy, collar C-0042) and one herdsman (Ravi, +923001234567), in UTC. */
export const ONE_COW_FARM = `version: 1
farm: { id: green-acres, name: Green Acres, timezone: UTC }
mqtt: { password: green-secret }
cows:
  - { id: daisy, name: Daisy, tag: "214", collar: C-0042 }
contacts:
  - { id: ravi, name: Ravi, phone: "+923001234567", language: en, role: herdsman, optedIn: true }
`;
