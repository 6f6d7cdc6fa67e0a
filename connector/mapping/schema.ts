/**
 * The shape of a mapping file (`mappings/*.yaml`), validated at start-up
 * like config: unknown keys refused, every problem reported with its line.
 * docs/connector.md documents each key with the shipped A03 file.
 */
import { z } from 'zod';
import { transformNames } from './transforms.js';

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const transform = z.enum(transformNames);

/** One output field: where its value comes from and what is done to it. */
export const fieldSpecSchema = z.union([
  z.string().min(1),
  z
    .strictObject({
      /** A field path, or a list tried in order (the first non-empty value wins). */
      from: oneOrMany.optional(),
      /** Paths read and joined with `separator`, empty ones skipped (e.g. given name + family name). */
      join: z.array(z.string().min(1)).min(1).optional(),
      /** @default ' ' */
      separator: z.string().default(' '),
      /** A constant. */
      value: z.union([z.string(), z.number(), z.boolean()]).optional(),
      transform: z.union([transform, z.array(transform)]).optional(),
      /** Name of a table in `lookups:` or a default table (`hl7-0112-care-type`). A miss answers AE 103. */
      lookup: z.string().min(1).optional(),
      /** Used when every source is empty (`$today` = the receive date). */
      default: z.string().optional(),
      /** Missing → AE 101 naming the field's location. @default false */
      required: z.boolean().default(false),
      /**
       * How a sandbox key receives this field: `drop` (default for names,
       * MRNs, street address, birth date — detected from the source path) or
       * `pseudonym` (a stable hash, for ids the API needs).
       */
      identifier: z.enum(['drop', 'pseudonym']).optional(),
    })
    .refine((spec) => [spec.from, spec.join, spec.value].filter((entry) => entry !== undefined).length === 1, {
      message: 'give exactly one of from, join or value',
    }),
]);

export const mappingFileSchema = z
  .strictObject({
    /** Unique among the loaded files; stored with each message. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (at most 64)'),
    description: z.string().optional(),
    /** When several mappings match a message, the highest priority wins. @default 0 */
    priority: z.number().int().default(0),
    match: z.strictObject({
      /** MSH-9.1. @default 'ADT' */
      messageType: z.string().min(1).default('ADT'),
      /** MSH-9.2 values (falls back to EVN-1 when MSH-9.2 is empty). */
      triggerEvents: z.array(z.string().min(1)).min(1),
      /** MSH-4 (whole, or its first component); empty = any sender. @default [] */
      sendingFacilities: z.array(z.string().min(1)).default([]),
    }),
    /** refer: build and deliver a request; cancel: stop an undelivered referral for the same patient; ignore: AA and record. @default 'refer' */
    action: z.enum(['refer', 'cancel', 'ignore']).default('refer'),
    /** native: POST /v1/discharge-referrals; fhir: POST /v1/fhir/ServiceRequest. */
    target: z.enum(['native', 'fhir']).optional(),
    /** Path(s) naming the patient: one patient's messages are delivered in order. */
    orderKey: oneOrMany.optional(),
    /** Only messages whose field value is in `in` go on; the rest are ACKed AA and recorded as filtered. */
    filter: z
      .strictObject({
        field: z.string().min(1),
        in: z.array(z.union([z.string(), z.number()]).transform(String)).min(1),
        description: z.string().optional(),
      })
      .optional(),
    /** Output fields by JSON path (`care_type`, `patient.id`, `reasonCode[0].coding[0].code`). */
    fields: z.record(z.string().regex(/^[A-Za-z_$][\w$]*(\[\d+\])*(\.[A-Za-z_$][\w$]*(\[\d+\])*)*$/, 'a JSON path such as patient.id or reasonCode[0].text'), fieldSpecSchema).optional(),
    /** Tables for `lookup:`; keys are matched exactly, then trimmed and upper-cased. */
    lookups: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  })
  .superRefine((file, ctx) => {
    if (file.action === 'refer') {
      if (file.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'refer mappings need a target: native or fhir' });
      if (file.fields === undefined) ctx.addIssue({ code: 'custom', path: ['fields'], message: 'refer mappings need fields' });
    }
    if (file.action !== 'ignore' && file.orderKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['orderKey'], message: `${file.action} mappings need an orderKey (the patient, e.g. PID-3[1].1)` });
    }
  });

export type MappingFile = z.infer<typeof mappingFileSchema>;
export type FieldSpec = z.infer<typeof fieldSpecSchema>;
