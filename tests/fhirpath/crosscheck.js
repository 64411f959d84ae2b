#!/usr/bin/env node
// Cross-checks the FHIR adapter against FHIRPath.
//
//   node crosscheck.js --tool caldicott_fhir_extract --examples DIR [--modules DIR] [--work DIR]
//
// For every resource of every Bundle in DIR (the hl7.fhir.r4.examples
// package), extracts the category, kind, status, date, codes and security
// labels independently, with FHIRPath (fhirpath@5.2.2 and its R4 model) and
// the rules of docs/fhir.md written again here, and compares them
// with what `caldicott_fhir_extract` prints. Any difference fails the test.
// The other example resources are checked too, gathered into one more
// Bundle written under `--work` (default: the system's temporary directory).
// `--modules` names the node_modules directory holding fhirpath (installed
// into the build tree by CMake, never committed).
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

function argument(name) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

const tool = argument('--tool');
const examples = argument('--examples');
const modules = argument('--modules');
if (!tool || !examples) {
  console.error('usage: crosscheck.js --tool EXTRACT --examples DIR [--modules DIR]');
  process.exit(2);
}
if (modules) module.paths.unshift(path.resolve(modules));
const fhirpath = require('fhirpath');
const r4 = require('fhirpath/fhir-context/r4');

// ------------------------------------------------------------ the rules

// resourceType -> [category, kind, where the main concept is]
const CLINICAL = {
  Condition: ['problem', 'code'],
  AllergyIntolerance: ['allergy', 'code'],
  MedicationStatement: ['medication', '#medication'],
  MedicationRequest: ['medication', '#medication'],
  Observation: ['observation', 'code'],
  DiagnosticReport: ['observation', 'code'],
  Procedure: ['procedure', 'code'],
  Immunization: ['immunisation', 'vaccineCode'],
  Encounter: ['encounter', 'type'],
  DocumentReference: ['document', 'type'],
  ServiceRequest: ['referral', 'code'],
  FamilyMemberHistory: ['family_history', 'condition.code'],
  CarePlan: ['care_plan', 'category'],
  Flag: ['alert', 'code'],
  Device: ['device', 'type'],
  DeviceUseStatement: ['device', '#device'],
  AdverseEvent: ['other', 'event'],
  ClinicalImpression: ['other', 'code'],
  DetectedIssue: ['other', 'code'],
  DeviceRequest: ['other', 'code.ofType(CodeableConcept)'],
  EpisodeOfCare: ['other', 'type'],
  Goal: ['other', 'description'],
  ImagingStudy: ['other', 'procedureCode'],
  ImmunizationEvaluation: ['other', 'targetDisease'],
  ImmunizationRecommendation: ['other', 'recommendation.vaccineCode'],
  MedicationAdministration: ['other', '#medication'],
  MedicationDispense: ['other', '#medication'],
  NutritionOrder: ['other', null],
  RiskAssessment: ['other', 'code'],
  Specimen: ['other', 'type'],
  VisionPrescription: ['other', null],
};
const SUPPORTING = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Location',
  'Medication']);

const DATE_PATHS = [
  'recordedDate',
  'onset.ofType(dateTime)', 'onset.ofType(Period).start',
  'effective.ofType(dateTime)', 'effective.ofType(Period).start', 'effective.ofType(instant)',
  'authoredOn',
  'occurrence.ofType(dateTime)', 'occurrence.ofType(Period).start',
  'performed.ofType(dateTime)', 'performed.ofType(Period).start',
  'period.start',
];

// FHIR R4's regular expression for dateTime (date and instant are subsets).
const DATE_TIME = new RegExp(
  '^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|' +
  '3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|' +
  '1[0-3]):[0-5][0-9]|14:00)))?)?)?$');

function fp(resource, expression, env) {
  return fhirpath.evaluate(resource, expression, env || {}, r4);
}

