/** `map(definition, message, now)`: pure outcomes for the shipped mappings and small variants. */
import test from 'ava';
import { readHl7 } from '../../connector/hl7/read.js';
import { loadMappings, readMapping } from '../../connector/mapping/load.js';
import { map } from '../../connector/mapping/map.js';
import { selectMapping } from '../../connector/mapping/select.js';
import type { Mapping } from '../../connector/mapping/compile.js';
import { sampleFile } from '../helpers/corpus.js';
import { MAPPINGS_DIR } from '../helpers/connector.js';

const shipped = loadMappings(MAPPINGS_DIR);
const byName = (name: string) => shipped.find((mapping) => mapping.name === name)!;
const now = new Date('2026-11-23T12:00:00Z');
const sample = (name: string, edit: (text: string) => string = (text) => text) => readHl7(Buffer.from(edit(sampleFile(`hl7/${name}`).toString('latin1')), 'latin1'));

function variant(yaml: string): Mapping {
  const problems: string[] = [];
  const mapping = readMapping(yaml, 'variant.yaml', problems);
  if (mapping === undefined) throw new Error(problems.join('\n'));
  return mapping;
}

test('the native a03 mapping builds the referral body', (t) => {
  const result = map(byName('adt-a03-referral'), sample('adt-a03-home-health.hl7'), now);
  t.is(result.kind, 'request');
  if (result.kind !== 'request') return;
  t.deepEqual(result.request.body, {
    primary_diagnosis: 'I50.9',
    care_type: 'Home Health',
    zip: '78756',
    discharge_date: '2026-11-20',
    facility: 'RIVERBEND',
    external_id: 'RIVERBEND:RB20261120143012001',
    priority: 'routine',
    patient: { id: 'MRN10048213', display: 'Maria Delgado' },
  });
  t.is(result.orderKey, 'MRN10048213');
  t.deepEqual(result.identifiers, [{ path: 'patient.id', mode: 'pseudonym' }, { path: 'patient.display', mode: 'drop' }]);
});

test('the fhir a03 mapping builds a servicerequest', (t) => {
  const result = map(byName('adt-a03-referral-fhir'), sample('adt-a03-skilled-nursing.hl7'), now);
  if (result.kind !== 'request') return t.fail(result.kind);
  t.is(result.request.path, '/v1/fhir/ServiceRequest');
  t.like(result.request.body, {
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    code: { text: 'Skilled Nursing' },
    subject: { reference: '#patient' },
    contained: [{ resourceType: 'Patient', id: 'patient', address: [{ use: 'home', postalCode: '77006' }] }],
  });
  t.is((result.request.body as any).reasonCode[0].coding[0].system, 'http://hl7.org/fhir/sid/icd-10-cm');
});

test('the admitting diagnosis wins over the first dg1', (t) => {
  const message = sample('adt-a03-home-health.hl7', (text) => text.replace('I50.9^Heart failure, unspecified^I10|||A', 'I50.9^Heart failure, unspecified^I10|||F').replace('N18.30^Chronic kidney disease, stage 3 unspecified^I10|||F', 'N18.30^CKD^I10|||A'));
  const result = map(byName('adt-a03-referral'), message, now);
  t.like(result, { kind: 'request', request: { body: { primary_diagnosis: 'N18.30' } } });
});

test('a disposition outside the filter is filtered', (t) => {
  t.like(map(byName('adt-a03-referral'), sample('adt-a03-home-self-care.hl7'), now), { kind: 'filtered', mapping: 'adt-a03-referral' });
});

test('the 8x planned-readmission twins pass the filter', (t) => {
  const result = map(byName('adt-a03-referral'), sample('adt-a03-home-health.hl7', (text) => text.replace('||06|||RIVERBEND', '||86|||RIVERBEND')), now);
  t.like(result, { kind: 'request', request: { body: { care_type: 'Home Health' } } });
});

test('a missing required field is ae 101 naming its location', (t) => {
  t.like(map(byName('adt-a03-referral'), sample('adt-a03-missing-diagnosis.hl7'), now), { kind: 'error', issues: [{ code: 101, location: 'DG1^1^3^1^1', field: 'primary_diagnosis' }] });
});

test('a lookup miss is ae 103', (t) => {
  const mapping = variant(`
name: v
match: { triggerEvents: [A03] }
target: native
orderKey: PID-3.1
fields:
  care_type: { from: PV1-36, lookup: mine, required: true }
lookups:
  mine: { '03': Skilled Nursing }
`);
  t.like(map(mapping, sample('adt-a03-home-health.hl7'), now), { kind: 'error', issues: [{ code: 103, location: 'PV1^1^36', field: 'care_type' }] });
});

test('an unreadable value is ae 102', (t) => {
  const result = map(byName('adt-a03-referral'), sample('adt-a03-home-health.hl7', (text) => text.replaceAll('78756', 'ABCDE')), now);
  t.like(result, { kind: 'error', issues: [{ code: 102, location: 'PID^1^11^1^5', field: 'zip' }] });
});

test('a default fills an empty field', (t) => {
  const mapping = variant(`
name: v
match: { triggerEvents: [A03] }
target: native
orderKey: PID-3.1
fields:
  notes: { from: ZZZ-1, default: none given }
  discharge_date: { from: ZZZ-2, default: $today }
`);
  t.like(map(mapping, sample('adt-a03-home-health.hl7'), now), { kind: 'request', request: { body: { notes: 'none given', discharge_date: '2026-11-23' } } });
});

test('a13 selects the cancel mapping and names the patient', (t) => {
  const message = sample('adt-a13-cancel-discharge.hl7');
  const selection = selectMapping(shipped, message);
  if (!('mapping' in selection)) return t.fail();
  t.deepEqual(map(selection.mapping, message, now), { kind: 'cancel', mapping: 'adt-a13-cancel', orderKey: 'MRN10048213' });
});

test('an unknown message type is rejected 200 and an unknown event 201', (t) => {
  t.like(selectMapping(shipped, sample('orm-o01-order.hl7')), { reject: 200 });
  t.like(selectMapping(shipped, sample('adt-a08-update.hl7', (text) => text.replace('ADT^A08', 'ADT^A02'))), { reject: 201 });
});

test('a mapping can be narrowed to a sending facility', (t) => {
  const message = sample('adt-a03-home-health.hl7');
  const fhir = byName('adt-a03-referral-fhir');
  t.is((selectMapping([fhir], message) as { reject?: number }).reject, 201);
  const narrowed = { ...fhir, match: { ...fhir.match, sendingFacilities: ['RIVERBEND'] } };
  t.like(selectMapping([narrowed], message), { mapping: { name: 'adt-a03-referral-fhir' } });
});
