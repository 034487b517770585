/**
 * Error answers of the fake Graph API, in the documented shape (shared/whatsapp-cloud-api.md §2):
 * `{"error":{"message":"(#<code>) <title>","type":"OAuthException","code":...,"error_data":{...},"fbtrace_id":...}}`.
 */
import { randomBytes } from 'node:crypto';

export interface GraphFailure {
  httpStatus: number;
  code: number;
  title: string;
  details: string;
}

/** Titles and usual HTTP statuses of the codes the sandbox can produce. */
const KNOWN: Record<number, { title: string; http: number; details: string }> = {
  0: { title: 'AuthException', http: 401, details: 'Unable to authenticate the app user.' },
  2: { title: 'API Service', http: 503, details: 'Temporary due to downtime or due to being overloaded.' },
  4: { title: 'API Too Many Calls', http: 400, details: 'The app has reached its API call rate limit.' },
  100: { title: 'Invalid parameter', http: 400, details: 'Invalid parameter.' },
  190: { title: 'Access token has expired', http: 401, details: 'Invalid OAuth access token.' },
  368: {
    title: 'Temporarily blocked for policies violations',
    http: 403,
    details: 'Blocked for policy violations.',
  },
  130429: { title: 'Rate limit hit', http: 400, details: 'Cloud API message throughput has been reached.' },
  131000: {
    title: 'Something went wrong',
    http: 500,
    details: 'Message failed to send due to an unknown error.',
  },
  131005: {
    title: 'Access denied',
    http: 403,
    details: 'Permission is either not granted or has been removed.',
  },
  131008: {
    title: 'Required parameter is missing',
    http: 400,
    details: 'The request is missing a required parameter.',
  },
  131009: {
    title: 'Parameter value is not valid',
    http: 400,
    details: 'One or more parameter values are invalid.',
  },
  131016: { title: 'Service unavailable', http: 500, details: 'A service is temporarily unavailable.' },
  131021: {
    title: 'Recipient cannot be sender',
    http: 400,
    details: 'Sender and recipient phone number is the same.',
  },
  131026: {
    title: 'Message undeliverable',
    http: 400,
    details: 'Unable to deliver message. The recipient may not be on WhatsApp.',
  },
  131042: {
    title: 'Business eligibility payment issue',
    http: 400,
    details: 'There was an error related to payment.',
  },
  131047: {
    title: 'Re-engagement message',
    http: 400,
    details:
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131048: {
    title: 'Spam rate limit hit',
    http: 400,
    details: 'Message failed to send because of spam restrictions.',
  },
  131049: {
    title: 'This message was not delivered to maintain healthy ecosystem engagement.',
    http: 400,
    details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
  },
  131051: { title: 'Unsupported message type', http: 400, details: 'Unsupported message type.' },
  131056: {
    title: '(Business Account, Consumer Account) pair rate limit hit',
    http: 400,
    details:
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
  },
  131057: {
    title: 'Account in maintenance mode',
    http: 500,
    details: 'Business Account is in maintenance mode.',
  },
  132000: {
    title: 'Number of parameters does not match the expected number of params',
    http: 400,
    details:
      'The number of variable parameter values does not match the number of variables defined in the template.',
  },
  132001: {
    title: 'Template does not exist',
    http: 404,
    details: 'The template does not exist in the specified language or the template has not been approved.',
  },
  132005: { title: 'Template Hydrated Text Too Long', http: 400, details: 'Translated text is too long.' },
  132015: { title: 'Template is Paused', http: 400, details: 'Template is paused due to low quality.' },
  132016: { title: 'Template is Disabled', http: 400, details: 'Template has been paused too many times.' },
  133004: {
    title: 'Server Temporarily Unavailable',
    http: 503,
    details: 'Server is temporarily unavailable.',
  },
  133010: {
    title: 'Phone number Not Registered',
    http: 400,
    details: 'Phone number not registered on the platform.',
  },
};

export function failure(code: number, details?: string, httpStatus?: number): GraphFailure {
  const known = KNOWN[code] ?? { title: 'Unknown error', http: 400, details: 'Unknown error.' };
  return {
    code,
    title: known.title,
    httpStatus: httpStatus ?? known.http,
    details: details ?? known.details,
  };
}

export function errorBody(f: GraphFailure): unknown {
  return {
    error: {
      message: `(#${f.code}) ${f.title}`,
      type: 'OAuthException',
      code: f.code,
      error_data: { messaging_product: 'whatsapp', details: f.details },
      fbtrace_id: randomBytes(9).toString('base64url'),
    },
  };
}

/** The `errors[]` item of a failed status webhook. */
export function webhookError(code: number): unknown {
  const f = failure(code);
  return {
    code,
    title: f.title,
    message: f.title,
    error_data: { details: f.details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
