// A CDK app as a user writes it in plain JavaScript (CommonJS), against the installed package:
// the default composition, and the same API in front of the mock workers.
const { App, Stack } = require('aws-cdk-lib');
const { DisaggregatedInference, InferenceMode } = require('cdk-disaggregated-inference');

const app = new App({ outdir: process.argv[2] ?? 'cdk.out' });
new DisaggregatedInference(new Stack(app, 'Inference'), 'Inference');
new DisaggregatedInference(new Stack(app, 'InferenceMock'), 'Inference', { mode: InferenceMode.mock() });
app.synth();
