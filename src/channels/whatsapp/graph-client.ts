/**
 * The Graph API call that sends one message, over Node's fetch. The base URL is configuration so the
 * sandbox can stand in for graph.facebook.com; the bearer token stays in this closure and is never
 * logged or put in an error message.
 */
import { z } from 'zod';
import { GraphApiError, GraphNetworkError, graphErrorBodySchema } from './errors.js';

export interface GraphClientOptions {
  baseUrl: string;
  apiVersion: string;
  phoneNumberId: string;
  accessToken: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface SentMessage {
  /** The wamid that status webhooks and reply contexts refer to. */
  wamid: string;
  /** accepted, held_for_quality_assessment or paused, when Meta says. */
  messageStatus?: string;
}

export interface GraphClient {
  /** POSTs a message body; throws GraphApiError (Meta refused) or GraphNetworkError (no answer). */
  sendMessage(body: Record<string, unknown>, signal: AbortSignal): Promise<SentMessage>;
}

const successSchema = z.object({
  messages: z.array(z.object({ id: z.string().min(1), message_status: z.string().optional() })).min(1),
});

/** Connection errors that mean the request never left: safe to send again. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/${options.apiVersion}/${options.phoneNumberId}/messages`;
  const token = options.accessToken;

  return {
    async sendMessage(body, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.any([signal, timeout]),
        });
      } catch (err) {
        throw toNetworkError(err, timeout.aborted);
      }
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        throw toNetworkError(err, timeout.aborted);
      }
      const json = parseJson(text);
      const error = graphErrorBodySchema.safeParse(json);
      if (error.success) {
        const e = error.data.error;
        const details = typeof e.error_data === 'string' ? e.error_data : e.error_data?.details;
        throw new GraphApiError(e.code, e.message, response.status, details, e.is_transient);
      }
      const ok = successSchema.safeParse(json);
      if (response.ok && ok.success) {
        const first = ok.data.messages[0];
        if (first) {
          return first.message_status === undefined
            ? { wamid: first.id }
            : { wamid: first.id, messageStatus: first.message_status };
        }
      }
      // A proxy's 502 page or a truncated body: Meta never said no, so this is an outage, not a refusal.
      throw new GraphNetworkError(
        `Graph API answered HTTP ${response.status} without a message id or error code`,
        response.ok,
        'bad-response',
      );
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toNetworkError(err: unknown, timedOut: boolean): GraphNetworkError {
  if (timedOut) return new GraphNetworkError('Graph API call timed out', true, 'timeout');
  const cause = (err as { cause?: { code?: string } }).cause;
  const code = cause?.code;
  const sent = !(code !== undefined && NOT_SENT_CODES.has(code));
  const reason = code ?? (err instanceof Error ? err.message : 'unknown');
  return new GraphNetworkError(`Graph API unreachable (${reason})`, sent, 'network');
}
