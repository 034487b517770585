/** The critical fever alert the outbox benchmarks send (the `cowbell_alert` template's five parameters). */
import type { Notification } from '../src/alerts/notification.js';

export function benchAlert(
  id: string,
  phone: string,
  createdAt: number,
  contactId = `c-${phone}`,
): Notification {
  return {
    id,
    farmId: 'farm-a',
    contactId,
    phone,
    language: 'en',
    purpose: 'alert',
    severity: 'critical',
    alertIds: [id],
    kinds: ['fever'],
    text: 'fever',
    templateParams: ['Lakshmi (1042)', 'fever', '05:10', '40.6 °C', 'check her'],
    buttons: [],
    createdAt,
  };
}
