/**
 * `caraloom send FILE...`: an MLLP test client for analysts. Sends every
 * message of every file over one connection, prints each ACK's code, text and
 * control ids (never message content), and exits 1 if any message was not
 * accepted (AE/AR/CE/CR, timeout, no reply).
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { CaraloomError, describeError } from '../../core/errors.js';
import { MllpClient, type MllpClientTlsOptions } from '../../core/mllp/client.js';
import { fieldValue, segment } from '../../connector/hl7/access.js';
import { readHl7 } from '../../connector/hl7/read.js';
import { splitMessages } from '../../connector/hl7/split.js';

export interface SendOptions {
  files: string[];
  /** @default '127.0.0.1' */
  host: string;
  /** @default 2575 */
  port: number;
  tls: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  /** Per-message reply timeout. @default 10000 */
  timeout: number;
  /** Send file bytes as they are (no LF → CR). @default false */
  raw: boolean;
  /** Print only failures and the summary. @default false */
  quiet: boolean;
}

export interface SendResult {
  file: string;
  index: number;
  controlId: string;
  /** MSA-1, or ERROR for a transport failure / unreadable reply. */
  code: string;
  text: string;
  ackControlId: string;
}

export interface SendOutput {
  out(line: string): void;
  err(line: string): void;
  /** Called after each message in quiet mode (the command draws a counter on a terminal). */
  progress?(done: number, total: number): void;
}

const ACCEPTED = new Set(['AA', 'CA']);

/** Sends and reports; resolves with the exit code (0 all accepted, 1 otherwise). */
export async function runSend(options: SendOptions, io: SendOutput): Promise<{ exitCode: number; results: SendResult[] }> {
  const batches = options.files.map((file) => ({ file, messages: readMessages(file, options.raw) }));
  const total = batches.reduce((sum, batch) => sum + batch.messages.length, 0);
  const client = new MllpClient({ host: options.host, port: options.port, tls: tlsOptions(options), timeoutMs: options.timeout });
  const results: SendResult[] = [];
  const started = Date.now();
  let aborted = false;
  try {
    for (const { file, messages } of batches) {
      if (messages.length === 0) {
        results.push({ file, index: 0, controlId: '', code: 'ERROR', text: 'no HL7 message (MSH) in file', ackControlId: '' });
        io.err(`${file}: no HL7 message (MSH) in file`);
      }
      for (const [i, bytes] of messages.entries()) {
        if (aborted) break;
        const result = await sendOne(client, file, i + 1, bytes);
        results.push(result);
        const label = messages.length > 1 ? `${file}#${i + 1}` : file;
        const line = `[${results.length}/${total}] ${label} MSH-10 ${result.controlId || '(empty)'} → ${result.code}${result.text === '' ? '' : ` ${result.text}`}${result.ackControlId === '' ? '' : ` (ACK ${result.ackControlId})`}`;
        if (!ACCEPTED.has(result.code)) io.err(line);
        else if (!options.quiet) io.out(line);
        if (options.quiet) io.progress?.(results.length, total);
        // Nothing listens: every further message would fail the same way.
        if (/^MLLP_CONNECT_(FAILED|TIMEOUT)/.test(result.text)) aborted = true;
      }
    }
  } finally {
    await client.close();
  }
  const counts = new Map<string, number>();
  for (const result of results) counts.set(result.code, (counts.get(result.code) ?? 0) + 1);
  const summary = [...counts].map(([code, n]) => `${n} ${code}`).join(', ');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  io.out(`sent ${results.length} of ${total} message(s) to ${options.tls ? 'mllps' : 'mllp'}://${options.host}:${options.port} in ${seconds} s: ${summary || 'nothing'}`);
  const failed = results.length < total || results.some((result) => !ACCEPTED.has(result.code));
  return { exitCode: failed ? 1 : 0, results };
}

async function sendOne(client: MllpClient, file: string, index: number, bytes: Buffer): Promise<SendResult> {
  const controlId = controlIdOf(bytes);
  try {
    const reply = readHl7(await client.send(bytes));
    const msa = segment(reply, 'MSA');
    return {
      file,
      index,
      controlId,
      code: fieldValue(msa, 1) || 'ERROR',
      text: msa === undefined ? 'reply has no MSA segment' : fieldValue(msa, 3),
      ackControlId: reply.header.controlId,
    };
  } catch (error) {
    return { file, index, controlId, code: 'ERROR', text: describeError(error), ackControlId: '' };
  }
}

/** MSH-10 read leniently (the message may be the malformed one being tested). */
function controlIdOf(bytes: Buffer): string {
  const line = bytes.toString('latin1').split(/[\r\n]/)[0] ?? '';
  const fs = line[3];
  return fs === undefined ? '' : (line.split(fs)[9] ?? '').split(/[\^~&]/)[0]!.trim();
}

function readMessages(file: string, raw: boolean): Buffer[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CaraloomError('USAGE', `cannot read ${file}: ${describeError(error)}`, { status: 400 });
  }
  return splitMessages(bytes, { toCarriageReturns: !raw });
}

function tlsOptions(options: SendOptions): MllpClientTlsOptions | undefined {
  if (!options.tls) return undefined;
  const read = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file));
  return { ca: read(options.ca), cert: read(options.cert), key: read(options.key) };
}

type SendArgs = Omit<SendOptions, 'files'> & { files: string[] };

export const sendCommand: CommandModule<object, SendArgs> = {
  command: 'send <files...>',
  describe: 'Send HL7 v2 files over MLLP and print each ACK (exit 1 on AE/AR/CE/CR or timeout)',
  builder: (yargs) =>
    (yargs as Argv)
      .positional('files', { type: 'string', array: true, describe: 'HL7 files; a file may hold several messages (split on MSH at line start)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Connector host' })
      .option('port', { type: 'number', default: 2575, describe: 'Connector MLLP port' })
      .option('tls', { type: 'boolean', default: false, describe: 'MLLP over TLS (mllps)' })
      .option('ca', { type: 'string', describe: 'PEM CA file to verify the server with (with --tls)' })
      .option('cert', { type: 'string', describe: 'PEM client certificate, for servers that require one (with --tls)' })
      .option('key', { type: 'string', describe: 'PEM client key (with --cert)' })
      .option('timeout', { type: 'number', default: 10_000, describe: 'Milliseconds to wait for each ACK' })
      .option('raw', { type: 'boolean', default: false, describe: 'Send the bytes as they are (keep LF line ends)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'Print only failures and the summary' })
      .example('$0 send samples/hl7/adt-a03-home-health.hl7', 'one discharge to the local connector')
      .example('$0 send samples/hl7/*.hl7 --port 2575 --quiet', 'every sample, failures only') as unknown as Argv<SendArgs>,
  handler: async (args) => {
    const tty = process.stderr.isTTY === true;
    let counter = false;
    const clear = () => {
      if (counter) process.stderr.write('\r\u001b[K');
      counter = false;
    };
    const { exitCode } = await runSend(args, {
      out: (line) => {
        clear();
        process.stdout.write(`${line}\n`);
      },
      err: (line) => {
        clear();
        process.stderr.write(`${line}\n`);
      },
      progress: (done, total) => {
        if (!tty) return;
        process.stderr.write(`\r[${done}/${total}]`);
        counter = true;
      },
    });
    process.exitCode = exitCode;
  },
};
