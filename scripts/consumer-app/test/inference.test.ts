import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DisaggregatedInference } from 'cdk-disaggregated-inference';
import { normalizeTemplate } from 'cdk-disaggregated-inference/testing';

test('the inference stack matches its snapshot', () => {
  const stack = new Stack(new App(), 'Inference');
  new DisaggregatedInference(stack, 'Inference');
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
  expect(normalizeTemplate(template.toJSON())).toMatchSnapshot();
});
