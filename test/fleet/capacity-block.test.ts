import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { PurchaseOption } from '../../lib/fleet';
import { TrainiumPrefillFleet } from '../../lib/prefill';
import { CAPACITY_BLOCK, fleetScaffold } from '../prefill/fleet-fixtures';

function fleetOnBlock(block: Parameters<typeof PurchaseOption.capacityBlock>[0] = CAPACITY_BLOCK) {
  const { stack, network, model } = fleetScaffold();
  new TrainiumPrefillFleet(stack, 'Prefill', { network, model, purchaseOption: PurchaseOption.capacityBlock(block) });
  return stack;
}

describe('a fleet on a Capacity Block', () => {
  test('the group is empty outside the block: minimum 0, no desired capacity in the template, maximum the block size', () => {
    const template = Template.fromStack(fleetOnBlock());
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '0', MaxSize: '2', DesiredCapacity: Match.absent() });
  });

  test('one-time scheduled actions: the block size at its start, zero 40 minutes before its end; no recurrence', () => {
    const template = Template.fromStack(fleetOnBlock());
    const actions = Object.values(template.findResources('AWS::AutoScaling::ScheduledAction')).map((a: any) => a.Properties);
    const group = { Ref: Match.stringLikeRegexp('^PrefillGroupASG') };
    expect(actions).toHaveLength(2);
    expect(actions).toEqual(expect.arrayContaining([
      { AutoScalingGroupName: expect.objectContaining({ Ref: expect.stringMatching(/^PrefillGroupASG/) }), StartTime: '2030-08-05T11:30:00Z', MinSize: 2, MaxSize: 2, DesiredCapacity: 2 },
      { AutoScalingGroupName: expect.objectContaining({ Ref: expect.stringMatching(/^PrefillGroupASG/) }), StartTime: '2030-08-07T10:50:00Z', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 },
    ]));
    for (const action of actions) expect(action.Recurrence).toBeUndefined();
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { AutoScalingGroupName: group, MinSize: 0 });
  });

  test('the scale-in lead is configurable, but must exceed the 30 minutes after which EC2 terminates the instances', () => {
    const template = Template.fromStack(fleetOnBlock({ ...CAPACITY_BLOCK, scaleInBeforeEnd: Duration.hours(2) }));
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { StartTime: '2030-08-07T09:30:00Z', DesiredCapacity: 0 });
    expect(() => PurchaseOption.capacityBlock({ ...CAPACITY_BLOCK, scaleInBeforeEnd: Duration.minutes(30) })).toThrow(
      /scaleInBeforeEnd 30 minutes is not more than 30 minutes; EC2 begins terminating the instances 30 minutes before the block ends. Give e.g. Duration.minutes\(40\)/,
    );
  });

  test('no instances run on demand beside the block, so the group\'s own capacity props are refused', () => {
    const { stack, network, model } = fleetScaffold();
    expect(() => new TrainiumPrefillFleet(stack, 'Prefill', {
      network, model, minCapacity: 1, maxCapacity: 4, purchaseOption: PurchaseOption.capacityBlock(CAPACITY_BLOCK),
    })).toThrow(/minCapacity, maxCapacity do not apply on a Capacity Block: the group runs the block's instanceCount \(2\) inside it and none outside it. Drop minCapacity, maxCapacity/);
  });

  test('a block that has started is a warning: Auto Scaling refuses scheduled actions in the past', () => {
    const stack = fleetOnBlock({ ...CAPACITY_BLOCK, startTime: new Date('2020-01-01T11:30:00Z'), endTime: new Date('2020-01-03T11:30:00Z') });
    Annotations.fromStack(stack).hasWarning('/Test/Prefill', Match.stringLikeRegexp('Capacity Block cr-0123456789abcdef0 started at 2020-01-01T11:30:00Z'));
    Annotations.fromStack(fleetOnBlock()).hasNoWarning('*', Match.stringLikeRegexp('Capacity Block'));
  });

  test('bad windows and sizes are errors naming the value and the fix', () => {
    const block = (changes: object) => () => PurchaseOption.capacityBlock({ ...CAPACITY_BLOCK, ...changes });
    expect(block({ startTime: new Date('soon') })).toThrow(/startTime Invalid Date is not a valid date. Give the block's start.*new Date\('2026-08-05T11:30:00Z'\)/);
    expect(block({ endTime: new Date('2030-08-05T11:30:00Z') })).toThrow(
      /endTime 2030-08-05T11:30:00Z is not after startTime 2030-08-05T11:30:00Z. Give the block's start and end in order/,
    );
    expect(block({ instanceCount: 0 })).toThrow(/instanceCount 0 is not a whole number of instances; give the block's size \(1 or more\)/);
    expect(block({ instanceCount: 1.5 })).toThrow(/instanceCount 1.5 is not a whole number/);
    expect(block({ endTime: new Date('2030-08-05T12:00:00Z') })).toThrow(
      /the block from 2030-08-05T11:30:00Z to 2030-08-05T12:00:00Z is not longer than scaleInBeforeEnd \(40 minutes\)/,
    );
  });
});
