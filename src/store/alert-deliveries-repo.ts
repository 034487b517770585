/**
 * The delivery record of alerts (migration 21): one row per status of a message about an alert, so
 * "was Ravi told, and did he read it?" has an answer after the fact.
 */
import type { DeliveryEvent } from '../channels/delivery-status.js';
import type { Db } from './db.js';

export interface AlertDelivery {
  notificationId: string;
  contactId: string;
  channel: string;
  status: string;
  at: number;
  errorCode: string | null;
}

export function createAlertDeliveriesRepo(db: Db) {
  const insert = db.prepare(
    `INSERT INTO alert_deliveries (alert_id, notification_id, contact_id, channel, status, at, error_code)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const select = db.prepare(
    `SELECT notification_id AS notificationId, contact_id AS contactId, channel, status, at, error_code AS errorCode
     FROM alert_deliveries WHERE alert_id = ? ORDER BY id`,
  );
  return {
    /** Records one status for every alert the message was about. */
    record(event: DeliveryEvent): void {
      for (const alertId of event.alertIds) {
        insert.run(
          alertId,
          event.notificationId,
          event.contactId,
          event.channel,
          event.status,
          event.atMs,
          event.errorCode ?? null,
        );
      }
    },
    forAlert: (alertId: string) => select.all(alertId) as AlertDelivery[],
  };
}
export type AlertDeliveriesRepo = ReturnType<typeof createAlertDeliveriesRepo>;
