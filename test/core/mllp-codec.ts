import test from 'ava';
import { MllpDecoder, type MllpEvent, encodeFrame } from '../../core/mllp/codec.js';

const VT = '\u000b';
const FS = '\u001c';
const CR = '\r';

function decodeAll(chunks: string[], maxFrameBytes?: number): Array<MllpEvent | { type: 'frame'; text: string }> {
  const decoder = new MllpDecoder(maxFrameBytes === undefined ? {} : { maxFrameBytes });
  return chunks
    .flatMap((chunk) => decoder.push(Buffer.from(chunk, 'latin1')))
    .map((event) =>
      event.type === 'frame'
        ? { type: 'frame' as const, text: event.payload.toString('latin1') }
        : event.type === 'oversize'
          ? { type: 'oversize' as const, bytes: event.bytes, head: Buffer.alloc(0) }
          : event,
    );
}

test('encodeFrame wraps the payload in start block, end block and carriage return', (t) => {
  t.deepEqual([...encodeFrame('MSH|x')], [0x0b, 0x4d, 0x53, 0x48, 0x7c, 0x78, 0x1c, 0x0d]);
});

test('encodeFrame keeps buffer payloads byte for byte', (t) => {
  const latin1 = Buffer.from([0x4d, 0xfc, 0x6c]);
  t.deepEqual(encodeFrame(latin1).subarray(1, 4), latin1);
});

const table: Array<{ title: string; chunks: string[]; expected: unknown[]; max?: number }> = [
  { title: 'one frame in one chunk', chunks: [`${VT}MSH|a${FS}${CR}`], expected: [{ type: 'frame', text: 'MSH|a' }] },
  {
    title: 'two frames in one chunk',
    chunks: [`${VT}A${FS}${CR}${VT}B${FS}${CR}`],
    expected: [
      { type: 'frame', text: 'A' },
      { type: 'frame', text: 'B' },
    ],
  },
  {
    title: 'bytes before the start block are skipped and counted',
    chunks: [`\r\nxx${VT}A${FS}${CR}`],
    expected: [
      { type: 'skipped', bytes: 4 },
      { type: 'frame', text: 'A' },
    ],
  },
  {
    title: 'bytes between frames are skipped and counted',
    chunks: [`${VT}A${FS}${CR}\n\n${VT}B${FS}${CR}`],
    expected: [
      { type: 'frame', text: 'A' },
      { type: 'skipped', bytes: 2 },
      { type: 'frame', text: 'B' },
    ],
  },
  {
    title: 'end block and carriage return split across chunks',
    chunks: [`${VT}AB${FS}`, `${CR}`],
    expected: [{ type: 'frame', text: 'AB' }],
  },
  {
    title: 'an end block not followed by carriage return stays in the payload',
    chunks: [`${VT}A${FS}B${FS}${CR}`],
    expected: [{ type: 'frame', text: `A${FS}B` }],
  },
  {
    title: 'a lone end block at a chunk edge stays in the payload when no carriage return follows',
    chunks: [`${VT}A${FS}`, `B${FS}${CR}`],
    expected: [{ type: 'frame', text: `A${FS}B` }],
  },
  {
    title: 'a new start block inside a frame restarts it and counts the abandoned bytes',
    chunks: [`${VT}lost${VT}kept${FS}${CR}`],
    expected: [
      { type: 'skipped', bytes: 5 },
      { type: 'frame', text: 'kept' },
    ],
  },
  { title: 'an empty frame is a frame', chunks: [`${VT}${FS}${CR}`], expected: [{ type: 'frame', text: '' }] },
  {
    title: 'a frame exactly at the size limit is accepted',
    chunks: [`${VT}12345${FS}${CR}`],
    max: 5,
    expected: [{ type: 'frame', text: '12345' }],
  },
  {
    title: 'a frame over the size limit yields one oversize event and no frame',
    chunks: [`${VT}123`, '456', '789', `${FS}${CR}`],
    max: 5,
    expected: [{ type: 'oversize', bytes: 6, head: Buffer.alloc(0) }],
  },
  {
    title: 'the frame after an oversize one is decoded',
    chunks: [`${VT}123456789${FS}${CR}${VT}ok${FS}${CR}`],
    max: 5,
    expected: [
      { type: 'oversize', bytes: 9, head: Buffer.alloc(0) },
      { type: 'frame', text: 'ok' },
    ],
  },
];

for (const row of table) {
  test(`decoder: ${row.title}`, (t) => {
    t.deepEqual(decodeAll(row.chunks, row.max), row.expected);
  });
}

test('decoder yields the same frames whatever the chunk boundaries', (t) => {
  const stream = `noise${VT}MSH|1${FS}${CR}${VT}MSH|2${FS}x${FS}${CR}\n`;
  for (let size = 1; size <= stream.length; size++) {
    const chunks: string[] = [];
    for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
    const frames = decodeAll(chunks).filter((event) => event.type === 'frame');
    t.deepEqual(frames, [
      { type: 'frame', text: 'MSH|1' },
      { type: 'frame', text: `MSH|2${FS}x` },
    ]);
  }
});

test('decoder buffers no more than the limit while discarding an oversize frame', (t) => {
  const decoder = new MllpDecoder({ maxFrameBytes: 1024 });
  decoder.push(Buffer.from([0x0b]));
  const chunk = Buffer.alloc(4096, 0x41);
  for (let i = 0; i < 100; i++) {
    decoder.push(chunk);
    t.true(decoder.bufferedBytes <= 1024);
  }
  t.true(decoder.pending);
});

test('oversize event carries the first bytes of the frame', (t) => {
  const decoder = new MllpDecoder({ maxFrameBytes: 8 });
  const events = decoder.push(Buffer.from(`${VT}MSH|^~\\&|APP`, 'latin1'));
  const oversize = events.find((event) => event.type === 'oversize');
  t.is(oversize?.type === 'oversize' ? oversize.head.toString('latin1') : '', 'MSH|^~\\&|APP');
});

test('reset reports the bytes of an unfinished frame', (t) => {
  const decoder = new MllpDecoder();
  decoder.push(Buffer.from(`${VT}MSH|half`, 'latin1'));
  t.is(decoder.reset(), 9);
  t.false(decoder.pending);
});

test('decoder refuses a maxFrameBytes that is not a positive integer', (t) => {
  const error = t.throws(() => new MllpDecoder({ maxFrameBytes: -1 }));
  t.regex(error.message, /maxFrameBytes/);
});
