// The Cedar side of the comparison (bench/cedar/README.md): decides every
// entry that caldicott_cedar_export wrote, with @cedar-policy/cedar-wasm in
// Node, writes the decisions, and measures authorisations per second.
//
//   node decide.mjs --dir DIR --modules NODE_MODULES [--min-time SECONDS]
//
// Reads DIR/policies.json, DIR/entities.json and DIR/request.json; writes
// DIR/cedar.json: {"decisions": [[decision, [policy ids], [errors]], ...]}.
// Prints one JSON object: the Cedar version, the entries, and (with
// --min-time > 0) decisions per second.
//
// The fastest faithful way this version offers: the policy set is parsed
// once (preparsePolicySet) and each entry is one statefulIsAuthorized call
// with the entry as its only entity (entities cannot be pre-parsed in 4.x;
// there is no batch call). Call objects are built before the clock starts.
// One pass over all entries is the warm-up (and gives the decisions); then
// passes are timed until --min-time seconds have gone by.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

function parseArgs(argv) {
  const args = { minTime: 1.0 };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--dir') args.dir = value();
    else if (a === '--modules') args.modules = value();
    else if (a === '--min-time') args.minTime = Number(value());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.dir || !args.modules) throw new Error('usage: decide.mjs --dir DIR --modules NODE_MODULES [--min-time S]');
  return args;
}

const args = parseArgs(process.argv);
const require = createRequire(join(resolve(args.modules), 'noop.js'));
const cedar = require('@cedar-policy/cedar-wasm/nodejs');

const read = (name) => JSON.parse(readFileSync(join(args.dir, name), 'utf8'));
const policies = read('policies.json');
const entities = read('entities.json');
const request = read('request.json');

const parsed = cedar.preparsePolicySet('agreement', { staticPolicies: policies });
if (parsed.type !== 'success') {
  console.error('Cedar refused the policies:', JSON.stringify(parsed.errors, null, 2));
  process.exit(1);
}

const calls = entities.map((entity) => ({
  principal: request.principal,
  action: request.action,
  resource: entity.uid,
  context: {},
  preparsedPolicySetId: 'agreement',
  entities: [entity],
}));

// Warm-up pass; its answers are the decisions.
const decisions = new Array(calls.length);
let failures = 0;
for (let i = 0; i < calls.length; i++) {
  const answer = cedar.statefulIsAuthorized(calls[i]);
  if (answer.type !== 'success') {
    failures++;
    decisions[i] = ['failure', [], answer.errors.map((e) => e.message)];
    continue;
  }
  const { decision, diagnostics } = answer.response;
  decisions[i] = [decision, diagnostics.reason, diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`)];
}
writeFileSync(join(args.dir, 'cedar.json'), JSON.stringify({ decisions }) + '\n');

const result = {
  cedar_version: cedar.getCedarVersion(),
  entries: calls.length,
  policies: Object.keys(policies).length,
  failures,
};
if (args.minTime > 0 && calls.length > 0) {
  let passes = 0;
  let allowed = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    for (let i = 0; i < calls.length; i++) {
      const answer = cedar.statefulIsAuthorized(calls[i]);
      if (answer.response.decision === 'allow') allowed++;
    }
    passes++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < args.minTime);
  result.passes = passes;
  result.seconds = elapsed;
  result.decisions_per_s = Math.round((passes * calls.length) / elapsed);
  result.allowed_per_pass = allowed / passes;
}
console.log(JSON.stringify(result));
