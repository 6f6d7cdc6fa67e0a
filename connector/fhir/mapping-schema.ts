/**
 * The shape of a FHIR input mapping file (`mappings/fhir/*.yaml`): the same
 * ideas as the HL7 v2 files (fields, transforms, lookups, defaults,
 * `required`, identifier handling) with paths written in FHIRPath.
 * docs/connector-fhir.md documents every key with the shipped files.
 */
import { z } from 'zod';
import { fieldSpecSchema } from '../mapping/schema.js';

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/**
 * One output field: the same keys as an HL7 v2 mapping's fields (`from`,
 * `join`, `value`, `transform`, `lookup`, `default`, `required`,
 * `identifier`), with `from`/`join` written in FHIRPath; a lookup miss or a
 * missing required value answers 422 naming the element.
 */
export const fhirFieldSpecSchema = fieldSpecSchema;

export const fhirMappingFileSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (at most 64)'),
    description: z.string().optional(),
    /** When several mappings apply, the highest priority wins. @default 0 */
    priority: z.number().int().default(0),
    /** FHIRPath over the ServiceRequest that must be true for this mapping to apply; absent = every ServiceRequest. */
    when: z.string().min(1).optional(),
    /** fhir: POST /v1/fhir/ServiceRequest (passed through, references resolved); native: POST /v1/discharge-referrals. */
    target: z.enum(['native', 'fhir']),
    /** Where the idempotency key comes from; the first non-empty value wins, then the Bundle's identifier. */
    idempotencyKey: oneOrMany.default(["identifier.where(value.exists()).select(iif(system.exists(), system + '|' + value, value))"]),
    /** Names the patient: one patient's referrals are delivered in order. */
    orderKey: oneOrMany.default(["%patient.identifier.where(type.coding.code = 'MR').value", '%patient.identifier.value', 'subject.reference', 'subject.identifier.value']),
    /** Where the referral's ZIP comes from (both targets; a native mapping's `fields.zip` overrides it). */
    zip: fhirFieldSpecSchema.default({
      from: ["%patient.address.where(use = 'home').postalCode", '%patient.address.postalCode'],
      transform: 'zip5',
      separator: ' ',
      required: false,
    }),
    /** native: the request body by JSON path (`primary_diagnosis`, `patient.id`). fhir: values set on the ServiceRequest sent on. */
    fields: z.record(z.string().regex(/^[A-Za-z_$][\w$]*(\[\d+\])*(\.[A-Za-z_$][\w$]*(\[\d+\])*)*$/, 'a JSON path such as patient.id or code.text'), fhirFieldSpecSchema).default({}),
    /** Tables for `lookup:`; keys are matched exactly, then trimmed and upper-cased. */
    lookups: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  })
  .superRefine((file, ctx) => {
    if (file.target === 'native') {
      for (const needed of ['primary_diagnosis', 'care_type']) {
        if (file.fields[needed] === undefined) ctx.addIssue({ code: 'custom', path: ['fields'], message: `native mappings need fields.${needed}` });
      }
    }
  });

export type FhirMappingFile = z.infer<typeof fhirMappingFileSchema>;
export type FhirFieldSpec = z.infer<typeof fhirFieldSpecSchema>;
