/**
 * A person on the sandbox phone page: the alert sent through the WhatsApp channel shows up, tapping
 * Acknowledge sends the signed incoming-message webhook, and the alert operations see the ack.
 * Needs Debian's chromium at /usr/bin/chromium (apt-get install chromium); skipped without it.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, launchChromium } from '../support/chromium.js';
import { type Harness, notification, RecordingOperations, startHarness } from '../support/fake-graph-api.js';
import { waitFor } from '../support/wait.js';

const PHONE = '+27821234567';

let h: Harness;
let browser: Browser;

describe.skipIf(!hasChromium)(
  `the sandbox phone page (skipped when ${CHROMIUM} is missing: apt-get install chromium)`,
  () => {
    beforeAll(async () => {
      const ops = new RecordingOperations(new Map([[PHONE, 'farm-a']]), new Map([['alert-7781', 'farm-a']]));
      h = await startHarness({ operations: ops });
      browser = await launchChromium();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await h?.close();
    });

    it('shows the alert and acknowledges it with a tap', async () => {
      h.outbox.enqueue([
        notification({
          id: 'browser-1',
          phone: PHONE,
          alertIds: ['alert-7781'],
          templateParams: ['Lakshmi (tag 1042)', 'fever', '05:10', '40.6 °C', 'check her temperature'],
        }),
      ]);
      const page = await browser.newPage();
      await page.goto(`${h.sandbox.url}/phone/${PHONE.slice(1)}`);
      const bubble = page.locator('[data-testid="message"]', { hasText: 'Lakshmi (tag 1042)' });
      await bubble.waitFor({ timeout: 10_000 });
      expect(await bubble.textContent()).toContain('40.6 °C');
      await bubble.getByRole('button', { name: 'Acknowledge' }).click();
      await waitFor(() => h.ops.acknowledged.has('alert-7781'), 10_000, 'the acknowledgement');
      expect(h.ops.calls[0]).toEqual({ op: 'acknowledge', phone: PHONE, alertId: 'alert-7781' });
      // The confirmation arrives on the phone as a session message.
      await page
        .locator('[data-testid="message"]', { hasText: 'Done: acknowledge' })
        .waitFor({ timeout: 10_000 });
      await page.close();
    });
  },
);
