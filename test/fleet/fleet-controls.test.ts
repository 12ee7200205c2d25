import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Validations } from 'aws-cdk-lib';
import { PurchaseOption } from '../../lib/fleet';
import { TrainiumPrefillFleet } from '../../lib/prefill';
import { buildDefaultApp } from '../../lib/app';
import { CDK_JSON_CONTEXT, withCdkEnv } from '../app/test-app';
import { appWithControls, controlFindings } from '../controls/control-tower';
import { CAPACITY_BLOCK, fleetScaffold } from '../prefill/fleet-fixtures';

/** A fleet (and its network) in an app that runs cdk-nag and Control Tower's proactive controls. */
function fleetApp(props: Partial<ConstructorParameters<typeof TrainiumPrefillFleet>[2]> = {}) {
  const app = appWithControls({ context: CDK_JSON_CONTEXT });
  const { stack, network, model, tokenSecret } = fleetScaffold(new Stack(app, 'Test'), { interfaceEndpoints: true });
  Validations.of(tokenSecret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'test fixture: a Hugging Face token cannot rotate' });
  const fleet = new TrainiumPrefillFleet(stack, 'Prefill', { network, model, ...props });
  return { app, stack, fleet };
}

describe('a fleet and its network under cdk-nag and AWS Control Tower\'s proactive controls', () => {
  test('no unacknowledged finding (on demand, defaults)', () => {
    expect(controlFindings(fleetApp().app)).toEqual([]);
  });

  test('none on a Capacity Block with a customer-managed volume key either', () => {
    const app = appWithControls({ context: CDK_JSON_CONTEXT });
    const { stack, network, model, tokenSecret } = fleetScaffold(new Stack(app, 'Test'));
    Validations.of(tokenSecret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'test fixture: a Hugging Face token cannot rotate' });
    const volumeKey = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
    new TrainiumPrefillFleet(stack, 'Prefill', { network, model, volumeKey, purchaseOption: PurchaseOption.capacityBlock(CAPACITY_BLOCK) });
    expect(controlFindings(app)).toEqual([]);
  });

  test('the load balancer\'s deletion protection is on unless turned off, which is then acknowledged', () => {
    const on = fleetApp();
    const attributes = (stack: Stack) => stack.resolve((on.fleet.loadBalancer.node.defaultChild as any).loadBalancerAttributes);
    expect(attributes(on.stack)).toEqual(expect.arrayContaining([
      { key: 'deletion_protection.enabled', value: 'true' },
      { key: 'load_balancing.cross_zone.enabled', value: 'true' },
    ]));
    const off = fleetApp({ loadBalancerDeletionProtection: false });
    expect(off.stack.resolve((off.fleet.loadBalancer.node.defaultChild as any).loadBalancerAttributes)).toEqual(
      expect.arrayContaining([{ key: 'deletion_protection.enabled', value: 'false' }]),
    );
    expect(controlFindings(off.app)).toEqual([]);
  });
});

describe('the default app\'s fleets, network and artifact cache under the same controls', () => {
  // The invocation layer's resources (router functions, API, alarms) are another part's to clear.
  const mine = /^DisaggregatedInference\/(Inference\/(Network|Prefill|Decode|ArtifactCache)\/|Custom::VpcRestrictDefaultSG)/;
  test.each([
    ['Trainium decode', {}],
    ['a CS-3 decode endpoint', { decodeEndpointUrl: 'https://cs3.example.com' }],
    ['prefill on a Capacity Block', {
      capacityBlockReservationId: 'cr-0123456789abcdef0', capacityBlockStart: '2030-08-05T11:30:00Z',
      capacityBlockEnd: '2030-08-07T11:30:00Z', capacityBlockInstanceCount: '2', availabilityZone: 'us-east-2a',
    }],
  ])('%s: no unacknowledged finding on them', (_, context) => {
    const app = appWithControls({ context: { ...CDK_JSON_CONTEXT, ...context } });
    withCdkEnv(undefined, undefined, () => buildDefaultApp(app));
    expect(controlFindings(app).filter((f) => mine.test(f.constructPath))).toEqual([]);
  });
});
