// Each subpath export loads with plain `require`, and what is not exported stays out of reach.
const assert = require('node:assert/strict');

for (const subpath of ['', '/runtime', '/mock', '/testing']) {
  const exported = Object.keys(require(`cdk-disaggregated-inference${subpath}`));
  assert.ok(exported.length > 0, `cdk-disaggregated-inference${subpath} exports nothing`);
  console.log(`cdk-disaggregated-inference${subpath}: ${exported.length} exports`);
}
assert.equal(typeof require('cdk-disaggregated-inference/mock').startMockCluster, 'function');
assert.equal(typeof require('cdk-disaggregated-inference/testing').normalizeTemplate, 'function');
assert.match(require('cdk-disaggregated-inference/package.json').version, /^\d+\.\d+\.\d+/);
assert.throws(() => require('cdk-disaggregated-inference/dist/lib/index.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