// Days since 1970-01-01 of a FHIR date/dateTime/instant (partial: the first
// day), or null.
function days(text) {
  if (typeof text !== 'string' || !DATE_TIME.test(text)) return null;
  const y = Number(text.slice(0, 4));
  const m = text.length >= 7 ? Number(text.slice(5, 7)) : 1;
  const d = text.length >= 10 ? Number(text.slice(8, 10)) : 1;
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;  // 2021-02-30
  return Math.round(date.getTime() / 86400000);
}

function codings(list) {
  return list.filter((c) => c && typeof c.code === 'string')
    .map((c) => [typeof c.system === 'string' ? c.system : '', c.code]);
}

// Bundle reference resolution, as the adapter does it (first one wins).
function resolver(bundle) {
  const byUrl = new Map();
  const byTypeId = new Map();
  (bundle.entry || []).forEach((entry, i) => {
    const r = entry.resource;
    if (!r) return;
    if (r.id && !byTypeId.has(`${r.resourceType}/${r.id}`)) byTypeId.set(`${r.resourceType}/${r.id}`, i);
    if (entry.fullUrl && !byUrl.has(entry.fullUrl)) byUrl.set(entry.fullUrl, i);
  });
  return (ref, from) => {
    if (typeof ref !== 'string' || ref === '' || ref.startsWith('#')) return undefined;
    ref = ref.split('/_history/')[0];
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(ref)) return byUrl.get(ref);
    if (!/^[^/?]+\/[^/?]+$/.test(ref)) return undefined;
    const source = bundle.entry[from];
    const tail = `/${source.resource.resourceType}/${source.resource.id}`;
    const url = source.fullUrl || '';
    if (source.resource.id && /^https?:\/\//.test(url) && url.endsWith(tail) &&
        url.length > tail.length) {
      const hit = byUrl.get(url.slice(0, url.length - tail.length) + '/' + ref);
      if (hit !== undefined) return hit;
    }
    return byTypeId.get(ref);
  };
}

// The codes of a concept held by another resource (contained or in the Bundle).
function referencedConcept(bundle, resolve, index, resource, refPath, type, conceptPath) {
  const out = [];
  for (const ref of fp(resource, refPath)) {
    if (typeof ref !== 'string') continue;
    if (ref.startsWith('#')) {
      out.push(...fp(resource,
        `contained.where(id = %id and resourceType = '${type}').${conceptPath}.coding`,
        { id: ref.slice(1) }));
    } else {
      const target = resolve(ref, index);
      if (target !== undefined && bundle.entry[target].resource.resourceType === type) {
        out.push(...fp(bundle.entry[target].resource, `${conceptPath}.coding`));
      }
    }
  }
  return out;
}

function expected(bundle, resolve, index) {
  const resource = bundle.entry[index].resource;
  const type = resource.resourceType;
  const clinical = CLINICAL[type];
  let category = 'unclassified';
  if (clinical) category = 'clinical';
  else if (type === 'Patient') category = 'patient';
  else if (SUPPORTING.has(type)) category = 'supporting';
  else if (type === 'Composition' && index === 0 && bundle.type === 'document') {
    category = 'composition';
  }
  // Kept without a decision, so it must not contain anything else.
  const containedTypes = fp(resource, 'contained.resourceType');
  if (category !== 'clinical' && fp(resource, 'contained').length > 0 &&
      !(containedTypes.length === fp(resource, 'contained').length &&
        containedTypes.every((t) => t === 'Patient' || t === 'Substance' || SUPPORTING.has(t)))) {
    category = 'unclassified';
  }

  let codes = [];
  const where = clinical ? clinical[1] : (type === 'Medication' ? 'code' : null);
  if (where === '#medication') {
    codes = fp(resource, 'medication.ofType(CodeableConcept).coding').concat(
      referencedConcept(bundle, resolve, index, resource, 'medication.ofType(Reference).reference',
        'Medication', 'code'));
  } else if (where === '#device') {
    codes = referencedConcept(bundle, resolve, index, resource, 'device.reference', 'Device',
      'type');
  } else if (where) {
    codes = fp(resource, `${where}.coding`);
  }

  let status = 'unknown';
  if (type === 'Condition') {
    status = fp(resource, "clinicalStatus.coding.where(code in ('active' | 'recurrence' | " +
      "'relapse')).exists()")[0] ? 'active' : 'inactive';
  } else if (type === 'AllergyIntolerance') {
    status = fp(resource, "clinicalStatus.empty() or clinicalStatus.coding.where(code = " +
      "'active').exists()")[0] ? 'active' : 'inactive';
  } else if (type === 'MedicationStatement' || type === 'MedicationRequest') {
    status = fp(resource, "status in ('active' | 'intended' | 'on-hold' | 'draft')")[0] === true
      ? 'current' : 'past';
  }

  let date = null;
  for (const p of clinical ? DATE_PATHS : []) {
    const found = fp(resource, p);
    if (found.length > 0) {
      date = days(found[0]);
      break;
    }
  }
  return {
    category,
    kind: clinical ? clinical[0] : null,
    status,
    date,
    codes: codings(codes),
    labels: codings(fp(resource, 'meta.security')),
  };
}

