// `npm run integ:mock`: the integ test test/integ/integ.mock-mode.ts deployed for real, with the
// credentials and region of your AWS CLI profile. integ-runner would do this, but its newest
// release (2.197.10) cannot read aws-cdk-lib 2.276's cloud assembly (schema 55), so this runs the
// same steps with the project's own CDK CLI: deploy the test stack and its assertion stack, read
// each assertion's result (the `AssertionResults...` outputs integ-runner reads), destroy both
// (unless --keep), and exit 1 if the deployment or any assertion failed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP = 'npx tsx test/integ/integ.mock-mode.ts';
const keep = process.argv.includes('--keep');
const outputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'integ-mock-')), 'outputs.json');

function cdk(...args) {
  console.log(`integ:mock: cdk ${args.join(' ')}`);
  return spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), '--app', APP, ...args], { cwd: ROOT, stdio: 'inherit' }).status;
}

/** Every assertion's result from the deployment's outputs: `[stack/output, {status, message?}]`. */
function assertionResults() {
  if (!fs.existsSync(outputsFile)) return [];
  const outputs = JSON.parse(fs.readFileSync(outputsFile, 'utf8'));
  return Object.entries(outputs).flatMap(([stack, values]) =>
    Object.entries(values)
      .filter(([name]) => name.startsWith('AssertionResults'))
      .map(([name, value]) => [`${stack}/${name}`, JSON.parse(value)]),
  );
}

const deployed = cdk('deploy', '--all', '--require-approval', 'never', '--outputs-file', outputsFile) === 0;
const results = assertionResults();
for (const [name, result] of results) console.log(`integ:mock: ${result.status === 'success' ? 'PASS' : 'FAIL'} ${name}${result.message ? `\n${result.message}` : ''}`);
const passed = deployed && results.length > 0 && results.every(([, result]) => result.status === 'success');
if (!deployed) console.log('integ:mock: the deployment failed (see above).');
if (keep) console.log('integ:mock: --keep: the stacks stay; remove them with `npx cdk destroy --app "' + APP + '" --all`.');
else if (cdk('destroy', '--all', '--force') !== 0) {
  console.log('integ:mock: destroying the stacks failed; remove them with `npx cdk destroy --app "' + APP + '" --all`.');
  process.exitCode = 1;
}
console.log(`integ:mock: ${passed ? 'passed' : 'failed'} (${results.length} assertions).`);
if (!passed) process.exitCode = 1;
