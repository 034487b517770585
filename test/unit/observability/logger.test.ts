import { describe, expect, it } from 'vitest';
import { captureLog as capture } from '../../support/log-capture.js';

describe('logger redaction', () => {
  it('never writes secrets and masks phone numbers to their last 4 digits', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        broker: { password: 'hunter2' },
        whatsapp: { accessToken: 'EAAG-secret', appSecret: 'app-secret' },
        contact: { phone: '+923001234567' },
        to: '+5511987654321',
      },
      'settings',
    );
    const text = lines.join('');
    expect(text).not.toMatch(/hunter2|EAAG-secret|app-secret|3001234567|11987654321/);
    expect(text).toContain('***4567');
    expect(text).toContain('***4321');
  });
});
