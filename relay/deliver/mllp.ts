import { readFileSync } from 'node:fs';
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { JournalItem } from '../../core/journal/types.js';
import { MllpClient, type MllpClientTlsOptions } from '../../core/mllp/client.js';
import type { MllpSubscriberConfig } from '../config.js';
import { judgeAck, readAck } from '../hl7/ack.js';
import { renderHl7 } from '../hl7/render.js';
import type { Hl7Template } from '../hl7/template.js';
import { deliveryId, type DeliveryPayload } from '../match.js';
import { transportFailure, type SubscriberOutcome } from './outcome.js';

/**
 * MSH-10 for a delivery: derived from the stable delivery id, so every retry
 * of one event to one EHR carries the same control id (receivers that drop
 * duplicate MSH-10s drop our retries), and within HL7 2.5's 20 characters.
 */
export const controlIdFor = (eventId: string, subscriber: string): string => deliveryId(eventId, subscriber).slice(0, 20);

/** Connecting (and the TLS handshake) gets its own bound, within the attempt's budget. */
export const mllpConnectTimeoutMs = (timeout: number): number => Math.min(timeout, 10_000);

function tlsOptions(config: MllpSubscriberConfig['tls']): MllpClientTlsOptions | undefined {
  if (config === undefined) return undefined;
  const read = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file));
  return { ca: read(config.ca), cert: read(config.cert), key: read(config.key), servername: config.servername, rejectUnauthorized: config.rejectUnauthorized };
}

/**
 * Render the event with the subscriber's template, send it over one
 * persistent MLLP connection (reopened on demand after a failure) and judge
 * the ACK: AA/CA answering our MSH-10 is delivered; AE/CE retried; AR/CR dead.
 * The ACK itself is stored with the attempt.
 */
export function createMllpDeliverer(subscriber: MllpSubscriberConfig, template: Hl7Template, clock: Clock) {
  const client = new MllpClient({
    host: subscriber.host,
    port: subscriber.port,
    tls: tlsOptions(subscriber.tls),
    timeoutMs: subscriber.timeout,
    connectTimeoutMs: mllpConnectTimeoutMs(subscriber.timeout),
  });
  return {
    async deliver(item: JournalItem<DeliveryPayload>): Promise<SubscriberOutcome> {
      const { event } = item.payload;
      const controlId = controlIdFor(event.id, subscriber.name);
      let message: string;
      try {
        message = renderHl7(template, event, { controlId, now: clock.now() });
      } catch (error) {
        return { kind: 'dead', error: `cannot render HL7: ${describeError(error)}` };
      }
      let reply: string;
      try {
        reply = (await client.send(message)).toString('utf8');
      } catch (error) {
        return transportFailure(describeError(error));
      }
      const reading = readAck(reply);
      const verdict = judgeAck(reading, controlId);
      const attempt = { response: reply.replace(/\r/g, '\n').slice(0, 2_000) };
      const result = { ack: reading?.code ?? null, controlId };
      if (verdict.ok) return { kind: 'delivered', result, attempt };
      return verdict.permanent ? { kind: 'dead', error: verdict.error, result, attempt } : { kind: 'retry', error: verdict.error, result, attempt };
    },
    close: () => client.close(),
  };
}
