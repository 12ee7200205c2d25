import { Annotations, Duration } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type { Construct } from 'constructs';

/** A Capacity Block for ML as bought: its reservation, its window and its size. */
export interface CapacityBlockOptions {
  /** The block's Capacity Reservation id (`cr-...`), as `aws ec2 describe-capacity-reservations` lists it. */
  readonly reservationId: string;
  /**
   * When the block starts. The group scales out to `instanceCount` then. Capacity Blocks start and
   * end at 11:30 UTC.
   */
  readonly startTime: Date;
  /** When the block ends. The group scales in to zero `scaleInBeforeEnd` earlier. */
  readonly endTime: Date;
  /** Instances the block reserves: the group runs exactly these inside the block. */
  readonly instanceCount: number;
  /**
   * How long before the block's end the group scales in to zero. More than 30 minutes: EC2 begins
   * terminating the block's instances 30 minutes before its end.
   * @default Duration.minutes(40)
   */
  readonly scaleInBeforeEnd?: Duration;
}

/** EC2 starts terminating a block's instances this long before its end (EC2 User Guide, capacity-blocks-using). */
const EC2_TERMINATION_LEAD_MINUTES = 30;
const DEFAULT_SCALE_IN_BEFORE_END = Duration.minutes(40);

/** The block's options checked: valid dates in order, a whole instance count, a scale-in lead of more than 30 minutes. */
export function validCapacityBlock(block: CapacityBlockOptions): CapacityBlockOptions {
  const where = 'PurchaseOption.capacityBlock';
  for (const [name, value] of [['startTime', block.startTime], ['endTime', block.endTime]] as const) {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new Error(
        `${where}: ${name} ${String(value)} is not a valid date. Give the block's ${name === 'startTime' ? 'start' : 'end'} ` +
          "as listed by `aws ec2 describe-capacity-reservations`, e.g. new Date('2026-08-05T11:30:00Z').",
      );
    }
  }
  if (block.endTime.getTime() <= block.startTime.getTime()) {
    throw new Error(
      `${where}: endTime ${utc(block.endTime)} is not after startTime ${utc(block.startTime)}. Give the block's start and end in order.`,
    );
  }
  if (!Number.isInteger(block.instanceCount) || block.instanceCount < 1) {
    throw new Error(`${where}: instanceCount ${block.instanceCount} is not a whole number of instances; give the block's size (1 or more).`);
  }
  const lead = block.scaleInBeforeEnd ?? DEFAULT_SCALE_IN_BEFORE_END;
  if (lead.toSeconds() <= EC2_TERMINATION_LEAD_MINUTES * 60) {
    throw new Error(
      `${where}: scaleInBeforeEnd ${lead.toHumanString()} is not more than ${EC2_TERMINATION_LEAD_MINUTES} minutes; EC2 begins ` +
        'terminating the instances 30 minutes before the block ends. Give e.g. Duration.minutes(40).',
    );
  }
  if (scaleInTime(block).getTime() <= block.startTime.getTime()) {
    throw new Error(
      `${where}: the block from ${utc(block.startTime)} to ${utc(block.endTime)} is not longer than scaleInBeforeEnd ` +
        `(${lead.toHumanString()}), so the group would scale in before it scales out. Check the block's dates.`,
    );
  }
  return block;
}

/**
 * One-time scheduled actions on the group (AWS's guidance for Capacity Blocks with Auto Scaling,
 * EC2 Auto Scaling User Guide, launch-template-capacity-blocks: "Scale in your Auto Scaling group to
 * zero more than 30 minutes before the Capacity Block reservation end time ... use scheduled scaling
 * to scale out ... and scale in ... at the appropriate reservation times"): `CapacityBlockStart`
 * sets minimum, maximum and desired to the block's size at its start; `CapacityBlockEnd` sets all
 * three to zero before its end. `CfnScheduledAction` with a `StartTime` and no `Recurrence` runs
 * once; the L2 `scaleOnSchedule` always adds a recurrence, which would repeat every year.
 */
export function scheduleCapacityBlock(scope: Construct, autoScalingGroupName: string, block: CapacityBlockOptions): void {
  if (block.startTime.getTime() <= Date.now()) {
    Annotations.of(scope).addWarningV2(
      'cdk-disaggregated-inference:capacityBlockStarted',
      `The Capacity Block ${block.reservationId} started at ${utc(block.startTime)}: Auto Scaling refuses a scheduled action ` +
        'whose time has passed, so deploy before the block starts, or scale the group to the block\'s size by hand.',
    );
  }
  const size = block.instanceCount;
  new autoscaling.CfnScheduledAction(scope, 'CapacityBlockStart', {
    autoScalingGroupName,
    startTime: utc(block.startTime),
    minSize: size,
    maxSize: size,
    desiredCapacity: size,
  });
  new autoscaling.CfnScheduledAction(scope, 'CapacityBlockEnd', {
    autoScalingGroupName,
    startTime: utc(scaleInTime(block)),
    minSize: 0,
    maxSize: 0,
    desiredCapacity: 0,
  });
}

function scaleInTime(block: CapacityBlockOptions): Date {
  return new Date(block.endTime.getTime() - (block.scaleInBeforeEnd ?? DEFAULT_SCALE_IN_BEFORE_END).toMilliseconds());
}

/** `YYYY-MM-DDThh:mm:ssZ`, the only form `AWS::AutoScaling::ScheduledAction` takes. */
function utc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
