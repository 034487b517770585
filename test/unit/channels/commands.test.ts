import { describe, expect, it } from 'vitest';
import { parseCommand, parsePayload } from '../../../src/channels/whatsapp/commands.js';

describe('button payloads', () => {
  it.each([
    ['ack:alert-7781', { kind: 'ack', alertId: 'alert-7781' }],
    ['details:alert-1', { kind: 'details', alertId: 'alert-1' }],
    ['snooze:alert-1', { kind: 'snooze', alertId: 'alert-1', snoozeFor: { hours: 1 } }],
    ['snooze:alert-1:4h', { kind: 'snooze', alertId: 'alert-1', snoozeFor: { hours: 4 } }],
    ['snooze:alert-1:tomorrow', { kind: 'snooze', alertId: 'alert-1', snoozeFor: 'until-tomorrow' }],
    ['ack:a-1,a-2', { kind: 'ack', alertId: 'a-1,a-2' }],
    ['ack:', { kind: 'ack', alertId: null }],
  ])('reads %s', (payload, expected) => {
    expect(parsePayload(payload)).toEqual(expected);
  });

  it('leaves other payloads to the text parser', () => {
    expect(parsePayload('Acknowledge')).toBeUndefined();
    expect(parsePayload('vet:alert-1')).toBeUndefined();
  });
});

describe('typed commands in every language', () => {
  it.each([
    ['OK', 'ack'],
    ['ok checked her', 'ack'],
    ['ACK', 'ack'],
    ['ठीक है', 'ack'],
    ['ٹھیک ہے', 'ack'],
    ['Confirmar', 'ack'],
    ['Pris en charge', 'ack'],
    ['STOP', 'stop'],
    ['बंद', 'stop'],
    ['بند', 'stop'],
    ['Parar', 'stop'],
    ['Arrêt', 'stop'],
    ['START', 'start'],
    ['शुरू', 'start'],
    ['شروع', 'start'],
    ['Iniciar', 'start'],
    ['Démarrer', 'start'],
    ['STATUS', 'status'],
    ['स्थिति', 'status'],
    ['حالت', 'status'],
    ['Situação', 'status'],
    ['État', 'status'],
    ['HELP', 'help'],
    ['मदद', 'help'],
    ['مدد', 'help'],
    ['Ajuda', 'help'],
    ['Aide', 'help'],
    ['details', 'details'],
    ['विवरण', 'details'],
    ['Détails', 'details'],
    ['what is this', 'unknown'],
    ['okapi', 'unknown'],
  ])('%s means %s', (text, kind) => {
    expect(parseCommand(text).kind).toBe(kind);
  });

  it.each([
    ['SNOOZE 2H', { hours: 2 }],
    ['snooze 4 hours', { hours: 4 }],
    ['snooze', { hours: 1 }],
    ['snooze 30 min', { hours: 0.5 }],
    ['snooze tomorrow', 'until-tomorrow'],
    ['बाद में 2 घंटे', { hours: 2 }],
    ['बाद में २ घंटे', { hours: 2 }],
    ['بعد میں ۳ گھنٹے', { hours: 3 }],
    ['Adiar 2 horas', { hours: 2 }],
    ['Plus tard demain', 'until-tomorrow'],
  ])('%s snoozes for %j', (text, snoozeFor) => {
    expect(parseCommand(text)).toEqual({ kind: 'snooze', alertId: null, snoozeFor });
  });
});
