import { Token } from 'aws-cdk-lib';
import type { PurchaseOption } from './purchase-option';
import type { TrainiumFleetOptions } from './trainium-fleet-props';

/** The Auto Scaling group's size: minimum, maximum and, when given, desired. */
export interface FleetCapacity {
  readonly min: number;
  readonly max: number;
  readonly desired?: number;
}

/**
 * The group's size from the fleet's capacity props, checked (whole numbers, min <= desired <= max);
 * on a Capacity Block, zero to the block's size, the props refused. `description` names the fleet in errors.
 */
export function resolveFleetCapacity(props: TrainiumFleetOptions, purchaseOption: PurchaseOption, description: string): FleetCapacity {
  const block = purchaseOption.capacityBlockOptions;
  if (block) {
    // Zero outside the block, the block's size inside it (scheduled actions); no desired
    // capacity in the template, so a stack update during the block leaves the running instances be.
    const given = (['minCapacity', 'maxCapacity', 'desiredCapacity'] as const).filter((k) => props[k] !== undefined);
    if (given.length > 0) {
      throw new Error(
        `${description}: ${given.join(', ')} do not apply on a Capacity Block: the group runs the block's instanceCount ` +
          `(${block.instanceCount}) inside it and none outside it. Drop ${given.join(', ')}.`,
      );
    }
    return { min: 0, max: block.instanceCount };
  }
  const min = props.minCapacity ?? 1;
  const max = props.maxCapacity ?? Math.max(min, 2);
  for (const [name, value] of Object.entries({ minCapacity: min, maxCapacity: max, desiredCapacity: props.desiredCapacity })) {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < 0)) {
      throw new Error(`${description}: ${name} ${value} is not a whole number of instances; give an integer >= 0.`);
    }
  }
  if (min > max) {
    throw new Error(
      `${description}: minCapacity ${min} is above maxCapacity ${max}. Lower minCapacity or raise maxCapacity to at least ${min}.`,
    );
  }
  const desired = props.desiredCapacity;
  if (desired !== undefined && (desired < min || desired > max)) {
    throw new Error(
      `${description}: desiredCapacity ${desired} is outside minCapacity ${min} .. maxCapacity ${max}. Give a value in that range.`,
    );
  }
  return { min, max, desired };
}