// ------------------------------------------------------------ the comparison

function key(list) {
  return JSON.stringify(list.map((c) => c.join('\u0000')).sort());
}

// Every example Bundle, and one more Bundle holding every other example
// resource (so that every Condition, Observation, ... is checked too, and
// references between the examples resolve).
const files = fs.readdirSync(examples).filter((f) => f.endsWith('.json')).sort();
const bundles = [];
const others = { resourceType: 'Bundle', type: 'collection', entry: [] };
for (const f of files) {
  const json = JSON.parse(fs.readFileSync(path.join(examples, f), 'utf8'));
  if (json.resourceType === 'Bundle') {
    bundles.push([f, json, path.join(examples, f)]);
  } else if (typeof json.resourceType === 'string') {
    others.entry.push({ fullUrl: `http://hl7.org/fhir/${json.resourceType}/${json.id}`,
      resource: json });
  }
}
const work = fs.mkdtempSync(path.join(argument('--work') || require('os').tmpdir(),
  'crosscheck-'));
const othersFile = path.join(work, 'all-other-examples.json');
fs.writeFileSync(othersFile, JSON.stringify(others, null, 1));
bundles.push([path.basename(othersFile), others, othersFile]);

const output = execFileSync(tool, bundles.map(([, , p]) => p),
  { maxBuffer: 1 << 30, encoding: 'utf8' });
fs.rmSync(work, { recursive: true, force: true });
const adapter = new Map();
let failures = 0;
function fail(message) {
  if (failures < 100) console.log(message);
  failures++;
}
for (const line of output.split('\n')) {
  if (!line) continue;
  const record = JSON.parse(line);
  if (record.error) {
    fail(`${record.file}: the adapter failed: ${record.error}`);
    continue;
  }
  adapter.set(`${record.file}#${record.index}`, record);
}

let resources = 0;
let codes = 0;
for (const [file, bundle] of bundles) {
  const resolve = resolver(bundle);
  (bundle.entry || []).forEach((entry, index) => {
    if (!entry.resource) return;
    resources++;
    const id = `${file}#${index} (${entry.resource.resourceType}/${entry.resource.id || ''})`;
    const got = adapter.get(`${file}#${index}`);
    if (!got) {
      fail(`${id}: missing from the adapter's output`);
      return;
    }
    adapter.delete(`${file}#${index}`);
    const want = expected(bundle, resolve, index);
    codes += want.codes.length;
    for (const field of ['category', 'kind', 'status', 'date']) {
      if (got[field] !== want[field]) {
        fail(`${id}: ${field}: adapter ${JSON.stringify(got[field])}, FHIRPath ` +
          JSON.stringify(want[field]));
      }
    }
    for (const field of ['codes', 'labels']) {
      if (key(got[field]) !== key(want[field])) {
        fail(`${id}: ${field}: adapter ${JSON.stringify(got[field])}, FHIRPath ` +
          JSON.stringify(want[field]));
      }
    }
  });
}
for (const k of adapter.keys()) fail(`${k}: in the adapter's output only`);

console.log(`${bundles.length} bundles, ${resources} resources, ${codes} codes compared: ` +
  `${failures} difference(s)`);
process.exit(failures === 0 && resources > 0 ? 0 : 1);
