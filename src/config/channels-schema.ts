/**
 * Delivery channel settings in cowbell.yaml: WhatsApp Cloud API, console, signed webhook.
 * OWNED BY THE CHANNEL WORK (issue 6): extend here.
 */
import { z } from 'zod';

export const channelsSchema = z.strictObject({
  console: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('print alerts on stdout; the default channel without WhatsApp'),
    })
    .prefault({}),
});
export type ChannelsConfig = z.infer<typeof channelsSchema>;
